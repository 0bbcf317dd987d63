"""Imports inside simulator/scenario/ flow one way, as its package docstring says.

The YAML front end, the schema and the quantity and expression languages are leaves: none
imports another. The checks and the error wording read them; ``load`` (every check of a file)
reads everything. Every import is counted, including those inside functions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SCENARIO = Path(__file__).resolve().parents[2] / "simulator" / "scenario"
PREFIX = "simulator.scenario."

#: Each part of the package (a subpackage or a top-level module) and its rank: a part may
#: import only parts of a lower rank, and itself.
RANKS = {
    "yaml": 0, "schema": 0, "quantities": 0, "expressions": 0, "horizon": 0,
    "checks": 1, "provenance": 1, "schema_errors": 1, "recover": 1, "editor_schema": 1,
    "load": 2,
}  # fmt: skip


def _part(module: str) -> str:
    """The part a dotted name below ``simulator.scenario`` belongs to."""
    head = module.removeprefix(PREFIX).split(".")[0]
    return head


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every ``simulator.scenario.*`` module imported by one file (line, dotted name)."""
    package = ".".join(path.relative_to(SCENARIO.parents[1]).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against this file's package
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return [(line, name) for line, name in found if name.startswith(PREFIX)]


def _files() -> list[Path]:
    return sorted(p for p in SCENARIO.rglob("*.py") if p.name != "__init__.py"
                  or p.parent != SCENARIO)


def test_every_part_has_a_rank() -> None:
    parts = {_part(f"{PREFIX}{p.relative_to(SCENARIO).parts[0].removesuffix('.py')}")
             for p in _files()}
    assert parts - set(RANKS) == set()


@pytest.mark.parametrize("path", _files(), ids=lambda p: str(p.relative_to(SCENARIO)))
def test_imports_flow_one_way(path: Path) -> None:
    own = _part(f"{PREFIX}{path.relative_to(SCENARIO).parts[0].removesuffix('.py')}")
    upward = [
        f"line {line}: {name}" for line, name in _imports(path)
        if _part(name) != own and RANKS[_part(name)] >= RANKS[own]
    ]
    assert upward == [], f"{own} (rank {RANKS[own]}) may import only lower ranks"
