"""The learnt size fits: log10 FLOP on size and date, and on size and benchmark score."""

from __future__ import annotations

import math

import pytest

from pipeline.estimate.heuristics import Size
from pipeline.estimate.sizefit import (
    SizeFit,
    SizeReference,
    estimate_scored,
    fit_linear,
    fit_scored,
)

Z = 1.2816
SIZES = (7e9, 70e9, 8e9, 70e9, 405e9, 13e9)


def law(active: float, year: float) -> float:
    """Reference compute: 20 tokens per parameter in 2022, ten times more each year."""
    return math.log10(6 * active * 20 * active) + (year - 2022)


def references(noise: float = 0.0) -> list[SizeReference]:
    out = []
    for i, (active, year) in enumerate(
        [(7e9, 2023.5), (70e9, 2023.5), (8e9, 2024.5), (70e9, 2024.5), (405e9, 2024.5),
         (13e9, 2022.5), (34e9, 2023.0), (3e9, 2025.0)]
    ):  # fmt: skip
        wiggle = noise * (1 if i % 2 else -1)
        out.append(SizeReference(f"m{i}", active, year, law(active, year) + wiggle))
    return out


def test_linear_fit_recovers_an_exact_law() -> None:
    fit = fit_linear([[1.0, x] for x in range(6)], [2 + 3 * x for x in range(6)], 5)
    assert fit is not None and fit.coef == pytest.approx((2, 3))
    assert fit.residual == 0.05  # floor: a perfect fit still admits some error


def test_linear_fit_needs_enough_models() -> None:
    assert fit_linear([[1.0, 1.0]] * 3, [1.0] * 3, 5) is None
    assert fit_linear([[1.0, 1.0]] * 6, [1.0] * 6, 5) is None  # singular design


def test_dated_fit_learns_the_tokens_of_the_era() -> None:
    fit = SizeFit.learn(references(), 5)
    result = fit.estimate(Size(70e9, 70e9, "70b"), 2024.5, "2024", Z)
    assert result is not None
    assert result.log_flop == pytest.approx(law(70e9, 2024.5), abs=0.01)
    assert "a model of 2024" in result.reasoning and "fitted on size and date" in result.reasoning


def test_undated_model_uses_the_undated_fit_not_the_newest_era() -> None:
    fit = SizeFit.learn(references(noise=0.05), 5)
    size = Size(70e9, 70e9, "70b")
    undated = fit.estimate(size, None, "", Z)
    newest = fit.estimate(size, 2025.0, "2025", Z)
    assert undated is not None and newest is not None
    assert undated.log_flop < newest.log_flop
    assert undated.sigma > newest.sigma  # not knowing the date is uncertainty
    assert "unknown date" in undated.reasoning


def test_undated_only_when_too_few_dated_references() -> None:
    refs = [SizeReference(r.key, r.active, None, r.log_flop) for r in references()]
    fit = SizeFit.learn(refs, 5)
    assert fit.dated is None and fit.undated is not None
    assert fit.estimate(Size(7e9, 7e9, "7b"), 2024.0, "2024", Z) is None


def test_moe_guess_is_at_best_low_confidence() -> None:
    fit = SizeFit.learn(references(), 5)
    result = fit.estimate(Size(56e9, 14e9, "8x7b", moe_guess=True), 2024.0, "2024", Z)
    assert result is not None and result.confidence in ("low", "speculative")
    assert result.parameters == 56e9


def test_size_and_score_fit_per_benchmark() -> None:
    scores = {"m0": 1000.0, "m1": 1100.0, "m2": 1150.0, "m3": 1250.0, "m4": 1300.0, "m5": 1050.0}
    sizes = {k: Size(n, n, "x") for k, n in zip(scores, SIZES, strict=True)}
    truth = {k: 10 + math.log10(sizes[k].active) * 0.5 + scores[k] / 200 for k in scores}
    table = {"src.score": (list(scores), list(scores.values()))}
    fits = fit_scored(table, truth, sizes, 5)
    result = estimate_scored(Size(30e9, 30e9, "30b"), {"src.score": 1200.0}, fits, Z)
    assert result is not None and result.method == "size_and_benchmark"
    assert result.log_flop == pytest.approx(10 + math.log10(30e9) * 0.5 + 6, abs=0.01)
    assert estimate_scored(Size(30e9, 30e9, "30b"), {"other.score": 1.0}, fits, Z) is None
