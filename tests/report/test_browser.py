"""The report in a real headless Chromium (the system one; never `playwright install`).

The page is loaded from file:// with every other request blocked and recorded.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from simulator.report import build_report
from simulator.results.results import Results
from tests.report.conftest import EVIL

pytestmark = pytest.mark.browser

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
REPO = Path(__file__).resolve().parents[2]


def _chromium() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        message = "no chromium executable (install the `chromium` system package)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


class Page:
    """A loaded report page and what it tried to do."""

    def __init__(self, page: Any, url: str) -> None:
        self.page, self.url = page, url
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.route("**/*", self._route)
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        page.on("console", lambda msg: self.errors.append(f"console: {msg.text}")
                if msg.type == "error" else None)
        page.on("dialog", self._dialog)
        page.goto(url)
        page.wait_for_selector("html[data-ready='1']", timeout=30_000)

    def _route(self, route: Any) -> None:
        if route.request.url == self.url:
            route.continue_()
        else:
            self.requests.append(route.request.url)
            route.abort()

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = _chromium()
    if os.environ.get("CI") == "true":
        import playwright.sync_api as sync_api  # in CI a missing Playwright is a failure
    else:
        sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=executable, args=ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser")


def _open(browser: Any, path: Path) -> Page:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    return Page(context.new_page(), path.resolve().as_uri())


@pytest.fixture(scope="module")
def mini_page(browser: Any, mini_results: Results, report_dir: Path) -> Iterator[Page]:
    page = _open(browser, build_report([mini_results], report_dir / "mini.html"))
    yield page
    page.page.context.close()


DRAWN = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(el => ({
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
    declared = mini_page.page.locator("script.fig-data").count()
    figures = mini_page.page.evaluate(DRAWN)
    assert len(figures) == declared >= 6
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
    page.wait_for_timeout(200)
    assert set(page.evaluate(VISIBLE_VIEWS, occupancy)) == {"v1"}
    after = page.locator("#headline .kpis").filter(visible=True).inner_text()
    assert before != after
    page.select_option("#view-select", "v0")
    page.wait_for_timeout(200)
    assert mini_page.errors == []


def test_screenshot(mini_page: Page) -> None:
    target = REPO / "reports" / "report-test.png"
    target.parent.mkdir(exist_ok=True)
    mini_page.page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 10_000
    shutil.copyfile(target, "/tmp/report-screenshot.png")


def test_user_text_is_inert_and_visible(browser: Any, evil_results: Results,
                                       report_dir: Path) -> None:
    page = _open(browser, build_report([evil_results], report_dir / "evil.html"))
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
