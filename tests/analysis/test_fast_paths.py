"""The vectorised analysis code gives the same answers as the plain definitions."""

from __future__ import annotations

from collections import Counter

import numpy as np

from simulator.analysis.discovery import _sorted_quantile, _sorted_quantiles
from simulator.analysis.paths import END, divergence_point
from simulator.analysis.sensitivity import _bin_ids, _boot_eps2, _eps2


def test_sorted_quantile_is_numpys() -> None:
    rng = np.random.default_rng(0)
    for _ in range(500):
        n = int(rng.integers(1, 40))
        s = np.sort(np.round(rng.random(n) * 10, int(rng.integers(0, 3))))
        for q in (0.0, 0.05, 0.5, 0.95, 1.0, float(rng.random())):
            assert _sorted_quantile(s, q) == float(np.quantile(s, q))
            assert _sorted_quantiles(s[None, :], q)[0] == float(np.quantile(s, q))


def test_bootstrap_matches_one_resample_at_a_time() -> None:
    rng = np.random.default_rng(1)
    n, bins = 500, 10
    x = rng.random((3, n))
    ys = np.vstack([(rng.random(n) < x[0]).astype(float), (rng.random(n) < 0.2).astype(float),
                    x[1] + rng.normal(size=n)])
    ids = np.array([_bin_ids(xi, bins) for xi in x])
    draws = np.random.default_rng(5).integers(0, n, size=(30, n))
    for group in (ys[:2], ys[2:]):  # 0/1 outputs, then a real-valued one
        fast = _boot_eps2(ids, group, bins, 30, 5)
        for r, s in enumerate(draws):
            for j in range(3):
                for o in range(len(group)):
                    assert np.isclose(fast[r, j, o], _eps2(ids[j][s], group[o][s], bins),
                                      rtol=1e-9, atol=1e-12)


def _tv(a: list[tuple[str, ...]], b: list[tuple[str, ...]]) -> float:
    ca, cb = Counter(a), Counter(b)
    return 0.5 * sum(abs(ca[k] / len(a) - cb[k] / len(b)) for k in set(ca) | set(cb))


def test_divergence_point_matches_its_definition() -> None:
    rng = np.random.default_rng(2)
    for _ in range(50):
        def group() -> list[list[str]]:
            return [[str(v) for v in rng.integers(0, 3, size=int(rng.integers(0, 6)))]
                    for _ in range(int(rng.integers(1, 30)))]
        a, b = group(), group()
        d = divergence_point(a, b, {})
        assert d is not None
        longest = max(len(s) for s in a + b)

        def pre(g: list[list[str]], k: int) -> list[tuple[str, ...]]:
            return [tuple(s[:k]) + (END,) * max(0, k - len(s)) for s in g]

        tv = [min(1.0, _tv(pre(a, k), pre(b, k))) for k in range(1, min(longest, 30) + 1)]
        assert np.allclose(d["tv_by_step"], tv, atol=1e-12)
        k = d["step"]
        shared = Counter(pre(a, k - 1) + pre(b, k - 1)).most_common(1)[0][0]
        assert d["after"] == list(shared)
        nxt = Counter(s[k - 1] if len(s) >= k else END for s in a).most_common(1)[0][0]
        assert d["next_a"] == nxt
