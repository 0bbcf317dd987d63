"""Case 6: fixed delays (exact), chances (binomial) and `a to b` delays (lognormal).

Scenario: `kickoff` at day 10 triggers `follow` after 7 days (→ day 17 exactly), `coin`
with chance 0.3, and `lagged` after `2 to 6 weeks` (5th/95th percentiles 14 and 42
days); a hazard `alarm` (random t₀) triggers `echo` exactly 0.1 days later; `dated`
is scheduled by date (day 20); `too_late` comes due at day 11 with `when: t < 5` and lapses.
Statistical checks here: 1 (coin) + 2 (delay percentiles) + 1 (KS of delays) = 4 of K.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from .conftest import ks_check, option_keys, proportion_check

RUNS = 10_000
HORIZON = 120.0
CHANCE = 0.3
LO, HI = 14.0, 42.0  # `2 to 6 weeks`, days


def _times(df, index: int) -> list[np.ndarray]:
    return [np.array([t for o, t in zip(opts, times, strict=True) if o == index])
            for opts, times in zip(df["event_options"], df["event_times"], strict=True)]


def test_delays_and_chances(run):
    results = run("delays_chances", runs=RUNS)
    keys = option_keys(results)
    df = results.to_pandas()
    idx = {k.split(".")[1]: keys.index(k) for k in keys}

    # scheduled at exactly day 10, follow-up at exactly day 17, in every run
    kickoff = _times(df, idx["kickoff"])
    follow = _times(df, idx["follow"])
    assert all(k.tolist() == [10.0] for k in kickoff)
    assert all(f.size == 1 and abs(f[0] - 17.0) <= 1e-12 for f in follow)
    assert (df["count.nature.follow"] == 1).all()
    # scheduled by date: 2026-01-21 is day 20 after as_of 2026-01-01
    assert all(d.tolist() == [20.0] for d in _times(df, idx["dated"]))
    # a trigger whose target's `when` is false when it comes due lapses (never fires)
    assert (df["count.nature.too_late"] == 0).all()
    assert (df["lapsed"] == 1).all()

    # a trigger from a hazard firing at a random t₀ fires at t₀ + 0.1 (to 1e-12)
    alarm = _times(df, idx["alarm"])
    echo = _times(df, idx["echo"])
    n_pairs = 0
    for a, e in zip(alarm, echo, strict=True):
        assert a.size <= 1
        if a.size == 1 and a[0] + 0.1 < HORIZON:
            assert e.size == 1
            assert abs(e[0] - (a[0] + 0.1)) <= 1e-12 * max(1.0, a[0])
            n_pairs += 1
        elif a.size == 1:
            assert e.size == 0  # due after the horizon: never fires
        else:
            assert e.size == 0
    assert n_pairs > RUNS // 2

    # chance 0.3: fraction of runs with a coin; the outcome reports the same fraction
    coin = df["count.nature.coin"].to_numpy()
    assert set(np.unique(coin)) <= {0, 1}
    proportion_check("case6 P(coin) = chance", coin == 1, CHANCE)
    assert results.probability("coin_tossed") == (coin == 1).mean()
    coin_times = [c for c in _times(df, idx["coin"]) if c.size]
    assert all(c[0] == 10.0 for c in coin_times)  # zero delay: same instant

    # `2 to 6 weeks`: a lognormal with 5th and 95th percentiles 14 and 42 days
    lagged = _times(df, idx["lagged"])
    assert all(x.size == 1 for x in lagged)  # 10 + 42·e^(small) < 120 in every run
    delays = np.array([x[0] for x in lagged]) - 10.0
    # an empirical quantile check made exact: #(delay < a) ~ Binomial(n, 0.05)
    proportion_check("case6 P(delay < a) = 5%", delays < LO, 0.05)
    proportion_check("case6 P(delay > b) = 5%", delays > HI, 0.05)
    sigma = math.log(HI / LO) / (2 * stats.norm.ppf(0.95))
    ks_check("case6 delays ~ lognormal(a to b)", delays,
             stats.lognorm(s=sigma, scale=math.sqrt(LO * HI)).cdf)
