"""Benchmark: open a report in headless Chromium and time what a reader waits for.

    .venv/bin/python benchmarks/bench_report_browser.py REPORT.html [--repeats K]
        [--width 1400] [--height 900] [--chromium /usr/bin/chromium] [--screenshot PNG]

Prints, for each of K fresh page loads (network blocked, file:// only), in ms from the
start of navigation:

* ``scrollable``: the first animation frame after DOMContentLoaded. Scripts that run
  before it block scrolling; after it the reader can scroll while charts are drawn.
* ``plotly``: plotly.js unpacked and running;
* ``all drawn``: every figure that is shown has been drawn (``data-drawn="all"``);
* ``drawn at once``: the figures drawn by then (the rest wait to be scrolled to or for
  idle time).

Also the file size and the JS heap after drawing. ``--screenshot`` saves the first
screen (the viewport, once every shown figure is drawn) of the last load: the images in
``docs/images/`` are the flagship report at ``--width 1400 --height 900`` and at
``--width 390 --height 844``. Figures are measurements of this
machine at this moment: on a busy machine they are upper bounds.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

PROBE = """
(() => {
  const t = {};
  window.__bench = t;
  document.addEventListener("DOMContentLoaded", () => {
    t.dcl = performance.now();
    requestAnimationFrame(() => { t.scrollable = performance.now(); });
  });
  const watched = ["data-drawn", "data-plotly", "data-ready"];
  new MutationObserver(() => {
    const root = document.documentElement;
    // reports that draw every figure before marking the page ready have no data-drawn
    const synchronous = !document.getElementById("figures-gz");
    if (!t.plotly && (root.getAttribute("data-plotly") === "1" || synchronous && window.Plotly)) {
      t.plotly = performance.now();
    }
    if (!t.drawn && (root.getAttribute("data-drawn") === "all"
                     || synchronous && root.getAttribute("data-ready") === "1")) {
      t.drawn = performance.now();
      t.count = document.querySelectorAll(".js-plotly-plot").length;
    }
  }).observe(document, {attributes: true, subtree: true, attributeFilter: watched});
})();
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("report", type=Path)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--screenshot", type=Path, help="save the first screen here (PNG)")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    url = args.report.resolve().as_uri()
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium,
                                    args=["--no-sandbox", "--disable-gpu"])
        for _ in range(args.repeats):
            context = browser.new_context(viewport={"width": args.width, "height": args.height})
            page = context.new_page()
            page.route("**/*", lambda route: route.continue_() if route.request.url == url
                       else route.abort())
            page.add_init_script(PROBE)
            page.goto(url)
            page.wait_for_function("() => window.__bench && window.__bench.drawn",
                                   timeout=120_000)
            t = page.evaluate("() => window.__bench")
            heap = page.evaluate("() => performance.memory ? performance.memory.usedJSHeapSize : 0")
            shown = page.evaluate("() => Array.from(document.querySelectorAll('div.plot'))"
                                  ".filter(el => el.offsetParent !== null).length")
            if args.screenshot is not None:
                page.wait_for_timeout(300)  # let the last figure's transition settle
                page.screenshot(path=str(args.screenshot))
            rows.append((t["scrollable"], t.get("plotly", float("nan")), t["drawn"], t["count"],
                         shown, heap))
            context.close()
        browser.close()
    size = args.report.stat().st_size
    print(f"report: {args.report} ({size / 1e6:.2f} MB, {size:,} bytes), "
          f"viewport {args.width}×{args.height}")
    for i, (scrollable, plotly, drawn, count, shown, heap) in enumerate(rows, 1):
        print(f"  load {i}: scrollable {scrollable:7.0f} ms   plotly {plotly:7.0f} ms   "
              f"all drawn {drawn:7.0f} ms ({count}/{shown} figures)   heap {heap / 1e6:.1f} MB")
    print(f"median: scrollable {statistics.median(r[0] for r in rows):.0f} ms, "
          f"all drawn {statistics.median(r[2] for r in rows):.0f} ms")


if __name__ == "__main__":
    main()
