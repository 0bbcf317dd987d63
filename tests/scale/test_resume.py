"""Interrupted runs resume: only missing chunks are computed, results equal an
uninterrupted run, and a partial directory is never read as complete."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

import simulator
from simulator.runner.executors import SerialExecutor
from simulator.runner.store import TMP_MARK
from simulator.runner.tasks import ChunkTask

from ._mini import SEED

ROOT = Path(__file__).resolve().parents[2]
RUNS = 3000  # the same as test_dask.py, so the serial reference is computed once
CHUNK = 150
KILL_POINTS = random.Random(20260105)  # fixed seed: the interruption points are reproducible


def _command(scenario: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "simulator", "run", str(scenario), "--all-variants",
            "-n", str(RUNS), "--seed", str(SEED), "--chunk-size", str(CHUNK), "-o", str(out),
            "--quiet", *extra]


def _chunks(out: Path) -> list[Path]:
    return sorted((out / "chunks").glob("*.parquet")) if (out / "chunks").is_dir() else []


def _temporaries(out: Path) -> list[Path]:
    return list(out.rglob(f"{TMP_MARK}*"))


def _interrupt(cmd: list[str], out: Path, sig: signal.Signals, *, group: bool) -> int:
    """Start ``cmd``; once 3–12 more chunks are on disk, wait a random 0–0.3 s (to land
    anywhere inside a chunk's writes) and send ``sig``. Returns the chunks left on disk.
    """
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        target = len(_chunks(out)) + KILL_POINTS.randint(3, 12)
        deadline = time.monotonic() + 90
        while len(_chunks(out)) < target and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(KILL_POINTS.uniform(0.0, 0.3))
        assert proc.poll() is None, "the run finished before it could be interrupted"
        if group:
            os.killpg(proc.pid, sig)
        else:
            os.kill(proc.pid, sig)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()
    # SIGKILL cannot be caught; SIGTERM makes the CLI unwind (pools shut down) and
    # exit with the conventional 128 + 15
    assert proc.returncode == (143 if sig == signal.SIGTERM else -sig)
    return len(_chunks(out))


def _assert_partial(out: Path) -> None:
    assert (out / "run.json").exists()
    assert not (out / "manifest.json").exists()
    with pytest.raises(simulator.ResultsError, match="partial run"):
        simulator.Results(out)


@pytest.mark.parametrize(("sig", "executor", "group"), [
    (signal.SIGTERM, ("--executor", "process", "--workers", "2"), True),
    (signal.SIGKILL, ("--executor", "serial"), False),
], ids=["sigterm-process-group", "sigkill-serial"])
def test_interrupted_cli_run_resumes_to_the_same_digest(
        mini: Path, tmp_path: Path, serial_digests: dict[int, str], sig: signal.Signals,
        executor: tuple[str, ...], group: bool) -> None:
    out = tmp_path / "r"
    cmd = _command(mini, out, *executor)
    first = _interrupt(cmd, out, sig, group=group)
    assert first >= 1
    _assert_partial(out)
    # a write cut short leaves a temporary file; resuming must sweep it
    stray = out / "chunks" / f"{TMP_MARK}x-baseline_0000999000_0000999200.parquet"
    stray.write_bytes(b"half a parquet file")
    second = _interrupt(cmd, out, sig, group=group)
    assert second > first
    _assert_partial(out)
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    results = simulator.Results(out)
    assert results.digest == serial_digests[RUNS]
    assert not _temporaries(out)
    assert not (out / "chunks").exists()


class _Recording:
    """An executor that records its tasks and can stop after ``stop_after`` of them."""

    name = "recording"
    workers = 1

    def __init__(self, stop_after: int | None = None) -> None:
        self.tasks: list[ChunkTask] = []
        self.stop_after = stop_after

    def map_unordered(self, fn: Callable[[Any], Any], tasks: Sequence[Any]) -> Iterator[Any]:
        for task in SerialExecutor().map_unordered(lambda t: t, tasks):
            if self.stop_after is not None and len(self.tasks) >= self.stop_after:
                raise KeyboardInterrupt
            self.tasks.append(task)
            yield fn(task)

    def close(self) -> None:
        pass


def test_resume_computes_only_the_missing_chunks(mini: Path, tmp_path: Path,
                                                 serial_digests: dict[int, str]) -> None:
    out = tmp_path / "r"
    kwargs: dict[str, Any] = {"variants": "all", "runs": RUNS, "seed": SEED,
                              "chunk_size": CHUNK, "out": out}
    first = _Recording(stop_after=7)
    with pytest.raises(KeyboardInterrupt):
        simulator.run(mini, executor=first, **kwargs)
    _assert_partial(out)
    on_disk = {(p.stem.rsplit("_", 2)[0], int(p.stem.rsplit("_", 2)[1])) for p in _chunks(out)}
    assert len(on_disk) == 7 * 2  # seven ranges, two variants each
    (out / f"{TMP_MARK}abc-summary.json").write_text("{")
    seen: list[tuple[int, int]] = []
    second = _Recording()
    results = simulator.run(mini, executor=second, progress=lambda d, t: seen.append((d, t)),
                            **kwargs)
    computed = {(v, t.start) for t in second.tasks for v in t.variants}
    expected = {(v, a) for v in ("baseline", "dovish") for a in range(0, RUNS, CHUNK)}
    assert computed == expected - on_disk
    assert not computed & on_disk
    assert seen[0] == (7 * CHUNK * 2, RUNS * 2)  # progress starts from the chunks on disk
    assert results.digest == serial_digests[RUNS]
    assert not _temporaries(out)


def test_changed_settings_do_not_resume(mini: Path, tmp_path: Path) -> None:
    out = tmp_path / "r"
    with pytest.raises(KeyboardInterrupt):
        simulator.run(mini, runs=1000, chunk_size=100, seed=1, out=out,
                      executor=_Recording(stop_after=2))
    with pytest.raises(simulator.ResultsError, match="different settings"):
        simulator.run(mini, runs=1000, chunk_size=100, seed=2, out=out, executor="serial")
