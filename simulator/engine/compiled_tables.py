"""A compiled model as flat arrays for the compiled engine's kernel.

Everything the per-run loop reads is laid out once per model in NumPy arrays of plain
numbers: one row per option, effect, actor and same-time source, column indices named
below, expressions compiled to machine code (:mod:`.compiled_native`) referred to by
id. What a firing or a clock tick touches is the SimPy engine's own analysis (one source of truth).
Sub-expressions that read only slots no event writes are evaluated once per run into
extra slots after the model's, as the SimPy engine does (:mod:`.run_constants`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from simulator.engine.batch import GRID_POINTS, state_bin_edges, time_grid
from simulator.engine.compiled_native import NativeCode, Programs, native_code
from simulator.engine.run_constants import RunConstants
from simulator.engine.simpy_engine import SimPyEngine
from simulator.engine.streams import RowLayout
from simulator.model.model import ORDER_ROW, Assign, Model, same_time_sources
from simulator.scenario.expressions import IR, CompiledExpression
from simulator.scenario.quantities.distributions import (
    Constant,
    LogNormal,
    Triangular,
    Uniform,
)

NONE = -1  # no program: a `when` that always holds, a constant value

# option columns (int)
O_ENABLED, O_ONCE, O_WHEN, O_COUNTER, O_CLOCK, O_HAZARD = range(6)
O_EFF_START, O_EFF_STOP, O_T_HAZARD = 6, 7, 8
# a hazard's rate (per day) when it is enabled, else -inf: `when` and `rate` in one call;
# a decision option's weight when its `when` holds, else 0
O_ARMED_RATE, O_WHEN_WEIGHT = 9, 10

# effect columns (int)
E_KIND, E_SLOT, E_VALUE, E_ADD, E_INTEGER, E_TARGET, E_ROW, E_CHANCE = range(8)
E_DELAY_PROG, E_DELAY_KIND = 8, 9
# effect columns (float)
EF_VALUE, EF_LO, EF_HI, EF_D1, EF_D2, EF_D3 = range(6)
ASSIGN, TRIGGER = 0, 1
# how a trigger's delay is found (days)
D_PROGRAM, D_FIXED, D_LOGNORMAL, D_UNIFORM, D_TRIANGULAR, D_OTHER = range(6)

# actor columns (int / float)
A_ROW, A_IDLE, A_CHOICE_START, A_CHOICE_STOP, A_SOURCE = range(5)
AF_EVERY, AF_IDLE = 0, 1
# same-time sources
S_DECIDE, S_SCHEDULED = 0, 1


@dataclass(frozen=True)
class Tables:
    """The arrays of one model (see the module docstring); ``n_slots`` counts the extra
    run-constant slots, filled at the start of each run by programs ``extra_programs``."""

    native: NativeCode  # every expression, compiled: call by id through its address
    n_slots: int
    n_model_slots: int
    extra_programs: np.ndarray
    opt_i: np.ndarray
    eff_i: np.ndarray
    eff_f: np.ndarray
    hazards: np.ndarray
    after_pred: tuple[np.ndarray, np.ndarray]  # CSR per option (+ the tick, last)
    after_hazard: tuple[np.ndarray, np.ndarray]
    pred_program: np.ndarray
    pred_terminal: np.ndarray
    act_i: np.ndarray
    act_f: np.ndarray
    choices: np.ndarray
    src_kind: np.ndarray
    src_index: np.ndarray
    src_first: np.ndarray  # day of a source's first event (inf: never)
    order_row: int
    row_offsets: np.ndarray
    row_sizes: np.ndarray
    state_slots: np.ndarray
    slot_state: np.ndarray  # per slot, its state variable's index (-1: none)
    edges: np.ndarray  # every state variable's bin edges, one after another
    edge_start: np.ndarray  # per state variable, where its edges start (and the end)
    hist_start: np.ndarray  # per state variable, where its (grid + 1) × bins counts start
    grid: np.ndarray
    ladder_slot: int
    horizon: float
    step: float
    ticking: bool
    unsupported: str  # why a model cannot run on the kernel ("" when it can)


def _csr(lists: list[tuple[int, ...]]) -> tuple[np.ndarray, np.ndarray]:
    ptr = np.zeros(len(lists) + 1, np.int64)
    ptr[1:] = np.cumsum([len(x) for x in lists])
    flat = np.asarray([k for x in lists for k in x] or [0], np.int64)
    return ptr, flat


def _constant_or_nan(expr: CompiledExpression | None, positive: bool) -> float:
    """What the SimPy engine uses without evaluating (see ``_positive_constant``)."""
    if expr is None:
        return math.nan
    c = expr.constant
    if c is None or isinstance(c, bool) or not math.isfinite(float(c)):
        return math.nan
    value = max(float(c), 0.0)
    return value if value > 0.0 or not positive else math.nan


def _delay(effect: Any) -> tuple[int, float, float, float]:
    """How a trigger's delay is found: its kind and up to three numbers."""
    if effect.delay_expr is not None:
        return D_PROGRAM, 0.0, 0.0, 0.0
    dist = effect.delay.distribution if effect.delay is not None else None
    if dist is None:
        return D_FIXED, 0.0, 0.0, 0.0
    if dist.is_constant or isinstance(dist, Constant):
        return D_FIXED, float(dist.median), 0.0, 0.0
    if isinstance(dist, LogNormal):
        return D_LOGNORMAL, dist.mu, dist.sigma, 0.0
    if isinstance(dist, Uniform):
        return D_UNIFORM, dist.lo, dist.hi, 0.0
    if isinstance(dist, Triangular):
        return D_TRIANGULAR, dist.lo, dist.mode, dist.hi
    return D_OTHER, 0.0, 0.0, 0.0  # such a draw hands the run to the SimPy engine


def build_tables(model: Model) -> Tables:
    """The kernel's view of ``model``."""
    probe = SimPyEngine(model, [])
    programs = Programs()
    run_constants = RunConstants(model)

    def program(expr: CompiledExpression | None) -> int:
        if expr is None:
            return NONE
        return programs.add(form(expr))

    def form(expr: CompiledExpression) -> IR:
        return expr.ir if expr.constant is not None else run_constants._hoist(expr.ir)

    def unless(when: CompiledExpression, value: IR, otherwise: float) -> int:
        if when.constant is True:
            return programs.add(value)
        return programs.add(("cond", form(when), value, ("const", otherwise)))

    options, n_opt = model.options, len(model.options)
    opt_i = np.zeros((n_opt, 11), np.int64)
    opt_i[:, O_ARMED_RATE:] = NONE
    eff_i_rows: list[list[int]] = []
    eff_f_rows: list[list[float]] = []
    t_hazards = set(probe.t_options)
    for o in options:
        row = opt_i[o.index]
        row[O_ENABLED], row[O_ONCE] = o.enabled, o.once
        row[O_WHEN] = NONE if o.when.constant is True else program(o.when)
        row[O_COUNTER], row[O_CLOCK] = o.counter_slot, o.clock_row
        row[O_HAZARD] = probe.is_hazard[o.index]
        row[O_T_HAZARD] = o.index in t_hazards
        # a positive finite constant rate / a usable constant weight (NaN: computed)
        rate = _constant_or_nan(o.rate, positive=True)
        weight = _constant_or_nan(o.weight, positive=False)
        if row[O_HAZARD]:
            armed = (("const", rate) if rate == rate else
                     form(o.rate) if o.rate is not None else ("const", 0.0))
            row[O_ARMED_RATE] = unless(o.when, armed, -math.inf)
        if o.weight is not None:
            value = ("const", weight) if weight == weight else form(o.weight)
            row[O_WHEN_WEIGHT] = unless(o.when, value, 0.0)
        row[O_EFF_START] = len(eff_i_rows)
        for e in o.effects:
            if isinstance(e, Assign):
                c = e.value.constant
                eff_i_rows.append([ASSIGN, e.slot, NONE if c is not None else program(e.value),
                                   e.add, e.integer, 0, 0, NONE, NONE, 0])
                eff_f_rows.append([float(c) if c is not None else 0.0, e.lo, e.hi,
                                   0.0, 0.0, 0.0])
            else:
                kind, d1, d2, d3 = _delay(e)
                eff_i_rows.append([TRIGGER, 0, NONE, 0, 0, e.target, e.row, program(e.chance),
                                   program(e.delay_expr), kind])
                eff_f_rows.append([0.0, 0.0, 0.0, d1, d2, d3])
        row[O_EFF_STOP] = len(eff_i_rows)
    after = [*probe.after_fire, (tuple(probe.t_predicates), tuple(probe.t_options))]

    act_i = np.zeros((len(model.actors), 5), np.int64)
    act_f = np.zeros((len(model.actors), 2))
    choices: list[int] = []
    sources = same_time_sources(model)
    source_of = {s: k for k, s in enumerate(sources)}
    src_first = np.full(len(sources), math.inf)
    for k, a in enumerate(model.actors):
        act_i[k, A_ROW] = a.decide_row
        act_i[k, A_IDLE] = program(a.idle_weight)
        act_f[k, AF_IDLE] = (0.0 if a.idle_weight is None
                             else _constant_or_nan(a.idle_weight, positive=False))
        act_f[k, AF_EVERY] = a.every_days if a.every_days is not None else math.inf
        act_i[k, A_CHOICE_START] = len(choices)
        choices += [i for i in a.decision_options if options[i].enabled]
        act_i[k, A_CHOICE_STOP] = len(choices)
        act_i[k, A_SOURCE] = source_of.get(("decide", k), NONE)
        if a.every_days is not None and a.decision_options:
            src_first[source_of[("decide", k)]] = a.every_days
    for _option, day, source in probe.scheduled:
        src_first[source] = day
    edges = state_bin_edges(model)
    edge_start = np.zeros(len(edges) + 1, np.int64)
    edge_start[1:] = np.cumsum([len(e) for e in edges])
    hist_start = np.zeros(len(edges) + 1, np.int64)
    hist_start[1:] = np.cumsum([(GRID_POINTS + 1) * (len(e) - 1) for e in edges])
    pred_program = [program(p.when) for p in model.predicates]
    # last: every program above may have added a run constant
    extra = [programs.add(ir) for ir, _slot in sorted(run_constants._slot_of.items(),
                                                      key=lambda kv: kv[1])]
    slot_state = np.full(model.n_slots + len(extra), NONE, np.int64)
    for j, spec in enumerate(model.state):
        slot_state[spec.slot] = j
    n_slots = model.n_slots + len(extra)
    layout = RowLayout(model.row_sizes)
    return Tables(
        native=native_code(programs.forms), n_slots=n_slots, n_model_slots=model.n_slots,
        extra_programs=np.asarray(extra or [0], np.int64)[:len(extra)],
        opt_i=opt_i,
        eff_i=np.asarray(eff_i_rows or [[0] * 10], np.int64).reshape(-1, 10),
        eff_f=np.asarray(eff_f_rows or [[0.0] * 6], np.float64).reshape(-1, 6),
        hazards=np.asarray(probe.hazards, np.int64),
        after_pred=_csr([a[0] for a in after]), after_hazard=_csr([a[1] for a in after]),
        pred_program=np.asarray(pred_program or [0], np.int64)[:len(pred_program)],
        pred_terminal=np.asarray([p.terminal for p in model.predicates], np.bool_),
        act_i=act_i, act_f=act_f, choices=np.asarray(choices or [0], np.int64),
        src_kind=np.asarray([S_DECIDE if s[0] == "decide" else S_SCHEDULED for s in sources],
                            np.int64),
        src_index=np.asarray([s[1] for s in sources], np.int64), src_first=src_first,
        order_row=model.row_names.index(ORDER_ROW) if sources else NONE,
        row_offsets=np.asarray(layout.offsets, np.int64),
        row_sizes=np.asarray(layout.sizes, np.int64),
        state_slots=np.asarray([s.slot for s in model.state], np.int64), slot_state=slot_state,
        edges=np.concatenate(edges) if edges else np.zeros(0),
        edge_start=edge_start, hist_start=hist_start,
        grid=np.asarray(time_grid(model.horizon_days)),
        ladder_slot=model.ladder.slot if model.ladder else NONE,
        horizon=float(model.horizon_days), step=float(model.time_step_days),
        ticking=bool(probe.t_options or probe.t_predicates),
        unsupported="until absorbed" if model.absorbing else "",
    )
