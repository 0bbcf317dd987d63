"""Same-time events do not depend on how ids are spelled.

Two actors of the flagship decide on the same days. Ordering them by id made the
results depend on spelling: renaming `mexico_government` so that it sorts after
`us_executive` moved `public_rejections_repeat` by about 4 points (z ≈ −10 at 20,000
runs). Same-time sources now go in a random order drawn per run, so a renamed copy of
the scenario must give statistically the same probabilities and times, on both engines
(family-wise false-alarm rate 1e-3 per comparison: tests/engine/_compare.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import simulator
from simulator.engine.streams import RowLayout, Streams
from simulator.engine.vector_engine import VectorChunk

from ._compare import compare

SCENARIOS = Path(__file__).parents[2] / "scenarios"
DATA = Path(__file__).parents[1] / "data"


def _renamed(tmp_path: Path) -> Path:
    text = (SCENARIOS / "us_mexico_cartels.yaml").read_text()
    assert "zz_mexico_government" not in text
    assert text.count("mexico_government") >= 5
    # the scenario names its evidence registers relative to itself (../seeds/...)
    (tmp_path / "seeds").symlink_to(SCENARIOS.parent / "seeds")
    (tmp_path / "scenarios").mkdir()
    path = tmp_path / "scenarios" / "renamed.yaml"
    path.write_text(text.replace("mexico_government", "zz_mexico_government"))
    return path


@pytest.mark.parametrize(("engine", "runs"),
                         [("numpy", 20_000), ("compiled", 20_000), ("simpy", 2_500)])
def test_renaming_an_actor_leaves_results_unchanged(engine: str, runs: int,
                                                    tmp_path: Path) -> None:
    kw = {"runs": runs, "seed": 5, "executor": "serial", "engine": engine, "trace_every": 0}
    original = simulator.run(SCENARIOS / "us_mexico_cartels.yaml", out=tmp_path / "a", **kw)
    renamed = simulator.run(_renamed(tmp_path), out=tmp_path / "b", **kw)
    renamed_keys = [a.key for a in simulator.compile_model(renamed.scenario).options]
    original_keys = [a.key for a in simulator.compile_model(original.scenario).options]
    # the renaming did reorder the options
    assert [k.replace("zz_", "") for k in renamed_keys] != original_keys
    assert compare(original, renamed) == []


def test_the_comparison_detects_a_real_difference(tmp_path: Path) -> None:
    kw = {"runs": 20_000, "seed": 5, "executor": "serial", "engine": "numpy", "trace_every": 0}
    base = simulator.run(DATA / "mini.yaml", out=tmp_path / "a", **kw)
    dovish = simulator.run(DATA / "mini.yaml", variants="dovish", out=tmp_path / "b", **kw)
    failures = compare(base, dovish)
    assert any("us_strike" in f for f in failures)


def test_same_day_deciders_go_first_equally_often() -> None:
    model = simulator.compile_model(simulator.load_scenario(SCENARIOS / "us_mexico_cartels.yaml"))
    deciders = [k for k, a in enumerate(model.actors) if a.every_days is not None]
    assert len(deciders) == 2
    chunk = VectorChunk(model, 8, 0, 20_000)
    first = chunk.src_rank[:, 0] < chunk.src_rank[:, 1]
    # binomial(20,000, 1/2): |z| < 4 fails by chance with probability 6e-5
    assert abs(first.mean() - 0.5) / np.sqrt(0.25 / first.size) < 4.0
    # the SimPy engine ranks the sources of a run exactly as the NumPy engine does
    from simulator.engine.simpy_engine import SOURCE_PRIORITY, source_priorities
    from simulator.model.model import same_time_sources

    layout = RowLayout(model.row_sizes)
    for run in range(0, 20_000, 997):
        ranks = source_priorities(model, Streams(8, run, layout))
        for k, source in enumerate(same_time_sources(model)):
            assert ranks[source] - SOURCE_PRIORITY == chunk.src_rank[run, k]
