"""Problems in a sweep spec file are placed at file:line:column, like scenario files."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.errors import ScenarioError
from simulator.runner import load_sweep_spec


def test_every_problem_is_placed_in_the_spec_file(mini_path: Path, tmp_path: Path) -> None:
    spec = tmp_path / "sweep.yaml"
    spec.write_text(
        f"scenario: {mini_path}\n"
        "design: lhs\n"
        "points: 4\n"
        "runs: 0\n"             # line 4: below the minimum
        "colour: blue\n"        # line 5: not a key of a sweep spec
        "parameters:\n"
        "  nope: {low: 0.1, high: 0.2}\n",
        encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_sweep_spec(spec)
    placed = {(d.path, d.line, d.column) for d in caught.value.diagnostics}
    assert (("runs",), 4, 7) in placed
    assert (("colour",), 5, 1) in placed
    assert all(d.file == str(spec) for d in caught.value.diagnostics)


def test_problems_of_meaning_are_placed_too(mini_path: Path, tmp_path: Path) -> None:
    spec = tmp_path / "sweep.yaml"
    spec.write_text(
        f"scenario: {mini_path}\n"
        "design: sobol\n"
        "points: 12\n"                                   # line 3: not a power of 2
        "parameters:\n"
        "  nope: {low: 0.1, high: 0.2}\n"                # line 5: not a parameter
        "  strike_rate: {low: 5% per month, high: 1% per month}\n",  # line 6: low > high
        encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_sweep_spec(spec)
    by_path = {d.path: d for d in caught.value.diagnostics}
    assert (by_path[("points",)].line, by_path[("points",)].column) == (3, 9)
    assert by_path[("points",)].hint == "use 8 or 16 points"
    assert by_path[("parameters", "nope")].line == 5
    assert "strike_rate" in (by_path[("parameters", "nope")].expected or "")
    assert by_path[("parameters", "strike_rate")].line == 6
    assert by_path[("parameters", "strike_rate")].hint == "swap `low` and `high`"


def test_unknown_keys_get_a_did_you_mean(mini_path: Path, tmp_path: Path) -> None:
    spec = tmp_path / "sweep.yaml"
    spec.write_text(f"scenario: {mini_path}\npoints: 4\ndesing: lhs\n"
                    "parameters:\n  strike_rate: {low: 1% per month, hihg: 2% per month}\n",
                    encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_sweep_spec(spec)
    hints = {d.path: d.hint for d in caught.value.diagnostics}
    assert hints[("desing",)] == "did you mean `design`?"
    assert hints[("parameters", "strike_rate", "hihg")] == "did you mean `high`?"


def test_a_misspelt_design_and_a_bad_bound_are_named(mini_path: Path, tmp_path: Path) -> None:
    spec = tmp_path / "sweep.yaml"
    spec.write_text(f"scenario: {mini_path}\ndesign: sobl\npoints: 4\n"
                    "parameters:\n  strike_rate: {low: 1% per month, high: 2% per month}\n",
                    encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_sweep_spec(spec)
    (design,) = caught.value.diagnostics
    assert (design.path, design.hint, design.expected) == (
        ("design",), "did you mean `sobol`?", "lhs | sobol | grid")
    spec.write_text(f"scenario: {mini_path}\npoints: 4\nparameters:\n"
                    "  strike_rate: {low: 1% to 3% per month, high: 2% per month}\n",
                    encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_sweep_spec(spec)
    (bound,) = caught.value.diagnostics
    assert (bound.path, bound.line, bound.column) == (("parameters", "strike_rate", "low"),
                                                      4, 22)
