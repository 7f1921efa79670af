"""Threshold classification of an estimate and the status that follows from it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from pipeline.estimate.classify import classify, status_for
from pipeline.estimate.probability import (
    format_probability,
    normal_cdf,
    p_above,
    p_above_interval,
    sigma_of,
)
from pipeline.schema import Classification
from pipeline.settings import Thresholds

DEFAULT = Thresholds()  # 1e25; above at P >= 0.9, below at P <= 0.1 (configs/tracker.yaml)
Z = 1.2816


def test_vocabulary() -> None:
    assert (Classification.ABOVE, Classification.NOT_SURE, Classification.BELOW) == (
        "high_confidence_above_1e25",
        "not_sure",
        "high_confidence_below_1e25",
    )


@pytest.mark.parametrize(
    ("p", "expected"),
    [(1.0, Classification.ABOVE), (0.9, Classification.ABOVE),
     (0.899, Classification.NOT_SURE), (0.5, Classification.NOT_SURE),
     (0.101, Classification.NOT_SURE), (0.1, Classification.BELOW), (0.0, Classification.BELOW)],
)  # fmt: skip
def test_classify_by_probability(p: float, expected: str) -> None:
    assert classify(p, DEFAULT) == expected


def test_classify_custom_cut_offs() -> None:
    strict = Thresholds(above=0.99, below=0.01)
    assert classify(0.95, strict) == Classification.NOT_SURE
    assert classify(0.995, strict) == Classification.ABOVE
    assert classify(0.05, strict) == Classification.NOT_SURE
    assert classify(0.005, strict) == Classification.BELOW


def test_cut_offs_must_be_on_their_side_of_one_half() -> None:
    with pytest.raises(ValidationError):
        Thresholds(above=0.4)
    with pytest.raises(ValidationError):
        Thresholds(below=0.6)


def test_probability_of_a_log_normal_estimate() -> None:
    # 80% interval 1e25-1e27 around 1e26: sigma = 1 dex / z; P(above 1e25) = P(Z > -z).
    assert sigma_of(1e26, 1e25, 1e27, Z) == pytest.approx(1 / Z)
    assert p_above_interval(1e26, 1e25, 1e27, 1e25, Z) == pytest.approx(0.9, abs=1e-4)
    assert p_above_interval(1e25, 1e24, 1e26, 1e25, Z) == pytest.approx(0.5)
    assert p_above(24.0, 0.5, 1e25) == pytest.approx(normal_cdf(-2))


def test_whole_interval_above_the_threshold_is_high_confidence_above() -> None:
    # Llama 3.1 405B as Epoch gives it: 2.7-5.4e25 is above 1e25 entirely.
    p = p_above_interval(3.8e25, 2.7e25, 5.4e25, 1e25, Z)
    assert p > 0.999 and classify(p, DEFAULT) == Classification.ABOVE


def test_point_estimates_are_certain() -> None:
    assert p_above(25.5, 0.0, 1e25) == 1.0 and p_above(24.5, 0.0, 1e25) == 0.0
    assert sigma_of(1e25, 1e25, 1e25, Z) == 0.0


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, ""), (0.8734, "0.873"), (1.0, "1"), (0.0, "0"), (0.5, "0.5"), (-0.0, "0"),
     (-0.0001, "0")],
)  # fmt: skip
def test_probability_cells(value: float | None, text: str) -> None:
    """The text depends on the value alone (cached, so 0.0 and -0.0 must read alike)."""
    assert format_probability(value) == text


@pytest.mark.parametrize(
    ("classification", "confidence", "status"),
    [
        (Classification.ABOVE, "high", "confirmed_above_1e25"),
        (Classification.ABOVE, "medium", "likely_above_1e25"),
        (Classification.ABOVE, "speculative", "likely_above_1e25"),
        (Classification.BELOW, "high", "confirmed_below_1e25"),
        (Classification.BELOW, "low", "likely_below_1e25"),
        (Classification.NOT_SURE, "high", "uncertain"),
        (Classification.NOT_SURE, "speculative", "uncertain"),
    ],
)
def test_status_for(classification: str, confidence: str, status: str) -> None:
    assert status_for(classification, confidence) == status
