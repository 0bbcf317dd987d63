"""The report on every screen, in a real headless Chromium: figures keep their size when
variants are switched and the window is resized, a phone never scrolls sideways, print
gives a readable document, and the page is drawn without blocking."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from simulator.report import build_report
from simulator.results.results import Results
from tests.report.chromium import Page, open_page

pytestmark = pytest.mark.browser

#: each shown figure: its box, its layout height, the height of its plotting area and the
#: height the page declared for it (the figure's own, on its placeholder)
SIZES = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
  .filter(el => el.offsetParent !== null)
  .map(el => ({id: el.id, box: el.getBoundingClientRect().height,
               width: el.getBoundingClientRect().width, plotWidth: el._fullLayout.width,
               layout: el._fullLayout.height, plotArea: el._fullLayout._size.h,
               declared: parseFloat(el.style.height)}))"""

OVERFLOW = """() => ({doc: document.documentElement.scrollWidth, view: window.innerWidth,
  wide: Array.from(document.querySelectorAll('body *'))
    .filter(el => el.offsetParent !== null && !el.closest('.table-wrap, pre, .plot, .toc ol'))
    .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
    .slice(0, 5).map(el => el.tagName + '.' + el.className)})"""


@pytest.fixture(scope="module")
def mini_html(mini_results: Results, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_report([mini_results], tmp_path_factory.mktemp("screens") / "mini.html")


@pytest.fixture
def desktop(browser: Any, mini_html: Path) -> Iterator[Page]:
    page = open_page(browser, mini_html)
    yield page
    page.page.context.close()


def _by_id(sizes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in sizes}


def _assert_declared_heights(sizes: list[dict[str, Any]]) -> None:
    for s in sizes:
        assert s["layout"] == s["declared"], s
        assert abs(s["box"] - s["declared"]) <= 1, s
        assert s["plotArea"] > 40, s


def test_figures_keep_their_size_through_switches_and_resizes(desktop: Page) -> None:
    page = desktop.page
    first = page.evaluate(SIZES)
    assert len(first) >= 6
    _assert_declared_heights(first)
    for view in ("v1", "v0", "v1", "v0"):  # the second switch used to collapse them
        page.select_option("#view-select", view)
        desktop.wait_drawn()
    page.set_viewport_size({"width": 1000, "height": 700})
    page.wait_for_timeout(400)  # the resize handler waits 120 ms for the window to settle
    narrow = page.evaluate(SIZES)
    _assert_declared_heights(narrow)
    for s in narrow:
        assert s["width"] < _by_id(first)[s["id"]]["width"], s  # the width follows the page
    page.set_viewport_size({"width": 1400, "height": 900})
    page.wait_for_timeout(400)
    again = _by_id(page.evaluate(SIZES))
    for s in first:
        assert again[s["id"]]["box"] == s["box"], (s, again[s["id"]])
        assert again[s["id"]]["plotArea"] == s["plotArea"], (s, again[s["id"]])
        assert abs(again[s["id"]]["width"] - s["width"]) <= 1, (s, again[s["id"]])
    assert desktop.errors == []


def test_phone_has_no_sideways_scroll(browser: Any, mini_html: Path,
                                      evil_results: Results, tmp_path: Path) -> None:
    for path in (mini_html, build_report([evil_results], tmp_path / "evil.html")):
        page = open_page(browser, path, width=390, height=844)
        try:
            for view in ("v0", "v1"):
                page.page.select_option("#view-select", view)
                page.wait_drawn()
                found = page.page.evaluate(OVERFLOW)
                assert found["doc"] <= found["view"] == 390, (path.name, view, found)
                assert found["wide"] == [], (path.name, view, found)
                for s in page.page.evaluate(SIZES):
                    assert s["width"] <= 390, s
            assert page.errors == []
        finally:
            page.page.context.close()


def test_print_is_a_readable_document(desktop: Page, tmp_path: Path) -> None:
    page = desktop.page
    page.select_option("#view-select", "v1")
    desktop.wait_drawn()
    page.emulate_media(media="print")
    page.wait_for_timeout(300)
    label = page.locator("#view-select option[value='v1']").inner_text()
    printed = page.locator("#print-view")
    assert printed.is_visible()
    assert printed.inner_text() == label
    assert not page.locator("#view-select").is_visible()
    # every shown figure is drawn, no wider than the page, and keeps its height
    sizes = page.evaluate(SIZES)
    assert len(sizes) == page.evaluate(
        "() => Array.from(document.querySelectorAll('div.plot'))"
        ".filter(el => el.offsetParent !== null).length")
    _assert_declared_heights(sizes)
    for s in sizes:
        assert s["plotWidth"] <= 680, s
    # closed <details> print nothing (no dead "show" links); tables fit the column
    assert page.evaluate("() => Array.from(document.querySelectorAll('details:not([open])'))"
                         ".every(d => getComputedStyle(d).display === 'none')")
    assert page.evaluate("() => Array.from(document.querySelectorAll('table'))"
                         ".filter(t => t.offsetParent !== null)"
                         ".every(t => t.scrollWidth <= t.parentElement.clientWidth + 1)")
    pdf = tmp_path / "report.pdf"
    page.pdf(path=str(pdf), format="A4")
    assert pdf.read_bytes().startswith(b"%PDF")
    page.emulate_media(media="screen")
    page.wait_for_timeout(300)
    _assert_declared_heights(page.evaluate(SIZES))
    assert desktop.errors == []


def test_page_scrolls_before_the_charts_are_drawn(browser: Any, mini_html: Path) -> None:
    """plotly.js is unpacked after the page is shown; the text does not wait for it, and
    figures far below the first screen are drawn when they come into view or later."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = context.new_page()
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
            "file:") else route.abort())
        page.goto(mini_html.resolve().as_uri(), wait_until="domcontentloaded")
        state = page.evaluate("() => ({ready: document.documentElement.dataset.ready,"
                              " plotly: typeof window.Plotly})")
        assert state["ready"] == "1"
        page.wait_for_selector("html[data-drawn='all']", state="attached", timeout=60_000)
        assert page.evaluate("() => typeof window.Plotly") == "object"
    finally:
        context.close()


#: every input bar of "what would change our mind" in the selected variant: where its two
#: ends and its bar are drawn, as shares of its track, and the positions the page asked for
SWINGS = """() => Array.from(document.querySelectorAll('.swing > s'))
  .filter(el => el.offsetParent !== null)
  .map(el => {
    const track = el.getBoundingClientRect();
    const at = x => (x - track.left) / track.width * 100;
    const [lo, hi] = Array.from(el.querySelectorAll('b')).map(b => {
      const r = b.getBoundingClientRect(); return at(r.left + r.width / 2); });
    const bar = getComputedStyle(el, '::before');
    const asked = name => parseFloat(el.style.getPropertyValue(name));
    return {lo, hi, barLeft: parseFloat(bar.left) / track.width * 100,
            barWidth: parseFloat(bar.width) / track.width * 100,
            wantLo: asked('--l'), wantHi: asked('--h')};
  })"""


def test_input_bars_span_their_two_ends(desktop: Page) -> None:
    """The bars are drawn by the stylesheet from two positions: the ○ and ● sit where the
    page put them, and the bar runs between them whichever way round they are."""
    swings = desktop.page.evaluate(SWINGS)
    assert swings
    for s in swings:
        assert s["lo"] == pytest.approx(s["wantLo"], abs=0.5), s
        assert s["hi"] == pytest.approx(s["wantHi"], abs=0.5), s
        assert s["barLeft"] == pytest.approx(min(s["wantLo"], s["wantHi"]), abs=0.5), s
        assert s["barWidth"] == pytest.approx(abs(s["wantHi"] - s["wantLo"]), abs=0.5), s
