"""Executors: where chunks of runs are computed, behind one small interface.

An executor takes picklable tasks and yields their results as they complete. Results
never depend on which executor ran them, nor on their order: every chunk is a pure
function of its task.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
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


class SerialExecutor:
    """Everything in this process: simplest, and the reference for the others."""

    name = "serial"
    workers = 1

    def map_unordered(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:
        for task in tasks:
            try:
                result = fn(task)
            except Exception as exc:
                failure = task_failure(task, exc)
                if failure is exc:
                    raise
                raise failure from exc
            yield result

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
                    try:
                        result = future.result()
                    except Exception as exc:
                        failure = task_failure(task, exc)
                        if failure is exc:
                            raise
                        raise failure from exc
                    yield result
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
