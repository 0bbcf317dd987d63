"""Fixtures for the scale-out tests: a small scenario, a serial reference, a Dask cluster."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import simulator

from ._mini import MINI, SEED


@pytest.fixture(scope="session")
def mini() -> Path:
    return MINI


@pytest.fixture(scope="session")
def serial_digests(tmp_path_factory: pytest.TempPathFactory) -> dict[int, str]:
    """Digest of a serial run of the mini scenario (all variants, seed 7), by run count."""

    class Lookup(dict[int, str]):
        def __missing__(self, runs: int) -> str:
            out = tmp_path_factory.mktemp(f"serial{runs}")
            results = simulator.run(MINI, variants="all", runs=runs, seed=SEED,
                                    executor="serial", out=out)
            self[runs] = results.digest
            return results.digest

    return Lookup()


@pytest.fixture(scope="session")
def dask_cluster() -> Iterator[Any]:
    """A real LocalCluster: two worker processes, one thread each, no dashboard."""
    distributed = pytest.importorskip("distributed")
    import logging

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=logging.ERROR) as cluster:
        yield cluster
