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
4. *Simplify*: for each restriction, compare the box's density with that of the runs
   only this restriction excludes (two-proportion z); drop the weakest restriction
   while its z is below ``z_min`` (3: noise rarely passes) or there are more than
   ``max_conditions`` — fewer, sturdier conditions in plain sentences.
5. *Cover*: remove the box's runs and repeat, up to ``max_boxes`` boxes, while a new
   box's density is at least ``lift`` times the overall rate.

Parameters only (per-run draws in canonical units); sentences use the author's units.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from simulator.analysis._common import (
    check_outcome,
    format_value,
    outcome_labels,
    variant_frame,
    varied_parameters,
)

if TYPE_CHECKING:
    from simulator.model.model import ParameterSpec
    from simulator.results.results import Results


def _inside(x: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    return np.all((x >= lo) & (x <= hi), axis=1)


def _density(y: np.ndarray, mask: np.ndarray) -> float:
    k = int(mask.sum())
    return float(y[mask].mean()) if k else 0.0


def _peel(x: np.ndarray, y: np.ndarray, lo: np.ndarray, hi: np.ndarray, alpha: float,
          min_count: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The peeling trajectory, starting with the full box."""
    traj = [(lo.copy(), hi.copy())]
    mask = _inside(x, lo, hi)
    while True:
        best: tuple[float, int, int, int, np.ndarray] | None = None
        for j in range(x.shape[1]):
            col = x[mask, j]
            for side in (0, 1):
                cut = float(np.quantile(col, alpha if side == 0 else 1 - alpha))
                keep = mask & ((x[:, j] > cut) if side == 0 else (x[:, j] < cut))
                k = int(keep.sum())
                if k < min_count or k == int(mask.sum()) or k == 0:
                    continue
                dens = float(y[keep].mean())
                if best is None or (dens, k) > (best[0], best[1]):
                    best = (dens, k, j, side, keep)
        if best is None:
            return traj
        _, _, j, side, keep = best
        lo, hi = lo.copy(), hi.copy()
        # the new bound is the smallest (largest) value kept: a data value
        if side == 0:
            lo[j] = float(np.min(x[keep, j]))
        else:
            hi[j] = float(np.max(x[keep, j]))
        mask = keep
        traj.append((lo, hi))


def _better(dens: float, gain: float, base: float,
            best: tuple[float, int, str, float] | None) -> bool:
    """A paste is worth it if it raises density, or keeps it and adds outcome runs."""
    ok = dens > base + 1e-12 or (dens >= base - 1e-12 and gain > 0)
    return ok and (best is None or dens > best[0])


def _paste(x: np.ndarray, y: np.ndarray, lo: np.ndarray, hi: np.ndarray, alpha: float
           ) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = lo.copy(), hi.copy()
    while True:
        mask = _inside(x, lo, hi)
        base = _density(y, mask)
        step = max(1, int(alpha * mask.sum()))
        best: tuple[float, int, str, float] | None = None
        for j in range(x.shape[1]):
            others = np.ones(len(y), bool)
            for k in range(x.shape[1]):
                if k != j:
                    others &= (x[:, k] >= lo[k]) & (x[:, k] <= hi[k])
            below = np.sort(x[others & (x[:, j] < lo[j]), j])
            above = np.sort(x[others & (x[:, j] > hi[j]), j])
            for size in sorted({step, max(1, step // 4), 1}):
                if below.size:
                    new = float(below[max(0, below.size - size)])
                    dens = _density(y, others & (x[:, j] >= new) & (x[:, j] <= hi[j]))
                    gain = y[others & (x[:, j] >= new) & (x[:, j] < lo[j])].sum()
                    if _better(dens, gain, base, best):
                        best = (dens, j, "lo", new)
                if above.size:
                    new = float(above[min(above.size - 1, size - 1)])
                    dens = _density(y, others & (x[:, j] >= lo[j]) & (x[:, j] <= new))
                    gain = y[others & (x[:, j] > hi[j]) & (x[:, j] <= new)].sum()
                    if _better(dens, gain, base, best):
                        best = (dens, j, "hi", new)
        if best is None:
            return lo, hi
        _, j, side, new = best
        if side == "lo":
            lo[j] = new
        else:
            hi[j] = new


def _z_excluded(x: np.ndarray, y: np.ndarray, lo: np.ndarray, hi: np.ndarray, j: int,
                full_lo: np.ndarray, full_hi: np.ndarray) -> float:
    """z of (density inside the box − density of the runs that only bound j excludes)."""
    inside = _inside(x, lo, hi)
    tlo, thi = lo.copy(), hi.copy()
    tlo[j], thi[j] = full_lo[j], full_hi[j]
    excluded = _inside(x, tlo, thi) & ~inside
    n_in, n_ex = int(inside.sum()), int(excluded.sum())
    if n_in == 0 or n_ex == 0:
        return 0.0
    p_in, p_ex = float(y[inside].mean()), float(y[excluded].mean())
    pooled = (p_in * n_in + p_ex * n_ex) / (n_in + n_ex)
    var = pooled * (1 - pooled) * (1 / n_in + 1 / n_ex)
    if var <= 0:
        return 0.0
    return (p_in - p_ex) / float(np.sqrt(var))


def _simplify(x: np.ndarray, y: np.ndarray, lo: np.ndarray, hi: np.ndarray,
              full_lo: np.ndarray, full_hi: np.ndarray, z_min: float, max_conditions: int
              ) -> tuple[np.ndarray, np.ndarray]:
    """Drop the weakest restriction while it is not significant or there are too many."""
    lo, hi = lo.copy(), hi.copy()
    while True:
        restricted = [j for j in range(x.shape[1]) if lo[j] > full_lo[j] or hi[j] < full_hi[j]]
        if not restricted:
            return lo, hi
        zs = [(_z_excluded(x, y, lo, hi, j, full_lo, full_hi), j) for j in restricted]
        z, j = min(zs)
        if z >= z_min and len(restricted) <= max_conditions:
            return lo, hi
        lo[j], hi[j] = full_lo[j], full_hi[j]


def _choose(x: np.ndarray, y: np.ndarray, traj: list[tuple[np.ndarray, np.ndarray]],
            total_pos: int, min_coverage: float) -> tuple[np.ndarray, np.ndarray]:
    best: tuple[float, float, int] | None = None
    for i, (lo, hi) in enumerate(traj):
        mask = _inside(x, lo, hi)
        cov = float(y[mask].sum()) / total_pos if total_pos else 0.0
        if cov < min_coverage and i > 0:
            continue
        key = (_density(y, mask), cov, -i)
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
    support, runs}`` with shares relative to all runs and all outcome runs.
    """
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    n = len(y)
    total_pos = int(y.sum())
    if n == 0 or total_pos == 0:
        return []
    full_lo, full_hi = x.min(axis=0), x.max(axis=0)
    base_rate = total_pos / n
    remaining = np.ones(n, bool)
    boxes: list[dict[str, Any]] = []
    min_count = max(1, int(np.ceil(min_support * n)))
    for _ in range(max_boxes):
        xs, ys = x[remaining], y[remaining]
        if ys.sum() == 0 or len(ys) < min_count:
            break
        lo0, hi0 = xs.min(axis=0), xs.max(axis=0)
        traj = _peel(xs, ys, lo0, hi0, alpha, min_count)
        lo, hi = _choose(xs, ys, traj, int(ys.sum()), min_coverage)
        lo, hi = _paste(xs, ys, lo, hi, alpha)
        lo, hi = _simplify(xs, ys, lo, hi, lo0, hi0, z_min, max_conditions)
        mask_r = _inside(xs, lo, hi)
        dens = _density(ys, mask_r)
        unrestricted = np.array_equal(lo, lo0) and np.array_equal(hi, hi0)
        if dens < lift * base_rate or mask_r.all() or unrestricted:
            break
        lower = np.where(lo > full_lo, lo, -np.inf)
        upper = np.where(hi < full_hi, hi, np.inf)
        idx = np.flatnonzero(remaining)[mask_r]
        boxes.append({"lower": lower, "upper": upper,
                      "coverage": float(y[idx].sum()) / total_pos, "density": dens,
                      "support": len(idx) / n, "runs": len(idx)})
        remaining[idx] = False
    return boxes


def _condition(p: ParameterSpec, lower: float, upper: float) -> dict[str, Any]:
    lab = p.label or p.name
    lo_t = format_value(p.quantity, lower) if np.isfinite(lower) else None
    hi_t = format_value(p.quantity, upper) if np.isfinite(upper) else None
    if lo_t and hi_t:
        text = f"{lab} is between {lo_t} and {hi_t}"
    elif lo_t:
        text = f"{lab} is at least {lo_t}"
    else:
        text = f"{lab} is at most {hi_t}"
    return {"parameter": p.name, "label": lab,
            "lower": float(lower) if np.isfinite(lower) else None,
            "upper": float(upper) if np.isfinite(upper) else None,
            "lower_text": lo_t, "upper_text": hi_t, "text": text}


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def discover(results: Results, outcome: str, variant: str = "baseline", *,
             min_coverage: float = 0.5, min_support: float = 0.05, alpha: float = 0.05,
             max_boxes: int = 3, lift: float = 1.2, z_min: float = 3.0,
             max_conditions: int = 4) -> list[dict[str, Any]]:
    """Conditions under which ``outcome`` becomes likely (PRIM; module docstring).

    Rows ``{sentence, coverage, density, support, runs, base_rate, conditions:
    [{parameter, label, lower, upper, lower_text, upper_text, text}]}``; ``lower`` /
    ``upper`` are canonical values (None: unbounded) and their ``*_text`` in the
    author's units. Empty when the outcome never happens or no box beats
    ``lift`` × the overall rate.
    """
    model = results.model(variant)
    check_outcome(model, outcome)
    df = variant_frame(results, variant)
    params = varied_parameters(model, df)
    y = df[f"outcome.{outcome}"].to_numpy(float)
    if not params:
        return []
    x = np.column_stack([df[f"param.{p.name}"].to_numpy(float) for p in params])
    boxes = prim_boxes(x, y, alpha=alpha, min_support=min_support, min_coverage=min_coverage,
                       max_boxes=max_boxes, lift=lift, z_min=z_min,
                       max_conditions=max_conditions)
    label = outcome_labels(model)[outcome]
    base = float(y.mean()) if len(y) else 0.0
    rows: list[dict[str, Any]] = []
    for box in boxes:
        conds = [_condition(p, box["lower"][j], box["upper"][j]) for j, p in enumerate(params)
                 if np.isfinite(box["lower"][j]) or np.isfinite(box["upper"][j])]
        sentence = (f"When {_join([c['text'] for c in conds])}, “{label}” happens in "
                    f"{box['density']:.0%} of runs (against {base:.0%} overall); these runs "
                    f"hold {box['coverage']:.0%} of all runs in which it happens.")
        rows.append({"sentence": sentence, "coverage": box["coverage"],
                     "density": box["density"], "support": box["support"],
                     "runs": box["runs"], "base_rate": base, "conditions": conds})
    return rows
