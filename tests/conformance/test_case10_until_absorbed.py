"""Case 10: "eventually" under `horizon: until absorbed` (no stand-in horizon).

A gambler's ruin on rungs 0..N = 5 from rung i = 2, up with probability p = 0.6 per
move, whose barriers are `when` conditions rather than terminal outcomes: a run ends
only when nothing more can happen. P(eventually reach N) = (1 − rⁱ)/(1 − r^N) with
r = q/p = 135/211 ≈ 0.6398, and E[moves] from the fundamental matrix (case 5).
Baseline: moves are hazards and every win triggers an echo 30 days later; variant
`deciding`: moves are weekly decisions. Exact identities: every run is absorbed at a
barrier (top xor ruin), the echoes equal the wins (a pending trigger holds the run
open), the end time is the time of the last event, decisions end on a multiple of 7.
Statistical checks here: 2 variants × (P(reach N), E[moves]) = 4 of K.
"""

from __future__ import annotations

import math

import numpy as np

from .conftest import event_times_of, iter_rows, mean_check, option_keys, proportion_check
from .test_case5_gamblers_ruin import expected_steps, fundamental, p_reach

RUNS = 4_000
START = 2
MOVES = {"baseline": ("gambler.win", "gambler.lose"),
         "deciding": ("gambler.choose_win", "gambler.choose_lose")}


def test_closed_form_for_eventually():
    assert math.isclose(p_reach(START), 135 / 211, rel_tol=1e-12)


def test_eventually_reaching_the_top_rung(run):
    _, _, steps_var = fundamental()
    results = run("absorbing", runs=RUNS, variants="all")
    win = option_keys(results).index("gambler.win")
    df = results.to_pandas()
    for variant, (up, down) in MOVES.items():
        sub = df[df["variant"] == variant]
        top = sub["outcome.reach_top"].to_numpy()
        np.testing.assert_array_equal(top, ~sub["outcome.ruin"].to_numpy())
        last = np.array([max(times) for times in sub["event_times"]])
        np.testing.assert_array_equal(sub["end_time"].to_numpy(), last)
        moves = (sub[f"count.{up}"] + sub[f"count.{down}"]).to_numpy()
        if variant == "baseline":
            np.testing.assert_array_equal(sub["count.nature.echo"], sub[f"count.{up}"])
            for row in iter_rows(sub[sub[f"count.{up}"] > 0]):
                assert row["end_time"] >= event_times_of(row, win)[-1] + 30.0
        else:
            assert (sub["count.gambler.win"] + sub["count.nature.echo"] == 0).all()
            np.testing.assert_array_equal(sub["end_time"].to_numpy(), 7.0 * moves)
        proportion_check(f"case10 {variant} P(eventually reach N)", top, p_reach(START))
        mean_check(f"case10 {variant} E[moves]", moves, expected_steps(START),
                   math.sqrt(steps_var[START - 1]))
