"""Which assumptions matter: given-data indices and tornado swings.

Two methods, cheapest first (the third, Sobol' indices, is in
:mod:`simulator.analysis.sobol`):

* :func:`global_indices` — **given data**, no extra runs: from the parameter values each
  run drew (``param.<name>`` columns) and whether the outcome happened (0/1). For each
  parameter the runs are split into B quantile bins (B = √n / 2, between 5 and 100);
  the first-order index is the share of the outcome's variance explained by the bin
  means, S = Var(E[Y | bin]) / Var(Y), bias-corrected as in ANOVA's ε²:
  (SS_between − (B − 1)·MS_within) / SS_total, because the bin means of n/B noisy 0/1
  values vary even when the parameter does nothing. Intervals: bootstrap over
  runs, re-centred on the estimate (resampling duplicates runs and biases upwards).
  Also the Spearman rank correlation of the parameter with the outcome
  (its sign tells the direction). Parameters are drawn independently, so indices of
  different parameters may be compared and add up to at most ~1.
* :func:`tornado` — one at a time: every named parameter fixed at its median, then one
  at a time moved to its 10th and 90th percentile (in canonical units), each setting a
  variant run on common random numbers. Swing = |p_high − p_low| (probabilities as
  fractions). Inline random rates and random initial states stay random (shared draws).
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from scipy import stats

from simulator.analysis._common import (
    check_outcome,
    constant_text,
    format_value,
    outcome_labels,
    run_columns,
    variant_frame,
    variant_model,
    varied_parameters,
)
from simulator.analysis.rows import FirstOrderIndex, GivenDataRow, TornadoRow

if TYPE_CHECKING:
    from simulator.model.model import Model, ParameterSpec
    from simulator.results.results import Results
    from simulator.scenario.schema import Scenario

GIVEN_DATA_METHOD = "given-data first-order index (quantile bins, bias-corrected)"


# ---------------------------------------------------------------- given data

def default_bins(n: int) -> int:
    """√n / 2 quantile bins, at least 5 and at most 100."""
    return int(min(100, max(5, round(math.sqrt(n) / 2))))


def _bin_ids(x: np.ndarray, bins: int, ranks: np.ndarray | None = None) -> np.ndarray:
    if ranks is None:
        ranks = stats.rankdata(x, method="average")
    return np.minimum(bins - 1, np.floor((ranks - 0.5) * bins / len(x))).astype(np.int64)


def _eps2(b: np.ndarray, y: np.ndarray, bins: int) -> float:
    n = len(y)
    counts = np.bincount(b, minlength=bins).astype(float)
    sums = np.bincount(b, weights=y, minlength=bins)
    mean = y.mean()
    ss_t = float(np.sum((y - mean) ** 2))
    if ss_t <= 0:
        return 0.0
    used = counts > 0
    ss_b = float(np.sum(sums[used] ** 2 / counts[used]) - n * mean * mean)
    k = int(used.sum())
    ms_w = (ss_t - ss_b) / max(1, n - k)
    return (ss_b - (k - 1) * ms_w) / ss_t


def spearman(x: np.ndarray, y: np.ndarray) -> float | None:
    """Spearman rank correlation; None when either variable is constant."""
    return _spearman_ranks(stats.rankdata(x), stats.rankdata(y))


def _spearman_ranks(rx: np.ndarray, ry: np.ndarray) -> float | None:
    sx, sy = rx.std(), ry.std()
    if sx == 0 or sy == 0:
        return None
    return float(np.mean((rx - rx.mean()) * (ry - ry.mean())) / (sx * sy))


_BOOT_CHUNK = 25  # bootstrap resamples drawn and evaluated at a time (bounds memory)


def _boot_eps2(ids: np.ndarray, ys: np.ndarray, bins: int, n_boot: int, seed: int
               ) -> np.ndarray:
    """Bootstrap replicates of :func:`_eps2` for every input × output pair at once.

    ``ids``: J × n bin ids, ``ys``: O × n outputs (0/1 or any real values). Returns an
    n_boot × J × O array whose [r, j, o] is ``_eps2(ids[j][s], ys[o][s], bins)`` for
    the r-th row s of ``default_rng(seed).integers(0, n, size=(n_boot, n))`` — the same
    resamples for every pair, as the one-pair function draws them. A resample enters
    only through how often it draws each run (its weight), so the per-bin counts and
    sums of all pairs are one sparse matrix product per block of resamples.
    """
    from scipy import sparse

    n_in, n = ids.shape
    n_out = ys.shape[0]
    binary = bool(np.all((ys == 0) | (ys == 1)))
    rows = np.tile(np.arange(n), n_in)
    if binary and n_out <= 60:
        # 0/1 outputs: count the runs per input bin and pattern of outputs (which of them
        # happened); every count and sum follows from those, with one entry per run and input
        code = (ys.astype(np.int64) << np.arange(n_out, dtype=np.int64)[:, None]).sum(axis=0)
        patterns, pattern = np.unique(code, return_inverse=True)
        n_pat = len(patterns)
        bits = ((patterns[:, None] >> np.arange(n_out)) & 1).astype(float)  # P × O
        cols = ((ids * n_pat + pattern) + (np.arange(n_in) * bins * n_pat)[:, None]).ravel()
        design = sparse.csr_matrix((np.ones(n * n_in), (rows, cols)),
                                   shape=(n, n_in * bins * n_pat))
    else:
        if not binary:
            # the index does not change when y is shifted; centring keeps Σy² − n·ȳ²
            # accurate (0/1 outputs are kept as they are: their counts and sums are exact)
            ys = ys - ys.mean(axis=1, keepdims=True)
        # columns: per input j and bin b the run count, then per output o the sum of y
        cols = (ids + (np.arange(n_in) * bins)[:, None]).ravel()
        width = n_in * bins
        parts = [sparse.csr_matrix((np.ones(n * n_in), (rows, cols)), shape=(n, width))]
        for o in range(n_out):
            parts.append(sparse.csr_matrix((np.tile(ys[o], n_in), (rows, cols)),
                                           shape=(n, width)))
        design = sparse.hstack(parts, format="csr")
        n_pat = 0
    design_t = design.T.tocsr()
    y2 = ys * ys
    rng = np.random.default_rng(seed)
    out = np.empty((n_boot, n_in, n_out))
    done = 0
    while done < n_boot:
        c = min(_BOOT_CHUNK, n_boot - done)
        draws = rng.integers(0, n, size=(c, n))
        flat = (draws + (np.arange(c) * n)[:, None]).ravel()
        weights = np.bincount(flat, minlength=c * n).reshape(c, n).astype(float)
        if n_pat:
            per_pat = np.asarray(design_t @ weights.T).T.reshape(c, n_in, bins, n_pat)
            counts = per_pat.sum(axis=-1)  # c × J × B
            sums = (per_pat @ bits).transpose(0, 3, 1, 2)  # c × O × J × B
        else:
            per_bin = np.asarray(design_t @ weights.T).T.reshape(c, 1 + n_out, n_in, bins)
            counts = per_bin[:, 0]  # c × J × B
            sums = per_bin[:, 1:]  # c × O × J × B
        total = weights @ ys.T  # c × O
        total2 = weights @ y2.T
        mean = total / n
        ss_t = total2 - n * mean * mean  # Σ (y − ȳ)² over the resample
        used = counts > 0
        safe = np.where(used, counts, 1.0)
        ss_b = (np.sum(np.where(used[:, None], sums * sums / safe[:, None], 0.0), axis=-1)
                - (n * mean * mean)[:, :, None])  # c × O × J
        k = used.sum(axis=-1)[:, None, :]  # c × 1 × J
        ms_w = (ss_t[:, :, None] - ss_b) / np.maximum(1, n - k)
        with np.errstate(divide="ignore", invalid="ignore"):
            eps = (ss_b - (k - 1) * ms_w) / ss_t[:, :, None]
        # a resample with constant y: no variance to explain (as in _eps2)
        eps = np.where((ss_t > 1e-12 * total2)[:, :, None], eps, 0.0)
        out[done:done + c] = eps.transpose(0, 2, 1)
        done += c
    return out


def _boot_interval(boot: np.ndarray, index: float) -> list[float]:
    # resampling duplicates runs, which shifts the bootstrap distribution up; the
    # interval is its 2.5-97.5 % range moved so that it is centred on the estimate
    shift = float(np.mean(boot)) - index
    return [float(np.quantile(boot, 0.025)) - shift, float(np.quantile(boot, 0.975)) - shift]


def first_order_given_data(x: np.ndarray, y: np.ndarray, *, bins: int | None = None,
                           n_boot: int = 200, seed: int = 0) -> FirstOrderIndex:
    """First-order index of one input ``x`` for output ``y`` from paired samples.

    Returns ``{"index", "ci95": [lo, hi] | None, "bins"}`` (see the module docstring);
    ``n_boot`` = 0 skips the bootstrap.
    """
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    n = len(y)
    b = bins or default_bins(n)
    ids = _bin_ids(x, b)
    index = _eps2(ids, y, b)
    ci = None
    if n_boot > 0 and n > 1 and y.std() > 0:
        boot = _boot_eps2(ids[None, :], y[None, :], b, n_boot, seed)[:, 0, 0]
        ci = _boot_interval(boot, index)
    return {"index": float(index), "ci95": ci, "bins": b}


def global_indices(results: Results, variant: str = "baseline", *, bins: int | None = None,
                   n_boot: int = 200, seed: int = 0) -> dict[str, list[GivenDataRow]]:
    """Given-data sensitivity of every outcome to every parameter that varies (no new runs).

    ``{outcome: [{parameter, label, index, ci95, correlation, method}]}``, rows sorted
    by index, largest first; ``index`` is the bias-corrected first-order index (a
    fraction of the outcome's variance; may dip slightly below 0 by noise),
    ``correlation`` the Spearman rank correlation (None if the outcome never or always
    happens). Needs at least a few hundred runs to mean much. Every pair is bootstrapped
    on the same ``n_boot`` resamples (as :func:`first_order_given_data` with ``seed``
    would draw them), evaluated for all pairs at once.
    """
    model = variant_model(results, variant)
    names = set(run_columns(results))
    cols = [f"param.{p.name}" for p in model.parameters if f"param.{p.name}" in names]
    cols += [f"outcome.{o.name}" for o in model.outcomes]
    df = variant_frame(results, variant, cols)
    params = varied_parameters(model, df)
    n = len(df)
    b = bins or default_bins(n)
    xs = [df[f"param.{p.name}"].to_numpy(float) for p in params]
    ys = [df[f"outcome.{o.name}"].to_numpy(float) for o in model.outcomes]
    x_ranks = [stats.rankdata(x) for x in xs]  # "average" ranks: bins and correlations
    ids = [_bin_ids(x, b, r) for x, r in zip(xs, x_ranks, strict=True)] if n else []
    boot_o = [i for i, y in enumerate(ys) if n_boot > 0 and n > 1 and y.std() > 0]
    boot = (_boot_eps2(np.array(ids), np.array([ys[i] for i in boot_o]), b, n_boot, seed)
            if boot_o and params else None)
    out: dict[str, list[GivenDataRow]] = {}
    for io, o in enumerate(model.outcomes):
        y = ys[io]
        y_ranks = stats.rankdata(y)
        rows: list[GivenDataRow] = []
        for j, p in enumerate(params):
            index = float(_eps2(ids[j], y, b))
            ci = (_boot_interval(boot[:, j, boot_o.index(io)], index)
                  if boot is not None and io in boot_o else None)
            rows.append({"parameter": p.name, "label": p.label, "index": index,
                         "ci95": ci, "correlation": _spearman_ranks(x_ranks[j], y_ranks),
                         "method": GIVEN_DATA_METHOD})
        rows.sort(key=lambda r: -r["index"])
        out[o.name] = rows
    return out


# ---------------------------------------------------------------- runs with constant parameters

def _ppf(p: ParameterSpec, q: float) -> float:
    return float(np.asarray(p.quantity.distribution.ppf(np.array([q], dtype=float)))[0])


def uncertain_parameters(model: Model, names: Sequence[str] | None) -> list[ParameterSpec]:
    """The visible parameters that are not constant (only ``names``, if given)."""
    params = [p for p in model.parameters if not p.hidden and not p.quantity.is_constant]
    if names is not None:
        known = {p.name for p in params}
        bad = [n for n in names if n not in known]
        if bad:
            from simulator.errors import ResultsError
            raise ResultsError(f"not uncertain parameters of the scenario: {', '.join(bad)}")
        params = [p for p in params if p.name in names]
    return params


def sensitivity_engine(engine: str | None = None) -> str:
    """The engine a sensitivity design uses: ``engine`` if given, else the compiled one.

    A design is many variants of few runs each; the compiled engine's cost is per run,
    with a few milliseconds per new variant, so it wins at every size (flagship, one
    core, a fresh model per variant: 10.5× the SimPy engine at 100 runs per variant,
    15× at 1,000; docs/engines.md).
    """
    return engine if engine is not None else "compiled"


def run_constant_points(scen: Scenario, points: dict[str, dict[str, str]], *, runs: int,
                        seed: int | None, workers: int | None, executor: str,
                        out: str | Path,
                        progress: Callable[[int, int], None] | None = None,
                        engine: str | None = None) -> Results:
    """Run ``scen`` once per point (a variant named by its key, the parameters it fixes
    as text) on common random numbers, ``runs`` runs each, into ``out``."""
    from simulator.runner.runner import run
    from simulator.scenario.schema import Variant

    variants = {name: Variant(label=name, parameters=params) for name, params in points.items()}
    new = scen.model_copy(update={"variants": variants})
    return run(new, variants=list(variants), runs=runs, seed=seed, workers=workers,
               executor=executor, out=out, force=True, progress=progress,
               engine=sensitivity_engine(engine))


def tornado(scenario: str | Path | Scenario, *, outcome: str | None = None, runs: int = 1_000,
            seed: int | None = 0, workers: int | None = None, executor: str = "process",
            low: float = 0.1, high: float = 0.9, parameters: Sequence[str] | None = None,
            out: str | Path | None = None,
            progress: Callable[[int, int], None] | None = None,
            engine: str | None = None) -> list[TornadoRow]:
    """One-at-a-time swings (see the module docstring); ``runs`` per setting.

    Rows ``{outcome, outcome_label, parameter, label, low_value, high_value, low_text,
    high_text, p_low, p_median, p_high, swing, diff, diff_ci95}`` sorted by outcome
    (scenario order) then swing, largest first. Values are canonical (hazard per day,
    days, fractions); ``*_text`` in the author's units; ``diff`` = p_high − p_low with a
    paired 95 % interval. Cost: (2·d + 1)·runs runs for d uncertain parameters.
    ``engine`` simulates them (default: :func:`sensitivity_engine`).
    """
    from simulator.analysis.compare import paired_difference
    from simulator.model.compile import compile_model
    from simulator.runner.runner import resolve_scenario

    scen, _, _ = resolve_scenario(scenario)
    model = compile_model(scen)
    if outcome is not None:
        check_outcome(model, outcome)
    params = uncertain_parameters(model, parameters)
    mid = {p.name: constant_text(p.quantity, _ppf(p, 0.5)) for p in params}
    points = {"t_mid": dict(mid)}
    values: dict[str, tuple[float, float]] = {}
    for i, p in enumerate(params):
        lo, hi = _ppf(p, low), _ppf(p, high)
        values[p.name] = (lo, hi)
        points[f"t_lo_{i}"] = {**mid, p.name: constant_text(p.quantity, lo)}
        points[f"t_hi_{i}"] = {**mid, p.name: constant_text(p.quantity, hi)}
    outs = [o.name for o in model.outcomes if outcome is None or o.name == outcome]
    labels = outcome_labels(model)
    cols = [f"outcome.{o}" for o in outs]
    with tempfile.TemporaryDirectory(prefix="geosim-tornado-") as tmp:
        results = run_constant_points(scen, points, runs=runs, seed=seed, workers=workers,
                                       executor=executor, progress=progress, engine=engine,
                                       out=out if out is not None else Path(tmp) / "r")
        frames = {v: variant_frame(results, v, cols) for v in points}
    rows: list[TornadoRow] = []
    for o in outs:
        p_mid = float(frames["t_mid"][f"outcome.{o}"].mean())
        block: list[TornadoRow] = []
        for i, p in enumerate(params):
            a = frames[f"t_lo_{i}"][f"outcome.{o}"].to_numpy(bool)
            b = frames[f"t_hi_{i}"][f"outcome.{o}"].to_numpy(bool)
            d = paired_difference(a, b)
            lo, hi = values[p.name]
            block.append({
                "outcome": o, "outcome_label": labels[o], "parameter": p.name,
                "label": p.label, "low_value": lo, "high_value": hi,
                "low_text": format_value(p.quantity, lo),
                "high_text": format_value(p.quantity, hi),
                "p_low": float(a.mean()), "p_median": p_mid, "p_high": float(b.mean()),
                "swing": abs(d["diff"]), "diff": d["diff"], "diff_ci95": [d["lo"], d["hi"]],
            })
        block.sort(key=lambda r: -r["swing"])
        rows.extend(block)
    return rows
