"""Scenario discovery with PRIM: under which parameter values does an outcome become likely?

PRIM (patient rule induction method; Friedman & Fisher 1999, as used in exploratory
modelling) looks for a box — a range per parameter — that holds many of the runs in
which the outcome happens (**coverage**: share of all outcome runs inside the box)
while the outcome is frequent inside it (**density**: share of the box's runs with the
outcome). **Support** is the share of all runs inside the box.

1. *Peel*: starting from the box holding every run, try removing the ``alpha``
   (5 %) of the box's runs with the lowest, or the highest, value of each parameter;
   keep the peel that raises density most. Repeat until the box would hold fewer than
   ``min_support`` of the runs. Each step is a box on the trajectory.
2. *Choose*: the box of highest density among those whose coverage is at least
   ``min_coverage`` (ties: higher coverage).
3. *Paste*: widen a bound by ``alpha`` of the box's runs (or a quarter of that, or one
   run) when that raises density (or
   keeps it while adding outcome runs).
4. *Simplify*: test every bound on its own, one side of a range at a time: the runs
   that this bound alone excludes (within every other bound, beyond this one) against
   the box's runs, by a one-sided two-proportion z-test (is the outcome more frequent
   inside?). Release the weakest bound while its z is below ``z_min`` (3: a bound with
   no effect passes with chance 0.0013), recomputing after each release; then, while
   more than ``max_conditions`` parameters are restricted, release the one whose
   strongest bound is weakest. Testing the two sides of a range together would let a
   bound that changes nothing ride along with a strong one on the other side.
5. *Cover*: remove the box's runs and repeat, up to ``max_boxes`` boxes, while a new
   box's density is at least ``lift`` times the overall rate.

Parameters only (per-run draws in canonical units); sentences use the author's units.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from simulator.analysis._common import (
    check_outcome,
    format_value,
    memo,
    outcome_labels,
    run_columns,
    variant_frame,
    variant_model,
    varied_parameters,
)
from simulator.analysis.rows import DiscoveryBox, DiscoveryCondition

if TYPE_CHECKING:
    from simulator.model.model import ParameterSpec
    from simulator.results.results import Results


def _inside(x: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    return np.all((x >= lo) & (x <= hi), axis=1)


def _density(y: np.ndarray, mask: np.ndarray) -> float:
    k = int(mask.sum())
    return float(y[mask].mean()) if k else 0.0


def _sorted_quantile(s: np.ndarray, q: float) -> float:
    """``np.quantile(s, q)`` (method "linear") of an ascending array, in O(1).

    The same arithmetic as numpy's: virtual index (n − 1)·q, its floor and fraction
    γ, then a + (b − a)·γ, or b − (b − a)·(1 − γ) when γ ≥ ½ (``tests/analysis``
    checks that it equals ``np.quantile``).
    """
    n = len(s)
    virtual = (n - 1) * q
    if virtual >= n - 1:
        return float(s[-1])
    if virtual < 0:
        return float(s[0])
    prev = math.floor(virtual)
    gamma = virtual - prev
    a, b = float(s[prev]), float(s[prev + 1])
    diff = b - a
    return b - diff * (1 - gamma) if gamma >= 0.5 else a + diff * gamma


def _peel(x: np.ndarray, y: np.ndarray, lo: np.ndarray, hi: np.ndarray, alpha: float,
          min_count: int, orders: list[np.ndarray] | None = None
          ) -> tuple[list[tuple[np.ndarray, np.ndarray]], list[tuple[int, float]]]:
    """The peeling trajectory, starting with the full box, and each box's (runs, outcome sum).

    Each parameter's runs are kept sorted by value, so the quantile cut, the runs a peel
    keeps and their outcome sum come from the sorted order and a cumulative sum instead
    of a pass over all runs per candidate. The box of each step holds exactly the runs
    its peels kept (each bound is a value of a kept run, beyond every peeled run).
    """
    traj = [(lo.copy(), hi.copy())]
    mask = _inside(x, lo, hi)
    d = x.shape[1]
    if orders is None:  # per parameter, the runs in ascending order of its value
        orders = [np.argsort(x[:, j], kind="stable") for j in range(d)]
    # every parameter orders the same box runs: d × m matrices, row j sorted by x_j
    order = np.array([o[mask[o]] for o in orders]).reshape(d, -1)
    values = np.take_along_axis(x.T, order, axis=1) if d else np.zeros((0, 0))
    stats = [(int(mask.sum()), float(y[mask].sum()))]
    while d:
        m = order.shape[1]
        if m == 0:
            break
        total = stats[-1][1]
        best: tuple[float, int, int, int, int, float] | None = None
        cuts = (_sorted_quantiles(values, alpha), _sorted_quantiles(values, 1 - alpha))
        for j in range(d):
            col = values[j]
            for side in (0, 1):
                cut = cuts[side][j]
                if side == 0:  # keep x > cut: the sorted tail; the head (≈ alpha) goes
                    at = int(np.searchsorted(col, cut, side="right"))
                    k = m - at
                    if k < min_count or k == m or k == 0:
                        continue
                    pos = total - float(y[order[j, :at]].sum())
                else:  # keep x < cut: the sorted head; the tail goes
                    at = int(np.searchsorted(col, cut, side="left"))
                    k = at
                    if k < min_count or k == m or k == 0:
                        continue
                    pos = total - float(y[order[j, at:]].sum())
                dens = pos / k  # 0/1 outcomes: sums of ones are exact
                if best is None or (dens, k) > (best[0], best[1]):
                    best = (dens, k, j, side, at, pos)
        if best is None:
            break
        _, k_best, j, side, at, pos = best
        lo, hi = lo.copy(), hi.copy()
        # the new bound is the smallest (largest) value kept: a data value
        if side == 0:
            lo[j] = float(values[j, at])
            mask[order[j, :at]] = False
        else:
            hi[j] = float(values[j, at - 1])
            mask[order[j, at:]] = False
        keep = mask[order]
        order = order[keep].reshape(d, k_best)
        values = values[keep].reshape(d, k_best)
        stats.append((k_best, pos))
        traj.append((lo, hi))
    return traj, stats


def _sorted_quantiles(rows: np.ndarray, q: float) -> np.ndarray:
    """:func:`_sorted_quantile` of each row of a matrix of ascending rows (same arithmetic)."""
    n = rows.shape[1]
    virtual = (n - 1) * q
    if virtual >= n - 1:
        return rows[:, -1].astype(float)
    if virtual < 0:
        return rows[:, 0].astype(float)
    prev = math.floor(virtual)
    gamma = virtual - prev
    a, b = rows[:, prev].astype(float), rows[:, prev + 1].astype(float)
    diff = b - a
    return b - diff * (1 - gamma) if gamma >= 0.5 else a + diff * gamma


def _better(dens: float, gain: float, base: float,
            best: tuple[float, int, str, float] | None) -> bool:
    """A paste is worth it if it raises density, or keeps it and adds outcome runs."""
    ok = dens > base + 1e-12 or (dens >= base - 1e-12 and gain > 0)
    return ok and (best is None or dens > best[0])


class _Bounds:
    """Which runs lie within each bound of a box, and how many bounds each run breaks.

    ``others(j)`` — the runs within every bound except perhaps j's — is what pasting and
    simplifying need for every j; with the per-bound table it costs one pass, not d.
    """

    def __init__(self, x: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> None:
        self.x = x
        self.inb = (x >= lo) & (x <= hi)
        self.nout = x.shape[1] - self.inb.sum(axis=1)

    def set(self, j: int, lo: float, hi: float) -> None:
        col = (self.x[:, j] >= lo) & (self.x[:, j] <= hi)
        self.nout += self.inb[:, j].astype(np.int64) - col
        self.inb[:, j] = col

    def inside(self) -> np.ndarray:
        return np.asarray(self.nout == 0)

    def others(self, j: int) -> np.ndarray:
        """Indices (ascending) of the runs within every bound other than j's."""
        return np.flatnonzero((self.nout == 0) | ((self.nout == 1) & ~self.inb[:, j]))


def _paste(x: np.ndarray, y: np.ndarray, lo: np.ndarray, hi: np.ndarray, alpha: float
           ) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = lo.copy(), hi.copy()
    bounds = _Bounds(x, lo, hi)
    while True:
        mask = bounds.inside()
        base = _density(y, mask)
        step = max(1, int(alpha * mask.sum()))
        best: tuple[float, int, str, float] | None = None
        for j in range(x.shape[1]):
            rows = bounds.others(j)  # the runs within every other bound, in run order
            xj, yj = x[rows, j], y[rows]
            below = np.sort(xj[xj < lo[j]])
            above = np.sort(xj[xj > hi[j]])
            for size in sorted({step, max(1, step // 4), 1}):
                if below.size:
                    new = float(below[max(0, below.size - size)])
                    dens = _density(yj, (xj >= new) & (xj <= hi[j]))
                    gain = yj[(xj >= new) & (xj < lo[j])].sum()
                    if _better(dens, gain, base, best):
                        best = (dens, j, "lo", new)
                if above.size:
                    new = float(above[min(above.size - 1, size - 1)])
                    dens = _density(yj, (xj >= lo[j]) & (xj <= new))
                    gain = yj[(xj > hi[j]) & (xj <= new)].sum()
                    if _better(dens, gain, base, best):
                        best = (dens, j, "hi", new)
        if best is None:
            return lo, hi
        _, j, side, new = best
        if side == "lo":
            lo[j] = new
        else:
            hi[j] = new
        bounds.set(j, lo[j], hi[j])


def _excluded_by_side(x: np.ndarray, lo: np.ndarray, hi: np.ndarray, bounds: _Bounds,
                      j: int, side: int) -> np.ndarray:
    """Indices of the runs that one bound alone excludes: side 0 is j's lower bound, 1 its upper.

    They lie within every other bound, including the other side of j's range.
    """
    rows = bounds.others(j)
    xj = x[rows, j]
    return rows[xj < lo[j]] if side == 0 else rows[xj > hi[j]]


def side_test(y: np.ndarray, inside: np.ndarray, excluded: np.ndarray) -> dict[str, float]:
    """One-sided two-proportion z-test: is the outcome more frequent inside the box?

    ``inside``: a mask of the box's runs; ``excluded``: indices of the runs one bound
    alone excludes. Returns ``{z, outside_rate, outside_runs}``; z is 0 when either
    group is empty or the pooled rate is 0 or 1 (no evidence either way).
    """
    n_in, n_ex = int(inside.sum()), len(excluded)
    p_ex = float(y[excluded].mean()) if n_ex else float("nan")
    if n_in == 0 or n_ex == 0:
        return {"z": 0.0, "outside_rate": p_ex, "outside_runs": n_ex}
    p_in = float(y[inside].mean())
    pooled = (p_in * n_in + p_ex * n_ex) / (n_in + n_ex)
    var = pooled * (1 - pooled) * (1 / n_in + 1 / n_ex)
    z = (p_in - p_ex) / math.sqrt(var) if var > 0 else 0.0
    return {"z": z, "outside_rate": p_ex, "outside_runs": n_ex}


def _side_tests(x: np.ndarray, y: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                full_lo: np.ndarray, full_hi: np.ndarray, bounds: _Bounds
                ) -> dict[tuple[int, int], dict[str, float]]:
    """:func:`side_test` of every restricted bound, keyed by (parameter, side)."""
    inside = bounds.inside()
    out = {}
    for j in range(x.shape[1]):
        for side, restricted in ((0, lo[j] > full_lo[j]), (1, hi[j] < full_hi[j])):
            if restricted:
                out[(j, side)] = side_test(y, inside,
                                           _excluded_by_side(x, lo, hi, bounds, j, side))
    return out


def _simplify(x: np.ndarray, y: np.ndarray, lo: np.ndarray, hi: np.ndarray,
              full_lo: np.ndarray, full_hi: np.ndarray, z_min: float, max_conditions: int
              ) -> tuple[np.ndarray, np.ndarray]:
    """Release bounds, one side at a time, until every bound left passes its own test.

    While some bound's one-sided z is below ``z_min``, the weakest is released (and
    every z recomputed: releasing one bound changes the box the others are tested
    against). Then, while more than ``max_conditions`` parameters are restricted, the
    parameter whose strongest bound is weakest is released whole.
    """
    lo, hi = lo.copy(), hi.copy()
    bounds = _Bounds(x, lo, hi)
    while True:
        tests = _side_tests(x, y, lo, hi, full_lo, full_hi, bounds)
        if not tests:
            return lo, hi
        z, (j, side) = min((t["z"], key) for key, t in tests.items())
        if z < z_min:
            if side == 0:
                lo[j] = full_lo[j]
            else:
                hi[j] = full_hi[j]
        else:
            strongest: dict[int, float] = {}
            for (k, _), t in tests.items():
                strongest[k] = max(strongest.get(k, -math.inf), t["z"])
            if len(strongest) <= max_conditions:
                return lo, hi
            j = min(strongest, key=lambda k: (strongest[k], k))
            lo[j], hi[j] = full_lo[j], full_hi[j]
        bounds.set(j, lo[j], hi[j])


def _choose(traj: list[tuple[np.ndarray, np.ndarray]], stats: list[tuple[int, float]],
            total_pos: int, min_coverage: float) -> tuple[np.ndarray, np.ndarray]:
    """The densest box of the trajectory with enough coverage (ties: coverage, then earlier)."""
    best: tuple[float, float, int] | None = None
    for i, (count, pos) in enumerate(stats):
        cov = pos / total_pos if total_pos else 0.0
        if cov < min_coverage and i > 0:
            continue
        key = (pos / count if count else 0.0, cov, -i)
        if best is None or key > best:
            best = key
    assert best is not None
    return traj[-best[2]]


def prim_boxes(x: np.ndarray, y: np.ndarray, *, alpha: float = 0.05,
               min_support: float = 0.05, min_coverage: float = 0.5, max_boxes: int = 3,
               lift: float = 1.2, z_min: float = 3.0, max_conditions: int = 4
               ) -> list[dict[str, Any]]:
    """PRIM on a run × parameter matrix ``x`` and 0/1 outcomes ``y``.

    Returns boxes ``{lower, upper (arrays; ±inf where unrestricted), coverage, density,
    support, runs}`` with shares relative to all runs and all outcome runs, and per bound
    its test (arrays, NaN where unrestricted): ``lower_z`` / ``upper_z`` (one-sided z,
    each ≥ ``z_min``), ``lower_outside_rate`` / ``upper_outside_rate`` and
    ``lower_outside_runs`` / ``upper_outside_runs`` (the outcome's rate among, and the
    number of, the runs that bound alone excludes).
    """
    x = np.asarray(x, float)
    return _prim(x, np.asarray(y, float), alpha=alpha, min_support=min_support,
                 min_coverage=min_coverage, max_boxes=max_boxes, lift=lift, z_min=z_min,
                 max_conditions=max_conditions,
                 orders=[np.argsort(x[:, j], kind="stable") for j in range(x.shape[1])])


def _prim(x: np.ndarray, y: np.ndarray, *, alpha: float, min_support: float,
          min_coverage: float, max_boxes: int, lift: float, z_min: float,
          max_conditions: int, orders: list[np.ndarray]) -> list[dict[str, Any]]:
    """:func:`prim_boxes` given each column's stable ascending order (``orders``)."""
    n = len(y)
    total_pos = int(y.sum())
    if n == 0 or total_pos == 0:
        return []
    base_rate = total_pos / n
    remaining = np.ones(n, bool)
    boxes: list[dict[str, Any]] = []
    min_count = max(1, int(np.ceil(min_support * n)))
    for _ in range(max_boxes):
        xs, ys = x[remaining], y[remaining]
        if ys.sum() == 0 or len(ys) < min_count:
            break
        lo0, hi0 = xs.min(axis=0), xs.max(axis=0)
        # the remaining runs' orders: renumbered, still stable (as argsort of xs gives)
        renum = np.cumsum(remaining) - 1
        sub = [renum[o[remaining[o]]] for o in orders]
        traj, stats = _peel(xs, ys, lo0, hi0, alpha, min_count, sub)
        lo, hi = _choose(traj, stats, int(ys.sum()), min_coverage)
        lo, hi = _paste(xs, ys, lo, hi, alpha)
        lo, hi = _simplify(xs, ys, lo, hi, lo0, hi0, z_min, max_conditions)
        mask_r = _inside(xs, lo, hi)
        dens = _density(ys, mask_r)
        unrestricted = np.array_equal(lo, lo0) and np.array_equal(hi, hi0)
        if dens < lift * base_rate or mask_r.all() or unrestricted:
            break
        # restricted relative to the runs this box was found among (what was tested)
        lower = np.where(lo > lo0, lo, -np.inf)
        upper = np.where(hi < hi0, hi, np.inf)
        tests = _side_tests(xs, ys, lo, hi, lo0, hi0, _Bounds(xs, lo, hi))
        side_stats = {f"{name}_{stat}": np.array([tests[(j, side)][stat] if (j, side) in tests
                                                  else np.nan for j in range(x.shape[1])])
                      for side, name in ((0, "lower"), (1, "upper"))
                      for stat in ("z", "outside_rate", "outside_runs")}
        idx = np.flatnonzero(remaining)[mask_r]
        boxes.append({"lower": lower, "upper": upper,
                      "coverage": float(y[idx].sum()) / total_pos, "density": dens,
                      "support": len(idx) / n, "runs": len(idx), **side_stats})
        remaining[idx] = False
    return boxes


def _strength(rate: float, z: float, where: str) -> str:
    return f"{where}: {rate:.0%}, z = {z:.1f}"


def _condition(p: ParameterSpec, box: dict[str, Any], j: int) -> DiscoveryCondition:
    """One parameter's restriction, in the author's units, with each bound's test."""
    lower, upper = box["lower"][j], box["upper"][j]
    lab = p.label or p.name
    lo_t = format_value(p.quantity, lower) if np.isfinite(lower) else None
    hi_t = format_value(p.quantity, upper) if np.isfinite(upper) else None
    strengths = []
    if lo_t:
        strengths.append(_strength(box["lower_outside_rate"][j], box["lower_z"][j],
                                   "below" if hi_t else "runs below it"))
    if hi_t:
        strengths.append(_strength(box["upper_outside_rate"][j], box["upper_z"][j],
                                   "above" if lo_t else "runs above it"))
    if lo_t and hi_t:
        text = f"{lab} is between {lo_t} and {hi_t}"
    elif lo_t:
        text = f"{lab} is at least {lo_t}"
    else:
        text = f"{lab} is at most {hi_t}"

    def num(key: str, cast: type = float) -> Any:
        v = box[key][j]
        return cast(v) if np.isfinite(v) else None

    return {"parameter": p.name, "label": lab,
            "lower": float(lower) if np.isfinite(lower) else None,
            "upper": float(upper) if np.isfinite(upper) else None,
            "lower_text": lo_t, "upper_text": hi_t, "text": text,
            "lower_z": num("lower_z"), "upper_z": num("upper_z"),
            "lower_outside_rate": num("lower_outside_rate"),
            "upper_outside_rate": num("upper_outside_rate"),
            "lower_outside_runs": num("lower_outside_runs", int),
            "upper_outside_runs": num("upper_outside_runs", int),
            "strength": "; ".join(strengths)}


def test_statement(z_min: float) -> str:
    """How each bound of a box was tested, in one sentence (printed under the boxes)."""
    return (f"Each bound is kept only if the runs it alone excludes have a lower rate: "
            f"one-sided two-proportion z-test, z ≥ {z_min:g} (a bound with no effect, "
            f"tested once, passes with chance {_normal_tail(z_min):.2g}). In brackets: the "
            f"rate among those runs and z.")


def _normal_tail(z: float) -> float:
    """P(Z ≥ z) for a standard normal Z."""
    return 0.5 * math.erfc(z / math.sqrt(2))


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def discover(results: Results, outcome: str, variant: str = "baseline", *,
             min_coverage: float = 0.5, min_support: float = 0.05, alpha: float = 0.05,
             max_boxes: int = 3, lift: float = 1.2, z_min: float = 3.0,
             max_conditions: int = 4) -> list[DiscoveryBox]:
    """Conditions under which ``outcome`` becomes likely (PRIM; module docstring).

    Rows ``{sentence, coverage, density, support, runs, base_rate, test, conditions:
    [{parameter, label, lower, upper, lower_text, upper_text, text, strength, lower_z,
    upper_z, lower_outside_rate, upper_outside_rate, lower_outside_runs,
    upper_outside_runs}]}``; ``lower`` / ``upper`` are canonical values (None:
    unbounded) and their ``*_text`` in the author's units; ``*_z`` and
    ``*_outside_*`` describe each bound's one-sided test (None where unbounded),
    ``strength`` says it in words and ``test`` states the test and its threshold.
    Empty when the outcome never happens or no box beats ``lift`` × the overall rate.
    """
    model = variant_model(results, variant)
    check_outcome(model, outcome)

    def inputs() -> tuple[list[ParameterSpec], np.ndarray, list[np.ndarray]]:
        names = set(run_columns(results))
        cols = [f"param.{p.name}" for p in model.parameters if f"param.{p.name}" in names]
        df = variant_frame(results, variant, cols)
        params = varied_parameters(model, df)
        x = (np.column_stack([df[f"param.{p.name}"].to_numpy(float) for p in params])
             if params else np.zeros((len(df), 0)))
        return params, x, [np.argsort(x[:, j], kind="stable") for j in range(x.shape[1])]

    # the same parameter matrix (and its sort orders) serves every outcome of the variant
    params, x, orders = memo(results, ("discover-x", variant), inputs)
    y = variant_frame(results, variant, [f"outcome.{outcome}"])[f"outcome.{outcome}"
                                                                 ].to_numpy(float)
    if not params:
        return []
    boxes = _prim(x, y, alpha=alpha, min_support=min_support, min_coverage=min_coverage,
                  max_boxes=max_boxes, lift=lift, z_min=z_min,
                  max_conditions=max_conditions, orders=orders)
    label = outcome_labels(model)[outcome]
    base = float(y.mean()) if len(y) else 0.0
    rows: list[DiscoveryBox] = []
    for k, box in enumerate(boxes):
        conds = [_condition(p, box, j) for j, p in enumerate(params)
                 if np.isfinite(box["lower"][j]) or np.isfinite(box["upper"][j])]
        # later boxes are found among the runs the earlier boxes left out, and their
        # density is counted there: the sentence must say so
        among = "Among the remaining runs, when" if k else "When"
        parts = [f"{c['text']} ({c['strength']})" for c in conds]
        sentence = (f"{among} {_join(parts)}, “{label}” happens in "
                    f"{box['density']:.0%} of runs (against {base:.0%} overall); these runs "
                    f"hold {box['coverage']:.0%} of all runs in which it happens.")
        rows.append({"sentence": sentence, "coverage": box["coverage"],
                     "density": box["density"], "support": box["support"],
                     "runs": box["runs"], "base_rate": base, "conditions": conds,
                     "test": test_statement(z_min)})
    return rows
