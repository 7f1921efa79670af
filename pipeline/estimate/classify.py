"""Threshold classification and status of an estimate (thresholds from settings)."""

from __future__ import annotations

from pipeline.schema import Classification
from pipeline.settings import Thresholds


def classify(p_above: float, thresholds: Thresholds) -> Classification:
    """High-confidence above when P(above) >= ``above``, below when <= ``below``, else
    not sure."""
    if p_above >= thresholds.above:
        return Classification.ABOVE
    if p_above <= thresholds.below:
        return Classification.BELOW
    return Classification.NOT_SURE


def status_for(classification: str, confidence: str) -> str:
    if classification == Classification.ABOVE:
        return "confirmed_above_1e25" if confidence == "high" else "likely_above_1e25"
    if classification == Classification.BELOW:
        return "confirmed_below_1e25" if confidence == "high" else "likely_below_1e25"
    return "uncertain"
