"""Shared fixtures: small scenarios written to temporary folders."""

from __future__ import annotations

from pathlib import Path

import pytest

MINI = (Path(__file__).parent / "data" / "mini.yaml").read_text()


@pytest.fixture
def mini_path(tmp_path: Path) -> Path:
    path = tmp_path / "mini.yaml"
    path.write_text(MINI)
    return path
