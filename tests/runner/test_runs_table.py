"""runs.parquet joined from chunk files: the same bytes, table and digests as writing it
from the chunks' tables, and a summary merged from chunk tallies equal to the summary
read from runs.parquet."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import simulator
from simulator.engine.registry import get_engine
from simulator.model.compile import compile_model
from simulator.results.integrity import file_sha256, table_digests
from simulator.results.summary import summarise
from simulator.runner.chunk_files import ChunkDir, chunk_table, parquet_options, read_table
from simulator.runner.parquet_concat import CannotJoin, join_parquet
from simulator.runner.runs_table import write_runs_parquet

# uneven chunk sizes, two variants: row groups of several sizes and both variants
RANGES = ((0, 37), (37, 100), (100, 101))


def _chunks(mini_path: Path, folder: Path) -> tuple[ChunkDir, list[str], list[pa.Table]]:
    scenario = simulator.load_scenario(mini_path)
    variants = ["baseline", *sorted(scenario.variants)]
    chunk_dir = ChunkDir(str(folder), {"format": 0})
    tables = []
    for variant in variants:
        model = compile_model(scenario, variant)
        for a, b in RANGES:
            chunk = get_engine("numpy")(model, 4, a, b, 10)
            chunk_dir.write(model, chunk)
            tables.append(chunk_table(model, chunk))
    return chunk_dir, variants, tables


def _paths(chunk_dir: ChunkDir) -> object:
    return lambda v: [chunk_dir.path(v, a, b, ".parquet") for a, b in RANGES]


def test_joined_file_is_the_file_parquet_writer_writes(mini_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "chunks"
    folder.mkdir()
    chunk_dir, variants, tables = _chunks(mini_path, folder)
    target = tmp_path / "runs.parquet"
    record = write_runs_parquet(target, variants, _paths(chunk_dir), read_table)  # type: ignore[arg-type]
    reference = tmp_path / "reference.parquet"
    with pq.ParquetWriter(reference, tables[0].schema,
                          **parquet_options(tables[0].schema)) as writer:
        for table in tables:
            writer.write_table(table, row_group_size=table.num_rows)
    assert target.read_bytes() == reference.read_bytes()
    assert pq.ParquetFile(target).num_row_groups == len(tables)
    assert record == {"bytes": target.stat().st_size, "sha256": file_sha256(target)}
    _, rows = table_digests(target, variants)
    assert rows == dict.fromkeys(variants, RANGES[-1][1])


def test_files_that_cannot_be_joined_are_written_again(mini_path: Path,
                                                       tmp_path: Path) -> None:
    folder = tmp_path / "chunks"
    folder.mkdir()
    chunk_dir, variants, tables = _chunks(mini_path, folder)
    # a page index holds absolute positions: such a file is re-encoded, not joined
    odd = chunk_dir.path(variants[-1], *RANGES[1], ".parquet")
    table = tables[-2]  # that chunk's table
    pq.write_table(table, odd, row_group_size=table.num_rows,
                   **{**parquet_options(table.schema), "write_page_index": True})
    with pytest.raises(CannotJoin, match="page index"):
        join_parquet([chunk_dir.path(v, a, b, ".parquet") for v in variants
                      for a, b in RANGES], _NullSink())
    target = tmp_path / "runs.parquet"
    record = write_runs_parquet(target, variants, _paths(chunk_dir), read_table)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(pq.read_table(target).to_pandas(),
                                  pa.concat_tables(tables).to_pandas())
    assert record == {"bytes": target.stat().st_size, "sha256": file_sha256(target)}


def test_a_cut_short_chunk_cannot_be_joined(mini_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "chunks"
    folder.mkdir()
    chunk_dir, variants, _ = _chunks(mini_path, folder)
    path = chunk_dir.path(variants[0], *RANGES[0], ".parquet")
    path.write_bytes(path.read_bytes()[:-3])
    with pytest.raises(CannotJoin):
        join_parquet([path], _NullSink())


def test_merged_summary_equals_the_summary_read_from_runs_parquet(
        mini_path: Path, tmp_path: Path) -> None:
    results = simulator.run(mini_path, variants="all", runs=500, seed=9, executor="serial",
                            chunk_size=120, engine="numpy", out=tmp_path / "r")
    scenario = simulator.load_scenario(mini_path)
    models = {v: compile_model(scenario, v) for v in results.variants}
    again = summarise(results.path / "runs.parquet", models, results.summary["scenario"])
    assert again == results.summary
    assert any(e["rungs"] for e in again["variants"].values())
    assert any(o["reached"] for e in again["variants"].values()
               for o in e["outcomes"].values())


class _NullSink:
    def write(self, data: object) -> int:
        return len(memoryview(data))  # type: ignore[arg-type]

    def copy_range(self, source: object, start: int, stop: int) -> None:
        pass


def test_a_worker_writes_a_complete_chunk_and_returns_only_a_receipt(
        mini_path: Path, tmp_path: Path) -> None:
    import pickle
    import warnings

    from simulator.runner.store import ResultsStore
    from simulator.runner.tasks import ChunkTask, ChunkWritten, run_and_write_task

    scenario = simulator.load_scenario(mini_path)
    spec = {"scenario_sha256": "s", "variants": ["baseline"], "seed": 3, "runs": 200,
            "precision": None, "max_runs": None, "chunk_size": 200, "engine": "numpy",
            "trace_every": 50}
    store = ResultsStore(tmp_path / "r")
    store.open(spec, force=False)
    task = ChunkTask(scenario, "s", ("baseline",), 3, 0, 200, 50, "numpy",
                     (compile_model(scenario, "baseline"),), store.chunk_dir)
    [receipt] = run_and_write_task(task)
    store.close()
    assert receipt == ChunkWritten("baseline", 0, 200)
    assert len(pickle.dumps(receipt)) < 200  # what a worker sends back, whatever the runs
    # reopened as a resumed run would be: the chunk is verified complete, not set aside
    again = ResultsStore(tmp_path / "r")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        done = again.open(spec, force=False)
    again.close()
    assert done == {("baseline", 0, 200)}
    expected = get_engine("numpy")(compile_model(scenario, "baseline"), 3, 0, 200, 50)
    assert read_table(again.chunk_paths("baseline")[0], ["digest"]).column(
        "digest").to_pylist() == [bytes(d) for d in expected.columns["digest"]]


class _Reversed:
    """An executor that computes every task, then hands the results back last first."""

    name = "reversed"
    workers = 1

    def map_unordered(self, fn: object, tasks: object) -> object:
        results = [fn(task) for task in tasks]  # type: ignore[operator, attr-defined]
        return iter(results[::-1])

    def close(self) -> None:
        pass


def test_runs_parquet_does_not_depend_on_the_order_chunks_complete(
        mini_path: Path, tmp_path: Path) -> None:
    options = {"variants": "all", "runs": 300, "seed": 2, "chunk_size": 40,
               "engine": "numpy"}
    in_order = simulator.run(mini_path, executor="serial", out=tmp_path / "a", **options)
    backwards = simulator.run(mini_path, executor=_Reversed(), out=tmp_path / "b",  # type: ignore[arg-type]
                              **options)
    assert (in_order.path / "runs.parquet").read_bytes() == (
        backwards.path / "runs.parquet").read_bytes()
    assert simulator.Results(backwards.path).digest == in_order.digest
