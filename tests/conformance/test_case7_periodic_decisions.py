"""Case 7: periodic decisions (weekly; 52 decisions in 365 days).

Variant `repeating`: weights a 1, b 2, c 3, idle 4 → each decision picks a, b, c or
nothing with probability 0.1, 0.2, 0.3, 0.4. Baseline: an absorbing `stop` (weight 1,
terminal outcome) next to a 1, b 2, c 3, idle 3 → the decision K at which stop is first
picked is geometric with p = 0.1, and it happens at exactly 7·K days.
Statistical checks here: 4 (pick frequencies) + 1 (chi² of per-run counts) + 4
(geometric: P(K = 1), P(K ≤ 5), P(K ≤ 20), P(not by the horizon)) = 9 of K.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from simulator.scenario.schema import OptionOverride, Variant

from .conftest import count_check, load, option_keys, proportion_check, pvalue_check

RUNS = 3_000
EVERY = 7.0
DECISIONS = 52  # at days 7, 14, …, 364 < 365
P_PICK = {"a": 0.1, "b": 0.2, "c": 0.3}
P_STOP = 0.1


def test_pick_frequencies_and_first_pick(run):
    results = run("periodic_decisions", runs=RUNS, variants="all")
    keys = option_keys(results)
    df = results.to_pandas()

    rep = df[df["variant"] == "repeating"]
    assert (rep["count.chooser.stop"] == 0).all()
    assert (rep["end_time"] == 365.0).all()
    picks = rep[[f"count.chooser.{k}" for k in P_PICK]].to_numpy()
    np.testing.assert_array_equal(picks.sum(axis=1), rep["n_events"].to_numpy())
    assert (picks.sum(axis=1) <= DECISIONS).all()
    # every pick happens at a decision time: an exact multiple of 7 days
    for times in rep["event_times"]:
        t = np.asarray(times)
        np.testing.assert_array_equal(t, EVERY * np.round(t / EVERY))
        assert (np.diff(t) > 0).all()  # at most one pick per decision
    total = DECISIONS * RUNS
    for j, (name, p) in enumerate(P_PICK.items()):
        count_check(f"case7 P(pick {name})", int(picks[:, j].sum()), total, p)
    count_check("case7 P(idle)", int(total - picks.sum()), total, 0.4)
    # per run, the counts (a, b, c, idle) are Multinomial(52; 0.1, 0.2, 0.3, 0.4):
    # a chi² test of the pooled table of 'a' counts against Binomial(52, 0.1)
    a_counts = picks[:, 0]
    k = np.arange(0, 13)
    expected = stats.binom.pmf(k, DECISIONS, 0.1)
    expected = np.append(expected, 1 - expected.sum()) * RUNS
    observed = np.append([(a_counts == x).sum() for x in k], (a_counts > k[-1]).sum())
    chi2 = stats.chisquare(observed, expected)
    pvalue_check("case7 per-run counts of a ~ Binomial(52, 0.1) (chi²)",
                 float(chi2.statistic), float(chi2.pvalue))

    base = df[df["variant"] == "baseline"]
    stop_index = keys.index("chooser.stop")
    t_stop = base["outcome_time.stopped"].to_numpy()
    stopped = base["outcome.stopped"].to_numpy()
    np.testing.assert_array_equal(stopped, ~np.isnan(t_stop))
    # stopping ends the run, at the stop's firing time (the last event)
    for opts, times, t, s in zip(base["event_options"], base["event_times"], t_stop, stopped,
                                 strict=True):
        if s:
            assert opts[-1] == stop_index
            assert times[-1] == t
        else:
            assert stop_index not in list(opts)
    np.testing.assert_array_equal(base.loc[stopped, "end_time"], t_stop[stopped])
    decision = t_stop[stopped] / EVERY
    np.testing.assert_array_equal(decision, np.round(decision))  # exact multiples of 7
    kk = np.where(stopped, t_stop / EVERY, np.inf)  # decision index of the first stop
    proportion_check("case7 P(K = 1)", kk == 1, P_STOP)
    proportion_check("case7 P(K <= 5)", kk <= 5, 1 - (1 - P_STOP) ** 5)
    proportion_check("case7 P(K <= 20)", kk <= 20, 1 - (1 - P_STOP) ** 20)
    proportion_check("case7 P(no stop in 52 decisions)", ~stopped, (1 - P_STOP) ** DECISIONS)


def test_decision_times_are_exact_and_inside_the_horizon(run):
    # 52 weeks = 364 days: decisions at days 7, 14, …, 357 — the one due at the horizon
    # itself is outside the run's [0, horizon). With idle weight 0 every decision picks.
    scenario = load("periodic_decisions")
    busy = Variant(parameters={"idle": "0"},
                   options={"chooser.stop": OptionOverride(enabled=False)})
    scenario = scenario.model_copy(update={"horizon": "52 weeks",
                                           "variants": {"busy": busy}})
    df = run(scenario, runs=300, variants=["busy"]).to_pandas()
    assert (df["n_events"] == DECISIONS - 1).all()
    expected = [EVERY * k for k in range(1, DECISIONS)]
    assert all(list(times) == expected for times in df["event_times"])
    assert (df["end_time"] == 364.0).all()
