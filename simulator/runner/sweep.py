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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from simulator.errors import Diagnostic, ResultsError, ScenarioError
from simulator.model.compile import BASELINE, compile_model
from simulator.results.ownership import expand_out, guard_output_file
from simulator.results.results import Results
from simulator.runner.executors import Executor
from simulator.runner.runner import ProgressCallback, resolve_scenario, run
from simulator.runner.store import atomic_write_json
from simulator.scenario.quantities import QuantityError, parse_quantity
from simulator.scenario.schema import Scenario, Variant

DESIGNS = ("lhs", "sobol", "grid")
SCALES = ("linear", "log")
RESULTS_DIR = "results"
INDEX = "index.json"
DEFAULT_RUNS = 1000
DEFAULT_LEVELS = 5
SWEEP_ENGINE = "numpy"  # many points × runs: the vectorised engine (docs/engines.md)


@dataclass(frozen=True)
class SweepParameter:
    """One swept parameter; ``low``/``high``/``values`` are in canonical units."""

    name: str
    low: float
    high: float
    scale: str = "linear"
    levels: int | None = None
    values: tuple[float, ...] | None = None


@dataclass(frozen=True)
class SweepSpec:
    scenario: Path
    design: str
    points: int
    parameters: tuple[SweepParameter, ...]
    seed: int = 0
    runs: int = DEFAULT_RUNS
    file: str = "<sweep>"
    raw: dict[str, Any] = field(default_factory=dict, compare=False)


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


# --------------------------------------------------------------------------- the spec


def _diag(spec_file: str, message: str, path: tuple[str | int, ...] = (), **kw: Any) -> Diagnostic:
    return Diagnostic(message, file=spec_file, path=path, **kw)


def _kinds(scenario: Scenario) -> dict[str, str]:
    model = compile_model(scenario, BASELINE)
    return {p.name: p.quantity.kind for p in model.parameters if not p.hidden}


def _canonical(value: Any, kind: str) -> float:
    """A bound as a canonical number: plain numbers as given, text parsed with units."""
    if isinstance(value, bool):
        raise ValueError("expected a number or a quantity, not true/false")
    if isinstance(value, int | float):
        return float(value)
    quantity = parse_quantity(str(value), kind)  # type: ignore[arg-type]
    if not quantity.is_constant:
        raise ValueError(f"a sweep bound must be one value, not a range or distribution "
                         f"({value!r}); write e.g. `2% per month`, not `1% to 3% per month`")
    return float(quantity.distribution.median)


def _integer(value: Any) -> int | None:
    """An integer from YAML (the safe loader gives scalars as text) or Python."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def sweep_spec_from_dict(data: Any, *, base: Path = Path(), file: str = "<sweep>") -> SweepSpec:
    """Validate a sweep spec; every problem is reported as a :class:`ScenarioError`."""
    problems: list[Diagnostic] = []
    if not isinstance(data, dict):
        raise ScenarioError(_diag(file, "a sweep spec is a mapping with `scenario`, `design`, "
                                  "`points` and `parameters`"))
    allowed = {"scenario", "design", "points", "seed", "runs", "parameters"}
    for key in sorted(set(data) - allowed):
        problems.append(_diag(file, f"unknown key `{key}`", (key,),
                              expected=", ".join(sorted(allowed))))
    if "scenario" not in data:
        raise ScenarioError(_diag(file, "missing `scenario` (the scenario file to sweep)"))
    scenario_path = Path(str(data["scenario"]))
    if not scenario_path.is_absolute():
        scenario_path = base / scenario_path
    design = str(data.get("design", "lhs"))
    if design not in DESIGNS:
        problems.append(_diag(file, f"unknown design `{design}`", ("design",),
                              expected=" | ".join(DESIGNS), found=design))
    ints: dict[str, int] = {}
    points = _integer(data.get("points"))
    if design == "sobol" and points is not None and points >= 1 and points & (points - 1):
        lo = 1 << (points.bit_length() - 1)
        problems.append(_diag(file, "a Sobol' design needs a power of 2 points (its balance "
                                    "properties hold only then)", ("points",),
                              found=str(points), hint=f"use {lo} or {lo * 2} points"))
    for key, default, low in (("points", DEFAULT_LEVELS if design == "grid" else None, 1),
                              ("seed", 0, 0), ("runs", DEFAULT_RUNS, 1)):
        value = _integer(data.get(key, default))
        if data.get(key, default) is None:
            problems.append(_diag(file, f"missing `{key}`", (key,)))
        elif value is None or value < low:
            problems.append(_diag(file, f"`{key}` must be an integer ≥ {low}", (key,),
                                  found=str(data.get(key))))
        else:
            ints[key] = value
    raw_params = data.get("parameters")
    if not isinstance(raw_params, dict) or not raw_params:
        problems.append(_diag(file, "`parameters` must map parameter names to "
                                    "{low: .., high: ..}", ("parameters",)))
        raw_params = {}
    loaded = resolve_scenario(scenario_path)[0] if not problems else None
    kinds = _kinds(loaded) if loaded is not None else {}
    params: list[SweepParameter] = []
    for name, body in raw_params.items():
        where: tuple[str | int, ...] = ("parameters", str(name))
        if loaded is not None and name not in kinds:
            problems.append(_diag(file, f"`{name}` is not a parameter of {scenario_path.name}",
                                  where, expected="one of " + ", ".join(sorted(kinds))))
            continue
        if not isinstance(body, dict):
            problems.append(_diag(file, "expected {low: .., high: ..}", where,
                                  found=repr(body)))
            continue
        kind = kinds.get(name, "real")
        try:
            param = _parameter(str(name), body, kind)
        except (QuantityError, ValueError) as exc:
            problems.append(_diag(file, str(exc), where))
            continue
        params.append(param)
    if problems:
        raise ScenarioError(problems)
    return SweepSpec(scenario=scenario_path, design=design, points=ints["points"],
                     parameters=tuple(params), seed=ints["seed"], runs=ints["runs"],
                     file=file, raw=dict(data))


def _parameter(name: str, body: dict[str, Any], kind: str) -> SweepParameter:
    unknown = set(body) - {"low", "high", "scale", "levels", "values"}
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(sorted(unknown))}; "
                         "use low, high, scale, levels or values")
    scale = str(body.get("scale", "linear"))
    if scale not in SCALES:
        raise ValueError(f"scale must be linear or log, not {scale!r}")
    levels = _integer(body["levels"]) if "levels" in body else None
    if "levels" in body and (levels is None or levels < 1):
        raise ValueError(f"levels must be an integer ≥ 1, not {body['levels']!r}")
    values: tuple[float, ...] | None = None
    if "values" in body:
        if not isinstance(body["values"], list) or not body["values"]:
            raise ValueError("values must be a non-empty list")
        values = tuple(_canonical(v, kind) for v in body["values"])
        low, high = min(values), max(values)
    else:
        if "low" not in body or "high" not in body:
            raise ValueError("give both low and high (or a list of values)")
        low, high = _canonical(body["low"], kind), _canonical(body["high"], kind)
    if not (math.isfinite(low) and math.isfinite(high)) or high < low:
        raise ValueError(f"need finite low ≤ high, got {low!r} and {high!r}")
    if scale == "log" and low <= 0:
        raise ValueError("a log scale needs low > 0")
    return SweepParameter(name, low, high, scale, levels, values)


def load_sweep_spec(path: str | Path) -> SweepSpec:
    """Read a sweep spec YAML file (safe YAML; relative paths are from its folder)."""
    from simulator.scenario.yaml import load_yaml_file

    path = Path(path)
    doc = load_yaml_file(path)
    return sweep_spec_from_dict(doc.data, base=path.parent, file=str(path))


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
    kinds = _kinds(scenario)
    variants = {
        name: Variant(
            label=", ".join(f"{k}={v:.4g}" for k, v in point.items()),
            parameters={k: quantity_text(v, kinds[k]) for k, v in point.items()},
        )
        for name, point in zip(point_names(len(points)), points, strict=True)
    }
    return scenario.model_copy(update={"variants": variants})


def _headline(summary: dict[str, Any], variant: str) -> dict[str, Any]:
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
