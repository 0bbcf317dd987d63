"""Variants compared side by side in the state charts, one colour per variant, evidence
cited by its source's headline, and a reproduce block without the author's folders."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from simulator.report.builder import render
from simulator.report.context import PALETTE, Context
from simulator.report.reproduce import shown_command, shown_path
from simulator.results.results import Results
from tests.report.conftest import EVIL
from tests.report.test_report import _figures


def _section(text: str, sid: str) -> str:
    found = re.search(rf'<section class="card" id="{sid}">(.*?)</section>', text, re.S)
    assert found is not None, sid
    return found.group(1)


def test_state_charts_show_every_variant_side_by_side(mini_results: Results) -> None:
    text = render([mini_results])
    views = Context([mini_results]).views
    assert len(views) >= 2
    ids = re.findall(r'<div class="plot plot-all" id="(fig-\d+)"', _section(text, "state"))
    assert ids
    figures = dict(zip(re.findall(r'id="(fig-\d+)" role="img"', text), _figures(text),
                       strict=True))
    for fid in ids:
        traces = figures[fid]["data"]
        always = [t for t in traces if not (t.get("meta") or {}).get("view")]
        # one median per variant, always shown, each in its variant's colour (the
        # baseline's last, on top)
        assert [t["line"]["color"] for t in always] == [v.color for v in reversed(views)]
        # the bands belong to one variant each: the selector shows the selected one's
        bands = [t for t in traces if (t.get("meta") or {}).get("view")]
        assert {t["meta"]["view"] for t in bands} == {v.key for v in views}
        for t in bands:
            colour = next(v.color for v in views if v.key == t["meta"]["view"])
            if "fillcolor" in t:
                r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
                assert t["fillcolor"].startswith(f"rgba({r},{g},{b},")
    # and the key names every variant once, with its colour
    key = re.search(r'<ul class="key">(.*?)</ul>', _section(text, "state"), re.S)
    assert key is not None
    for view in views:
        assert f'background:{view.color}"></span>{html.escape(view.label)}</li>' in key.group(1)


def test_variant_colours_are_distinct_for_up_to_eleven_variants() -> None:
    assert len(PALETTE) >= 11
    assert len({c.lower() for c in PALETTE}) == len(PALETTE)


def test_evidence_cites_source_headlines(evil_results: Results) -> None:
    evidence = _section(render([evil_results]), "evidence")
    escaped = html.escape(EVIL, quote=True)
    # the registered document by its headline, outlet and date, its id after, small
    assert (f"“{escaped}” — {escaped}, 2026-01 <code class=\"muted small\">doc-one</code>"
            in evidence)
    # an unregistered source stays an id
    assert f"<code>{escaped}</code>" in evidence
    assert "<script>" not in evidence


@pytest.mark.parametrize(("typed", "shown"), [
    ("/home/alice/proj/scenarios/x.yaml", "scenarios/x.yaml"),
    ("/home/alice/results/r1", "../results/r1"),
    ("/tmp/r1", "/tmp/r1"),
    ("scenarios/x.yaml", "scenarios/x.yaml"),
])
def test_paths_are_shown_without_the_home_folder(typed: str, shown: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/home/alice")
    assert shown_path(typed, cwd=Path("/home/alice/proj")) == shown


def test_command_keeps_working_without_the_home_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/home/alice")
    command = ("geosim run /home/alice/proj/s.yaml --all-variants -o /home/alice/proj/out "
               "--report=/home/alice/r.html --seed 3")
    assert shown_command(command, cwd=Path("/home/alice/proj")) == (
        "geosim run s.yaml --all-variants -o out --report=../r.html --seed 3")


def test_report_prints_no_home_folder(mini_results: Results, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home" / "alice"
    project = home / "project"
    project.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(project)
    results = Results(mini_results.path)
    results.manifest = dict(results.manifest,
                            command=f"geosim run {project}/mini.yaml -o {home}/out",
                            scenario_file=f"{project}/mini.yaml")
    reproduce = _section(render([results]), "reproduce")
    assert str(home) not in reproduce
    assert "geosim run mini.yaml -o ../out" in reproduce


def test_outcome_without_a_traced_run_gets_the_reason_not_an_empty_story(
        mini_results: Results) -> None:
    from simulator.report.figures_analysis import _stories

    ctx = Context([mini_results])
    view = ctx.views[0]
    name = next(iter(view.summary["outcomes"]))
    reason = "None of the 4 traced runs reaches it <b>"
    body = _stories(ctx, view.source, view, {name: [{"run": None, "outcome": name,
                                                     "reached_day": None, "note": reason}]})
    assert "Run None" not in body
    assert "<details" not in body
    assert html.escape(reason) in body


def test_thresholds_compare_every_variant(mini_results: Results) -> None:
    text = render([mini_results])
    views = Context([mini_results]).views
    ladder = _section(text, "ladder")
    assert "Runs past each threshold, variant by variant" in ladder
    ids = re.findall(r'<div class="plot plot-all" id="(fig-\d+)"', ladder)
    figures = dict(zip(re.findall(r'id="(fig-\d+)" role="img"', text), _figures(text),
                       strict=True))
    past = [figures[f] for f in ids if all(t.get("mode") == "lines"
                                           for t in figures[f]["data"])]
    assert len(past) == 1
    traces = past[0]["data"]
    n_thresholds = len(views[0].model.ladder.thresholds)
    # every variant, in its colour, on every threshold's chart; none hidden by the selector
    assert [t["line"]["color"] for t in traces] == [
        v.color for v in views for _ in range(n_thresholds)]
    assert all(not (t.get("meta") or {}).get("view") for t in traces)
    # a share of runs
    for t in traces:
        assert all(0 <= y <= 100 for y in t["y"])
