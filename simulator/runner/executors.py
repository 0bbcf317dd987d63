"""Executors: where chunks of runs are computed, behind one small interface.

An executor takes picklable tasks and yields their results as they complete. Results
never depend on which executor ran them, nor on their order: every chunk is a pure
function of its task.
"""

from __future__ import annotations

import io
import multiprocessing
import multiprocessing.context
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from multiprocessing import context, forkserver, popen_forkserver, reduction, spawn, util
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


class _WorkerPopen(popen_forkserver.Popen):
    """Start a worker from the fork server *without* re-running the main script.

    multiprocessing normally re-imports the parent's ``__main__`` file in every worker
    (as ``__mp_main__``) so that functions defined there can be unpickled. geosim's
    workers only run :mod:`simulator.runner.tasks`, so that import is never needed —
    and it is harmful: a plain script that calls :func:`simulator.run` without an
    ``if __name__ == "__main__":`` guard would start the simulation again inside each
    worker, and the pool would break. This is the standard library's ``_launch`` with
    the main-module entries left out of the preparation data.
    """

    def _launch(self, process_obj: Any) -> None:
        prep_data = spawn.get_preparation_data(process_obj._name)
        prep_data.pop("init_main_from_path", None)
        prep_data.pop("init_main_from_name", None)
        buf = io.BytesIO()
        context.set_spawning_popen(self)
        try:
            reduction.dump(prep_data, buf)
            reduction.dump(process_obj, buf)
        finally:
            context.set_spawning_popen(None)
        fds = self._fds  # type: ignore[attr-defined]
        self.sentinel, w = forkserver.connect_to_new_process(fds)
        parent_w = os.dup(w)  # the child watches it to learn that the parent died
        close_fds = util.close_fds  # type: ignore[attr-defined]
        self.finalizer = util.Finalize(self, close_fds, (parent_w, self.sentinel))
        with open(w, "wb", closefd=True) as f:
            f.write(buf.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class _WorkerProcess(context.ForkServerProcess):
    _start_method = "forkserver"

    @staticmethod
    def _Popen(process_obj: Any) -> Any:
        return _WorkerPopen(process_obj)


class _WorkerContext(context.ForkServerContext):
    """The fork-server start method, with workers that skip the main script."""

    Process = _WorkerProcess


def worker_context() -> multiprocessing.context.BaseContext:
    """The multiprocessing context for geosim's worker pools."""
    ctx = _WorkerContext()
    ctx.set_forkserver_preload(["simulator.runner.tasks"])
    return ctx


class ProcessExecutor:
    """A local pool of worker processes (default: one per core).

    Workers start with ``forkserver``, which is safe when the parent has threads
    (Jupyter, Dask clients), preload the engine once, and do not re-run the caller's
    main script, so ``simulator.run`` works from a plain ``.py`` file with or without
    an ``if __name__ == "__main__":`` guard (see :class:`_WorkerPopen`).
    """

    name = "process"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=worker_context())
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
