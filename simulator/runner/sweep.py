"""Parameter sweeps: many settings of a scenario's parameters, run as one batch.

A sweep spec (YAML) names a scenario, a design and ranges for some of its parameters::

    scenario: us_mexico_cartels.yaml     # relative to the spec file
    design: lhs                          # lhs | sobol | grid
    points: 32                           # lhs/sobol: points in all; grid: levels per parameter
    seed: 0                              # seeds the design and the simulation
    runs: 2000                           # runs per point
    parameters:
      strike_rate: {low: 0.5% per month, high: 5% per month, scale: log}
      backlash: {low: 0.2, high: 0.9}    # plain numbers are in canonical units
      # grid only: `levels: 3` per parameter, or explicit `values: [0.1, 0.5]`

Each design point becomes a *variant* of the scenario that replaces the swept
parameters by constants (the other parameters keep their uncertainty). All points then
run in ONE :func:`simulator.run` call, as variants of one scenario, because:

* every point uses the same random numbers for the same run index (common random
  numbers), so differences between points are due to the parameters, not to noise —
  the comparison is paired, which is what a sweep is for;
* one executor session fans every point's chunks out together (one Dask cluster
  start, balanced chunks) and one results directory resumes as a whole;
* ``manifest.json`` keeps a digest per point (``variant_digests``).

The scenario's own variants are not part of a sweep; its baseline is run as the reference.

Output tree (``out``)::

    index.json     spec, design and, per point: parameter values, results dir (relative
                   to the tree), variant name, digest, headline probabilities
    results/       an ordinary results directory (variants p000, p001, ...)
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from simulator._files import atomic_write_json
from simulator.errors import ResultsError
from simulator.model.compile import BASELINE
from simulator.results.contract import Summary
from simulator.results.ownership import expand_out, guard_output_file
from simulator.results.results import Results
from simulator.runner.executors import Executor
from simulator.runner.runner import ProgressCallback, resolve_scenario, run
from simulator.runner.sweep_spec import (
    DESIGNS,
    SweepParameter,
    SweepSpec,
    load_sweep_spec,
    parameter_kinds,
    sweep_spec_from_dict,
)
from simulator.scenario.schema import Scenario, Variant

RESULTS_DIR = "results"
INDEX = "index.json"
SWEEP_ENGINE = "compiled"  # many points × runs: the fastest engine (docs/engines.md)


# --------------------------------------------------------------------------- designs


def _qmc_rng(cls: Any, d: int, seed: int, **kwargs: Any) -> Any:
    """scipy ≥ 1.15 takes ``rng=``; older versions ``seed=``."""
    try:
        return cls(d, rng=np.random.default_rng(seed), **kwargs)
    except TypeError:  # pragma: no cover - older scipy
        return cls(d, seed=np.random.default_rng(seed), **kwargs)


def unit_design(design: str, dims: int, points: int, seed: int,
                levels: Sequence[int] | None = None) -> np.ndarray:
    """Design points in the unit cube, shape (n, dims).

    ``lhs``: a Latin hypercube — each parameter's range cut into ``points`` equal strata,
    one point in each. ``sobol``: a scrambled Sobol' sequence; ``points`` must be a power
    of 2 (its balance properties hold only then). ``grid``: every combination of
    ``levels[j]`` evenly spaced values, ends included (``points`` levels by default).
    """
    from scipy.stats import qmc

    if dims < 1:
        raise ValueError("a sweep needs at least one parameter")
    if design == "lhs":
        if points < 1:
            raise ValueError("points must be at least 1")
        return np.asarray(_qmc_rng(qmc.LatinHypercube, dims, seed).random(points))
    if design == "sobol":
        if points < 1 or points & (points - 1):
            lo = 1 << max(0, points.bit_length() - 1)
            raise ValueError(f"a Sobol' design needs a power of 2 points (got {points}; "
                             f"try {lo} or {lo * 2})")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            sobol = _qmc_rng(qmc.Sobol, dims, seed, scramble=True)
            return np.asarray(sobol.random_base2(points.bit_length() - 1))
    if design == "grid":
        counts = list(levels) if levels is not None else [points] * dims
        if any(k < 1 for k in counts):
            raise ValueError("every grid parameter needs at least 1 level")
        axes = [np.linspace(0.0, 1.0, k) if k > 1 else np.array([0.5]) for k in counts]
        return np.array(list(itertools.product(*axes)), dtype=float).reshape(-1, dims)
    raise ValueError(f"unknown design {design!r}; choose lhs, sobol or grid")


def design_values(spec: SweepSpec) -> list[dict[str, float]]:
    """The parameter values (canonical units) of every point of ``spec``."""
    params = spec.parameters
    levels = [len(p.values) if p.values else (p.levels or spec.points) for p in params]
    unit = unit_design(spec.design, len(params), spec.points, spec.seed,
                       levels if spec.design == "grid" else None)
    points: list[dict[str, float]] = []
    for row in unit:
        point: dict[str, float] = {}
        for j, p in enumerate(params):
            u = float(row[j])
            if spec.design == "grid" and p.values:
                point[p.name] = p.values[round(u * (len(p.values) - 1))]
            elif p.scale == "log":
                point[p.name] = math.exp(math.log(p.low) + u * (math.log(p.high) - math.log(p.low)))
            else:
                point[p.name] = p.low + u * (p.high - p.low)
        points.append(point)
    return points


# --------------------------------------------------------------------------- running


def quantity_text(value: float, kind: str) -> str:
    """A constant the scenario loader reads back as exactly ``value`` (canonical units)."""
    number = repr(float(value))
    if kind == "rate":
        return f"{number} per day"
    if kind == "duration":
        return f"{number} days"
    return number


def point_names(n: int) -> list[str]:
    width = max(3, len(str(n - 1)))
    return [f"p{i:0{width}d}" for i in range(n)]


def sweep_scenario(scenario: Scenario, points: list[dict[str, float]]) -> Scenario:
    """``scenario`` with one variant per point (its own variants are replaced)."""
    kinds = parameter_kinds(scenario)
    variants = {
        name: Variant(
            label=", ".join(f"{k}={v:.4g}" for k, v in point.items()),
            parameters={k: quantity_text(v, kinds[k]) for k, v in point.items()},
        )
        for name, point in zip(point_names(len(points)), points, strict=True)
    }
    return scenario.model_copy(update={"variants": variants})


def _headline(summary: Summary, variant: str) -> dict[str, Any]:
    outcomes = summary["variants"][variant]["outcomes"]
    return {
        "runs": summary["variants"][variant]["runs"],
        "probabilities": {o: v["probability"] for o, v in outcomes.items()},
        "ci95": {o: v["ci95"] for o, v in outcomes.items()},
    }


def _reusable(path: Path, sha: str, runs: int, seed: int, names: list[str],
              engine: str) -> Results | None:
    """Complete results of exactly this sweep (so re-running a finished sweep is a no-op)."""
    if not (path / "manifest.json").exists():
        return None
    try:
        results = Results(path)
    except ResultsError:
        return None
    m = results.manifest
    if (m.get("scenario_sha256"), m.get("runs"), m.get("seed"), m.get("variants"),
            m.get("engine")) == (sha, runs, seed, names, engine):
        return results
    return None


def run_sweep(
    spec: SweepSpec | str | Path,
    *,
    out: str | Path,
    runs: int | None = None,
    executor: str | Executor = "process",
    workers: int | None = None,
    scheduler: str | None = None,
    force: bool = False,
    chunk_size: int | None = None,
    progress: ProgressCallback | None = None,
    command: str = "",
    engine: str = SWEEP_ENGINE,
) -> dict[str, Any]:
    """Run every point of a sweep and write ``out/index.json``; returns the index.

    An interrupted sweep resumes when run again with the same spec (like ``run``); a
    finished one is not recomputed. Sweeps run on the NumPy engine by default (many
    points × runs; see docs/engines.md).
    """
    if not isinstance(spec, SweepSpec):
        spec = load_sweep_spec(spec)
    runs = runs or spec.runs
    out = expand_out(Path(out))
    base = resolve_scenario(spec.scenario)[0]
    values = design_values(spec)
    scen = sweep_scenario(base, values)
    names = [BASELINE, *point_names(len(values))]
    target = out / RESULTS_DIR
    index_path = guard_output_file(out / INDEX, kind="index", force=force)
    sha = resolve_scenario(scen)[2]
    results = None if force else _reusable(target, sha, runs, spec.seed, names, engine)
    if results is None:
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ResultsError(f"cannot create {out}: {exc.strerror or exc}") from exc
        try:
            results = run(scen, variants="all", runs=runs, seed=spec.seed, workers=workers,
                          executor=executor, scheduler=scheduler, out=target, force=force,
                          chunk_size=chunk_size, progress=progress, command=command,
                          engine=engine)
        except ResultsError as exc:
            raise ResultsError(f"{exc} (sweep {spec.file})") from exc
    digests = results.manifest["variant_digests"]
    summary = results.summary
    index: dict[str, Any] = {
        "tool": "geosim-sweep",
        "spec": spec.file,
        "scenario": str(spec.scenario),
        "scenario_id": base.id,
        "design": spec.design,
        "n_points": len(values),
        "seed": spec.seed,
        "runs": runs,
        "parameters": {
            p.name: {"low": p.low, "high": p.high, "scale": p.scale,
                     **({"values": list(p.values)} if p.values else {})}
            for p in spec.parameters
        },
        "results": RESULTS_DIR,
        "digest": results.digest,
        "baseline": {"variant": BASELINE, "digest": digests[BASELINE],
                     **_headline(summary, BASELINE)},
        "points": [
            {"point": i, "variant": name, "parameters": point, "results": RESULTS_DIR,
             "digest": digests[name], **_headline(summary, name)}
            for i, (name, point) in enumerate(zip(names[1:], values, strict=True))
        ],
    }
    atomic_write_json(index_path, index)
    return index


__all__ = [
    "DESIGNS",
    "SweepParameter",
    "SweepSpec",
    "design_values",
    "load_sweep_spec",
    "run_sweep",
    "sweep_scenario",
    "sweep_spec_from_dict",
    "unit_design",
]
