"""The forecast commands load heavy libraries only when they run, not for --help."""

from __future__ import annotations

import pytest

from tests.cli.test_startup import ROOT, heavy_modules_loaded


@pytest.mark.parametrize("command", ["freeze", "resolve-template", "score", "track-record"])
def test_help_imports_no_heavy_library(command: str) -> None:
    assert heavy_modules_loaded([command, "--help"], ROOT) == []
