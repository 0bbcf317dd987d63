"""Shared helpers of the analysis modules: per-variant run tables, names, display units.

Units: times are days since the scenario's ``as_of`` date; parameter values are in
canonical units (probability in [0, 1], rate = hazard per day, duration in days) unless
a function says it formats them for display in the unit the scenario author wrote.
"""

from __future__ import annotations

import contextlib
import difflib
import math
import re
import threading
import weakref
from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from simulator.errors import ResultsError
from simulator.model.compile import compile_model

if TYPE_CHECKING:
    import pandas as pd

    from simulator.model.model import Model, ParameterSpec
    from simulator.results.results import Results
    from simulator.scenario.quantities import Quantity


def check_variant(results: Results, variant: str) -> None:
    """Raise :class:`ResultsError` if ``variant`` is not in the results."""
    if variant not in results.variants:
        raise ResultsError(
            f"variant `{variant}` is not in {results.path} (it holds: "
            f"{', '.join(results.variants)}){_did_you_mean(variant, results.variants)}")


def check_outcome(model: Model, outcome: str) -> None:
    """Raise :class:`ResultsError` if ``outcome`` is not an outcome of the model."""
    names = [o.name for o in model.outcomes]
    if outcome not in names:
        raise ResultsError(f"unknown outcome `{outcome}` (outcomes: {', '.join(names)})"
                           f"{_did_you_mean(outcome, names)}")


def _did_you_mean(name: str, choices: list[str]) -> str:
    near = difflib.get_close_matches(name, choices, n=1)
    return f"; did you mean `{near[0]}`?" if near else ""


class _RunsCache:
    """What the analyses read from one results directory's runs.parquet, read once.

    Row groups hold one chunk of one variant (docs/architecture.md), so a variant's runs
    are read from its row groups only, and only the columns asked for; each (variant,
    column) is read at most once per :class:`Results` object.
    """

    def __init__(self, path: Any) -> None:
        self.path = path
        self.file = pq.ParquetFile(path)
        self.names: list[str] = list(self.file.schema_arrow.names)
        self.groups: dict[str, list[int]] | None = None
        self.columns: dict[tuple[str, str], pa.ChunkedArray] = {}
        self.order: dict[str, np.ndarray | None] = {}
        self.derived: dict[Any, Any] = {}
        self.lock = threading.Lock()

    def _variant_groups(self) -> dict[str, list[int]]:
        if self.groups is not None:
            return self.groups
        md = self.file.metadata
        col = self.names.index("variant")
        groups: dict[str, list[int]] = {}
        mixed: list[int] = []
        for g in range(md.num_row_groups):
            st = md.row_group(g).column(col).statistics
            if (st is not None and st.has_min_max and st.min == st.max
                    and st.null_count == 0 and isinstance(st.min, str)):
                groups.setdefault(st.min, []).append(g)
            else:
                mixed.append(g)
        if mixed:  # no usable statistics: look at the variant column of those groups
            for g in mixed:
                vals = self.file.read_row_group(g, columns=["variant"]).column("variant")
                for v in pc.unique(vals).to_pylist():
                    groups.setdefault(str(v), []).append(g)
        self.groups = groups
        return groups

    def table(self, variant: str, columns: list[str]) -> pa.Table:
        """``columns`` of ``variant``'s runs, sorted by run index."""
        with self.lock:
            wanted = list(dict.fromkeys(["variant", "run", *columns]))
            missing = [c for c in wanted if (variant, c) not in self.columns]
            if missing:
                groups = self._variant_groups().get(variant, [])
                read_cols = list(dict.fromkeys(["variant", "run", *missing]))
                if groups:
                    t = self.file.read_row_groups(groups, columns=read_cols)
                else:
                    t = self.file.schema_arrow.empty_table().select(read_cols)
                vcol = t.column("variant")
                if t.num_rows and not pc.all(pc.equal(vcol, variant)).as_py():
                    t = t.filter(pc.equal(vcol, variant))
                if variant not in self.order:
                    run = t.column("run").to_numpy()
                    sorted_ = run.size < 2 or bool(np.all(run[1:] > run[:-1]))
                    self.order[variant] = None if sorted_ else np.argsort(run, kind="stable")
                order = self.order[variant]
                if order is not None:
                    t = t.take(pa.array(order))
                for c in missing:
                    self.columns[(variant, c)] = t.column(c)
            return pa.table({c: self.columns[(variant, c)] for c in wanted})


_CACHES: weakref.WeakKeyDictionary[Any, _RunsCache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def _runs_cache(results: Results) -> _RunsCache:
    path = results.path / "runs.parquet"
    with _CACHES_LOCK:
        try:
            cache = _CACHES.get(results)
        except TypeError:  # not weak-referenceable: no cache
            return _RunsCache(path)
        if cache is None or cache.path != path:
            cache = _RunsCache(path)
            with contextlib.suppress(TypeError):
                _CACHES[results] = cache
        return cache


def memo(results: Results, key: Any, compute: Callable[[], Any]) -> Any:
    """``compute()``, remembered per ``results`` object under ``key`` (for values derived
    from the runs table or the model that several analyses or calls reuse)."""
    derived = _runs_cache(results).derived
    if key not in derived:
        derived[key] = compute()
    return derived[key]


def variant_model(results: Results, variant: str) -> Model:
    """The model of ``variant`` of the scenario stored with ``results``, compiled once per
    ``results`` object (read-only use)."""
    model: Model = memo(results, ("model", variant),
                        lambda: compile_model(results.scenario, variant))
    return model


def run_columns(results: Results) -> list[str]:
    """The column names of the results' runs table."""
    return list(_runs_cache(results).names)


def variant_table(results: Results, variant: str, columns: list[str]) -> pa.Table:
    """``variant``, ``run`` and ``columns`` of one variant's runs (Arrow), sorted by run.

    Reads only that variant's row groups and only those columns, each at most once per
    ``results`` object (later calls reuse them).
    """
    check_variant(results, variant)
    return _runs_cache(results).table(variant, list(columns))


def variant_frame(results: Results, variant: str,
                  columns: list[str] | None = None) -> pd.DataFrame:
    """The per-run table of one variant, sorted by run index (index reset).

    ``columns=None`` means every column (avoid it: the per-event list columns are large).
    """
    check_variant(results, variant)
    cache = _runs_cache(results)
    cols = cache.names if columns is None else list(columns)
    return cache.table(variant, [c for c in cols if c not in ("variant", "run")]).to_pandas()


def outcome_labels(model: Model) -> dict[str, str]:
    return {o.name: o.label or o.name for o in model.outcomes}


def actor_labels(model: Model) -> dict[str, str]:
    return {a.name: a.label or a.name for a in model.actors}


def varied_parameters(model: Model, df: pd.DataFrame) -> list[ParameterSpec]:
    """Named (not hidden) parameters whose draws vary across the runs in ``df``."""
    out = []
    for p in model.parameters:
        col = f"param.{p.name}"
        if p.hidden or col not in df.columns:
            continue
        x = df[col].to_numpy(dtype=float)
        if x.size and np.nanmax(x) > np.nanmin(x):
            out.append(p)
    return out


# ---------------------------------------------------------------- display units

_PROB_TEXT = re.compile(r"%|\bin\b|\bbeta\s*\(", re.IGNORECASE)


def rate_written_as_probability(quantity: Quantity) -> bool:
    """True when a rate was written as a probability per period (``3% per month``)."""
    return quantity.kind == "rate" and bool(_PROB_TEXT.search(quantity.text))


def _num(x: float) -> str:
    if x == 0 or not math.isfinite(x):
        return f"{x:g}"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.2g}" if abs(x) < 0.01 else f"{x:.3g}"


def format_value(quantity: Quantity, value: float) -> str:
    """A canonical value written in the unit the scenario author used.

    Rates written as a probability per period T are shown as that probability,
    p = 1 − exp(−h·T) (``2.1 % per month``); count rates as the count per period;
    durations in the author's time unit; percentages as percentages.
    """
    v = float(value)
    if quantity.kind == "rate":
        unit = quantity.display_unit or "per day"
        per_period = v * quantity.display_scale
        if rate_written_as_probability(quantity):
            return f"{_num(100 * (1 - math.exp(-per_period)))} % {unit}"
        return f"{_num(per_period)} {unit}"
    if quantity.kind == "duration":
        return f"{_num(v * quantity.display_scale)} {quantity.display_unit or 'days'}"
    if quantity.kind == "probability" and quantity.display_unit == "%":
        return f"{_num(100 * v)} %"
    return _num(v)


def constant_text(quantity: Quantity, value: float) -> str:
    """Quantity text that makes a parameter the constant ``value`` (canonical units)."""
    v = repr(float(value))
    if quantity.kind == "rate":
        return f"{v} per day"
    if quantity.kind == "duration":
        return f"{v} days"
    return v


# ---------------------------------------------------------------- dates

def day_and_date(as_of: date, t: float) -> tuple[int, str]:
    """(whole days since the start, the calendar date as ``17 Jan 2026``)."""
    day = math.floor(t + 1e-9)
    d = as_of + timedelta(days=day)
    return day, f"{d.day} {d:%b %Y}"


