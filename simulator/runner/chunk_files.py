"""One chunk on disk: its per-run table, histograms and traces, and its identity record.

A chunk is written by whichever process simulated it (a local worker writes its own
chunks, so the parent never receives their data). Files per chunk
(``<variant>_<start>_<stop>``):

    .parquet      the per-run table, encoded exactly as in runs.parquet (one row group),
                  so that runs.parquet is joined from the chunks' bytes without being
                  encoded again (see :mod:`simulator.runner.parquet_concat`)
    .npz          the chunk's state histograms and its part of the summary (see
                  :func:`simulator.results.summary.chunk_tally`)
    .json         the full event traces of its sampled runs (compact JSON)
    .chunk.json   its identity and the CRC-32 of the three files above, written last:
                  its presence marks the chunk complete

The checksums guard against damage (a cut-short or altered file is set aside on
resume); the identity guards against mixing in chunks of another run.

Encoding of the per-run table, chosen for writing speed at a moderate size (flagship,
per run: about 1.2 kB against 0.9 kB with dictionaries and Snappy everywhere, written in
less than half the time): no dictionaries, statistics only on ``variant`` and ``run``
(the columns a reader filters on), no page index (its entries hold absolute positions,
which joining would invalidate), and Snappy on every column except the event times —
random doubles, a third of the table, that Snappy would spend time on to shrink by a
fifth. The columns and their types do not depend on any of this.
"""

from __future__ import annotations

import io
import json
import os
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from simulator._files import atomic_write_json, atomic_write_with
from simulator.engine.batch import ChunkResult
from simulator.model.model import Model
from simulator.results.summary import chunk_tally

TABLE = ".parquet"
HISTOGRAMS = ".npz"
TRACES = ".json"
IDENTITY = ".chunk.json"
CHUNK_DATA = (HISTOGRAMS, TRACES, TABLE)
TALLY = "tally."  # prefix of the summary arrays in a chunk's .npz
BLOCK = 1 << 20  # bytes checksummed at a time when reading a file back
STATISTICS = ["variant", "run"]
UNCOMPRESSED = frozenset({"event_times"})
BATCH_ROWS = 1 << 16  # rows encoded at a time (fewer, larger batches: less overhead)


def compression_of(schema: pa.Schema) -> dict[str, str]:
    """Per column: Snappy, except for the columns in :data:`UNCOMPRESSED`."""
    return {f.name: "none" if f.name in UNCOMPRESSED else "snappy" for f in schema}


def parquet_options(schema: pa.Schema) -> dict[str, Any]:
    """How per-run tables are encoded, in chunks and in runs.parquet alike."""
    return {"compression": compression_of(schema), "use_dictionary": False,
            "write_statistics": STATISTICS, "write_page_index": False,
            "write_batch_size": BATCH_ROWS}


def open_empty(path: str, *, buffering: int = -1) -> Any:
    """Open for writing the empty temporary file ``path`` (created by the atomic write)
    without truncating it: on ext4, closing a file that was truncated to nothing forces
    its data to be written out at once, which would cost every chunk and runs.parquet
    a synchronous flush (the kernel writes them out in the background anyway, and
    chunks are usually deleted before it does)."""
    return open(os.open(path, os.O_WRONLY), "wb", buffering=buffering)


def column_names(model: Model) -> dict[str, list[str]]:
    """Per-run table column names for a model (shared by every variant of a scenario)."""
    return {
        "params": [f"param.{p.name}" for p in model.parameters if not p.hidden],
        "outcomes": [o.name for o in model.outcomes],
        "indicators": [i.name for i in model.indicators],
        "state": [s.name for s in model.state],
        "options": [o.key for o in model.options],
    }


def arrow_array(values: np.ndarray) -> pa.Array:
    """A 1-d NumPy array as an Arrow array without nulls (NaN stays a value), sharing
    its memory where it can. ``pa.array`` would do the same but imports pandas — half a
    second and tens of megabytes in every worker process."""
    values = np.ascontiguousarray(values)
    if values.dtype == np.bool_:
        bits = np.packbits(values, bitorder="little")
        return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(bits)])
    return pa.Array.from_buffers(pa.from_numpy_dtype(values.dtype), len(values),
                                 [None, pa.py_buffer(values)])


def _repeated_text(text: str, n: int) -> pa.Array:
    """A string column holding ``text`` ``n`` times."""
    data = text.encode()
    offsets = np.arange(n + 1, dtype=np.int32) * len(data)
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets),
                                                  pa.py_buffer(data * n)])


def _columns_of(matrix: np.ndarray) -> np.ndarray:
    """A (runs, k) matrix as k contiguous rows (one copy, then zero-copy Arrow arrays)."""
    return np.ascontiguousarray(matrix.T)


def chunk_table(model: Model, chunk: ChunkResult) -> pa.Table:
    """The per-run table of one chunk, built from its arrays (no per-run Python objects)."""
    names = column_names(model)
    c = chunk.columns
    n = chunk.runs
    arrays: dict[str, pa.Array] = {
        "variant": _repeated_text(chunk.variant, n),
        "run": arrow_array(c["run"]),
    }
    params = _columns_of(c["params"])
    named = [i for i, p in enumerate(model.parameters) if not p.hidden]
    for name, j in zip(names["params"], named, strict=True):
        arrays[name] = arrow_array(params[j])
    for prefix, key, group in (("outcome", "outcome_time", "outcomes"),
                               ("indicator", "indicator_time", "indicators")):
        times = _columns_of(c[key])
        for j, name in enumerate(names[group]):
            arrays[f"{prefix}.{name}"] = arrow_array(~np.isnan(times[j]))
            arrays[f"{prefix}_time.{name}"] = arrow_array(times[j])
    final = _columns_of(c["final_state"])
    for j, name in enumerate(names["state"]):
        arrays[f"final.{name}"] = arrow_array(final[j])
    counts = _columns_of(c["counts"])
    for j, name in enumerate(names["options"]):
        arrays[f"count.{name}"] = arrow_array(counts[j])
    arrays["n_events"] = arrow_array(c["n_events"])
    arrays["lapsed"] = arrow_array(c["lapsed"])
    arrays["end_time"] = arrow_array(c["end_time"])
    for name, (values, offsets) in chunk.ragged.items():
        arrays[name] = pa.ListArray.from_arrays(arrow_array(offsets.astype(np.int32)),
                                                arrow_array(values))
    digests = np.ascontiguousarray(c["digest"], dtype=np.uint8)
    arrays["digest"] = pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(16), n, [None, pa.py_buffer(digests)])
    return pa.table(arrays)


def checksum(data: Any) -> str:
    """The CRC-32 of a bytes-like object, as recorded in identity files."""
    return f"crc32:{zlib.crc32(data):08x}"


def file_checksum(path: Path) -> str:
    """:func:`checksum` of a file's content, read a block at a time."""
    crc = 0
    with path.open("rb") as handle:
        while block := handle.read(BLOCK):
            crc = zlib.crc32(block, crc)
    return f"crc32:{crc:08x}"


class _ChecksummedFile(io.RawIOBase):
    """A write-only file that takes the CRC-32 of what goes through it."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self._file = open_empty(path)
        self.crc = 0
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data)
        self.crc = zlib.crc32(view, self.crc)
        self._file.write(view)
        self.size += view.nbytes
        return view.nbytes

    def tell(self) -> int:
        return self.size

    def close(self) -> None:
        if not self.closed:
            self._file.close()
        super().close()


def _write_table(path: Path, table: pa.Table) -> str:
    """Write ``table`` as one row group of Parquet straight to disk; return its checksum."""
    result: list[str] = []

    def write(tmp: str) -> None:
        sink = _ChecksummedFile(tmp)
        try:
            pq.write_table(table, sink, row_group_size=max(1, table.num_rows),
                           **parquet_options(table.schema))
        finally:
            sink.close()
        result.append(f"crc32:{sink.crc:08x}")

    atomic_write_with(path, write)
    return result[0]


def _write_npz(path: Path, arrays: dict[str, np.ndarray]) -> str:
    """Write the histograms and tally (about a megabyte); return the file's checksum."""
    def write(tmp: str) -> None:
        with open_empty(tmp) as handle:
            np.savez(handle, **arrays)  # type: ignore[arg-type]

    atomic_write_with(path, write)
    return file_checksum(path)


def _traces_bytes(traces: dict[int, list[dict[str, Any]]]) -> bytes:
    return json.dumps({str(k): t for k, t in traces.items()}, allow_nan=False).encode()


def _write_file(path: Path, data: Any) -> None:
    def write(tmp: str) -> None:
        with open_empty(tmp) as handle:
            handle.write(data)

    atomic_write_with(path, write)


@dataclass(frozen=True)
class ChunkDir:
    """Where a run's chunks go and what identifies them (picklable: it travels with a
    task to the worker that writes the chunk)."""

    folder: str
    identity: dict[str, Any]  # the run's part of every chunk identity (see identity())

    def path(self, variant: str, start: int, stop: int, suffix: str) -> Path:
        return Path(self.folder) / f"{variant}_{start:010d}_{stop:010d}{suffix}"

    def identity_of(self, variant: str, start: int, stop: int) -> dict[str, Any]:
        return {**self.identity, "variant": variant, "start": start, "stop": stop}

    def write(self, model: Model, chunk: ChunkResult) -> None:
        """Persist one chunk; its identity file goes last and marks it complete."""
        key = (chunk.variant, chunk.start, chunk.stop)
        table = chunk_table(model, chunk)
        arrays = {f"h{j}": h for j, h in enumerate(chunk.histograms)}
        arrays.update({TALLY + k: v for k, v in chunk_tally(model, table).items()})
        files = {HISTOGRAMS: _write_npz(self.path(*key, HISTOGRAMS), arrays)}
        traces = _traces_bytes(chunk.traces)
        files[TRACES] = checksum(traces)
        _write_file(self.path(*key, TRACES), traces)
        files[TABLE] = _write_table(self.path(*key, TABLE), table)
        atomic_write_json(self.path(*key, IDENTITY),
                          {**self.identity_of(*key), "rows": chunk.runs, "files": files})


def read_table(path: Path, columns: list[str] | None = None) -> pa.Table:
    """A chunk's per-run table, or the ``columns`` of it."""
    return pq.read_table(path, columns=columns)


def traces_members(text: bytes) -> bytes:
    """The members of a chunk's traces object (``"run": [...]`` pairs), without braces."""
    body = text.strip()
    if not (body.startswith(b"{") and body.endswith(b"}")):
        raise ValueError("the traces file is not a JSON object")
    return body[1:-1].strip()


def merged_traces_json(variants: list[str],
                       chunks_of: Callable[[str], Iterator[bytes]]) -> bytes:
    """traces.json, ``{variant: {run: trace}}`` in variant and run order, spliced from the
    chunks' own JSON (``chunks_of(variant)`` yields each chunk's file content) without
    parsing or re-encoding it."""
    out = [b"{"]
    for i, variant in enumerate(variants):
        members = [m for m in map(traces_members, chunks_of(variant)) if m]
        out += [b", " if i else b"", json.dumps(variant).encode(), b": {",
                b", ".join(members), b"}"]
    out.append(b"}")
    return b"".join(out)
