"""Small statistics for proportions: Wilson intervals and ICD 203 likelihood words."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

# ICD 203 (US intelligence community) expressions of likelihood and their ranges.
ICD203 = (
    (0.05, "almost no chance"),
    (0.20, "very unlikely"),
    (0.45, "unlikely"),
    (0.55, "roughly even chance"),
    (0.80, "likely"),
    (0.95, "very likely"),
    (1.00, "almost certain"),
)


def icd203_word(p: float) -> str:
    """The ICD 203 likelihood expression for a probability (ranges 1-5 %, 5-20 %, ...)."""
    for upper, word in ICD203:
        if p < upper:
            return word
    return ICD203[-1][1]


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion; well-behaved at p near 0 or 1."""
    if n <= 0:
        return (0.0, 1.0)
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def quantiles(values: np.ndarray, qs: tuple[float, ...] = (0.1, 0.5, 0.9)) -> list[float | None]:
    """Quantiles of the finite values, or None when there are none."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return [None for _ in qs]
    return [float(x) for x in np.quantile(finite, qs)]
