"""Lazy re-exports for a package's ``__init__`` (PEP 562).

A subpackage lists its public names in ``__all__`` and says which module defines each;
a name's module is imported on first use, so importing one light module of a package
(the command line's start-up does) does not import the package's heavy ones.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from importlib import import_module
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(package: str, exports: dict[str, str]
                 ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``; ``exports`` maps each public name
    to the module (inside ``package``) that defines it."""
    outside = [m for m in exports.values() if not m.startswith(package + ".")]
    if outside:  # a lazy import must stay inside its package: import-linter cannot see it
        raise ValueError(f"{package} exports from outside itself: {outside}")

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(module), name)
        setattr(sys.modules[package], name, value)  # later look-ups skip this function
        return value

    def __dir__() -> list[str]:
        return sorted(set(exports) | set(vars(sys.modules[package])))

    return __getattr__, __dir__
