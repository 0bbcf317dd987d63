"""The results directory: chunk files written atomically, then merged once at the end.

Layout::

    .geosim-results    the ownership marker (format version), written first
    .geosim-lock       held (flock) by the one process writing the directory
    manifest.json      written LAST; its presence means the directory is complete; it
                       records the size and SHA-256 of every file below
    runs.parquet       one row per (variant, run)
    summary.json       per variant: outcome probabilities with intervals, rungs, ...
    timeline.npz       state and ladder histograms on a time grid (exactly merged)
    traces.json        full event traces of a fixed sample of runs
    run.json           the run specification (for resuming a partial run)
    chunks/            per-chunk files while running; removed when complete
    set-aside/         chunks found foreign or damaged on resume (kept for the user)

Every file is written to a temporary name (:data:`TMP_PREFIX`) in the same directory
and moved into place with ``os.replace``, so an interrupted run never leaves a
half-written file under a final name. A chunk is complete when its ``.chunk.json``
exists: written last, it records the chunk's identity (scenario hash, seed, engine,
variant, run range, format version) and the SHA-256 of its three data files. On resume
every chunk is checked against it; a foreign, unreadable or incomplete chunk is moved
to ``set-aside/`` with a warning and computed again — never merged, never fatal.
"""

from __future__ import annotations

import contextlib
import json
import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from simulator._files import atomic_write_json, cannot_write
from simulator.engine.batch import ChunkResult
from simulator.errors import GeosimWarning, ResultsError
from simulator.model.model import Model
from simulator.results.contract import FileRecord
from simulator.results.lock import ResultsLock
from simulator.results.ownership import (
    CHUNK_NAME,
    FORMAT,
    LOCK,
    MARKER,
    OWNED_FILES,
    SET_ASIDE,
    TMP_PREFIX,
    foreign_files,
    is_geosim_score,
    looks_like_results,
    name_some,
    read_marker,
    write_marker,
)
from simulator.runner.chunk_files import (
    CHUNK_DATA,
    HISTOGRAMS,
    IDENTITY,
    TABLE,
    TALLY,
    TRACES,
    ChunkDir,
    file_checksum,
    merged_traces_json,
    read_table,
)
from simulator.runner.runs_table import RunsTableWriter

TMP_MARK = TMP_PREFIX  # the start of every temporary file's name
ChunkKey = tuple[str, int, int]


def sweep_temporaries(folder: Path) -> int:
    """Remove leftovers of interrupted writes (in ``folder`` and its ``chunks/``)."""
    removed = 0
    for place in (folder, folder / "chunks"):
        if place.is_dir():
            for path in place.glob(f"{TMP_PREFIX}*"):
                if path.is_file():
                    path.unlink(missing_ok=True)
                    removed += 1
    return removed


# --------------------------------------------------------------------------- the store


def _warn(message: str) -> None:
    warnings.warn(message, GeosimWarning, stacklevel=3)


class ResultsStore:
    """Writes one results directory; holds its lock from :meth:`open` to :meth:`close`."""

    def __init__(self, root: Path, *, command: str = "",
                 warn: Callable[[str], None] | None = None) -> None:
        self.root = root
        self.chunks = root / "chunks"
        self.lock = ResultsLock(root, command)
        self.warn = warn or _warn
        self.spec: dict[str, Any] = {}
        self.runs_file: FileRecord | None = None  # runs.parquet's, taken as it was written
        self._runs_writer: RunsTableWriter | None = None  # runs.parquet while it grows
        self._complete: set[Path] = set()  # table files of the complete chunks

    # ------------------------------------------------------------ opening

    def _check_folder(self) -> None:
        """Refuse anything that is not geosim's own directory (or a new or empty one)."""
        root = self.root
        if root.is_symlink() or (root.exists() and not root.is_dir()):
            raise ResultsError(f"{root} is not a folder; choose another --out")
        if not root.is_dir() or read_marker(root) is not None:
            return
        entries = [e for e in root.iterdir() if e.name != LOCK]
        if not entries:
            return
        older = (" It looks like results of an older geosim, written before results "
                 "directories were marked; delete it yourself if you no longer need it."
                 if looks_like_results(root) else "")
        raise ResultsError(f"{root} is not empty and was not created by geosim (it has no "
                           f"{MARKER} marker), so geosim will neither write into it nor "
                           f"delete it; choose another --out.{older}")

    def open(self, spec: dict[str, Any], *, force: bool) -> set[ChunkKey]:
        """Lock and create or reopen the directory; return the chunks already complete.

        A complete directory is replaced only with ``force``; a partial one is resumed
        when its run specification matches ``spec`` (or discarded with ``force``).
        Either way only files geosim wrote are deleted: others make it refuse.
        """
        self._check_folder()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise cannot_write(self.root, exc) from exc
        self.lock.acquire()
        try:
            return self._open_locked(spec, force=force)
        except BaseException:
            self.lock.release()
            raise

    def _open_locked(self, spec: dict[str, Any], *, force: bool) -> set[ChunkKey]:
        if read_marker(self.root) is None:
            if [e for e in self.root.iterdir() if e.name != LOCK]:
                self._check_folder()  # someone wrote into it since: refuse
            write_marker(self.root)
        sweep_temporaries(self.root)
        spec_path = self.root / "run.json"
        if (self.root / "manifest.json").exists():
            if not force:
                raise ResultsError(f"{self.root} already holds complete results; use --force "
                                   "to replace them, or choose another --out")
            self._clear()
        elif spec_path.exists() and self._old_spec(spec_path) != spec:
            if not force:
                raise ResultsError(
                    f"{self.root} holds a partial run with different settings "
                    f"({_spec_difference(self._old_spec(spec_path), spec)}); use --force to "
                    "discard it, or choose another --out")
            self._clear()
        if not spec_path.exists():
            atomic_write_json(spec_path, spec)
        self.spec = spec
        try:
            self.chunks.mkdir(exist_ok=True)
        except OSError as exc:
            raise cannot_write(self.chunks, exc) from exc
        done = self._verified_chunks()
        self._complete = {self._chunk_path(k, TABLE) for k in done}
        return done

    def _old_spec(self, path: Path) -> Any:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # unreadable: treated as different settings

    def _clear(self) -> None:
        """Delete the files geosim wrote here; refuse (deleting nothing) if there are others."""
        foreign = foreign_files(self.root)
        if foreign:
            raise ResultsError(f"{self.root} holds files geosim did not write: "
                               f"{name_some(foreign)}; geosim never deletes those, --force "
                               "or not — move them elsewhere, then run again")
        for name in sorted(OWNED_FILES - {MARKER, LOCK}):
            (self.root / name).unlink(missing_ok=True)
        for path in self.root.iterdir():
            if is_geosim_score(path):  # scores of the results being replaced are stale
                path.unlink()
        self._remove_chunks()

    def _remove_chunks(self) -> None:
        if not self.chunks.is_dir():
            return
        for path in self.chunks.iterdir():
            if path.is_file() and (CHUNK_NAME.match(path.name) or
                                   path.name.startswith(TMP_PREFIX)):
                path.unlink()
        with contextlib.suppress(OSError):  # files geosim did not write stay, and their folder
            self.chunks.rmdir()

    def close(self) -> None:
        writer, self._runs_writer = self._runs_writer, None
        try:
            if writer is not None:  # the run stopped before its end
                writer.abort()
        finally:
            self.lock.release()

    # ------------------------------------------------------------ chunks

    @property
    def chunk_dir(self) -> ChunkDir:
        """Where this run's chunks go, with their identity (for the processes writing them)."""
        s = self.spec
        return ChunkDir(str(self.chunks), {
            "format": FORMAT, "scenario_sha256": s.get("scenario_sha256"),
            "seed": s.get("seed"), "engine": s.get("engine"),
            "trace_every": s.get("trace_every")})

    def _chunk_path(self, key: ChunkKey, suffix: str) -> Path:
        return self.chunk_dir.path(*key, suffix)

    def _identity(self, key: ChunkKey) -> dict[str, Any]:
        return self.chunk_dir.identity_of(*key)

    def write_chunk(self, model: Model, chunk: ChunkResult) -> None:
        """Persist one chunk computed elsewhere; its identity file goes last."""
        self.chunk_dir.write(model, chunk)

    def _groups(self) -> dict[str, list[Path]]:
        groups: dict[str, list[Path]] = {}
        for path in sorted(self.chunks.iterdir()):
            if not path.is_file() or not CHUNK_NAME.match(path.name):
                continue
            stem = path.name.removesuffix(IDENTITY) if path.name.endswith(IDENTITY) \
                else path.name.rsplit(".", 1)[0]
            groups.setdefault(stem, []).append(path)
        return groups

    def _problem(self, stem: str) -> str | None:
        """Why the chunk ``stem`` cannot be used, or None when it is complete and ours."""
        variant, start, stop = stem.rsplit("_", 2)
        key = (variant, int(start), int(stop))
        ident_path = self._chunk_path(key, IDENTITY)
        if not ident_path.exists():
            return "incomplete: it has no identity record"
        try:
            ident = json.loads(ident_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return "its identity record is unreadable"
        if not isinstance(ident, dict):
            return "its identity record is unreadable"
        expected = self._identity(key)
        differ = [k for k, v in expected.items() if ident.get(k) != v]
        if differ:
            return "it belongs to another run (" + ", ".join(
                f"{k} {ident.get(k)!r}, not {expected[k]!r}" for k in differ[:3]) + ")"
        size = self.spec.get("chunk_size") or 0
        if (variant not in self.spec.get("variants", []) or not size
                or key[1] % size or not 0 < key[2] - key[1] <= size
                or ident.get("rows") != key[2] - key[1]):
            return "its run range does not fit this run's chunks"
        files = ident.get("files")
        if not isinstance(files, dict):
            return "its identity record lists no files"
        for suffix in CHUNK_DATA:
            path = self._chunk_path(key, suffix)
            try:
                if not path.exists() or file_checksum(path) != files.get(suffix):
                    return f"{path.name} is missing or damaged"
            except OSError:
                return f"{path.name} is unreadable"
        return None

    def _verified_chunks(self) -> set[ChunkKey]:
        done: set[ChunkKey] = set()
        for stem, paths in self._groups().items():
            problem = self._problem(stem)
            if problem is None:
                variant, start, stop = stem.rsplit("_", 2)
                done.add((variant, int(start), int(stop)))
            else:
                self._set_aside(stem, paths, problem)
        return done

    def _set_aside(self, stem: str, paths: list[Path], reason: str) -> None:
        place = self.root / SET_ASIDE
        try:
            place.mkdir(exist_ok=True)
            for path in paths:
                target = place / path.name
                n = 1
                while target.exists():
                    target = place / f"{path.name}.{n}"
                    n += 1
                os.replace(path, target)
        except OSError as exc:
            raise ResultsError(f"cannot set aside chunk {stem} in {place}: "
                               f"{exc.strerror or exc}") from exc
        self.warn(f"chunk {stem} was set aside and will be computed again: {reason}; its "
                  f"files were moved to {place} (delete them once you have looked)")

    def completed(self) -> list[ChunkKey]:
        """Chunks with an identity record (all verified at :meth:`open` or written since)."""
        keys = []
        for path in sorted(self.chunks.glob(f"*{IDENTITY}")):
            variant, start, stop = path.name.removesuffix(IDENTITY).rsplit("_", 2)
            keys.append((variant, int(start), int(stop)))
        return keys

    def chunk_paths(self, variant: str) -> list[Path]:
        """The per-run table files (``.parquet``) of a variant's complete chunks, in run order.

        The name is matched exactly: a glob on ``dovish_*`` would also take the chunks
        of a variant called ``dovish_x``.
        """
        return [self._chunk_path(k, TABLE) for k in self.completed() if k[0] == variant]

    def paths_by_variant(self) -> dict[str, list[Path]]:
        """Every complete chunk's table file, grouped by variant, in run order: one
        listing of the folder (asking per variant lists it once per variant, which a
        design of thousands of variants pays quadratically)."""
        out: dict[str, list[Path]] = {}
        for key in self.completed():
            out.setdefault(key[0], []).append(self._chunk_path(key, TABLE))
        return out

    def discard_from(self, start: int) -> None:
        """Delete the chunks that start at or after ``start`` (beyond an adaptive stop)."""
        for key in self.completed():
            if key[1] >= start:
                for suffix in (IDENTITY, *CHUNK_DATA):
                    self._chunk_path(key, suffix).unlink(missing_ok=True)

    def _read(self, path: Path, reader: Callable[[Path], Any]) -> Any:
        try:
            return reader(path)
        except (OSError, ValueError, pa.ArrowException) as exc:
            raise ResultsError(f"cannot read {path} ({type(exc).__name__}: "
                               f"{str(exc)[:200]})") from exc

    def chunk_table(self, path: Path, columns: list[str] | None = None) -> pa.Table:
        """One chunk's per-run table (or some columns), or a :class:`ResultsError`."""
        return self._read(path, lambda p: read_table(p, columns))

    def merged_aggregates(self, variants: list[str], n_state: int) -> tuple[
            dict[str, list[np.ndarray]], list[tuple[str, dict[str, np.ndarray]]]]:
        """Per variant its chunks' histograms summed (one per state variable), and every
        chunk's summary tally in table order; each chunk's ``.npz`` is read once."""
        def load(path: Path) -> tuple[list[np.ndarray], dict[str, np.ndarray]]:
            with np.load(path, allow_pickle=False) as data:
                return ([data[f"h{j}"] for j in range(n_state)],
                        {k.removeprefix(TALLY): data[k] for k in data.files
                         if k.startswith(TALLY)})

        histograms: dict[str, list[np.ndarray]] = {}
        tallies: list[tuple[str, dict[str, np.ndarray]]] = []
        chunks = self.paths_by_variant()
        for variant in variants:
            total: list[np.ndarray] = []
            for path in chunks.get(variant, []):
                parts, tally = self._read(path.with_suffix(HISTOGRAMS), load)
                total = parts if not total else [t + p for t, p in zip(total, parts,
                                                                        strict=True)]
                tallies.append((variant, tally))
            histograms[variant] = total
        return histograms, tallies

    def merged_traces(self, variants: list[str]) -> bytes:
        """traces.json: every variant's sampled traces in run order, spliced from the
        chunks' JSON without decoding it."""
        chunks = self.paths_by_variant()

        def chunks_of(variant: str) -> Any:
            for path in chunks.get(variant, []):
                yield self._read(path.with_suffix(TRACES), Path.read_bytes)

        try:
            return merged_traces_json(variants, chunks_of)
        except ValueError as exc:
            raise ResultsError(f"a chunk's traces are damaged ({exc})") from exc

    def _table_order(self) -> list[Path] | None:
        """Every chunk's table file in runs.parquet's order, when the run has a fixed
        number of runs (an adaptive run decides its length at the end)."""
        s = self.spec
        runs, size = s.get("runs"), s.get("chunk_size")
        if s.get("precision") is not None or not isinstance(runs, int) or not size:
            return None
        return [self._chunk_path((v, a, min(a + size, runs)), TABLE)
                for v in s.get("variants", []) for a in range(0, runs, size)]

    def chunk_written(self, key: ChunkKey) -> None:
        """Note that chunk ``key`` is complete: runs.parquet grows by every chunk now
        complete in table order, while the others are still being simulated."""
        self._complete.add(self._chunk_path(key, TABLE))
        if self._runs_writer is None:
            order = self._table_order()
            if order is None:
                return
            self._runs_writer = RunsTableWriter(self.root / "runs.parquet", order)
        self._runs_writer.advance(self._complete.__contains__)

    def write_runs_table(self, variants: list[str]) -> None:
        """Complete runs.parquet from every chunk, one row group per chunk (bounded
        memory); the file's size and SHA-256, taken as it is written, are kept in
        :attr:`runs_file`."""
        chunks = self.paths_by_variant()
        order = [p for v in variants for p in chunks.get(v, [])]
        writer, self._runs_writer = self._runs_writer, None
        if writer is None or writer.order != order:
            if writer is not None:
                writer.abort()
            writer = RunsTableWriter(self.root / "runs.parquet", order)
        self.runs_file = writer.finish(self.chunk_table)

    def finish(self) -> None:
        """Remove the chunk files (the merged files now hold their data)."""
        self._remove_chunks()


def _spec_difference(old: Any, new: dict[str, Any]) -> str:
    if not isinstance(old, dict):
        return "its run.json is unreadable"
    keys = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    return ", ".join(f"{k}: {old.get(k)!r} then, {new.get(k)!r} now" for k in keys[:3])
