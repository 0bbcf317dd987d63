"""Guards against silent nonsense: non-finite weights and chances, runaway runs,
variant overrides that would do nothing, unused-parameter warnings, digests."""

from __future__ import annotations

from pathlib import Path

import pytest

import simulator

BASE = """\
id: guards
title: Guards
as_of: 2026-01-01
horizon: 100 days
parameters:
  lag: {value: 10 days, assumption: true, note: test}
  q: {value: 0.2 to 0.6, assumption: true, note: test}
state:
  s: {initial: 0, min: 0, max: 5}
actors:
  chooser:
    decides: {every: 10 days}
    options:
      d1: {weight: 1, effects: [{add: {s: 1}}]}
      d2: {weight: 1 / s, effects: [{add: {s: 1}}]}
  nature:
    options:
      tick: {rate: 1 per month, when: q > 0, effects: [{trigger: nature.later, after: lag}]}
      later: {effects: [{add: {s: 0.5}}]}
outcomes:
  some: {when: s >= 1}
variants:
  other_q: {parameters: {q: 0.3 to 0.5}}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "g.yaml"
    path.write_text(text)
    return path


ENGINES = pytest.mark.parametrize("engine", ["simpy", "numpy", "compiled"])


@ENGINES
def test_infinite_weight_stops_the_run(tmp_path: Path, engine: str) -> None:
    path = _write(tmp_path, BASE)  # d2's weight is 1/0 = inf at the first decision
    with pytest.raises(simulator.RunError, match=r"weight of `chooser\.d2` is inf"):
        simulator.run(path, runs=5, executor="serial", out=tmp_path / "o", engine=engine)


@ENGINES
def test_runaway_rates_stop_with_a_clear_error(tmp_path: Path, engine: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # The cap itself (MAX_EVENTS events per run) is what is checked; a lower one keeps
    # the NumPy engine, which takes one step per event, from stepping 200,000 times.
    from simulator.engine import compiled_engine, simpy_engine, vector_engine

    for module in (simpy_engine, vector_engine, compiled_engine):
        monkeypatch.setattr(module, "MAX_EVENTS", 2_000)
    text = BASE.replace("1 / s", "1").replace("rate: 1 per month", "rate: 1e9 per day")
    with pytest.raises(simulator.RunError, match=r"passed 2,000 events.*wrong unit"):
        simulator.run(_write(tmp_path, text), runs=1, executor="serial", out=tmp_path / "o",
                      engine=engine)


@pytest.mark.parametrize(("override", "message"), [
    ("nature.later: {rate: 1 per day}", "`nature.later` has no `rate` to change"),
    ("nature.tick: {weight: 5}", "`nature.tick` has no `weight` to change"),
    ("chooser.d1: {rate: 1 per day}", "`chooser.d1` has no `rate` to change"),
])
def test_variant_override_of_another_mode_is_refused(tmp_path: Path, override: str,
                                                     message: str) -> None:
    text = BASE.replace("1 / s", "1") + f"  changed:\n    options:\n      {override}\n"
    result = simulator.read_scenario(_write(tmp_path, text))
    assert not result.ok
    assert any(message in d.message for d in result.diagnostics), [
        d.format() for d in result.diagnostics]


def test_parameter_used_only_as_a_delay_is_not_unused(tmp_path: Path) -> None:
    result = simulator.read_scenario(_write(tmp_path, BASE.replace("1 / s", "1")))
    assert result.ok
    assert not [d for d in result.diagnostics if "never used" in d.message]


@ENGINES
def test_digest_covers_parameter_draws(tmp_path: Path, engine: str) -> None:
    # q only gates an option that is always enabled (q > 0), so outcomes cannot differ;
    # the variant's digest must still differ because its draws of q differ
    results = simulator.run(_write(tmp_path, BASE.replace("1 / s", "1")), variants="all",
                            runs=100, executor="serial", out=tmp_path / "o", engine=engine)
    digests = results.manifest["variant_digests"]
    assert digests["baseline"] != digests["other_q"]


@ENGINES
def test_ladder_positions_round_half_up(tmp_path: Path, engine: str) -> None:
    text = """\
id: halves
title: Halves
as_of: 2026-01-01
horizon: 10 days
ladder:
  initial: r0
  rungs: [{id: r0}, {id: r1}, {id: r2}, {id: r3}, {id: r4}]
actors:
  a:
    options:
      go: {at: 1 day, effects: [{set: {escalation: 2.5}}]}
outcomes:
  at3: {when: escalation == r3}
"""
    results = simulator.run(_write(tmp_path, text), runs=3, executor="serial",
                            out=tmp_path / "o", engine=engine)
    assert results.probability("at3") == 1.0
