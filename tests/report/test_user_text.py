"""User text stays text: no Plotly template placeholder is filled from a label, a
right-to-left override stays inside its label, and labels have a length limit that is
reported where it is broken."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from simulator.loading import read_scenario
from simulator.report import build_report
from simulator.report.html import esc, isolate_bidi, plot_text
from simulator.results.results import Results
from simulator.scenario.schema import LABEL_MAX
from tests.report.chromium import open_page
from tests.report.conftest import MINI
from tests.report.test_report import _figures, _without_plotly


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_helpers_break_placeholders_and_contain_overrides() -> None:
    assert "%{" not in plot_text("a %{x} b")
    assert isolate_bidi("plain text") == "plain text"
    wrapped = isolate_bidi("a \u202eb")
    assert wrapped == "\u2068a \u202eb\u2069"
    # isolate controls inside the text could close the wrapper early: they are dropped
    assert isolate_bidi("\u2069x\u202e") == "\u2068x\u202e\u2069"
    assert esc("\u202e<b>") == "\u2068\u202e&lt;b&gt;\u2069"


def test_report_keeps_spoofing_labels_inert(evil_results: Results, tmp_path: Path) -> None:
    text = _without_plotly(build_report([evil_results], tmp_path / "e.html").read_text())
    strings = [s for f in _figures(text) for s in _strings(f)]
    assert any("{customdata[0]}" in s for s in strings)  # the label is in the figures
    for s in strings:
        assert "%{x} %{customdata[0]}" not in s
        for override in re.finditer("\u202e", s):
            assert "\u2068" in s[:override.start()], s
    # in the page, every override sits inside an FSI … PDI pair
    for match in re.finditer("\u202e", text):
        before, after = text[:match.start()], text[match.end():]
        assert before.rfind("\u2068") > before.rfind("\u2069"), text[match.start() - 80:][:160]
        assert "\u2069" in after


@pytest.mark.browser
def test_hover_shows_the_placeholder_literally(browser: Any, evil_results: Results,
                                               tmp_path: Path) -> None:
    page = open_page(browser, build_report([evil_results], tmp_path / "e.html"))
    try:
        hover = page.page.evaluate("""() => {
          const gd = document.querySelector('#headline .js-plotly-plot');
          const trace = gd.data.findIndex(t => t.visible !== false);
          const point = gd.data[trace].y.findIndex(y => y.includes('customdata'));
          Plotly.Fx.hover(gd, [{curveNumber: trace, pointNumber: point}]);
          return gd.querySelector('.hoverlayer').textContent;
        }""")
        assert "{x}" in hover
        assert "{customdata[0]}" in hover
        assert page.errors == []
        assert page.dialogs == []
    finally:
        page.page.context.close()


@pytest.mark.parametrize("where", ["label: US strike", "label: Dovish White House"])
def test_overlong_label_is_a_located_error(tmp_path: Path, where: str) -> None:
    long = "x" * (LABEL_MAX + 1)
    path = tmp_path / "long.yaml"
    text = MINI.replace(where, f"label: {long}")
    path.write_text(text)
    (diagnostic,) = [d for d in read_scenario(path).diagnostics if d.severity == "error"]
    line = next(i for i, row in enumerate(text.splitlines(), 1) if long in row)
    assert diagnostic.line == line
    assert diagnostic.column > 0
    assert diagnostic.path[-1] == "label"
    assert str(LABEL_MAX) in diagnostic.message
