"""Headless Chromium for the report tests: the system browser (never `playwright
install`), a report page loaded from file:// with every other request blocked and
recorded, and what the page tried to do (errors, dialogs, requests)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


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
        self.wait_drawn()

    def wait_drawn(self) -> None:
        """Wait until every figure that is shown has been drawn."""
        self.page.wait_for_selector("html[data-drawn='all']", state="attached", timeout=60_000)

    def _route(self, route: Any) -> None:
        if route.request.url == self.url:
            route.continue_()
        else:
            self.requests.append(route.request.url)
            route.abort()

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

def open_page(browser: Any, path: Path, width: int = 1400, height: int = 900) -> Page:
    context = browser.new_context(viewport={"width": width, "height": height})
    return Page(context.new_page(), path.resolve().as_uri())


def launch() -> Iterator[Any]:
    """A Chromium instance (skips the test when neither Chromium nor Playwright is there,
    except in CI, where that is a failure)."""
    executable = _chromium()
    if os.environ.get("CI") == "true":
        import playwright.sync_api as sync_api  # in CI a missing Playwright is a failure
    else:
        sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=executable, args=ARGS)
        yield instance
        instance.close()


