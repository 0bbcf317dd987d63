"""The flagship scenario's report has no "could not be computed" notes: every analysis
section either renders or explains a gap; a bug fails the build instead."""

from __future__ import annotations

from pathlib import Path

import simulator
from simulator.report import render

FLAGSHIP = Path(__file__).parents[2] / "scenarios" / "us_mexico_cartels.yaml"


def test_flagship_report_has_no_failure_notes(tmp_path: Path) -> None:
    results = simulator.run(FLAGSHIP, variants="all", runs=100, executor="serial",
                            out=tmp_path / "r")
    page = render([results])
    assert "could not be computed: " not in page
    for section in ('id="compare"', 'id="signposts"', 'id="stories"'):
        assert section in page
