"""The results directory: chunk files written atomically, then merged once at the end.

Layout::

    manifest.json      written LAST; its presence means the directory is complete
    runs.parquet       one row per (variant, run)
    summary.json       per variant: outcome probabilities with intervals, rungs, ...
    timeline.npz       state and ladder histograms on a time grid (exactly merged)
    traces.json        full event traces of a fixed sample of runs
    run.json           the run specification (for resuming a partial run)
    chunks/            per-chunk files while running; removed when complete

Every file is written to a temporary name in the same directory and moved into place
with ``os.replace``, so an interrupted run never leaves a half-written file under a
final name. A chunk is complete when its ``.parquet`` exists; its companion ``.npz``
(histograms) and ``.json`` (traces) are written *before* it.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from simulator.engine.batch import ChunkResult
from simulator.errors import ResultsError
from simulator.model.model import Model

TMP_MARK = ".tmp-"


def _default_mode() -> int:
    """The mode a new file gets under the current umask (mkstemp would give 0600)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


FILE_MODE = _default_mode()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one."""
    fd, tmp = tempfile.mkstemp(prefix=path.name + TMP_MARK, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_json(path: Path, payload: Any) -> None:
    atomic_write_bytes(path, json.dumps(payload, indent=2, sort_keys=False,
                                        allow_nan=False).encode())


def _atomic_with(path: Path, writer: Any) -> None:
    """Let ``writer(tmp_path)`` write a file, then move it into place."""
    fd, tmp = tempfile.mkstemp(prefix=path.name + TMP_MARK, dir=path.parent,
                               suffix=path.suffix)
    os.close(fd)
    try:
        writer(tmp)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def sweep_temporaries(folder: Path) -> int:
    """Remove leftovers of interrupted writes; returns how many were removed."""
    removed = 0
    if folder.is_dir():
        for path in folder.rglob(f"*{TMP_MARK}*"):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


# --------------------------------------------------------------------------- table layout


def column_names(model: Model) -> dict[str, list[str]]:
    """Per-run table column names for a model (shared by every variant of a scenario)."""
    return {
        "params": [f"param.{p.name}" for p in model.parameters if not p.hidden],
        "outcomes": [o.name for o in model.outcomes],
        "indicators": [i.name for i in model.indicators],
        "state": [s.name for s in model.state],
        "options": [o.key for o in model.options],
    }


def chunk_table(model: Model, chunk: ChunkResult) -> pa.Table:
    """The per-run table of one chunk."""
    names = column_names(model)
    c = chunk.columns
    n = chunk.runs
    arrays: dict[str, pa.Array] = {
        "variant": pa.array([chunk.variant] * n, pa.string()),
        "run": pa.array(c["run"]),
    }
    named = [i for i, p in enumerate(model.parameters) if not p.hidden]
    for name, j in zip(names["params"], named, strict=True):
        arrays[name] = pa.array(c["params"][:, j])
    for j, name in enumerate(names["outcomes"]):
        times = c["outcome_time"][:, j]
        arrays[f"outcome.{name}"] = pa.array(~np.isnan(times))
        arrays[f"outcome_time.{name}"] = pa.array(times)
    for j, name in enumerate(names["indicators"]):
        times = c["indicator_time"][:, j]
        arrays[f"indicator.{name}"] = pa.array(~np.isnan(times))
        arrays[f"indicator_time.{name}"] = pa.array(times)
    for j, name in enumerate(names["state"]):
        arrays[f"final.{name}"] = pa.array(c["final_state"][:, j])
    for j, name in enumerate(names["options"]):
        arrays[f"count.{name}"] = pa.array(c["counts"][:, j])
    arrays["n_events"] = pa.array(c["n_events"])
    arrays["lapsed"] = pa.array(c["lapsed"])
    arrays["end_time"] = pa.array(c["end_time"])
    for name, (values, offsets) in chunk.ragged.items():
        arrays[name] = pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32)),
                                                pa.array(values))
    arrays["digest"] = pa.array([bytes(row) for row in c["digest"]], pa.binary(16))
    return pa.table(arrays)


# --------------------------------------------------------------------------- the store


class ResultsStore:
    """Writes one results directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.chunks = root / "chunks"

    def prepare(self, spec: dict[str, Any], *, force: bool) -> set[tuple[str, int, int]]:
        """Create or reopen the directory; return the chunks already complete.

        A complete directory (with a manifest) is replaced only with ``force``. A partial
        one is resumed when its run specification matches ``spec``. A folder that is not
        a geosim results directory is never deleted, ``force`` or not.
        """
        ours = (self.root / "run.json").exists() or (self.root / "manifest.json").exists()
        if self.root.exists() and not self.root.is_dir():
            raise ResultsError(f"{self.root} is a file, not a folder; choose another --out")
        if self.root.is_dir() and any(self.root.iterdir()) and not ours:
            raise ResultsError(f"{self.root} is not empty and is not a geosim results "
                               "directory, so geosim will not write into it (nor delete it); "
                               "choose another --out")
        if (self.root / "manifest.json").exists() and not force:
            raise ResultsError(
                f"{self.root} already holds complete results; use --force to overwrite "
                "them or choose another --out")
        if force and ours:
            shutil.rmtree(self.root)
        self.root.mkdir(parents=True, exist_ok=True)
        sweep_temporaries(self.root)
        spec_path = self.root / "run.json"
        if spec_path.exists():
            old = json.loads(spec_path.read_text())
            if old != spec:
                raise ResultsError(
                    f"{self.root} holds a partial run with different settings "
                    f"({_spec_difference(old, spec)}); use --force to start over")
        else:
            atomic_write_json(spec_path, spec)
        self.chunks.mkdir(exist_ok=True)
        return set(self.completed())

    def completed(self) -> Iterator[tuple[str, int, int]]:
        for path in sorted(self.chunks.glob("*.parquet")):
            variant, start, stop = path.stem.rsplit("_", 2)
            yield variant, int(start), int(stop)

    def _chunk_path(self, variant: str, start: int, stop: int, suffix: str) -> Path:
        return self.chunks / f"{variant}_{start:010d}_{stop:010d}{suffix}"

    def write_chunk(self, model: Model, chunk: ChunkResult) -> None:
        """Persist one chunk; the .parquet goes last and marks the chunk complete."""
        v, a, b = chunk.variant, chunk.start, chunk.stop
        hist = {f"h{j}": h for j, h in enumerate(chunk.histograms)}
        _atomic_with(self._chunk_path(v, a, b, ".npz"), lambda p: np.savez(p, **hist))  # type: ignore[arg-type]
        atomic_write_json(self._chunk_path(v, a, b, ".json"),
                          {str(k): t for k, t in chunk.traces.items()})
        table = chunk_table(model, chunk)
        _atomic_with(self._chunk_path(v, a, b, ".parquet"), lambda p: pq.write_table(table, p))

    def chunk_paths(self, variant: str) -> list[Path]:
        """Complete chunks of a variant, in run order.

        The name is matched exactly: a glob on ``dovish_*`` would also take the chunks
        of a variant called ``dovish_x``.
        """
        return sorted(p for p in self.chunks.glob(f"{variant}_*.parquet")
                      if p.stem.rsplit("_", 2)[0] == variant)

    def merged_histograms(self, variant: str, n_state: int) -> list[np.ndarray]:
        total: list[np.ndarray] = []
        for path in self.chunk_paths(variant):
            with np.load(path.with_suffix(".npz")) as data:
                parts = [data[f"h{j}"] for j in range(n_state)]
            total = parts if not total else [t + p for t, p in zip(total, parts, strict=True)]
        return total

    def merged_traces(self, variants: list[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for variant in variants:
            merged: dict[str, Any] = {}
            for path in self.chunk_paths(variant):
                merged.update(json.loads(path.with_suffix(".json").read_text()))
            out[variant] = merged
        return out

    def write_runs_table(self, variants: list[str]) -> None:
        """Stream every chunk into runs.parquet, one row group per chunk (bounded memory)."""
        target = self.root / "runs.parquet"

        def write(tmp: str) -> None:
            writer: pq.ParquetWriter | None = None
            try:
                for variant in variants:
                    for path in self.chunk_paths(variant):
                        table = pq.read_table(path)
                        if writer is None:
                            writer = pq.ParquetWriter(tmp, table.schema)
                        writer.write_table(table)
            finally:
                if writer is not None:
                    writer.close()

        _atomic_with(target, write)

    def finish(self) -> None:
        shutil.rmtree(self.chunks, ignore_errors=True)


def _spec_difference(old: dict[str, Any], new: dict[str, Any]) -> str:
    keys = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    return ", ".join(f"{k}: {old.get(k)!r} then, {new.get(k)!r} now" for k in keys[:3])
