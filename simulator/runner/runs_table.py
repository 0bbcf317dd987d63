"""runs.parquet, joined from the chunks' Parquet files as they complete.

Chunks are encoded exactly as runs.parquet is (see
:func:`simulator.runner.chunk_files.parquet_options`), one row group each, so the file
is their bytes one after the other under a single footer
(:mod:`simulator.runner.parquet_concat`) — the same bytes ``ParquetWriter`` would write
from their tables, at the cost of a copy. Chunks that cannot be joined that way are
decoded and written again, one at a time. Either way memory holds one chunk's worth at
most, and the file's size and SHA-256, which the manifest records, are taken as the
bytes go to disk rather than by reading the file again.
"""

from __future__ import annotations

import hashlib
import io
import mmap
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from simulator._files import FILE_MODE, TMP_PREFIX, cannot_write
from simulator.results.contract import FileRecord
from simulator.runner.chunk_files import open_empty, parquet_options
from simulator.runner.parquet_concat import CannotJoin, ParquetJoiner


class _HashingFile(io.RawIOBase):
    """A write-only file that hashes (SHA-256) and counts what goes through it.

    :meth:`copy_range` copies part of another file in the kernel (``copy_file_range``)
    while a thread hashes it from a memory map of the source: the bytes are not copied
    through this process, and hashing (the larger cost) overlaps the copy.
    """

    def __init__(self, path: str) -> None:
        super().__init__()
        # unbuffered: kernel copies append at the descriptor's position
        self._file = open_empty(path, buffering=0)
        self.sha256 = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        self.sha256.update(view)
        self._write_all(view)
        self.size += view.nbytes
        return view.nbytes

    def _write_all(self, view: memoryview) -> None:
        done = 0
        while done < view.nbytes:
            done += self._file.write(view[done:]) or 0

    def tell(self) -> int:
        return self.size

    def copy_range(self, source: BinaryIO, start: int, stop: int) -> None:
        """Append bytes ``[start, stop)`` of the open file ``source``."""
        if stop <= start:
            return
        with mmap.mmap(source.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            if stop > len(mapped):
                raise CannotJoin(f"{source.name} is shorter than its footer says")
            view = memoryview(mapped)
            part = view[start:stop]
            hasher = threading.Thread(target=self.sha256.update, args=(part,))
            hasher.start()  # hashlib releases the GIL on large buffers
            try:
                copied = self._kernel_copy(source, start, stop)
            finally:
                hasher.join()
            try:
                if not copied:
                    self._write_all(part)
            finally:
                part.release()
                view.release()
        self.size += stop - start

    def _kernel_copy(self, source: BinaryIO, start: int, stop: int) -> bool:
        copy = getattr(os, "copy_file_range", None)
        if copy is None:
            return False
        out = self._file.fileno()
        done = 0
        try:
            while start + done < stop:
                n = copy(source.fileno(), out, stop - start - done, start + done)
                if n == 0:
                    raise CannotJoin(f"{source.name} ended while being copied")
                done += n
        except OSError:
            if done:  # a failure part-way (a full disk): an error, not a fallback
                raise
            return False  # not supported here (another file system, an old kernel)
        return True

    def close(self) -> None:
        if not self.closed:
            self._file.close()
        super().close()


def _rewrite(sink: _HashingFile, paths: list[Path],
             read: Callable[[Path], pa.Table]) -> None:
    """runs.parquet by decoding each chunk and encoding it again (the slow way)."""
    writer: pq.ParquetWriter | None = None
    try:
        for path in paths:
            table = read(path)
            if writer is None:
                writer = pq.ParquetWriter(sink, table.schema, **parquet_options(table.schema))
            writer.write_table(table, row_group_size=max(1, table.num_rows))
    finally:
        if writer is not None:
            writer.close()


def _temporary(target: Path) -> str:
    try:
        fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, suffix="-" + target.name,
                                   dir=target.parent)
        os.close(fd)
    except OSError as exc:
        raise cannot_write(target, exc) from exc
    return tmp


class RunsTableWriter:
    """runs.parquet, grown while the run goes on.

    The chunk files ``order`` (table order) are joined as soon as each is complete and
    every one before it is in (:meth:`advance`), into a temporary file that
    :meth:`finish` completes and moves into place; :meth:`abort` removes it. Chunks that
    cannot be joined make :meth:`finish` encode the whole table again instead.
    """

    def __init__(self, target: Path, order: list[Path]) -> None:
        self.target, self.order = target, order
        self.next = 0  # order[:next] are in the file
        self.joinable = True
        self._tmp = _temporary(target)
        try:
            self._sink = _HashingFile(self._tmp)
            self._joiner = ParquetJoiner(self._sink)
        except OSError as exc:
            Path(self._tmp).unlink(missing_ok=True)
            raise cannot_write(target, exc) from exc

    def advance(self, complete: Callable[[Path], bool]) -> None:
        """Join the next chunks in order for as long as ``complete(path)`` says so."""
        while self.joinable and self.next < len(self.order) and complete(
                self.order[self.next]):
            try:
                self._joiner.add(self.order[self.next])
            except CannotJoin:
                self.joinable = False
                return
            except OSError as exc:
                self.abort()
                raise cannot_write(self.target, exc) from exc
            self.next += 1

    def finish(self, read: Callable[[Path], pa.Table]) -> FileRecord:
        """Join the remaining chunks (all must be complete), write the footer, move the
        file into place; return its size and SHA-256."""
        try:
            self.advance(lambda _: True)
            if self.joinable:
                self._joiner.finish()
            else:
                self._sink.close()
                os.truncate(self._tmp, 0)
                self._sink = _HashingFile(self._tmp)
                _rewrite(self._sink, self.order, read)
            self._sink.close()
            os.chmod(self._tmp, FILE_MODE)
            os.replace(self._tmp, self.target)
        except OSError as exc:
            self.abort()
            raise cannot_write(self.target, exc) from exc
        except BaseException:
            self.abort()
            raise
        return {"bytes": self._sink.size, "sha256": self._sink.sha256.hexdigest()}

    def abort(self) -> None:
        """Remove the temporary file (the run failed or stopped)."""
        self._sink.close()
        Path(self._tmp).unlink(missing_ok=True)


def write_runs_parquet(target: Path, variants: list[str],
                       paths_of: Callable[[str], list[Path]],
                       read: Callable[[Path, list[str] | None], pa.Table]) -> FileRecord:
    """Write ``target`` from the chunk files ``paths_of(variant)`` (in run order) of every
    variant in turn, atomically like every results file; ``read(path, columns)`` reads
    (some columns of) a chunk."""
    writer = RunsTableWriter(target, [p for v in variants for p in paths_of(v)])
    return writer.finish(lambda p: read(p, None))
