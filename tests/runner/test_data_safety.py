"""Fault injection on results directories: geosim never deletes, mixes or misreports data.

Each test is one way users and their machines really behave — a folder that happens to
hold a ``run.json``, notes dropped into results, a second process on the same directory,
files copied between runs, a chunk cut short — and checks what geosim does now.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import simulator
from simulator.errors import GeosimWarning, ResultsError, UsageError
from simulator.results.ownership import LOCK, MARKER, SET_ASIDE
from simulator.runner.runner import MAX_RUNS, ChunkRanges

RUNS = 40
CHUNK = 10


def _run(scenario: Path, out: Path, **kw: Any) -> simulator.Results:
    options: dict[str, Any] = {"runs": RUNS, "executor": "serial", "chunk_size": CHUNK,
                               "seed": 1, **kw}
    return simulator.run(scenario, out=out, **options)


def _partial(scenario: Path, out: Path, *, chunks: int, **kw: Any) -> None:
    """A run interrupted (like Ctrl-C) after ``chunks`` chunks are on disk."""

    def stop(done: int, total: int) -> None:
        if done >= chunks * CHUNK:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _run(scenario, out, progress=stop, **kw)
    assert not (out / "manifest.json").exists()


def _tree(folder: Path) -> dict[str, bytes]:
    """Every file and its bytes (the lock file holds the last writer's process id)."""
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != LOCK}


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The seed-1 scenario and the digest of an uninterrupted run of it."""
    folder = tmp_path_factory.mktemp("reference")
    scenario = folder / "mini.yaml"
    scenario.write_text((Path(__file__).parents[1] / "data" / "mini.yaml").read_text())
    return scenario, _run(scenario, folder / "r").digest


# ------------------------------------------------------------------ 1. ownership


def test_force_never_deletes_an_unmarked_folder_even_with_geosim_file_names(
        mini_path: Path, tmp_path: Path) -> None:
    user = tmp_path / "u"
    user.mkdir()
    (user / "thesis.docx").write_text("thesis")
    (user / "run.json").write_text('{"epochs": 10}')
    (user / "manifest.json").write_text('{"tool": "geosim"}')
    before = _tree(user)
    with pytest.raises(ResultsError, match="not created by geosim") as caught:
        _run(mini_path, user, force=True)
    assert "--force" not in str(caught.value)  # the refusal does not recommend it
    assert _tree(user) == before


def test_force_on_marked_results_refuses_and_lists_files_geosim_did_not_write(
        mini_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "r"
    first = _run(mini_path, out)
    (out / "my_notes.md").write_text("notes")
    before = _tree(out)
    with pytest.raises(ResultsError, match=r"my_notes\.md") as caught:
        _run(mini_path, out, force=True, seed=2)
    assert "never deletes" in str(caught.value)
    assert _tree(out) == before
    (out / "my_notes.md").unlink()
    score = out / "f1.score.json"  # a forecast score geosim saved with these results
    score.write_text(json.dumps({"geosim_score": 1, "forecast": "f1"}))
    again = _run(mini_path, out, force=True)
    assert again.digest == first.digest
    assert not score.exists()  # stale with the results it scored


def test_results_and_temporaries_are_marked_and_named_apart(mini_path: Path,
                                                            tmp_path: Path) -> None:
    out = tmp_path / "r"
    _run(mini_path, out)
    marker = json.loads((out / MARKER).read_text())
    assert marker["tool"] == "geosim"
    assert isinstance(marker["format"], int)
    # a user's file that merely contains ".tmp-" survives the sweep of temporaries
    (out / "draft.tmp-1").write_text("mine")
    with pytest.raises(ResultsError, match=r"draft\.tmp-1"):
        _run(mini_path, out, force=True)
    assert (out / "draft.tmp-1").read_text() == "mine"


def test_out_with_a_tilde_is_expanded(mini_path: Path, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    results = _run(mini_path, Path("~/r"))
    assert results.path == tmp_path / "home" / "r"
    assert not (tmp_path / "~").exists()


# ------------------------------------------------------------------ 2. one writer


def _hold_lock(folder: Path) -> subprocess.Popen[str]:
    code = ("import sys, time; from pathlib import Path; "
            "from simulator.results.lock import ResultsLock; "
            "lock = ResultsLock(Path(sys.argv[1]), 'geosim run held-by-test'); lock.acquire(); "
            "print('locked', flush=True); time.sleep(60)")
    proc = subprocess.Popen([sys.executable, "-c", code, str(folder)], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_a_second_writer_is_refused_at_once_naming_the_holder(mini_path: Path,
                                                              tmp_path: Path) -> None:
    out = tmp_path / "shared"
    _partial(mini_path, out, chunks=1)
    holder = _hold_lock(out)
    try:
        with pytest.raises(ResultsError, match=rf"process {holder.pid} on .*held-by-test"):
            _run(mini_path, out)
    finally:
        holder.kill()
        holder.wait()
    assert not (out / "manifest.json").exists()


def test_a_lock_left_by_a_killed_process_is_stale(mini_path: Path, tmp_path: Path,
                                                  reference: tuple[Path, str]) -> None:
    out = tmp_path / "shared"
    _partial(mini_path, out, chunks=1)
    holder = _hold_lock(out)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert (out / LOCK).exists()
    assert _run(mini_path, out).digest == reference[1]


def test_two_simultaneous_identical_runs_never_both_report_success(
        tmp_path: Path, reference: tuple[Path, str]) -> None:
    scenario = reference[0]
    out = tmp_path / "shared"
    cmd = [sys.executable, "-m", "simulator", "run", str(scenario), "-n", str(RUNS * 5),
           "-s", "1", "--executor", "serial", "--chunk-size", str(CHUNK), "-o", str(out), "-q"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True) for _ in range(2)]
    outcomes = [(p.wait(timeout=300), p.stderr.read() if p.stderr else "") for p in procs]
    for proc in procs:
        if proc.stderr is not None:
            proc.stderr.close()
    # Either one was refused while the other wrote (exit 1), or they ran one after the
    # other and the second found the finished run and showed it without simulating
    # (exit 0); never two writers on one directory.
    refused = [err for code, err in outcomes if code == 1 and "being written by" in err]
    shown = [err for code, err in outcomes
             if code == 0 and "already holds this finished run" in err]
    simulated = [err for code, err in outcomes if code == 0 and err not in shown]
    assert len(simulated) == 1, outcomes
    assert len(refused) + len(shown) == 1, outcomes
    results = simulator.Results(out)  # verified: every run of every variant is there
    assert results.runs == RUNS * 5


# ------------------------------------------------------------------ 3. verified on load


@pytest.mark.parametrize("name", ["runs.parquet", "summary.json"])
def test_a_file_copied_from_another_run_is_refused_by_name(mini_path: Path, tmp_path: Path,
                                                           name: str) -> None:
    mine, other = tmp_path / "seed1", tmp_path / "seed2"
    _run(mini_path, mine)
    _run(mini_path, other, seed=2)
    shutil.copyfile(other / name, mine / name)
    with pytest.raises(ResultsError, match=rf"{name} is not the file these results"):
        simulator.Results(mine)


def test_an_edited_manifest_digest_is_refused(mini_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "r"
    _run(mini_path, out)
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["digest"] = "0" * 64
    (out / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ResultsError, match=r"manifest\.json: its digests do not match"):
        simulator.Results(out)


@pytest.mark.parametrize(("name", "damage"), [
    ("timeline.npz", "garbage"), ("traces.json", "garbage"), ("runs.parquet", "flip"),
])
def test_damaged_files_are_refused_by_name(mini_path: Path, tmp_path: Path, name: str,
                                           damage: str) -> None:
    out = tmp_path / "r"
    _run(mini_path, out)
    path = out / name
    data = bytearray(path.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0xFF
    else:
        data = bytearray(b"\x00garbage" * 10)
    path.write_bytes(bytes(data))
    with pytest.raises(ResultsError, match=name.replace(".", r"\.")):
        simulator.Results(out)


def test_a_foreign_chunk_is_set_aside_and_recomputed(mini_path: Path, tmp_path: Path,
                                                     reference: tuple[Path, str]) -> None:
    mine, other = tmp_path / "seed1", tmp_path / "seed2"
    _partial(mini_path, mine, chunks=1)
    _partial(mini_path, other, chunks=2, seed=2)
    foreign = sorted((other / "chunks").glob("baseline_0000000010_*"))
    assert len(foreign) == 4  # .npz, .json, .parquet and the identity record
    for path in foreign:
        shutil.copy(path, mine / "chunks" / path.name)
    with pytest.warns(GeosimWarning, match=r"belongs to another run \(seed 2, not 1\)"):
        results = _run(mini_path, mine)
    assert results.digest == reference[1]
    assert sorted(p.name for p in (mine / SET_ASIDE).iterdir()) == [p.name for p in foreign]


@pytest.mark.parametrize("damage", ["truncated", "corrupt", "half-present", "no-identity"])
def test_a_damaged_chunk_is_set_aside_and_the_run_completes(
        mini_path: Path, tmp_path: Path, reference: tuple[Path, str], damage: str) -> None:
    out = tmp_path / "r"
    _partial(mini_path, out, chunks=2)
    chunk = sorted((out / "chunks").glob("baseline_0000000000_*.parquet"))[0]
    if damage == "truncated":
        chunk.write_bytes(chunk.read_bytes()[:100])
    elif damage == "corrupt":
        npz = chunk.with_suffix(".npz")
        npz.write_bytes(b"This file contains pickled (object) data" * 3)
    elif damage == "half-present":
        chunk.with_suffix(".json").unlink()
    else:
        Path(str(chunk).replace(".parquet", ".chunk.json")).unlink()
    with pytest.warns(GeosimWarning, match="set aside and will be computed again"):
        results = _run(mini_path, out)
    assert results.digest == reference[1]
    assert (out / SET_ASIDE).is_dir()


# ------------------------------------------------------------------ 4. bounded


def test_a_huge_run_count_is_refused_before_any_work(mini_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "r"
    with pytest.raises(UsageError, match=f"between 1 and {MAX_RUNS:,}"):
        simulator.run(mini_path, runs=10**12, out=out)
    assert not out.exists()


def test_chunk_ranges_are_lazy() -> None:
    ranges = ChunkRanges(10**12, 2000)
    assert len(ranges) == 5 * 10**8
    assert ranges[-1] == (10**12 - 2000, 10**12)
    assert ranges[1:3] == [(2000, 4000), (4000, 6000)]
    assert ChunkRanges(25, 10)[-1] == (20, 25)


def test_adaptive_without_runs_is_a_usage_error(mini_path: Path, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="--max-runs"):
        simulator.run(mini_path, precision=0.05, max_runs=0, out=tmp_path / "r")
    with pytest.raises(UsageError, match="unknown executor 'bogus'"):
        simulator.run(mini_path, runs=10, executor="bogus", workers=1, out=tmp_path / "s")


def test_results_write_failure_names_the_file(mini_path: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk (ENOSPC) while writing becomes a results error naming the file."""
    real_savez = np.savez

    def full_disk(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, os.strerror(28))

    monkeypatch.setattr(np, "savez", full_disk)
    with pytest.raises(ResultsError, match=r"cannot write .*\.npz: No space left on device"):
        _run(mini_path, tmp_path / "r")
    monkeypatch.setattr(np, "savez", real_savez)
    assert not list((tmp_path / "r" / "chunks").glob(".geosim-tmp-*"))


def test_a_damaged_summary_is_named_when_results_are_loaded(mini_path: Path,
                                                            tmp_path: Path) -> None:
    out = tmp_path / "r"
    _run(mini_path, out)
    (out / "summary.json").write_text('{"broken', encoding="utf-8")
    with pytest.raises(ResultsError, match=r"cannot read .*summary\.json: .*damaged"):
        simulator.Results(out)
