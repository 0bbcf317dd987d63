"""The CLI in an ordinary terminal: 80 columns, redirected output, repeated commands."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

import simulator
from simulator.cli._progress import line_progress
from simulator.cli._tables import distinct_labels, headline_table, pp, pp_interval
from simulator.cli.app import app
from simulator.cli.new_cmd import scenario_title
from simulator.runner.executors import SerialExecutor

LONG = "Negotiated deepening of bilateral security cooperation under a framework"


def _render(table: Any, width: int = 80) -> str:
    console = Console(width=width, record=True, force_terminal=False)
    console.print(table)
    return console.export_text()


def _rows() -> list[dict[str, Any]]:
    rows = []
    for variant in ("baseline", "mexico_deepens_cooperation"):
        for outcome, label in (("deepened", LONG), ("arrest_a", "Arrest of a politician"),
                               ("arrest_b", "Arrest of a politician")):
            rows.append({"variant": variant, "outcome": outcome, "label": label,
                         "probability": 0.123, "ci95": [0.1, 0.15], "words": "unlikely"})
    return rows


def test_headline_table_fits_80_columns_and_keeps_every_word() -> None:
    text = _render(headline_table("A title", _rows()))
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "…" not in text  # nothing is cut off
    first_column = [line.split("│")[1] for line in text.splitlines() if line.count("│") > 2]
    flat = " ".join(" ".join(first_column).split())
    assert LONG in flat  # the long label wraps onto several lines, in full
    assert "mexico_deepens_cooperation" in text  # the variant is named, in full
    # two outcomes share a label: their ids tell them apart
    assert "Arrest of a politician (arrest_a)" in flat
    assert "Arrest of a politician (arrest_b)" in flat


def test_distinct_labels_only_adds_ids_where_needed() -> None:
    assert distinct_labels(["A", "B", "A"], ["x", "y", "z"]) == ["A (x)", "B", "A (z)"]
    # the same label in two groups is not a collision
    assert distinct_labels(["A", "A"], ["x", "x"], ["g1", "g2"]) == ["A", "A"]


def test_differences_are_percentage_points() -> None:
    assert pp(0.019) == "+1.9 pp"
    assert pp(-0.0004) == "+0.0 pp"  # no "-0.0"
    assert pp(0.25, sign=False) == "25.0 pp"
    assert pp_interval(-0.026, 0.037) == "-2.6 … +3.7 pp"


def test_progress_lines_are_spaced_and_the_last_is_always_written() -> None:
    now = [0.0]
    lines: list[str] = []
    update = line_progress("tornado", lines.append, clock=lambda: now[0], every=10.0)
    for done in range(0, 1001, 50):  # 1,000 runs over 30 s, reported every 1.5 s
        now[0] = done * 0.03
        update(done, 1000)
    assert lines[0] == "tornado: 0/1,000 runs (0%)"
    assert lines[-1].startswith("tornado: 1,000/1,000 runs (100%), 33 runs/s")
    assert 3 <= len(lines) <= 5  # about one line per 10 s, not one per report
    assert re.search(r"about \d+ s left$", lines[1]), lines[1]


def test_compare_prints_percentage_points(mini_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "r"
    simulator.run(mini_path, variants="all", runs=200, seed=0, out=out, executor="serial")
    result = CliRunner().invoke(app, ["compare", str(out)], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert " pp" in result.output
    assert not re.search(r"[+-]\d+\.\d%", result.output), result.output  # no "+1.9%"


def _run(args: list[str]) -> Any:
    return CliRunner().invoke(app, ["run", *args], env={"COLUMNS": "80"})


def test_run_on_a_finished_folder_shows_its_results(mini_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "r"
    args = [str(mini_path), "-n", "100", "-o", str(out), "--executor", "serial"]
    first = _run(args)
    assert first.exit_code == 0, first.output
    (out / "runs.parquet").touch()  # if it were simulated again, the time would change
    stamp = (out / "manifest.json").stat().st_mtime_ns
    again = _run(args)
    assert again.exit_code == 0, again.output
    assert "already holds this finished run" in again.output
    assert "us_strike" in again.output  # the headline table is shown
    assert (out / "manifest.json").stat().st_mtime_ns == stamp  # nothing was rewritten
    # a different request still refuses to overwrite the finished run
    other = _run([*args[:-2], "--seed", "1", "--executor", "serial"])
    assert other.exit_code == 1
    assert "--force" in other.output


class _StopAfter:
    """A serial executor interrupted after ``n`` tasks, as Ctrl-C would."""

    name = "stop-after"
    workers = 1

    def __init__(self, n: int) -> None:
        self.n = n

    def map_unordered(self, fn: Callable[[Any], Any], tasks: Sequence[Any]) -> Iterator[Any]:
        for i, result in enumerate(SerialExecutor().map_unordered(fn, tasks)):
            if i >= self.n:
                raise KeyboardInterrupt
            yield result

    def close(self) -> None:
        pass


def test_resumed_run_says_how_much_was_done(mini_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "r"
    with pytest.raises(KeyboardInterrupt):
        simulator.run(mini_path, runs=1000, chunk_size=100, seed=0, out=out,
                      executor=_StopAfter(3))
    result = _run([str(mini_path), "-n", "1000", "--chunk-size", "100", "-o", str(out),
                   "--executor", "serial", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "resuming the interrupted run" in result.output
    assert "300 of 1,000 runs (30%) were already done" in result.output


BUSY = """\
id: busy
title: Busy
as_of: 2026-01-05
horizon: 1 year
state:
  tension: {initial: 0.2, min: 0, max: 1}
actors:
  a:
    options:
      protest: {rate: 2 * tension, effects: [{add: {tension: 0.0}}]}
outcomes:
  high: {when: tension > 0.5}
"""


def test_run_warns_about_an_option_that_fires_implausibly_often(tmp_path: Path) -> None:
    path = tmp_path / "busy.yaml"
    path.write_text(BUSY)
    result = _run([str(path), "-n", "20", "-o", str(tmp_path / "r"), "--executor", "serial",
                   "--quiet"])
    assert result.exit_code == 0, result.output
    assert "option `a.protest` fired" in result.output
    assert "hazard per day" in result.output


def test_run_does_not_warn_about_an_ordinary_scenario(mini_path: Path, tmp_path: Path) -> None:
    result = _run([str(mini_path), "-n", "20", "-o", str(tmp_path / "r"), "--executor",
                   "serial", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "fired" not in result.output


@pytest.mark.parametrize(("name", "title"), [
    ("india_pakistan", "India Pakistan"),
    ("India–Pakistan crisis", "India–Pakistan crisis"),
    ("US_Mexico", "US Mexico"),
])
def test_new_keeps_the_name_s_capitals(name: str, title: str, tmp_path: Path) -> None:
    assert scenario_title(name) == title
    result = CliRunner().invoke(app, ["new", name, "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    # `new` also writes an evidence register; the scenario is the file with a title
    (written,) = [p for p in tmp_path.rglob("*.yaml") if "\ntitle: " in p.read_text()]
    assert f"title: {title}\n" in written.read_text()
