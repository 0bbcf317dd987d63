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
