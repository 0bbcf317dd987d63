"""Find forecast records and resolution files, pair them, and keep scores next to them.

Pairing: a resolution file names its forecast with ``forecast: <id>``; with exactly one
forecast and one resolution file the name may be left out. Every problem in every file
is collected before anything is reported, so one run shows all of them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.errors import Diagnostic, ResultsError, ScenarioError
from simulator.forecast.record import MARKER, SUFFIX, read_record
from simulator.forecast.resolution import ResolutionFile, check_against, read_resolution

SCORE_MARKER = "geosim_score"
SCORE_SUFFIX = ".score.json"


@dataclass(frozen=True)
class Pair:
    """A forecast record, where it is stored, and its checked resolution (if any)."""

    path: Path
    record: dict[str, Any]
    resolution: ResolutionFile | None


def load_records(paths: list[Path]) -> list[tuple[Path, dict[str, Any]]]:
    """Read forecast records; refuse two files holding the same forecast id twice."""
    out: list[tuple[Path, dict[str, Any]]] = []
    seen: dict[str, Path] = {}
    for path in paths:
        record = read_record(path)
        if record["id"] in seen:
            raise ResultsError(f"{path} and {seen[record['id']]} hold the same forecast "
                               f"{record['id']}; give it once")
        seen[record["id"]] = path
        out.append((path, record))
    return out


def pair(records: list[tuple[Path, dict[str, Any]]], resolution_paths: list[Path], *,
         require_all: bool) -> list[Pair]:
    """Match resolution files to forecasts and check each against its forecast.

    ``require_all``: every forecast must have a resolution file (``score``); otherwise
    forecasts without one are kept unresolved (``track-record``).
    """
    problems: list[Diagnostic] = []
    files: list[ResolutionFile] = []
    for path in resolution_paths:
        try:
            files.append(read_resolution(path))
        except ScenarioError as exc:
            problems += exc.diagnostics
    by_id = {record["id"]: (path, record) for path, record in records}
    matched: dict[str, ResolutionFile] = {}
    for rf in files:
        name = rf.resolution.forecast
        if name is None and len(records) == 1 and len(files) == 1:
            name = records[0][1]["id"]
        if name is None:
            problems.append(Diagnostic(
                "this file does not say which forecast it resolves", file=rf.path,
                line=1, column=1, expected="`forecast: <forecast id>`", found="no `forecast:`",
                hint="with several forecasts each resolution file names its forecast; "
                     "ids: " + ", ".join(sorted(by_id))))
            continue
        line, col = rf.document.position(("forecast",))
        if name not in by_id:
            problems.append(Diagnostic(
                f"no forecast `{name}` was given", file=rf.path, line=line, column=col,
                path=("forecast",), expected="one of " + ", ".join(sorted(by_id)),
                found=f"`{name}`", hint="add the forecast file, or check the id"))
            continue
        if name in matched:
            problems.append(Diagnostic(
                f"forecast `{name}` is resolved twice (also in {matched[name].path})",
                file=rf.path, line=line, column=col, path=("forecast",),
                expected="one resolution file per forecast", found="a second one",
                hint="merge the two files into one"))
            continue
        problems += check_against(rf, by_id[name][1])
        matched[name] = rf
    unreadable = len(resolution_paths) - len(files)
    if require_all and not unreadable:  # an unreadable file may be the missing one
        missing = [i for i in by_id if i not in matched]
        for name in missing:
            problems.append(Diagnostic(
                f"forecast `{name}` has no resolution file", file=str(by_id[name][0]),
                expected="a resolution file with `forecast: " + name + "`",
                hint="write one with `geosim resolve-template " + str(by_id[name][0]) + "`"))
    if problems:
        raise ScenarioError(problems)
    return [Pair(path, record, matched.get(record["id"])) for path, record in records]


def is_record(path: Path) -> bool:
    """True when ``path`` is a JSON file that says it is a forecast record."""
    if path.name.endswith(SUFFIX):
        return True
    if path.suffix != ".json" or path.name.endswith(SCORE_SUFFIX):
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(200)
    except OSError:
        return False
    return f'"{MARKER}"'.encode() in head


def scan_folder(folder: Path) -> tuple[list[Path], list[Path]]:
    """(forecast records, resolution files) found anywhere under ``folder``, sorted."""
    if not folder.is_dir():
        raise ResultsError(f"{folder} is not a folder")
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    records = [p for p in files if is_record(p)]
    resolutions = [p for p in files if p.suffix in (".yaml", ".yml") and _looks_resolved(p)]
    return records, resolutions


_RESOLUTION_KEY = re.compile(rb"(?m)^(resolved_on|forecast)\s*:")


def _looks_resolved(path: Path) -> bool:
    """A YAML file with a top-level `resolved_on:` or `forecast:` key (scenarios have
    neither), so scenario files in the same folder are not mistaken for resolutions."""
    try:
        head = path.read_bytes()[:65536]
    except OSError:
        return False
    return _RESOLUTION_KEY.search(head) is not None


def save_score(record: dict[str, Any], payload: dict[str, Any]) -> Path:
    """Write the scores into the results directory the forecast was frozen from, as
    ``<id>.score.json``, so that ``geosim report`` of those results shows a score card.

    Scores are derived data and belong with the results they score: a re-run of those
    results (``run --force``) replaces the directory and the now stale scores with it.
    The directory must still hold the very results that were frozen (same digest), and
    an existing file of that name is replaced only when it is geosim's score of the same
    forecast.
    """
    folder = Path(str(record.get("frozen_from") or ""))
    manifest = folder / "manifest.json"
    try:
        digest = json.loads(manifest.read_text(encoding="utf-8")).get("digest")
    except (OSError, ValueError, AttributeError):
        digest = None
    if digest != record["results"]["digest"]:
        raise ResultsError(f"cannot save the scores: {folder} no longer holds the results "
                           f"forecast {record['id']} was frozen from (moved, deleted or "
                           "re-run); the scores were printed but not saved")
    path = folder / f"{payload['forecast']}{SCORE_SUFFIX}"
    if path.exists():
        try:
            old = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            old = None
        if not (isinstance(old, dict) and old.get(SCORE_MARKER) == 1
                and old.get("forecast") == payload["forecast"]):
            raise ResultsError(f"{path} exists and is not geosim's score of this forecast; "
                               "move it away to save the scores")
    from simulator._files import atomic_write_json

    try:
        atomic_write_json(path, {SCORE_MARKER: 1, **payload})
    except OSError as exc:
        raise ResultsError(f"cannot save the scores to {path}: {exc.strerror or exc}") from None
    return path


def saved_scores(folder: Path, digest: str) -> list[dict[str, Any]]:
    """Scores saved in ``folder`` for results with this ``digest`` (for the report)."""
    found = []
    for path in sorted(folder.glob(f"*{SCORE_SUFFIX}")):
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if (isinstance(payload, dict) and payload.get(SCORE_MARKER) == 1
                and payload.get("results_digest") == digest):
            found.append(payload)
    return found
