"""Executors: where chunks of runs are computed, behind one small interface.

An executor takes picklable tasks and yields their results as they complete. Results
never depend on which executor ran them, nor on their order: every chunk is a pure
function of its task.
"""

from __future__ import annotations

import functools
import io
import multiprocessing.context
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import context, forkserver, popen_forkserver, reduction, spawn, util
from typing import Any, Protocol

from simulator.errors import RunError, UsageError

EXECUTORS = ("serial", "process", "dask")


def task_failure(task: Any, exc: BaseException) -> BaseException:
    """What to raise when ``task`` failed with ``exc``.

    Failures of the machine — a worker process that died, memory or disk exhausted —
    and geosim's own run errors become a :class:`RunError` naming the variant(s) and
    run range. Anything else is a bug: it is raised as itself, with the chunk noted.
    """
    variants = ", ".join(getattr(task, "variants", ()) or ()) or None
    start, stop = getattr(task, "start", None), getattr(task, "stop", None)
    runs = (start, stop) if isinstance(start, int) and isinstance(stop, int) else None
    if isinstance(exc, RunError):
        return exc if exc.runs is not None else RunError(str(exc), variant=variants, runs=runs)
    if isinstance(exc, BrokenProcessPool):
        return RunError("a worker process died (killed, or out of memory)", variant=variants,
                        runs=runs)
    if isinstance(exc, MemoryError | OSError):
        return RunError(f"the simulation ran out of resources: {type(exc).__name__}: {exc}",
                        variant=variants, runs=runs)
    if runs is not None:
        exc.add_note(f"while simulating variant(s) {variants}, runs {runs[0]}–{runs[1] - 1}")
    return exc


class Executor(Protocol):
    """Runs ``fn(task)`` for every task; yields results in completion order."""

    name: str
    workers: int

    def map_unordered(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]: ...

    def close(self) -> None: ...


def _result_of(task: Any, compute: Callable[[], Any]) -> Any:
    """``compute()``, with a failure turned into geosim's error for ``task`` (the
    variant and run range it names), or re-raised as is where that is already one."""
    try:
        return compute()
    except Exception as exc:
        failure = task_failure(task, exc)
        if failure is exc:
            raise
        raise failure from exc


class SerialExecutor:
    """Everything in this process: simplest, and the reference for the others."""

    name = "serial"
    workers = 1

    def map_unordered(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:
        for task in tasks:
            yield _result_of(task, functools.partial(fn, task))

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

    def map_unordered(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:
        pool = self._get_pool()
        # keep a bounded number of tasks in flight so memory stays flat for huge runs;
        # tasks are taken from the (lazy) iterable only as slots free up
        limit = self.workers * 2
        pending: dict[Future[Any], Any] = {}
        queue = iter(tasks)
        exhausted = False
        try:
            while not exhausted or pending:
                while not exhausted and len(pending) < limit:
                    task = next(queue, None)
                    if task is None:
                        exhausted = True
                    else:
                        pending[pool.submit(fn, task)] = task
                if not pending:
                    break
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    task = pending.pop(future)
                    yield _result_of(task, future.result)
        finally:
            for future in pending:
                future.cancel()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def check_executor_name(kind: str) -> None:
    if kind not in EXECUTORS:
        raise UsageError(f"unknown executor {kind!r}; choose serial, process or dask")


def make_executor(kind: str = "process", *, workers: int | None = None,
                  scheduler: str | None = None) -> Executor:
    """An executor by name: ``serial``, ``process`` or ``dask`` (needs ``geosim[dask]``)."""
    check_executor_name(kind)
    if scheduler is not None or kind == "dask":
        from simulator.runner.dask_executor import DaskExecutor

        return DaskExecutor(scheduler=scheduler, workers=workers)
    if kind == "serial" or workers == 1:
        return SerialExecutor()
    return ProcessExecutor(workers)
