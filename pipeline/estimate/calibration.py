"""Interval widths calibrated on the reference models, per method.

Each reference model (known compute) is estimated by every method with its own known values
withheld (leave-one-out). A method's residuals, divided by the spread the method claimed,
should fall inside +/- z for the interval's share of models (80%). The scale is the one that
makes them do so: the 80th percentile of |residual / spread| divided by z. A method with
fewer residuals than ``min_models`` keeps its raw spread (scale 1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Calibration:
    method: str
    n: int
    scale: float

    def describe(self) -> str:
        return f"width x{self.scale:.2f}, calibrated on {self.n} reference models"


def coverage_share(z: float) -> float:
    """The share of a normal distribution within +/- z standard deviations."""
    return math.erf(z / math.sqrt(2))


def calibrate(
    standardised: dict[str, list[float]], z: float, min_models: int
) -> dict[str, Calibration]:
    """Per method, the scale that makes ``coverage_share(z)`` of the residuals fall inside."""
    out = {}
    for method, values in standardised.items():
        if len(values) < min_models:
            continue
        quantile = float(np.quantile(np.abs(values), coverage_share(z)))
        out[method] = Calibration(method, len(values), max(quantile / z, 0.05))
    return out
