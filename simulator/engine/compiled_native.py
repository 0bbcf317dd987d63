"""A model's expressions as machine code: a function ``double p(double* mem)`` per
expression, built with LLVM (llvmlite, which numba runs on) from the checked
intermediate form.

Every compiled expression of a model gets an id (:class:`Programs`) and a function
that computes it from ``mem`` — the run's state vector (slots, then the run
constants). It is built from data only: slot numbers, numbers and the operators of
the expression language, each lowered to the IEEE operation the
scalar evaluator performs (:mod:`simulator.scenario.expressions._ieee`): ``x / 0`` is
``±inf``, ``x % 0``, ``log(-1)`` and ``sqrt(-1)`` are NaN, ``log(0)`` is ``-inf``,
``min``/``max``/``clip`` propagate NaN, ``%`` takes the sign of the divisor, and
``exp``/``log``/``**`` call the C library, as the scalar evaluator does. Conditions are
1.0 (true) or 0.0 (false). No text is ever turned into code.

Why machine code rather than an interpreter: a run of the flagship evaluates about a
thousand expressions (7,700 operations); interpreted, they are most of a run's time.
The compiled kernel calls each function through its address (:func:`call_native`).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from typing import Any, cast

import llvmlite.binding as llvm
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

from simulator.scenario.expressions import IR

_F64 = ir.DoubleType()
_I64 = ir.IntType(64)
_FN = ir.FunctionType(_F64, [_F64.as_pointer()])
_ZERO, _ONE = ir.Constant(_F64, 0.0), ir.Constant(_F64, 1.0)
_NAN, _NEG_INF = ir.Constant(_F64, math.nan), ir.Constant(_F64, -math.inf)
_COMPARE = {"<": ("fcmp_ordered", "<"), "<=": ("fcmp_ordered", "<="),
            ">": ("fcmp_ordered", ">"), ">=": ("fcmp_ordered", ">="),
            "==": ("fcmp_ordered", "=="), "!=": ("fcmp_unordered", "!=")}
_init_lock = threading.Lock()
_target: list[Any] = []


class Programs:
    """Ids for a model's expressions (equal forms share one id)."""

    def __init__(self) -> None:
        self._ids: dict[IR, int] = {}
        self.forms: list[IR] = []

    def add(self, form: IR) -> int:
        known = self._ids.get(form)
        if known is None:
            known = self._ids[form] = len(self.forms)
            self.forms.append(form)
        return known


class NativeCode:
    """The compiled functions of some programs, one per program: ``addresses[id]`` is the
    address of ``double p(double* mem)``. Keep this object alive while they are used."""

    def __init__(self, forms: list[IR]) -> None:
        module = ir.Module(name="geosim_expressions")
        for k, form in enumerate(forms):
            fn = ir.Function(module, _FN, name=f"geosim_p{k}")
            builder = ir.IRBuilder(fn.append_basic_block("entry"))
            builder.ret(_Emitter(builder, fn.args[0], module).emit(form))
        with _init_lock:
            if not _target:
                llvm.initialize_native_target()
                llvm.initialize_native_asmprinter()
                _target.append(llvm.Target.from_default_triple())
        parsed = llvm.parse_assembly(str(module))
        parsed.verify()
        # the engine owns its target machine (and frees it with itself): one each
        machine = _target[0].create_target_machine(opt=2)
        self._engine = llvm.create_mcjit_compiler(parsed, machine)
        self._engine.finalize_object()
        self.addresses = np.asarray(
            [self._engine.get_function_address(f"geosim_p{k}") for k in range(len(forms))]
            or [0], np.int64)


_compiled: dict[tuple[IR, ...], NativeCode] = {}


def native_code(forms: list[IR]) -> NativeCode:
    """The machine code of ``forms``, compiled once per process for the same forms
    (variants that change only parameter values share their expressions)."""
    key = tuple(forms)
    with _init_lock:
        hit = _compiled.get(key)
    if hit is None:
        hit = NativeCode(forms)
        with _init_lock:
            if len(_compiled) >= 64:
                _compiled.pop(next(iter(_compiled)))
            _compiled[key] = hit
    return hit


class _Emitter:
    """Lowers one intermediate form to LLVM instructions (values are doubles)."""

    def __init__(self, builder: ir.IRBuilder, mem: ir.Argument, module: ir.Module) -> None:
        self.b, self.mem, self.module = builder, mem, module

    def _intrinsic(self, name: str) -> ir.Function:
        return self.module.declare_intrinsic(name, [_F64])

    def _intrinsic2(self, name: str) -> ir.Function:
        return self.module.declare_intrinsic(name, [_F64], ir.FunctionType(_F64, [_F64, _F64]))

    def _bool(self, flag: ir.Value) -> ir.Value:
        return self.b.select(flag, _ONE, _ZERO)

    def _truth(self, x: ir.Value) -> ir.Value:
        return self.b.fcmp_unordered("!=", x, _ZERO)  # NaN counts as true, as `x != 0`

    def _min2(self, a: ir.Value, b: ir.Value, op: str) -> ir.Value:
        # a if a < b else (b if a == a else a): np.minimum's NaN rule, in the scalar order
        first = self.b.fcmp_ordered(op, a, b)
        a_is_number = self.b.fcmp_ordered("==", a, a)
        return self.b.select(first, a, self.b.select(a_is_number, b, a))

    def emit(self, form: IR) -> ir.Value:
        kind, b = form[0], self.b
        if kind == "const":
            return ir.Constant(_F64, float(form[1]))
        if kind == "slot":
            return b.load(b.gep(self.mem, [ir.Constant(_I64, int(form[1]))]))
        if kind == "fired":
            value = b.load(b.gep(self.mem, [ir.Constant(_I64, int(form[1]))]))
            return self._bool(b.fcmp_ordered(">", value, _ZERO))
        if kind == "unary":
            x = self.emit(form[2])
            if form[1] == "not":
                return self._bool(b.fcmp_ordered("==", x, _ZERO))
            return b.fneg(x)
        if kind == "binary":
            return self._binary(form[1], self.emit(form[2]), self.emit(form[3]))
        if kind == "compare":
            how, op = _COMPARE[form[1]]
            flag = getattr(b, how)(op, self.emit(form[2]), self.emit(form[3]))
            return self._bool(flag)
        if kind == "logical":
            parts = [self._truth(self.emit(p)) for p in form[2]]
            acc = parts[0]
            for flag in parts[1:]:
                acc = b.and_(acc, flag) if form[1] == "and" else b.or_(acc, flag)
            return self._bool(acc)
        if kind == "cond":
            cond = self._truth(self.emit(form[1]))
            return b.select(cond, self.emit(form[2]), self.emit(form[3]))
        if kind == "call":
            return self._call(form[1], [self.emit(p) for p in form[2]])
        raise ValueError(f"unknown intermediate form {kind!r}")

    def _binary(self, op: str, x: ir.Value, y: ir.Value) -> ir.Value:
        b = self.b
        if op == "+":
            return b.fadd(x, y)
        if op == "-":
            return b.fsub(x, y)
        if op == "*":
            return b.fmul(x, y)
        if op == "/":
            return b.fdiv(x, y)
        if op == "**":
            return b.call(self._intrinsic2("llvm.pow"), [x, y])
        # Python's float %: C's fmod, moved to the divisor's sign; x % 0 is NaN
        r = b.frem(x, y)
        signs_differ = b.xor(b.fcmp_ordered("<", r, _ZERO), b.fcmp_ordered("<", y, _ZERO))
        moved = b.select(b.and_(b.fcmp_unordered("!=", r, _ZERO), signs_differ),
                         b.fadd(r, y), r)
        zero = b.call(self._intrinsic2("llvm.copysign"), [_ZERO, y])
        result = b.select(b.fcmp_ordered("==", r, _ZERO), zero, moved)
        return b.select(b.fcmp_ordered("==", y, _ZERO), _NAN, result)

    def _call(self, name: str, args: list[ir.Value]) -> ir.Value:
        b = self.b
        if name in ("min", "max"):
            acc = args[0]
            for x in args[1:]:
                acc = self._min2(acc, x, "<" if name == "min" else ">")
            return acc
        if name == "clip":
            return self._min2(self._min2(args[0], args[1], ">"), args[2], "<")
        x = args[0]
        if name == "abs":
            return b.call(self._intrinsic("llvm.fabs"), [x])
        if name == "exp":
            return b.call(self._intrinsic("llvm.exp"), [x])
        if name == "log":
            log = b.call(self._intrinsic("llvm.log"), [x])
            inner = b.select(b.fcmp_ordered("==", x, _ZERO), _NEG_INF, _NAN)
            return b.select(b.fcmp_ordered(">", x, _ZERO), log, inner)
        if name == "sqrt":
            root = b.call(self._intrinsic("llvm.sqrt"), [x])
            return b.select(b.fcmp_ordered(">=", x, _ZERO), root, _NAN)
        raise ValueError(f"unknown function {name!r}")


def _call_native_typing(typingctx: Any, address: Any, mem: Any) -> Any:
    """``p(mem.data)`` for the function at ``address`` (see :class:`NativeCode`)."""
    sig = types.float64(types.int64, mem)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        address_v, mem_v = args
        array = context.make_array(signature.args[1])(context, builder, mem_v)
        fn = builder.inttoptr(address_v, _FN.as_pointer())
        return builder.call(fn, [array.data])

    return sig, codegen


# typed for mypy as what it is inside compiled code: (address, state) -> value
call_native = cast("Callable[[int, np.ndarray], float]", intrinsic(_call_native_typing))
