"""Dask executor: chunks of runs on a Dask cluster (local or remote).

``DaskExecutor()`` starts a :class:`distributed.LocalCluster` of worker *processes*
(one thread each); ``DaskExecutor(scheduler="tcp://host:8786")`` connects to a running
cluster whose workers have the same geosim version installed (``pip install
geosim[dask]``). Either way the client — this process — writes the results directory:
a task takes a :class:`~simulator.runner.tasks.ChunkTask` (an index range) and returns
NumPy arrays, so workers need no shared filesystem.

Tasks are pure functions of their arguments, so each gets a deterministic key: a task
recomputed after a worker died is the same task, and its result is bit-identical. Lost
tasks are rescheduled by Dask; a task whose worker dies more than ``allowed_failures``
times fails the run with :class:`~simulator.errors.RunError`.

Dask is an optional dependency and is imported only when this executor is created.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from simulator.errors import RunError

INSTALL_HINT = "install geosim[dask] (pip install 'geosim[dask]')"
DEFAULT_ALLOWED_FAILURES = 3
WORKER_WAIT_SECONDS = 60.0


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError as exc:
        raise RunError(f"the dask executor needs Dask, which is not installed: "
                       f"{INSTALL_HINT}") from exc
    return distributed


def geosim_version() -> str:
    """Runs on each worker (by reference, so workers must import geosim)."""
    from simulator._version import __version__

    return __version__


def task_key(fn: Callable[[Any], Any], task: Any) -> str:
    """A deterministic Dask key for ``fn(task)``: equal tasks get equal keys.

    A :class:`ChunkTask` is identified by its fields (the scenario by its SHA-256); any
    other task by Dask's ``tokenize``.
    """
    name = f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', repr(fn))}"
    fields = ("scenario_key", "variants", "root_seed", "start", "stop", "trace_every")
    if all(hasattr(task, f) for f in fields):
        ident = repr((name, *(getattr(task, f) for f in fields), getattr(task, "engine", "")))
        digest = hashlib.sha256(ident.encode()).hexdigest()[:20]
        return f"geosim-chunk-{task.start}-{task.stop}-{digest}"
    from dask.base import tokenize

    return f"geosim-task-{tokenize(name, task)}"


def _probe_scheduler(address: str, timeout: str) -> None:
    """Ask ``address`` who it is, within ``timeout``: a service that is not a Dask
    scheduler (or one that never answers) fails here instead of hanging the client."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from dask.utils import parse_timedelta
    from distributed.comm import connect

    seconds = float(parse_timedelta(timeout))

    async def identity() -> Any:
        comm = await connect(address, timeout=seconds)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            await comm.close()

    async def bounded() -> Any:
        return await asyncio.wait_for(identity(), seconds)

    pool = ThreadPoolExecutor(1)  # its own event loop: the caller may be running one
    try:
        answer = pool.submit(asyncio.run, bounded()).result(timeout=seconds + 5)
    except TimeoutError:
        raise RunError(f"the Dask scheduler at {address} did not answer within "
                       f"{seconds:g} s; is it a Dask scheduler?") from None
    except Exception as exc:
        raise RunError(f"cannot connect to the Dask scheduler at {address}: "
                       f"{type(exc).__name__}: {exc}") from exc
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    if not isinstance(answer, dict) or answer.get("type") != "Scheduler":
        raise RunError(f"{address} answered, but not as a Dask scheduler; check the "
                       "address and port")


class DaskExecutor:
    """Runs tasks on a Dask cluster and yields results as they complete.

    ``scheduler`` — address of a running scheduler (``tcp://host:8786``); when None a
    ``LocalCluster`` with ``workers`` processes (default: one per core) is started and
    closed with the executor. ``workers`` with a scheduler overrides the number of
    worker threads the cluster reports (it sizes chunks and the tasks in flight).
    """

    name = "dask"

    def __init__(self, scheduler: str | None = None, workers: int | None = None, *,
                 allowed_failures: int = DEFAULT_ALLOWED_FAILURES,
                 in_flight_per_worker: int = 2, connect_timeout: str = "20s") -> None:
        distributed = _import_distributed()
        self._distributed = distributed
        self.scheduler = scheduler
        self._cluster: Any = None
        self._in_flight_per_worker = max(1, in_flight_per_worker)
        if scheduler is None:
            n = workers or os.cpu_count() or 1
            try:
                # dashboard on any free port: the default 8787 warns when it is taken
                self._cluster = distributed.LocalCluster(
                    n_workers=n, threads_per_worker=1, processes=True,
                    dashboard_address=":0", silence_logs=logging.ERROR,
                    scheduler_kwargs={"allowed_failures": allowed_failures})
                self.client: Any = distributed.Client(self._cluster)
            except Exception as exc:
                self.close()
                raise RunError(f"could not start a local Dask cluster: "
                               f"{type(exc).__name__}: {exc}") from exc
            self.workers = n
        else:
            _probe_scheduler(scheduler, connect_timeout)
            try:
                self.client = distributed.Client(scheduler, timeout=connect_timeout)
            except Exception as exc:
                raise RunError(f"cannot connect to the Dask scheduler at {scheduler}: "
                               f"{type(exc).__name__}: {exc}") from exc
            try:
                self.workers = workers or self._cluster_threads()
                self._check_versions()
            except BaseException:
                self.close()
                raise

    # ------------------------------------------------------------------ remote cluster

    def _cluster_threads(self) -> int:
        threads = sum(self.client.nthreads().values())
        if threads == 0:
            try:
                self.client.wait_for_workers(1, timeout=WORKER_WAIT_SECONDS)
            except Exception as exc:
                raise RunError(f"no Dask worker joined the scheduler at {self.scheduler} "
                               f"within {WORKER_WAIT_SECONDS:.0f} s; start one with "
                               f"`dask worker {self.scheduler}`") from exc
            threads = sum(self.client.nthreads().values())
        return max(1, threads)

    def _check_versions(self) -> None:
        """Workers must run the same geosim: results would silently differ otherwise."""
        mine = geosim_version()
        try:
            theirs: dict[str, str] = self.client.run(geosim_version)
        except Exception as exc:
            raise RunError(f"the Dask workers at {self.scheduler} cannot import geosim "
                           f"({type(exc).__name__}: {exc}); on every worker machine "
                           f"install geosim[dask]=={mine}") from exc
        wrong = {w: v for w, v in theirs.items() if v != mine}
        if wrong:
            worker, version = sorted(wrong.items())[0]
            raise RunError(f"{len(wrong)} Dask worker(s) run geosim {version} (e.g. {worker}), "
                           f"this client runs {mine}; install geosim[dask]=={mine} on every "
                           "worker")

    # ------------------------------------------------------------------ protocol

    def map_unordered(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:
        """Submit at most ``in_flight_per_worker × workers`` tasks at a time.

        Tasks are taken from the (lazy) iterable only as slots free up.
        """
        from simulator.runner.executors import task_failure

        as_completed = self._distributed.as_completed
        limit = self.workers * self._in_flight_per_worker
        queue = iter(tasks)
        first = [task for _, task in zip(range(limit), queue, strict=False)]
        if not first:
            return
        pending: dict[str, Any] = {}
        owners: dict[str, Any] = {}

        def submit(task: Any) -> Any:
            future = self.client.submit(fn, task, key=task_key(fn, task), pure=True,
                                        retries=0)
            pending[future.key] = future
            owners[future.key] = task
            return future

        # the client's own loop: another Client in this process (a notebook's) may be the default
        completed = as_completed([submit(task) for task in first], loop=self.client.loop)
        try:
            for future in completed:
                task = owners.pop(future.key, None)
                try:
                    result = future.result()
                except Exception as exc:
                    killed = getattr(self._distributed, "KilledWorker", ())
                    failure = task_failure(task, RunError(
                        f"Dask workers died running this chunk ({exc})") if isinstance(
                        exc, killed) else exc)
                    if failure is exc:
                        raise
                    raise failure from exc
                pending.pop(future.key, None)
                future.release()
                following = next(queue, None)
                if following is not None:
                    completed.add(submit(following))
                yield result
        finally:
            for future in pending.values():
                future.cancel()

    def close(self) -> None:
        client = getattr(self, "client", None)
        if client is not None:
            client.close()
            self.client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        where = self.scheduler or "LocalCluster"
        return f"DaskExecutor({where}, workers={self.workers})"
