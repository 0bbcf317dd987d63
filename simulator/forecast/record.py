"""Freeze a results directory into an immutable forecast record.

A forecast record is one JSON file holding everything needed to score the forecast
later, even after the scenario file has been edited or the results deleted: the
scenario text and its hash, each outcome's and indicator's definition (its resolution
text) and a hash of it, the dates, the seed, runs, engine and versions, and for every
variant each probability, its 95 % interval and the chance that the event has happened
by the end of each day of the horizon.

The record's id is derived from its content (scenario id plus the first 12 hex digits
of a SHA-256 over the canonical JSON, the freezing time excluded), so freezing the same
results twice gives the same id, and a record is never overwritten: writing refuses an
existing file with other content.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.errors import ResultsError, UsageError
from simulator.scenario.horizon import is_absorbing

if TYPE_CHECKING:
    from simulator.results.results import Results

#: Version of the record format; readers refuse records of a newer format.
FORMAT = 1
#: Key that marks a JSON file as a geosim forecast record.
MARKER = "geosim_forecast"
#: Fields left out of the content hash: freezing the same results again later, or from
#: another working directory, must give the same id.
_NOT_HASHED = ("id", "frozen_at", "frozen_from")
SUFFIX = ".forecast.json"


def canonical_json(payload: Any) -> bytes:
    """Deterministic JSON bytes (sorted keys, no spaces, no NaN) for hashing."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), allow_nan=False,
                      ensure_ascii=False).encode("utf-8")


def definition_hash(definition: dict[str, Any]) -> str:
    """SHA-256 of an outcome's or indicator's definition (condition and texts)."""
    return hashlib.sha256(canonical_json(definition)).hexdigest()


def record_id(record: dict[str, Any]) -> str:
    """``<scenario id>-<12 hex digits>``, derived from the record's content."""
    content = {k: v for k, v in record.items() if k not in _NOT_HASHED}
    digest = hashlib.sha256(canonical_json(content)).hexdigest()[:12]
    return f"{record['scenario']['id']}-{digest}"


def horizon_end(as_of: date, horizon_days: float) -> date:
    """The calendar date on which the horizon ends (day 0 is ``as_of``)."""
    return as_of + timedelta(days=int(horizon_days))


def chance_by_day(times: Any, runs: int, days: int) -> list[float]:
    """Share of runs in which the event happened by the end of day k, k = 0 … ``days``.

    ``times`` are event times in days since the start of ``as_of`` (NaN: never);
    day k covers times in [k, k + 1).
    """
    import numpy as np

    values = np.asarray(times, dtype=float)
    reached = np.sort(values[np.isfinite(values)])
    counts = np.searchsorted(reached, np.arange(1, days + 2, dtype=float), side="left")
    return [round(float(c) / runs, 6) if runs else 0.0 for c in counts]


def _scenario_text(results: Results) -> tuple[str, str]:
    """The scenario as run: the original file when it is unchanged, else the manifest's copy.

    Returns (text, where it came from: ``"file"`` or ``"manifest"``).
    """
    manifest = results.manifest
    file = manifest.get("scenario_file")
    want = manifest.get("scenario_sha256")
    if file and want:
        from simulator.scenario.yaml import MAX_BYTES

        try:  # a scenario file is at most MAX_BYTES: never read more from a stray path
            with Path(file).open("rb") as handle:
                raw = handle.read(MAX_BYTES + 1)
        except OSError:
            raw = b""
        if raw and hashlib.sha256(raw).hexdigest() == want:
            return raw.decode("utf-8", errors="replace").removeprefix("\ufeff"), "file"
    return json.dumps(manifest["scenario"], indent=2, ensure_ascii=False), "manifest"


def _event_times(results: Results, columns: list[str]) -> dict[str, dict[str, Any]]:
    """variant → column → NumPy array of event times (days; NaN when never reached)."""
    table = results.table(["variant", *columns])
    variant = table.column("variant").to_numpy(zero_copy_only=False)
    out: dict[str, dict[str, Any]] = {}
    for name in results.variants:
        mask = variant == name
        out[name] = {c: table.column(c).to_numpy(zero_copy_only=False)[mask] for c in columns}
    return out


def build_record(results: Results) -> dict[str, Any]:
    """The forecast record of a complete results directory (not yet written)."""
    scenario = results.scenario
    if is_absorbing(str(scenario.horizon)):
        raise UsageError(
            "a forecast is scored against the events of a fixed period, but this scenario "
            f"runs `{scenario.horizon}`; freeze a run of it with a fixed horizon "
            "(`horizon: 1 year`)")
    manifest, summary = results.manifest, results.summary
    horizon_days = float(summary["scenario"]["horizon_days"])
    as_of = scenario.as_of
    days = int(horizon_days)
    text, text_source = _scenario_text(results)
    outcomes = {
        name: {"label": o.label or name, "description": o.description, "when": o.when,
               "resolution": o.resolution}
        for name, o in scenario.outcomes.items()}
    indicators = {
        name: {"label": i.label or name, "description": i.description, "when": i.when,
               "resolution": i.description}
        for name, i in scenario.indicators.items()}
    for group in (outcomes, indicators):
        for definition in group.values():
            definition["sha256"] = definition_hash(definition)
    columns = ([f"outcome_time.{n}" for n in outcomes]
               + [f"indicator_time.{n}" for n in indicators])
    times = _event_times(results, columns)
    variants: dict[str, Any] = {}
    for vname in results.variants:
        vsum: dict[str, Any] = dict(summary["variants"][vname])
        spec = scenario.variants.get(vname)
        entry: dict[str, Any] = {
            "label": (spec.label if spec and spec.label else vname),
            "description": spec.description if spec else "",
            "runs": int(vsum["runs"]), "digest": manifest.get("variant_digests", {}).get(vname),
            "outcomes": {}, "indicators": {}}
        for kind, group in (("outcomes", outcomes), ("indicators", indicators)):
            prefix = "outcome_time" if kind == "outcomes" else "indicator_time"
            for name in group:
                s = vsum[kind][name]
                entry[kind][name] = {
                    "probability": float(s["probability"]),
                    "ci95": [float(s["ci95"][0]), float(s["ci95"][1])],
                    "reached": int(s["reached"]), "runs": int(s["runs"]),
                    "by_day": chance_by_day(times[vname][f"{prefix}.{name}"],
                                            int(vsum["runs"]), days)}
        variants[vname] = entry
    record: dict[str, Any] = {
        MARKER: FORMAT,
        "scenario": {"id": scenario.id, "title": scenario.title,
                     "sha256": manifest.get("scenario_sha256"), "file": manifest.get(
                         "scenario_file"), "text": text, "text_source": text_source},
        "as_of": as_of.isoformat(), "horizon": scenario.horizon,
        "horizon_days": horizon_days,
        "horizon_end": horizon_end(as_of, horizon_days).isoformat(),
        "seed": int(manifest["seed"]), "runs": int(manifest["runs"]),
        "engine": manifest.get("engine", "simpy"),
        "versions": {k: manifest.get(k) for k in ("version", "python", "numpy", "simpy")},
        "results": {"digest": manifest["digest"], "command": manifest.get("command")},
        "outcomes": outcomes, "indicators": indicators, "variants": variants,
    }
    record["id"] = record_id(record)
    record["frozen_from"] = str(results.path.resolve())
    record["frozen_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    return record


def write_record(record: dict[str, Any], path: Path) -> bool:
    """Write ``record`` to ``path``; never overwrite.

    Returns True when written, False when ``path`` already holds this very forecast
    (same id). Any other existing file is refused with :class:`ResultsError`.
    """
    if path.exists():
        try:
            existing = read_record(path)
        except ResultsError:
            existing = None
        if existing is not None and existing.get("id") == record["id"]:
            return False
        raise ResultsError(f"{path} already exists and is not this forecast; forecast records "
                           "are never overwritten — choose another file with -o")
    data = json.dumps(record, indent=1, ensure_ascii=False, allow_nan=False).encode("utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".tmp-", dir=path.parent)
    except OSError as exc:
        raise ResultsError(f"cannot write the forecast to {path}: {exc.strerror or exc}"
                           ) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o444)  # read-only: a record is not edited
        os.link(tmp, path)  # fails if the file appeared meanwhile: no overwrite, no race
    except FileExistsError:
        raise ResultsError(f"{path} was created by someone else while freezing; "
                           "nothing was overwritten") from None
    except OSError as exc:
        raise ResultsError(f"cannot write the forecast to {path}: {exc.strerror or exc}"
                           ) from None
    finally:
        Path(tmp).unlink(missing_ok=True)
    return True


def read_record(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Load a forecast record, checking that it is one and that its id matches its content."""
    p = Path(path)
    try:
        record = json.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ResultsError(f"cannot read the forecast {p}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise ResultsError(f"{p} is not a forecast record (not JSON: {exc})") from None
    if not isinstance(record, dict) or MARKER not in record:
        raise ResultsError(f"{p} is not a forecast record (write one with `geosim freeze`)")
    if record[MARKER] != FORMAT:
        raise ResultsError(f"{p} is a forecast record of format {record[MARKER]!r}; this "
                           f"geosim reads format {FORMAT}")
    try:
        expected = record_id(record)
    except (KeyError, TypeError, ValueError) as exc:
        raise ResultsError(f"{p} is a damaged forecast record ({exc!r})") from None
    if record.get("id") != expected:
        raise ResultsError(f"{p} has been edited since it was frozen (its id "
                           f"{record.get('id')!r} does not match its content, {expected!r}); "
                           "freeze the results again")
    return record


def chance_by(record: dict[str, Any], variant: str, outcome: str, when: date,
              kind: str = "outcomes") -> float:
    """The forecast chance that ``outcome`` has happened by the end of day ``when``."""
    by_day = record["variants"][variant][kind][outcome]["by_day"]
    k = (when - date.fromisoformat(record["as_of"])).days
    if k < 0:
        return 0.0
    return float(by_day[min(k, len(by_day) - 1)])
