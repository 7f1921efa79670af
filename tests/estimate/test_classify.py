"""Threshold classification of an estimate and the status that follows from it."""

from __future__ import annotations

import pytest

from pipeline.estimate.classify import classify, status_for
from pipeline.schema import ABOVE, BELOW, NOT_SURE
from pipeline.settings import Thresholds

DEFAULT = Thresholds()  # 1e25, above 5e25, below 5e24 (as in configs/tracker.yaml)


def test_vocabulary() -> None:
    assert (ABOVE, NOT_SURE, BELOW) == (
        "high_confidence_above_1e25",
        "not_sure",
        "high_confidence_below_1e25",
    )


@pytest.mark.parametrize(
    ("flop", "low", "high", "expected"),
    [
        (6e25, 3e25, 1.2e26, ABOVE),
        (6e25, 5e24, 7e26, NOT_SURE),  # interval straddles 1e25
        (5e25, 4e25, 6e25, ABOVE),  # >= above
        (6e25, 1e25, 1e26, ABOVE),  # touching the threshold is not straddling
        (4e24, 2e24, 8e24, BELOW),
        (4e24, 1e24, 2e25, NOT_SURE),  # interval straddles 1e25
        (5e24, 4e24, 6e24, BELOW),  # <= below
        (2e25, 1.5e25, 2.5e25, NOT_SURE),
        (8e24, 6e24, 9e24, NOT_SURE),
    ],
)
def test_classify_default_thresholds(flop: float, low: float, high: float, expected: str) -> None:
    assert classify(flop, low, high, DEFAULT) == expected


@pytest.mark.parametrize(
    ("flop", "low", "high"), [(1e26, 1e24, 1e28), (1e24, 1e22, 2e25), (3e26, 9.9e24, 1e27)]
)
def test_straddling_is_never_high_confidence(flop: float, low: float, high: float) -> None:
    assert classify(flop, low, high, DEFAULT) == NOT_SURE


@pytest.mark.parametrize(
    ("flop", "low", "high", "expected"),
    [
        (6e25, 5.5e25, 6.5e25, NOT_SURE),  # above by default, not with above=2e26
        (3e26, 2.5e26, 3.5e26, ABOVE),
        (4e25, 3e25, 4.5e25, BELOW),  # not sure by default
        (1.5e26, 1.2e26, 1.8e26, NOT_SURE),
        (3e26, 5e25, 2e27, NOT_SURE),  # straddles the custom threshold 1e26
    ],
)
def test_classify_custom_thresholds(flop: float, low: float, high: float, expected: str) -> None:
    thresholds = Thresholds(threshold=1e26, above=2e26, below=5e25)
    assert classify(flop, low, high, thresholds) == expected


@pytest.mark.parametrize(
    ("classification", "confidence", "status"),
    [
        (ABOVE, "high", "confirmed_above_1e25"),
        (ABOVE, "medium", "likely_above_1e25"),
        (ABOVE, "speculative", "likely_above_1e25"),
        (BELOW, "high", "confirmed_below_1e25"),
        (BELOW, "low", "likely_below_1e25"),
        (NOT_SURE, "high", "uncertain"),
        (NOT_SURE, "speculative", "uncertain"),
    ],
)
def test_status_for(classification: str, confidence: str, status: str) -> None:
    assert status_for(classification, confidence) == status
