"""The expression language: parse safely, check, and compile to fast callables.

Fields such as ``when``, ``rate``, ``weight``, ``chance``, effect values and state
initial values hold small expressions written by analysts, not programmers::

    escalation >= covert and cooperation < 0.6
    strike_rate * (1 + cartel_drones)
    0.5 if nationalism > 0.6 else 0.2
    count(cartels.drone_attack) >= 2

Pipeline: text → :func:`parse_expression` (Python's own parser in ``eval`` mode, then a
whitelist of node types copied into our small immutable tree, :data:`ExprNode`) →
:func:`compile_expression` (name resolution against :class:`Symbols`, type checking,
constant folding, closures built from the frozen intermediate form :data:`IR`).

User text is never passed to ``eval``/``exec``/``compile``, and no generated string is
either; the parser only builds a tree, and anything outside the whitelist is refused
with an :class:`ExpressionError` that names the construct and the 1-based column.

Numbers follow IEEE semantics identically on the scalar and the vectorised path:
``x / 0`` is ``±inf``, ``0 / 0``, ``log(-1)`` and ``sqrt(-1)`` are ``nan``, ``log(0)`` is
``-inf``, overflow gives ``inf`` (see :mod:`._ieee`).

Modules, by concern: :mod:`._tree` (limits, the error type, the node classes),
:mod:`._syntax` (characters the language refuses, Python's syntax errors reworded),
:mod:`._parse` (the whitelisting parser; the names a tree mentions), :mod:`._ieee`
(scalar helpers with numpy's IEEE behaviour), :mod:`._part` (a sub-expression's scalar
and array evaluators and its intermediate form), :mod:`._builders` (closures per
operator; rebuilding a part from its intermediate form), :mod:`._check` (names, types,
hints) and :mod:`._compiled` (:func:`compile_expression` and the picklable result).

Imports flow one way inside the subpackage: ``_tree → _syntax → _parse`` for reading
text; ``_ieee → _part → _builders → _check`` for compiling (``_check`` also reads the
tree and its snippets); ``_compiled`` on top of both; this ``__init__`` last. No module
imports a later one (``tests/test_module_order.py`` checks it). Outside it, only
:mod:`simulator.errors` and NumPy are used; nothing here knows the YAML front end, the
schema, the quantity language or the model.
"""

from simulator.scenario.expressions._builders import build_part
from simulator.scenario.expressions._check import Symbols
from simulator.scenario.expressions._compiled import CompiledExpression, compile_expression
from simulator.scenario.expressions._parse import names_in, parse_expression, refs_in
from simulator.scenario.expressions._part import IR
from simulator.scenario.expressions._tree import (
    FUNCTIONS,
    MAX_DEPTH,
    MAX_LENGTH,
    Binary,
    Boolean,
    Call,
    Compare,
    Conditional,
    ExpressionError,
    ExprNode,
    Logical,
    Name,
    Number,
    Ref,
    Unary,
    ValueType,
)

__all__ = [
    "FUNCTIONS",
    "IR",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "Binary",
    "Boolean",
    "Call",
    "Compare",
    "CompiledExpression",
    "Conditional",
    "ExprNode",
    "ExpressionError",
    "Logical",
    "Name",
    "Number",
    "Ref",
    "Symbols",
    "Unary",
    "ValueType",
    "build_part",
    "compile_expression",
    "names_in",
    "parse_expression",
    "refs_in",
]
