"""The import layers hold: scenario → model → engine → runner/results → analysis → report
→ cli, with the shared modules (errors, _files, _version) below them all.

The layer contract itself is in ``pyproject.toml`` (``[tool.importlinter]``); ``make
test`` runs ``lint-imports`` on it, and this file runs it too, plus what import-linter
cannot see: imports of the package root and imports by string.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import grimp
import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "simulator"


def _layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    (contract,) = [c for c in config["tool"]["importlinter"]["contracts"]
                   if c["type"] == "layers"]
    return [name.strip() for layer in contract["layers"] for name in layer.split("|")]


def test_the_layer_contract_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert lint_imports(no_cache=True, no_logo=True) == 0


def test_every_subpackage_has_a_layer() -> None:
    # a new subpackage outside the contract would be unchecked
    listed = set(_layers())
    modules = {p.stem for p in PACKAGE.glob("*.py")} | {
        p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    unlisted = modules - listed - {"__init__", "data"}
    assert unlisted == set()


def test_nothing_inside_imports_the_package_root() -> None:
    # the root re-exports every layer: importing it from inside is an upward import
    graph = grimp.build_graph("simulator")
    assert graph.find_modules_that_directly_import("simulator") == set()


def _string_imports(path: Path) -> list[tuple[int, str]]:
    """``import_module(...)`` and ``__import__(...)`` calls in one file (line, source)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name in ("import_module", "__import__"):
                found.append((node.lineno, ast.unparse(node)))
    return found


def test_imports_by_string_only_where_their_targets_are_checked() -> None:
    # packages' lazy exports (which stay inside their package, see simulator._lazy) and
    # the engine registry import by name; everything else imports statically, so
    # import-linter sees it
    found = {str(p.relative_to(ROOT)): _string_imports(p) for p in PACKAGE.rglob("*.py")}
    assert sorted(f for f, calls in found.items() if calls) == [
        "simulator/_lazy.py", "simulator/engine/registry.py"]


def test_a_lazy_export_from_outside_its_package_is_refused() -> None:
    from simulator._lazy import lazy_exports

    with pytest.raises(ValueError, match="outside"):
        lazy_exports("simulator.model", {"Results": "simulator.results.results"})


def test_the_engine_registry_names_only_engine_modules() -> None:
    from simulator.engine.registry import ENGINES

    assert all(module.startswith("simulator.engine.") for module, _, _ in ENGINES.values())


def test_the_root_exports_resolve() -> None:
    import simulator

    assert all(getattr(simulator, name) is not None for name in simulator.__all__)
