"""What geosim owns on disk, and the checks that keep it from touching anything else.

A results directory is geosim's only if it carries the marker file :data:`MARKER`,
written when geosim creates (or first writes into an empty) directory. File names never
prove ownership: a folder holding a ``run.json`` or a ``manifest.json`` but no marker is
a user's folder, and geosim neither writes into it nor deletes it.

Inside a marked directory geosim deletes only the files it writes (:data:`OWNED_FILES`,
chunk files under ``chunks/`` and its own temporaries); anything else is listed and the
deletion is refused, ``--force`` or not.

Reports and index files are single files, so they carry their own mark: a report has a
``<meta name="generator" content="geosim">`` tag near its start, an index a ``"tool"``
key. geosim overwrites such a file freely; any other existing file only with ``force``,
and never a file inside a results directory.
"""

from __future__ import annotations

import json
import os
import re
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from simulator._files import TMP_PREFIX
from simulator.errors import ResultsError

MARKER = ".geosim-results"
LOCK = ".geosim-lock"
SET_ASIDE = "set-aside"
FORMAT = 2  # results format version: bumped when files or their meaning change
OWNED_FILES = frozenset({"manifest.json", "runs.parquet", "summary.json", "timeline.npz",
                         "traces.json", "run.json", MARKER, LOCK})
CHUNK_NAME = re.compile(r"^.+_\d{10}_\d{10}\.(parquet|npz|json|chunk\.json)$")
REPORT_GENERATOR = '<meta name="generator" content="geosim">'
INDEX_TOOLS = frozenset({"geosim-batch", "geosim-sweep"})
SCORE_SUFFIX, SCORE_MARKER = ".score.json", "geosim_score"  # forecast scores saved here
LIST_AT_MOST = 8  # files named in a refusal; the rest are counted


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def read_marker(folder: Path) -> dict[str, Any] | None:
    """The marker of a results directory, or None when there is none.

    A marker of another format version is refused: this geosim cannot tell what the
    directory's files mean.
    """
    path = folder / MARKER
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ResultsError(f"{path} is damaged ({exc}); geosim cannot tell whether it owns "
                           f"{folder}, so it leaves it alone") from exc
    if not isinstance(data, dict) or data.get("tool") != "geosim":
        raise ResultsError(f"{path} is not a geosim marker; geosim leaves {folder} alone")
    if data.get("format") != FORMAT:
        raise ResultsError(f"{folder} holds results in format {data.get('format')!r}; this "
                           f"geosim reads format {FORMAT} — run the simulation again into "
                           "a new --out")
    return data


def write_marker(folder: Path) -> None:
    """Claim ``folder`` (which must be new or empty) as a geosim results directory."""
    payload = {"tool": "geosim", "kind": "results", "format": FORMAT, "created": now_text()}
    path = folder / MARKER
    tmp = folder / f"{TMP_PREFIX}{os.getpid()}-{MARKER}"
    try:  # atomically: a reader sees no marker or a whole one
        tmp.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ResultsError(f"cannot write {path}: {exc.strerror or exc}") from exc


def is_owned(folder: Path) -> bool:
    return (folder / MARKER).is_file()


def looks_like_results(folder: Path) -> bool:
    """True for a marked directory, or one that looks like results of an older geosim.

    Used only to *refuse* writing there (so a name is enough), never to delete.
    """
    return is_owned(folder) or _geosim_manifest(folder / "manifest.json") or (
        (folder / "run.json").is_file() and (folder / "chunks").is_dir())


def _geosim_manifest(path: Path) -> bool:
    """A ``manifest.json`` written by geosim (other tools use the name too)."""
    try:
        if not path.is_file() or path.stat().st_size > 64 * 1024 * 1024:
            return False
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("tool") == "geosim"


def is_geosim_score(path: Path) -> bool:
    """A forecast score geosim saved with the results it scores (marked inside)."""
    if not path.name.endswith(SCORE_SUFFIX) or not path.is_file() or path.is_symlink():
        return False
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get(SCORE_MARKER) == 1


def foreign_files(folder: Path) -> list[Path]:
    """Files and folders in a results directory that geosim did not write."""
    found: list[Path] = []
    for entry in sorted(folder.iterdir()):
        if entry.name in OWNED_FILES and entry.is_file() and not entry.is_symlink():
            continue
        if is_geosim_score(entry):
            continue
        if entry.name.startswith(TMP_PREFIX) and entry.is_file():
            continue
        if entry.name == "chunks" and entry.is_dir() and not entry.is_symlink():
            found += [p for p in sorted(entry.iterdir())
                      if not (p.is_file() and not p.is_symlink()
                              and (CHUNK_NAME.match(p.name) or p.name.startswith(TMP_PREFIX)))]
            continue
        found.append(entry)
    return found


def name_some(paths: list[Path]) -> str:
    shown = ", ".join(str(p) for p in paths[:LIST_AT_MOST])
    more = len(paths) - LIST_AT_MOST
    return shown + (f" and {more} more" if more > 0 else "")


def enclosing_results_dir(path: Path) -> Path | None:
    """The results directory ``path`` lies in (or is), if any."""
    resolved = path.expanduser().resolve()
    for folder in [resolved, *resolved.parents]:
        if folder.is_dir() and looks_like_results(folder):
            return folder
    return None


def expand_out(path: Path) -> Path:
    """``~`` and ``~user`` expanded, as a shell would have done."""
    expanded = path.expanduser()
    if expanded.parts and expanded.parts[0].startswith("~"):
        raise ResultsError(f"cannot expand {path}: no such user; give the folder in full")
    return expanded


def _is_geosim_report(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return REPORT_GENERATOR.encode() in head


def _is_geosim_index(path: Path) -> bool:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("tool") in INDEX_TOOLS


def guard_output_file(path: Path, *, kind: str, force: bool) -> Path:
    """Check that geosim may write ``path`` (a ``report`` or an ``index``); returns it.

    Refused: a target inside a results directory (``force`` or not), a folder or a
    special file, and — without ``force`` — an existing file geosim did not write.
    """
    path = expand_out(path)
    inside = enclosing_results_dir(path.parent if not path.is_dir() else path)
    if inside is not None:
        raise ResultsError(f"{path} is inside the results directory {inside}; geosim writes "
                           f"there only its own results — write the {kind} elsewhere")
    if not path.exists() and not path.is_symlink():
        return path
    mode = path.lstat().st_mode
    if stat.S_ISDIR(mode):
        raise ResultsError(f"{path} is a folder; give the name of the {kind} file to write")
    if not stat.S_ISREG(mode):
        raise ResultsError(f"{path} is not a regular file; geosim will not write a {kind} "
                           "there")
    ours = _is_geosim_report(path) if kind == "report" else _is_geosim_index(path)
    if not ours and not force:
        raise ResultsError(f"{path} exists and is not a geosim {kind}; geosim will not "
                           f"overwrite it — choose another file name, or add --force to "
                           f"replace {path}")
    return path

