"""Escalation paths on a scenario whose two paths are known by construction."""

from __future__ import annotations

import math

from simulator.analysis.paths import collapse, divergence_point, escalation_paths
from simulator.results.results import Results


def test_collapse_drops_consecutive_repeats() -> None:
    assert collapse(["a", "a", "b", "a", "a"]) == ["a", "b", "a"]
    assert collapse([]) == []


def test_transitions_and_top_sequences(paths_results: Results) -> None:
    p = escalation_paths(paths_results)
    n = p["runs"]
    assert n == 600
    assert p["rungs"] == ["r0", "r1", "r2", "r3"]
    t = p["transitions"]
    assert t[0][1] == n  # everyone climbs on day 10
    assert t[1][3] + t[1][0] == n  # then either up to r3 or back to r0
    assert sum(map(sum, t)) == 2 * n
    # each branch wins half the runs: |z| < 4.5 (false alarm ~1e-5)
    assert abs(t[1][3] - n / 2) / math.sqrt(n / 4) < 4.5
    seqs = {tuple(s["rungs"]): s for s in p["top_sequences"]}
    assert set(seqs) == {("r0", "r1", "r3"), ("r0", "r1", "r0")}
    assert seqs[("r0", "r1", "r3")]["labels"] == ["Calm", "Tense", "War"]
    assert math.isclose(sum(s["share"] for s in seqs.values()), 1.0)


def test_by_outcome_truncates_at_outcome(paths_results: Results) -> None:
    p = escalation_paths(paths_results)
    high = p["by_outcome"]["high"]
    assert high["rung_sequences"][0]["rungs"] == ["r0", "r1", "r3"]
    assert high["rung_sequences"][0]["share"] == 1.0
    assert high["option_sequences"][0]["options"] == ["a.start", "a.up"]
    assert high["option_sequences"][0]["labels"][0] == "Actor A: starts the crisis"
    low = p["by_outcome"]["low"]
    assert low["option_sequences"][0]["options"] == ["a.start", "a.down"]
    assert high["runs"] + low["runs"] == p["runs"]


def test_divergence_after_the_shared_start(paths_results: Results) -> None:
    (div,) = escalation_paths(paths_results)["divergence"]
    assert div["outcomes"] == ["high", "low"]
    opts = div["options"]
    assert opts["step"] == 2
    assert opts["after"] == ["a.start"]
    assert (opts["next_a"], opts["next_b"]) == ("a.up", "a.down")
    assert opts["jump"] == 1.0
    rungs = div["rungs"]
    assert rungs["step"] == 3
    assert rungs["after"] == ["r0", "r1"]
    assert (rungs["next_a"], rungs["next_b"]) == ("r3", "r0")


def test_divergence_point_handles_empty_and_unequal_lengths() -> None:
    assert divergence_point([], [["a"]], {}) is None
    d = divergence_point([["a", "b", "c"]], [["a", "b"]], {})
    assert d is not None
    assert d["step"] == 3
    assert d["next_b"] == "(end)"
