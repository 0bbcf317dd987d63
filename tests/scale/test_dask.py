"""The Dask executor gives the same results as a serial run, even when a worker dies."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import pytest

import simulator
from simulator.runner.dask_executor import DaskExecutor, task_key
from simulator.runner.executors import make_executor
from simulator.runner.tasks import ChunkTask, run_task

from ._mini import SEED

pytest.importorskip("distributed")
RUNS = 3000


def _assert_each_run_once(path: Path, variants: list[str], runs: int) -> None:
    table = pq.read_table(path / "runs.parquet", columns=["variant", "run"]).to_pandas()
    for variant in variants:
        got = np.sort(table.loc[table["variant"] == variant, "run"].to_numpy())
        np.testing.assert_array_equal(got, np.arange(runs))
    assert len(table) == runs * len(variants)


def test_local_cluster_digest_equals_serial(mini: Path, tmp_path: Path,
                                            serial_digests: dict[int, str]) -> None:
    """``executor="dask"`` starts (and closes) its own LocalCluster."""
    results = simulator.run(mini, variants="all", runs=RUNS, seed=SEED, executor="dask",
                            workers=2, chunk_size=300, out=tmp_path / "r")
    assert results.manifest["executor"] == "dask"
    assert results.manifest["workers"] == 2
    assert results.digest == serial_digests[RUNS]
    _assert_each_run_once(results.path, results.variants, RUNS)


def _wait_for_restart(client: Any, dead: int, timeout: float = 60.0) -> None:
    """The nanny restarts a killed worker; wait until two live workers answer again."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            pids = set(client.run(os.getpid).values())
        except Exception:  # the scheduler may still list the dead worker
            pids = set()
        if len(pids) == 2 and dead not in pids:
            return
        assert time.monotonic() < deadline, "the killed worker was not restarted"
        time.sleep(0.2)


def test_killed_worker_tasks_are_recomputed(mini: Path, tmp_path: Path, dask_cluster: Any,
                                            serial_digests: dict[int, str]) -> None:
    """SIGKILL one worker process after the first results: every run appears exactly once."""
    from distributed import Client

    runs = RUNS
    killed: list[int] = []
    address = dask_cluster.scheduler_address
    exe = make_executor("process", scheduler=address)
    assert isinstance(exe, DaskExecutor)
    assert exe.workers == 2  # the threads the cluster reports
    with Client(address) as client, exe:
        pids: dict[str, int] = client.run(os.getpid)
        assert len(pids) == 2

        def progress(done: int, total: int) -> None:
            if done > 0 and not killed:
                worker = sorted(pids)[0]
                os.kill(pids[worker], signal.SIGKILL)
                killed.append(pids[worker])

        results = simulator.run(mini, variants="all", runs=runs, seed=SEED, executor=exe,
                                chunk_size=100, out=tmp_path / "r", progress=progress)
        assert killed
        _wait_for_restart(client, killed[0])
    assert results.digest == serial_digests[runs]
    _assert_each_run_once(results.path, results.variants, runs)


def test_task_keys_are_deterministic(mini: Path) -> None:
    scen = simulator.read_scenario(mini).scenario
    assert scen is not None
    a = ChunkTask(scen, "abc", ("baseline",), 7, 0, 100, 500)
    b = ChunkTask(scen, "abc", ("baseline",), 7, 0, 100, 500)
    c = ChunkTask(scen, "abc", ("baseline",), 8, 0, 100, 500)
    assert task_key(run_task, a) == task_key(run_task, b)
    assert task_key(run_task, a) != task_key(run_task, c)
    assert task_key(run_task, a).startswith("geosim-chunk-0-100-")
    assert task_key(len, (1, 2)) == task_key(len, (1, 2))


def test_unreachable_scheduler_is_a_run_error() -> None:
    # Dask retries a refused connection until the timeout, so a busy machine may see
    # the timeout first; either way the user gets a RunError naming the address.
    with pytest.raises(simulator.RunError, match=r"127\.0\.0\.1:9") as caught:
        DaskExecutor(scheduler="tcp://127.0.0.1:9", connect_timeout="1s")
    assert "cannot connect" in str(caught.value) or "did not answer" in str(caught.value)


def test_a_service_that_is_not_dask_fails_within_the_timeout() -> None:
    """A TCP service that accepts and never answers (not a Dask scheduler)."""
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    accepted: list[socket.socket] = []

    def accept() -> None:
        with contextlib.suppress(OSError):
            while True:
                accepted.append(server.accept()[0])

    threading.Thread(target=accept, daemon=True).start()
    try:
        with pytest.raises(simulator.RunError, match="did not answer within 1 s"):
            DaskExecutor(scheduler=f"tcp://127.0.0.1:{server.getsockname()[1]}",
                         connect_timeout="1s")
    finally:
        server.close()
        for conn in accepted:
            conn.close()


def test_missing_dask_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    with pytest.raises(simulator.RunError, match=r"install geosim\[dask\]"):
        make_executor("dask", workers=2)
