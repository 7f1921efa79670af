"""Threshold classification and status of an estimate (thresholds from settings)."""

from __future__ import annotations

from pipeline.schema import ABOVE, BELOW, NOT_SURE
from pipeline.settings import Thresholds


def classify(flop: float, low: float, high: float, thresholds: Thresholds) -> str:
    """>= above -> above; <= below -> below; else not_sure. An interval that straddles
    the threshold is never high-confidence."""
    straddles = low < thresholds.threshold < high
    if flop >= thresholds.above and not straddles:
        return ABOVE
    if flop <= thresholds.below and not straddles:
        return BELOW
    return NOT_SURE


def status_for(classification: str, confidence: str) -> str:
    if classification == ABOVE:
        return "confirmed_above_1e25" if confidence == "high" else "likely_above_1e25"
    if classification == BELOW:
        return "confirmed_below_1e25" if confidence == "high" else "likely_below_1e25"
    return "uncertain"
