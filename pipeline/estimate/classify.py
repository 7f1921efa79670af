"""Threshold classification and status of an estimate (thresholds from settings)."""

from __future__ import annotations

from pipeline.schema import ABOVE, BELOW, NOT_SURE
from pipeline.settings import Thresholds


def classify(p_above: float, thresholds: Thresholds) -> str:
    """High-confidence above when P(above) >= ``above``, below when <= ``below``, else
    not sure."""
    if p_above >= thresholds.above:
        return ABOVE
    if p_above <= thresholds.below:
        return BELOW
    return NOT_SURE


def status_for(classification: str, confidence: str) -> str:
    if classification == ABOVE:
        return "confirmed_above_1e25" if confidence == "high" else "likely_above_1e25"
    if classification == BELOW:
        return "confirmed_below_1e25" if confidence == "high" else "likely_below_1e25"
    return "uncertain"
