"""The probability that a model's training compute exceeds the threshold.

An estimate is a log-normal distribution in FLOP: log10 FLOP is normal with the central
estimate as its mean and a standard deviation ``sigma`` (dex) such that the stored 80%
interval is mean +/- ``z`` x sigma.
"""

from __future__ import annotations

import math
from functools import lru_cache


def normal_cdf(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def sigma_of(flop: float, low: float, high: float, z: float) -> float:
    """The standard deviation (dex) an interval stands for; 0 for a point."""
    if not (flop > 0 and low > 0 and high > 0) or high <= low:
        return 0.0
    return (math.log10(high) - math.log10(low)) / (2 * z)


def p_above(log_flop: float, sigma: float, threshold: float) -> float:
    """P(log10 FLOP > log10 threshold) for a normal(log_flop, sigma); a step when sigma = 0."""
    gap = log_flop - math.log10(threshold)
    if sigma <= 0:
        return 1.0 if gap > 0 else 0.0
    return normal_cdf(gap / sigma)


def p_above_interval(flop: float, low: float, high: float, threshold: float, z: float) -> float:
    """``p_above`` of a stored estimate (central value and 80% interval)."""
    return p_above(math.log10(flop), sigma_of(flop, low, high, z), threshold)


@lru_cache(maxsize=1 << 12)  # three decimals: values repeat from model to model
def format_probability(value: float | None) -> str:
    """A ``p_above_1e25`` cell: at most 3 decimals (``0.873``, ``1``); empty when unknown."""
    if value is None:
        return ""
    text = f"{round(float(value), 3):.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text
