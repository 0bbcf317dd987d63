"""The HTML report without a browser: structure, escaping, size, atomic writing."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

import simulator
from simulator.report import build_report
from simulator.report.builder import render
from simulator.report.figures_state import hist_quantiles
from simulator.report.html import escape_script_json, script_json
from simulator.results.results import Results
from tests.report.conftest import EVIL

SECTION_IDS = ("about", "headline", "ladder", "timing", "state", "paths", "parameters",
               "evidence", "reproduce")


def _without_plotly(text: str) -> str:
    """The page without its packed plotly.js, which must be there exactly once and unpack
    to the installed plotly.js."""
    import base64
    import gzip

    from plotly.offline import get_plotlyjs

    packed = re.findall(r'<script type="application/octet-stream" id="plotly-gz">([^<]*)'
                        r"</script>", text)
    assert len(packed) == 1  # plotly.js inlined exactly once
    assert gzip.decompress(base64.b64decode(packed[0])).decode() == get_plotlyjs()
    return text.replace(packed[0], "")


def _markup(text: str) -> str:
    """The page without its packed figures."""
    return re.sub(r'(<script type="application/octet-stream" id="figures-gz">)[^<]*',
                  r"\1", text)


def _figures(text: str) -> list[dict]:
    """The packed figures, each with a placeholder div of its id."""
    import base64
    import gzip

    packed = re.findall(r'<script type="application/octet-stream" id="figures-gz">([^<]*)'
                        r"</script>", text)
    assert len(packed) == 1
    figures = json.loads(gzip.decompress(base64.b64decode(packed[0])))
    assert figures
    for fid in figures:
        assert f'id="{fid}" role="img"' in text
    return list(figures.values())


def test_writes_atomically(mini_results: Results, tmp_path: Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "sub" / "r.html"
    calls: list[tuple[str, str]] = []
    real_replace = os.replace

    def spy(src: str, dst: str) -> None:
        calls.append((str(src), str(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    path = build_report([mini_results], out)
    assert path == out
    assert out.is_file()
    assert len(calls) == 1
    tmp, dst = calls[0]
    assert Path(tmp).parent == out.parent
    assert dst == str(out)
    assert [p.name for p in out.parent.iterdir()] == ["r.html"]  # no temp file left


def test_sections_and_figures(mini_results: Results, tmp_path: Path) -> None:
    text = build_report([mini_results], tmp_path / "r.html").read_text()
    assert text.startswith("<!DOCTYPE html>")
    for sid in SECTION_IDS:
        assert f'<section class="card" id="{sid}">' in text
        assert f'href="#{sid}"' in text  # in the table of contents
    rest = _without_plotly(text)
    figures = _figures(rest)
    markup = _markup(rest)  # base64 may spell anything: the packed figures are checked decoded
    assert "cdn" not in markup.lower()
    assert "https://" not in markup
    assert "https://" not in json.dumps(figures)
    assert len(figures) >= 6
    config = json.loads(re.search(r'id="plot-config">(.*?)</script>', rest, re.S).group(1))
    assert config["displaylogo"] is False
    # variant selector: one option per variant, keyed by generated ids
    assert re.findall(r'<option value="(v\d+)"', rest) == ["v0", "v1"]
    assert "Dovish White House" in rest
    views = {t.get("meta", {}).get("view") for f in figures for t in f["data"]}
    assert {"v0", "v1"} <= views


def test_size_stays_small(mini_results: Results) -> None:
    text = render([mini_results])
    plotly = re.search(r'id="plotly-gz">([^<]*)</script>', text)
    assert plotly is not None
    own = len(text.encode()) - len(plotly.group(1))
    assert own < 400_000  # aggregates only: no per-run data
    assert len(text.encode()) < 3_000_000


def test_headline_numbers_match_summary(mini_results: Results) -> None:
    text = render([mini_results])
    for row in mini_results.headline_rows():
        assert f"{100 * row['probability']:.1f}%" in text
        assert row["words"] in text


def test_user_text_is_escaped(evil_results: Results, tmp_path: Path) -> None:
    text = _without_plotly(build_report([evil_results], tmp_path / "e.html").read_text())
    assert "<img" not in text
    assert "<script>alert" not in text
    assert "onerror=alert(1)>" not in text
    # every </script> closes one of our own script elements
    assert text.count("</script>") == text.count("<script")
    # links only to in-page anchors
    assert re.findall(r'href="(?!#)', text) == []
    assert "javascript:alert(1)" in text  # shown, as text
    assert "&amp;amp;" in text  # a literal "&amp;" stays literal
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    # JSON in <script> cannot close the element
    for body in re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', text, re.S):
        assert "<" not in body
        assert ">" not in body
    # the evidence claim is present, anchored and linked
    anchor = re.search(r'<li class="claim" id="(ev-[\d-]+)">', text)
    assert anchor is not None
    assert f'href="#{anchor.group(1)}"' in text


def test_script_json_escapes() -> None:
    payload = {"a": "</script><!-- & \u2028"}
    encoded = script_json(payload)
    assert "<" not in encoded
    assert ">" not in encoded
    assert "&" not in encoded
    assert json.loads(encoded) == payload
    assert escape_script_json('"</script>"') == '"\\u003c/script\\u003e"'
    assert "<" not in EVIL.replace("<", "")  # sanity of the fixture


def test_several_results_combined(mini_results: Results, evil_results: Results,
                                  tmp_path: Path) -> None:
    text = build_report([mini_results, evil_results], tmp_path / "m.html",
                        title="Two & more").read_text()
    assert "<title>Two &amp; more</title>" in text
    options = re.findall(r'<option value="(v\d+)" data-source="(r\d+)"', text)
    assert options == [("v0", "r0"), ("v1", "r0"), ("v2", "r1"), ("v3", "r1")]
    assert 'data-source="r0"' in text
    assert 'data-source="r1"' in text


def test_bare_scenario_renders(bare_results: Results, tmp_path: Path) -> None:
    text = build_report([bare_results], tmp_path / "b.html").read_text()
    for sid in ("headline", "timing", "parameters", "reproduce"):
        assert f'id="{sid}"' in text
    for sid in ("ladder", "paths", "signposts", "state"):
        assert f'<section class="card" id="{sid}">' not in text
    assert "This scenario has no parameters." in text


def test_empty_results_rejected() -> None:
    with pytest.raises(ValueError, match="at least one"):
        render([])


def test_hist_quantiles_interpolate() -> None:
    import numpy as np

    edges = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
    hist = np.array([[0, 10, 10, 0], [0, 0, 0, 0]])
    q = hist_quantiles(hist, edges, (0.05, 0.5, 0.95))
    assert q[0] == pytest.approx([1.1, 2.0, 2.9])
    assert np.isnan(q[1]).all()


def test_step_transitions_feed_the_sankey() -> None:
    """The Sankey's columns: runs per starting rung, then each move counted at its step."""
    from simulator.analysis.paths import _Ragged, step_transitions

    paths = _Ragged.from_lists([[1, 2, 3], [1, 2, 3], [1, 0], [1], [2, 1, 2, 3, 2, 1]])
    start, moves = step_transitions(paths, max_steps=3)
    assert start == {1: 4, 2: 1}
    assert {(m["step"], m["from"], m["to"]): m["runs"] for m in moves} == {
        (0, 1, 2): 2, (1, 2, 3): 2, (0, 1, 0): 1,
        (0, 2, 1): 1, (1, 1, 2): 1, (2, 2, 3): 1}  # the last run's 4th and 5th moves: cut
    assert [m["step"] for m in moves] == sorted(m["step"] for m in moves)


def test_cli_report(mini_results: Results, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from simulator.cli.app import app

    out = tmp_path / "cli.html"
    result = CliRunner().invoke(app, ["report", str(mini_results.path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.is_file()
    missing = CliRunner().invoke(app, ["report", str(tmp_path / "nope"), "-o", str(out)])
    assert missing.exit_code == 1


def test_correlations_are_listed_and_escaped(tmp_path: Path) -> None:
    from tests.engine.test_correlations import SCENARIO

    text = SCENARIO.replace("note: same driver", "note: \"<b>same</b> driver\"")
    path = tmp_path / "corr.yaml"
    path.write_text(text)
    results = simulator.run(path, runs=200, executor="serial", out=tmp_path / "r")
    html_text = build_report([results], tmp_path / "r.html").read_text()
    assert "Correlated parameters" in html_text
    assert "&lt;b&gt;same&lt;/b&gt; driver" in html_text
    assert "<b>same</b>" not in html_text
