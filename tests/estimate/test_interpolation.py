"""Benchmark interpolation: the per-benchmark fit, predictions and their combination."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pipeline.estimate.combination import correlated
from pipeline.estimate.evidence import Evidence
from pipeline.estimate.interpolation import (
    BenchmarkFit,
    Prediction,
    benchmark_order,
    combine,
    fit_benchmarks,
    predict_all,
    spread_slope,
)

BENCH = "src.score"
Z = 1.2816


def line_data(
    scores: list[float],
    slope: float = 0.01,
    intercept: float = 12.0,
    noise: list[float] | None = None,
) -> tuple[dict[str, Evidence], dict[str, float]]:
    """Reference models ``ref_<i>`` with log10 FLOP = intercept + slope * score (+ noise)."""
    noise = noise or [0.0] * len(scores)
    evidence = {
        f"ref_{i}": Evidence(f"ref_{i}", benchmarks={BENCH: s}) for i, s in enumerate(scores)
    }
    references = {
        f"ref_{i}": intercept + slope * s + e
        for i, (s, e) in enumerate(zip(scores, noise, strict=True))
    }
    return evidence, references


def a_fit(**changes: float) -> BenchmarkFit:
    values = dict(benchmark=BENCH, n=10, slope=0.01, intercept=12.0, residual=0.2,
                  mean_x=1200.0, sxx=50_000.0, x_min=1100.0, x_max=1300.0)  # fmt: skip
    values.update(changes)
    return BenchmarkFit(**values)  # type: ignore[arg-type]


def test_fit_recovers_exact_line_with_floored_residual() -> None:
    evidence, references = line_data([1000, 1100, 1200, 1300, 1400])
    fit = fit_benchmarks(evidence, references, min_models=5)[BENCH]
    assert fit.slope == pytest.approx(0.01)
    assert fit.intercept == pytest.approx(12.0)
    assert fit.residual == 0.05
    assert (fit.n, fit.mean_x, fit.sxx, fit.x_min, fit.x_max) == (5, 1200, 100_000, 1000, 1400)


def test_fit_residual_close_to_noise_sd() -> None:
    rng = np.random.default_rng(7)
    scores = list(np.linspace(900, 1400, 400))
    evidence, references = line_data(scores, noise=list(rng.normal(0, 0.4, len(scores))))
    fit = fit_benchmarks(evidence, references, min_models=5)[BENCH]
    assert fit.residual == pytest.approx(0.4, abs=0.04)
    assert fit.slope == pytest.approx(0.01, abs=0.001)


def test_fit_ignores_models_without_known_compute() -> None:
    evidence, references = line_data([1000, 1100, 1200, 1300, 1400])
    evidence["new"] = Evidence("new", benchmarks={BENCH: 5000.0})
    assert fit_benchmarks(evidence, references, min_models=5)[BENCH].n == 5


def test_fit_needs_min_models_references() -> None:
    evidence, references = line_data([1000, 1100, 1200, 1300, 1400])
    assert fit_benchmarks(evidence, references, min_models=6) == {}


@pytest.mark.parametrize("slope", [-0.01, 0.0])
def test_fit_needs_a_rising_trend(slope: float) -> None:
    evidence, references = line_data([1000, 1100, 1200, 1300, 1400], slope=slope)
    assert fit_benchmarks(evidence, references, min_models=5) == {}


def test_fit_needs_spread_in_scores() -> None:
    evidence, references = line_data([1200] * 5)
    assert fit_benchmarks(evidence, references, min_models=5) == {}


def test_predict_se_grows_with_distance_from_mean() -> None:
    fit = a_fit()
    mean, se = fit.predict(np.array([1200.0, 1250.0, 1400.0]))
    assert list(mean) == pytest.approx([24.0, 24.5, 26.0])
    assert se[0] == pytest.approx(0.2 * math.sqrt(1 + 1 / 10))
    assert se[0] < se[1] < se[2]


def test_predict_all_only_requested_keys() -> None:
    evidence = {k: Evidence(k, benchmarks={BENCH: s}) for k, s in [("a", 1200.0), ("b", 1400.0)]}
    evidence["c"] = Evidence("c", benchmarks={"other.score": 1.0})  # no fit for it
    out = predict_all(evidence, {BENCH: a_fit()}, {"b", "c", "missing"})
    assert set(out) == {"b"}
    (prediction,) = out["b"]
    assert (prediction.benchmark, prediction.score, prediction.extrapolated) == (BENCH, 1400, True)
    assert prediction.log_flop == pytest.approx(26.0)


def pred(bench: str, log_flop: float, se: float, extrapolated: bool = False) -> Prediction:
    return Prediction(bench, 1250.0, log_flop, se, extrapolated)


def test_combine_inverse_variance_mean_with_fully_correlated_errors() -> None:
    """The weighted mean's error is the weighted mean of the errors (0.24 for 0.2 and 0.4):
    more than the smallest, unlike independent errors' 0.18."""
    fits = {"a.s": a_fit(benchmark="a.s"), "b.s": a_fit(benchmark="b.s", n=7)}
    result = combine([pred("a.s", 25.0, 0.2), pred("b.s", 26.0, 0.4)], fits, Z)
    log_flop = (25.0 / 0.04 + 26.0 / 0.16) / (1 / 0.04 + 1 / 0.16)  # 25.2
    assert result.method == "benchmark_interpolation"
    assert math.log10(result.flop) == pytest.approx(log_flop)
    assert result.sigma == pytest.approx(0.24)
    assert math.log10(result.low) == pytest.approx(log_flop - Z * 0.24)
    assert math.log10(result.high) == pytest.approx(log_flop + Z * 0.24)
    assert result.confidence == "medium"


def test_correlated_error_is_never_below_the_smallest_single_one() -> None:
    assert correlated([(25.0, 0.3)]) == pytest.approx((25.0, 0.3))
    assert correlated([(25.0, 0.3), (25.0, 0.3)]) == pytest.approx((25.0, 0.3))
    mean, se = correlated([(25.0, 0.2), (26.0, 0.4)])
    assert mean == pytest.approx(25.2)  # weights 25 and 6.25
    assert 0.2 < se < 0.4 and se == pytest.approx(0.24)


def test_combine_reasoning_names_each_benchmark() -> None:
    fits = {"a.s": a_fit(benchmark="a.s"), "b.s": a_fit(benchmark="b.s", n=7)}
    reasoning = combine([pred("a.s", 25.0, 0.2), pred("b.s", 26.0, 0.4, True)], fits, Z).reasoning
    assert "a.s 1250 -> 1e+25 (fit on 10 reference models, residual 0.20 dex)" in reasoning
    assert "b.s 1250 -> 1e+26 (fit on 7 reference models" in reasoning
    assert "outside their score range" in reasoning
    assert "weighted mean 1.58e+25" in reasoning


@pytest.mark.parametrize(
    ("se", "extrapolated", "confidence"),
    [
        (0.2, False, "medium"),
        (0.3, False, "medium"),
        (0.31, False, "low"),
        (0.6, False, "low"),
        (0.61, False, "speculative"),
        (0.2, True, "low"),
        (0.5, True, "low"),
        (0.7, True, "speculative"),
    ],
)
def test_combine_confidence(se: float, extrapolated: bool, confidence: str) -> None:
    result = combine([pred(BENCH, 25.0, se, extrapolated)], {BENCH: a_fit()}, Z)
    assert result.confidence == confidence
    assert ("extrapolated" in result.explanation) is extrapolated


def test_combine_not_extrapolated_when_one_benchmark_is_in_range() -> None:
    fits = {"a.s": a_fit(benchmark="a.s"), "b.s": a_fit(benchmark="b.s")}
    result = combine([pred("a.s", 25.0, 0.2, True), pred("b.s", 25.0, 0.25)], fits, Z)
    assert result.confidence == "medium"


def test_models_with_their_size_in_the_name_get_their_own_offset() -> None:
    """Named-size references one order of magnitude below the others at the same score:
    the fit learns the offset, and each kind of new model is predicted on its own line."""
    scores = [1000, 1100, 1200, 1300, 1400]
    evidence, references = line_data(scores)
    for i, score in enumerate(scores):
        evidence[f"open_{i}_7b"] = Evidence(f"open_{i}_7b", benchmarks={BENCH: score})
        references[f"open_{i}_7b"] = 12.0 + 0.01 * score - 1.0
    named = frozenset({*(k for k in evidence if k.startswith("open_")), "open_new_70b"})
    fit = fit_benchmarks(evidence, references, min_models=5, named=named)[BENCH]
    assert fit.named_shift == pytest.approx(-1.0)
    assert fit.slope == pytest.approx(0.01)
    new = {k: Evidence(k, benchmarks={BENCH: 1250.0}) for k in ("closed", "open_new_70b")}
    out = predict_all(new, {BENCH: fit}, ["closed", "open_new_70b"], named)
    assert out["closed"][0].log_flop == pytest.approx(24.5)
    assert out["open_new_70b"][0].log_flop == pytest.approx(23.5)
    assert out["open_new_70b"][0].named and not out["closed"][0].named


def test_no_offset_without_enough_models_of_each_kind() -> None:
    evidence, references = line_data([1000, 1100, 1200, 1300, 1400])
    fit = fit_benchmarks(evidence, references, min_models=5, named=frozenset({"ref_0"}))[BENCH]
    assert (fit.named_shift, fit.inverse) == (0.0, None)


def test_a_fit_close_to_few_references_is_widened_to_its_leave_one_out() -> None:
    """Six references close to a line but one (the others' residuals alike: no trend of
    the spread): the residual the fit reports is at least the raw one, widened so each
    left-out reference falls in the 80% interval as often as it says."""
    scores = [1000.0, 1050.0, 1100.0, 1150.0, 1200.0, 1250.0]
    offsets = [0.05, -0.05, 0.05, -0.05, 0.6, -0.05]
    evidence = {f"r{i}": Evidence(f"r{i}", [], benchmarks={BENCH: s}) for i, s in enumerate(scores)}
    references = {
        f"r{i}": 12 + 0.01 * s + o for i, (s, o) in enumerate(zip(scores, offsets, strict=True))
    }
    fit = fit_benchmarks(evidence, references, min_models=5)[BENCH]
    x = np.array(scores)
    y = np.array([references[f"r{i}"] for i in range(6)])
    slope, intercept = np.polyfit(x, y, 1)
    raw = math.sqrt(float(((y - (intercept + slope * x)) ** 2).sum()) / 4)
    assert fit.residual > raw * 1.05


def spread_data(trend: float, n: int = 300, seed: int = 3) -> tuple[dict, dict[str, float]]:
    """References on a line whose noise has the spread 0.3 * exp(trend * (score - 1150))."""
    rng = np.random.default_rng(seed)
    scores = list(np.linspace(900, 1400, n))
    noise = [0.3 * math.exp(trend * (s - 1150)) * rng.normal() for s in scores]
    return line_data(scores, noise=noise)


def test_a_spread_narrowing_with_the_score_is_fitted() -> None:
    """Noise four times narrower at the top than at the bottom of the scores: the fit
    finds the trend, and a high score's interval is narrower than a low one's."""
    evidence, references = spread_data(-math.log(4) / 500)
    fit = fit_benchmarks(evidence, references, min_models=5)[BENCH]
    assert fit.spread_slope == pytest.approx(-math.log(4) / 500, rel=0.3)
    assert fit.slope == pytest.approx(0.01, abs=0.001)
    _, (low_se, high_se) = fit.predict(np.array([950.0, 1350.0]))
    assert high_se < low_se / 2
    assert fit.as_json()["spread_per_100_points"] == pytest.approx(fit.spread_slope * 100, abs=1e-4)


def test_a_constant_spread_has_no_trend() -> None:
    evidence, references = spread_data(0.0)
    fit = fit_benchmarks(evidence, references, min_models=5)[BENCH]
    assert (fit.spread_slope, fit.inverse) == (0.0, None)
    assert fit.residual == pytest.approx(0.3, abs=0.04)


def test_the_spread_trend_stops_at_the_reference_scores() -> None:
    fit = a_fit(spread_slope=-0.005, inverse=((0.1, 0.0), (0.0, 1 / 50_000)))
    assert fit.spread(np.array([1300.0, 1500.0, 900.0])) == pytest.approx(
        [math.exp(-0.5), math.exp(-0.5), math.exp(0.5)]
    )


def test_spread_slope_of_exact_residuals_is_zero_and_finite() -> None:
    centred = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    assert spread_slope(centred, np.zeros(5)) == 0.0
    assert spread_slope(np.zeros(5), np.ones(5)) == 0.0


def test_a_fit_with_a_trend_but_no_offset_does_not_mark_named_models() -> None:
    evidence, references = spread_data(-math.log(4) / 500)
    fit = fit_benchmarks(evidence, references, min_models=5)[BENCH]
    assert fit.inverse is not None and not fit.grouped
    new = {"new_7b": Evidence("new_7b", benchmarks={BENCH: 1250.0})}
    (prediction,) = predict_all(new, {BENCH: fit}, ["new_7b"], frozenset({"new_7b"}))["new_7b"]
    assert not prediction.named


def test_a_part_of_the_keys_predicted_in_the_order_of_the_whole() -> None:
    """Estimated in parts (on two cores), a model's benchmarks keep the order they have
    among all the keys estimated together, not among its part's."""
    evidence = {
        "first": Evidence("first", benchmarks={"b.s": 1250.0}),
        "second": Evidence("second", benchmarks={"a.s": 1200.0, "b.s": 1250.0}),
    }
    fits = {"a.s": a_fit(benchmark="a.s"), "b.s": a_fit(benchmark="b.s")}
    keys = list(evidence)
    whole = predict_all(evidence, fits, keys)["second"]
    assert [p.benchmark for p in whole] == ["b.s", "a.s"]
    alone = predict_all(evidence, fits, ["second"])["second"]
    assert [p.benchmark for p in alone] == ["a.s", "b.s"]
    order = benchmark_order(evidence, keys)
    assert order == ["b.s", "a.s"]
    assert predict_all(evidence, fits, ["second"], order=order)["second"] == whole
