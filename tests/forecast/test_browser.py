"""The track-record page in a real headless Chromium (the system one, /usr/bin/chromium).

The page is opened from file:// with every other request blocked and recorded.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from simulator.forecast.collect import Pair
from simulator.forecast.record import record_id
from simulator.forecast.resolution import parse_resolution
from simulator.forecast.track import track_record
from simulator.report.track_page import write_track_page
from tests.forecast.conftest import make_record
from tests.report.chromium import launch

pytestmark = pytest.mark.browser

EVIL = "<script>alert(1)</script> <img src=x onerror=alert(1)> & \"q\""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch()


def _class_of(n: int) -> list[Pair]:
    """n one-outcome forecasts with hostile titles; outcomes drawn from the forecasts."""
    rng = np.random.default_rng(3)
    pairs = []
    for i in range(n):
        p = float(rng.uniform(0.02, 0.98))
        record = make_record({"x": round(p, 3)})
        record["scenario"]["title"] = f"{EVIL} #{i}"
        record["id"] = record_id(record)
        status = '"yes", date: 2026-01-07' if rng.uniform() < p else '"no"'
        res = parse_resolution(f"resolved_on: 2026-02-01\nambiguous: exclude\n"
                               f"outcomes: {{x: {{status: {status}}}}}\n")
        pairs.append(Pair(Path(f"f{i}.forecast.json"), record, res))
    return pairs


def _open(browser: Any, path: Path) -> tuple[Any, list[str], list[str]]:
    page = browser.new_context().new_page()
    url = path.resolve().as_uri()
    requests: list[str] = []
    errors: list[str] = []

    def route(r: Any) -> None:
        if r.request.url == url:
            r.continue_()
        else:
            requests.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda d: (errors.append("dialog: " + d.message), d.dismiss()))
    page.goto(url)
    return page, requests, errors


def test_track_record_page_renders(browser: Any, tmp_path: Path) -> None:
    track = track_record(_class_of(150))
    path = write_track_page(track, tmp_path / "track.html", title=f"Class {EVIL}")
    page, requests, errors = _open(browser, path)
    assert requests == []
    assert errors == []
    assert EVIL in page.title()  # shown as text, not run
    dots = page.locator("#reliability circle")
    assert dots.count() == len(track["pooled"]["bins"]) >= 8
    for i in range(dots.count()):
        box = dots.nth(i).bounding_box()
        assert box is not None
        assert box["width"] > 0
    assert page.locator("#forecasts tbody tr").count() == 150
    assert page.locator("#forecasts tbody tr").first.inner_text().count("<script>") == 1
    assert page.locator("#calibration-warning").count() == 0  # 150 outcomes: enough
    assert page.locator("#murphy").is_visible()
    page.context.close()


def test_too_few_outcomes_shows_the_warning(browser: Any, tmp_path: Path) -> None:
    track = track_record(_class_of(12))
    path = write_track_page(track, tmp_path / "few.html")
    page, requests, errors = _open(browser, path)
    assert (requests, errors) == ([], [])
    warning = page.locator("#calibration-warning")
    assert warning.is_visible()
    assert "Only 12 scored outcome(s)" in warning.inner_text()
    page.context.close()
