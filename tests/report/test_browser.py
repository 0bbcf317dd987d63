"""The report in a real headless Chromium (the system one; never `playwright install`).

The page is loaded from file:// with every other request blocked and recorded.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from simulator.report import build_report
from simulator.results.results import Results
from tests.report.chromium import Page, open_page
from tests.report.conftest import EVIL

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser")


@pytest.fixture(scope="module")
def mini_page(browser: Any, mini_results: Results, report_dir: Path) -> Iterator[Page]:
    page = open_page(browser, build_report([mini_results], report_dir / "mini.html"))
    yield page
    page.page.context.close()


DRAWN = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
  .filter(el => el.offsetParent !== null).map(el => ({
  id: el.id,
  svg: el.querySelectorAll('svg.main-svg').length,
  marks: el.querySelectorAll('.scatterlayer .trace path, .barlayer .point path, '
                             + '.sankey .sankey-link, .sankey .node-rect').length,
}))"""

VISIBLE_VIEWS = """(id) => {
  const gd = document.getElementById(id);
  return gd._fullData.filter(t => t.visible === true && t.meta && t.meta.view)
                     .map(t => t.meta.view);
}"""


def test_loads_offline_without_errors(mini_page: Page) -> None:
    assert mini_page.requests == []
    assert mini_page.errors == []
    assert mini_page.dialogs == []


def test_every_figure_is_drawn(mini_page: Page) -> None:
    page = mini_page.page
    shown = page.evaluate("() => Array.from(document.querySelectorAll('div.plot'))"
                          ".filter(el => el.offsetParent !== null).length")
    figures = page.evaluate(DRAWN)
    assert len(figures) == shown >= 6
    for fig in figures:
        assert fig["svg"] >= 1, fig
        assert fig["marks"] > 0, fig


def test_switching_variant_changes_figures(mini_page: Page) -> None:
    page = mini_page.page
    occupancy = page.evaluate(
        "() => Array.from(document.querySelectorAll('.js-plotly-plot'))"
        ".find(el => el._fullData.some(t => t.stackgroup)).id")
    assert set(page.evaluate(VISIBLE_VIEWS, occupancy)) == {"v0"}
    before = page.locator("#headline .kpis").filter(visible=True).inner_text()
    page.select_option("#view-select", "v1")
    mini_page.wait_drawn()
    assert set(page.evaluate(VISIBLE_VIEWS, occupancy)) == {"v1"}
    after = page.locator("#headline .kpis").filter(visible=True).inner_text()
    assert before != after
    page.select_option("#view-select", "v0")
    mini_page.wait_drawn()
    assert mini_page.errors == []


def test_screenshot(mini_page: Page) -> None:
    target = REPO / "reports" / "report-test.png"
    target.parent.mkdir(exist_ok=True)
    mini_page.page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 10_000
    shutil.copyfile(target, "/tmp/report-screenshot.png")


def test_user_text_is_inert_and_visible(browser: Any, evil_results: Results,
                                       report_dir: Path) -> None:
    page = open_page(browser, build_report([evil_results], report_dir / "evil.html"))
    try:
        page.page.wait_for_timeout(300)
        assert page.dialogs == []
        assert page.errors == []
        assert page.requests == []
        body = page.page.inner_text("body")
        assert "<script>alert(1)</script>" in body
        assert "<img src=x onerror=alert(1)>" in body
        assert "&amp;" in body
        assert page.page.locator("img").count() == 0
        # labels inside the figures are literal text too
        svg_text = page.page.evaluate(
            "() => Array.from(document.querySelectorAll('.main-svg'))"
            ".map(s => s.textContent).join(' ')")
        assert "<script>alert(1)</script>" in svg_text
        hrefs = page.page.evaluate(
            "() => Array.from(document.querySelectorAll('a[href]'))"
            ".map(a => a.getAttribute('href'))")
        assert all(h.startswith("#") for h in hrefs)
        page.page.select_option("#view-select", "v1")
        page.page.wait_for_timeout(200)
        assert page.dialogs == []
        assert page.errors == []
        assert EVIL[:20] in page.page.inner_text("#headline")
    finally:
        page.page.context.close()
