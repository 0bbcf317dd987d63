"""geosim's version, read from the installed package's metadata (``pyproject.toml`` is
the one place it is written)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

DISTRIBUTION = "geosim"

try:
    __version__ = version(DISTRIBUTION)
except PackageNotFoundError:  # pragma: no cover - only when run from an uninstalled copy
    raise ImportError(
        "geosim's package metadata is missing: install it (pip install -e .) rather than "
        "importing the source folder directly") from None

__all__ = ["DISTRIBUTION", "__version__"]
