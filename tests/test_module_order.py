"""Inside the expression language and the model compiler, modules import one way.

Each list below is the order stated in the package's docstring: a module may import
only modules listed before it. A module missing from its list fails the test, so a new
module has to be given its place.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

ORDERS = {
    "simulator.scenario.expressions": [
        "_tree", "_syntax", "_parse", "_ieee", "_part", "_builders", "_check", "_compiled",
        "__init__",
    ],
    "simulator.model": [
        "model", "absorbing", "_rows", "_context", "_inputs", "_effects", "_options",
        "_outcomes", "compile", "__init__",
    ],
}


def _imported_siblings(path: Path, package: str) -> set[str]:
    """The modules of ``package`` that the file at ``path`` imports."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            if name.startswith(package + "."):
                found.add(name[len(package) + 1 :].split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(ORDERS))
def test_every_module_has_a_place_in_the_order(package: str) -> None:
    directory = ROOT / Path(*package.split("."))
    on_disk = {p.stem for p in directory.glob("*.py")}
    assert on_disk == set(ORDERS[package])


@pytest.mark.parametrize("package", sorted(ORDERS))
def test_modules_import_only_earlier_modules(package: str) -> None:
    order = ORDERS[package]
    directory = ROOT / Path(*package.split("."))
    for position, module in enumerate(order):
        imported = _imported_siblings(directory / f"{module}.py", package)
        later = imported - set(order[:position])
        assert not later, f"{package}.{module} imports {sorted(later)}, listed after it"


def test_the_check_sees_an_import_against_the_order(tmp_path: Path) -> None:
    # the parser above finds a sibling import written either way
    source = tmp_path / "m.py"
    source.write_text("import pkg._b\nfrom pkg._c import x\nfrom other import y\n")
    assert _imported_siblings(source, "pkg") == {"_b", "_c"}
