"""Executors: where chunks of runs are computed, behind one small interface.

An executor takes picklable tasks and yields their results as they complete. Results
never depend on which executor ran them, nor on their order: every chunk is a pure
function of its task.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Protocol


class Executor(Protocol):
    """Runs ``fn(task)`` for every task; yields results in completion order."""

    name: str
    workers: int

    def map_unordered(self, fn: Callable[[Any], Any], tasks: Sequence[Any]) -> Iterator[Any]: ...

    def close(self) -> None: ...


class SerialExecutor:
    """Everything in this process: simplest, and the reference for the others."""

    name = "serial"
    workers = 1

    def map_unordered(self, fn: Callable[[Any], Any], tasks: Sequence[Any]) -> Iterator[Any]:
        for task in tasks:
            yield fn(task)

    def close(self) -> None:
        pass


class ProcessExecutor:
    """A local pool of worker processes (default: one per core).

    Workers start with ``forkserver``, which is safe when the parent has threads
    (Jupyter, Dask clients), and preload the engine once.
    """

    name = "process"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["simulator.runner.tasks"])
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context)
        return self._pool

    def map_unordered(self, fn: Callable[[Any], Any], tasks: Sequence[Any]) -> Iterator[Any]:
        pool = self._get_pool()
        # keep a bounded number of tasks in flight so memory stays flat for huge runs
        limit = self.workers * 2
        pending: set[Future[Any]] = set()
        queue = list(tasks)
        queue.reverse()
        try:
            while queue or pending:
                while queue and len(pending) < limit:
                    pending.add(pool.submit(fn, queue.pop()))
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
        finally:
            for future in pending:
                future.cancel()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def make_executor(kind: str = "process", *, workers: int | None = None,
                  scheduler: str | None = None) -> Executor:
    """An executor by name: ``serial``, ``process`` or ``dask`` (needs ``geosim[dask]``)."""
    if scheduler is not None or kind == "dask":
        from simulator.runner.dask_executor import DaskExecutor

        return DaskExecutor(scheduler=scheduler, workers=workers)
    if kind == "serial" or workers == 1:
        return SerialExecutor()
    if kind == "process":
        return ProcessExecutor(workers)
    raise ValueError(f"Unknown executor {kind!r}; choose serial, process or dask")
