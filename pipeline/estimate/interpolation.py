"""Benchmark interpolation: a log-linear fit of log10 FLOP on a benchmark score.

For each benchmark (``source.benchmark``) with enough reference models — models of known
compute that the source also scores — ordinary least squares gives
``log10 FLOP = intercept + slope * score``. The residual standard deviation of that fit,
widened for the distance from the reference scores' mean (the usual prediction error),
is the standard error of a new model's estimate. When the references include models
whose size is in their name (open weights, mostly) and models whose size is not, the fit
gains an offset for the first kind: at the same score they were trained with less compute,
and a single line would put the others too low. When the residuals' spread changes with
the score (Harvey's test on ln(residual^2)), the spread is log-linear in the score, the line
is fitted again with weights 1 / spread^2, and a new model's standard error follows the
spread at its score (within the reference scores). Several benchmarks are combined by
inverse-variance weights; because they measure the same model (often the same votes),
their errors are taken as fully correlated: the combined error is the weighted mean of the
single errors, not smaller than the smallest (the reference models' leave-one-out errors
agree: their share inside the combined 80% interval is then the one it states).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain
from statistics import NormalDist
from typing import NamedTuple

import numpy as np

from pipeline.estimate.combination import correlated
from pipeline.estimate.evidence import Evidence
from pipeline.estimate.result import MethodResult, confidence_for, fmt
from pipeline.values import MAX_FLOP

METHOD = "benchmark_interpolation"
MAX_LOG_FLOP = math.log10(MAX_FLOP)


@dataclass(frozen=True)
class BenchmarkFit:
    benchmark: str
    n: int
    slope: float
    intercept: float
    residual: float
    mean_x: float
    sxx: float
    x_min: float
    x_max: float
    named_shift: float = 0.0  # log10 FLOP offset of a model whose size is in its name
    # (X'WX)^-1 of the design [1, score - mean_x(, named)] when the fit has the offset or a
    # spread trend (W: the weights 1 / spread(score)^2)
    inverse: tuple[tuple[float, ...], ...] | None = None
    # the trend of the residual's spread with the score: d ln(spread) / d score (0: constant)
    spread_slope: float = 0.0

    @property
    def grouped(self) -> bool:
        """Whether the fit has the offset for models whose size is in their name."""
        return self.inverse is not None and len(self.inverse) == 3

    def spread(self, scores: np.ndarray) -> np.ndarray:
        """The residual's spread at each score relative to its spread at the mean score
        (the trend is not carried beyond the reference scores)."""
        if not self.spread_slope:
            return np.ones_like(scores)
        return np.exp(self.spread_slope * (np.clip(scores, self.x_min, self.x_max) - self.mean_x))

    def predict(
        self, scores: np.ndarray, named: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Mean log10 FLOP and its standard error for each score (``named``: 1 where the
        model's size is in its name)."""
        named = np.zeros_like(scores) if named is None else named
        if self.inverse is None:
            mean = self.intercept + self.slope * scores
            se = self.residual * np.sqrt(1 + 1 / self.n + (scores - self.mean_x) ** 2 / self.sxx)
            return mean, se
        mean = self.intercept + self.slope * scores + self.named_shift * named
        columns = [np.ones_like(scores), scores - self.mean_x, *([named] if self.grouped else [])]
        design = np.column_stack(columns)
        leverage = np.einsum("ij,jk,ik->i", design, np.array(self.inverse), design)
        return mean, self.residual * np.sqrt(self.spread(scores) ** 2 + leverage)

    def as_json(self) -> dict[str, float | int | str | list[float]]:
        return {"benchmark": self.benchmark, "reference_models": self.n,
                "slope": round(self.slope, 6), "intercept": round(self.intercept, 4),
                "named_size_shift": round(self.named_shift, 4),
                "residual_dex": round(self.residual, 3),
                "spread_per_100_points": round(self.spread_slope * 100, 4),
                "score_range": [self.x_min, self.x_max]}  # fmt: skip


def _scores_by_benchmark(evidence: dict[str, Evidence]) -> dict[str, tuple[list[str], list[float]]]:
    table: dict[str, tuple[list[str], list[float]]] = defaultdict(lambda: ([], []))
    for key, item in evidence.items():
        for bench, score in item.benchmarks.items():
            keys, scores = table[bench]
            keys.append(key)
            scores.append(score)
    return table


def reference_scores(
    evidence: dict[str, Evidence], keys: Iterable[str]
) -> dict[str, tuple[list[str], list[float]]]:
    """Per benchmark, the scores of ``keys`` (the reference models): what the fits need."""
    return _scores_by_benchmark({k: evidence[k] for k in keys if k in evidence})


def fit_benchmarks(
    evidence: dict[str, Evidence] | dict[str, tuple[list[str], list[float]]],
    references: dict[str, float],
    min_models: int,
    *,
    table: dict[str, tuple[list[str], list[float]]] | None = None,
    named: frozenset[str] = frozenset(),
) -> dict[str, BenchmarkFit]:
    """Fits for every benchmark with at least ``min_models`` references and a rising trend
    (``table``: the scores by benchmark, when already gathered by ``reference_scores``;
    ``named``: the keys whose size is in their name, which get the offset when at least
    ``MIN_GROUP`` references of each kind have the score)."""
    fits: dict[str, BenchmarkFit] = {}
    if table is None:
        table = _scores_by_benchmark(evidence)  # type: ignore[arg-type]
    for bench, (keys, scores) in table.items():
        pairs = [
            (s, references[k], float(k in named))
            for k, s in zip(keys, scores, strict=True)
            if k in references
        ]
        if len(pairs) < min_models:
            continue
        x, y, flag = (np.array(column) for column in zip(*pairs, strict=True))
        sxx = float(((x - x.mean()) ** 2).sum())
        if sxx == 0:
            continue
        fit = _fit(bench, x, y, flag, sxx)
        if fit is not None:
            fits[bench] = fit
    return fits


MIN_GROUP = 3  # references of each kind (size in the name or not) for the offset


def _fit(bench: str, x: np.ndarray, y: np.ndarray, flag: np.ndarray, sxx: float):
    """The least-squares line (with the named-size offset when both kinds are there), or
    None when the score does not rise with compute (it then says nothing about it). When
    the residuals' spread changes with the score, the line is fitted again weighting each
    reference by the inverse of its spread's square (feasible weighted least squares)."""
    grouped = min(flag.sum(), len(flag) - flag.sum()) >= MIN_GROUP
    design = np.column_stack([np.ones_like(x), x - x.mean(), *([flag] if grouped else [])])
    inverse = np.linalg.inv(design.T @ design)
    coef = inverse @ design.T @ y
    if coef[1] <= 0:
        return None
    residuals = y - design @ coef
    dof = len(y) - design.shape[1]
    trend = spread_slope(x - x.mean(), residuals)
    if trend:
        root = np.exp(-trend * (x - x.mean()))  # the square root of each reference's weight
        design, y = design * root[:, None], y * root
        inverse = np.linalg.inv(design.T @ design)
        coef = inverse @ design.T @ y
        if coef[1] <= 0:
            return None
        residuals = y - design @ coef  # in units of each reference's own spread
    residual = math.sqrt(float((residuals**2).sum()) / dof) * _loo_scale(
        residuals, np.einsum("ij,jk,ik->i", design, inverse, design), dof
    )
    slope, intercept = float(coef[1]), float(coef[0] - coef[1] * x.mean())
    keep = grouped or bool(trend)
    return BenchmarkFit(
        bench, len(y), slope, intercept, max(residual, 0.05), float(x.mean()), sxx,
        float(x.min()), float(x.max()),
        named_shift=float(coef[2]) if grouped else 0.0,
        inverse=tuple(tuple(float(v) for v in row) for row in inverse) if keep else None,
        spread_slope=trend,
    )  # fmt: skip


SMALLEST_RESIDUAL = 0.01  # dex: a residual of exactly zero has no logarithm
# ln(residual^2) of normal residuals with a constant spread varies as ln of a chi-square
# with one degree of freedom: variance pi^2 / 2 (Harvey's test of a multiplicative trend)
LOG_SQUARE_VARIANCE = math.pi**2 / 2
TREND_Z = NormalDist().inv_cdf(0.975)  # a trend is kept when significant at 5%


def spread_slope(centred: np.ndarray, residuals: np.ndarray) -> float:
    """The trend of the residuals' spread with the score, d ln(spread) / d score: half the
    least-squares slope of ln(residual^2) on the (centred) score — the first step of
    feasible generalised least squares with a log-linear variance — or 0 when the slope
    is within the noise of a constant spread (Harvey's test, 5%)."""
    sxx = float((centred**2).sum())
    if sxx == 0:
        return 0.0
    logs = np.log(np.maximum(residuals**2, SMALLEST_RESIDUAL**2))
    slope = float((centred * (logs - logs.mean())).sum() / sxx)
    if abs(slope) * math.sqrt(sxx / LOG_SQUARE_VARIANCE) < TREND_Z:
        return 0.0
    return slope / 2


LOO_SHARE = 0.8  # the share of left-out references the residual's 80% interval must hold


def _loo_scale(residuals: np.ndarray, leverage: np.ndarray, dof: int) -> float:
    """How much wider the residual must be for a fit's own references, each left out in
    turn, to fall inside the 80% interval of the fit made without them as often as it
    says (the externally studentised residuals). A fit on few references can lie closer
    to them than to a new model; this is what widens it. At least 1."""
    if dof < 2 or np.any(leverage >= 1):
        return 1.0
    loo = residuals / (1 - leverage)
    others = (float((residuals**2).sum()) - residuals**2 / (1 - leverage)) / (dof - 1)
    studentised = np.abs(loo) / np.sqrt(np.maximum(others, 1e-12) / (1 - leverage))
    z = NormalDist().inv_cdf((1 + LOO_SHARE) / 2)
    return max(1.0, float(np.quantile(studentised, LOO_SHARE)) / z)


class Prediction(NamedTuple):  # a tuple: made for every model and benchmark
    benchmark: str
    score: float
    log_flop: float
    se: float
    extrapolated: bool
    named: bool = False  # the size is in the model's name


def predict_all(
    evidence: dict[str, Evidence],
    fits: dict[str, BenchmarkFit],
    keys: list[str] | None = None,
    named: frozenset[str] = frozenset(),
    order: list[str] | None = None,
) -> dict[str, list[Prediction]]:
    """Per key, one prediction per fitted benchmark it has (vectorised per benchmark;
    ``named``: the keys whose size is in their name). The order of ``keys`` (or of
    ``evidence``) fixes the order of benchmarks, so the same input gives the same
    reasoning text in every process; ``order`` (:func:`benchmark_order` of more keys)
    gives that of a larger set of keys instead."""
    table = _scores_by_benchmark(
        evidence if keys is None else {k: evidence[k] for k in keys if k in evidence}
    )
    out: dict[str, list[Prediction]] = defaultdict(list)
    benches = table if order is None else [bench for bench in order if bench in table]
    for bench in benches:
        bench_keys, scores = table[bench]
        fit = fits.get(bench)
        if fit is None:
            continue
        x = np.array(scores)
        mean, se = fit.predict(x, np.array([float(k in named) for k in bench_keys]))
        outside = (x < fit.x_min) | (x > fit.x_max)
        grouped = fit.grouped
        rows = zip(bench_keys, scores, mean.tolist(), se.tolist(), outside.tolist(), strict=True)
        for key, score, log_flop, error, beyond in rows:
            if not 0 < log_flop < MAX_LOG_FLOP:
                continue  # an absurd score; no estimate rather than an impossible one
            out[key].append(
                Prediction(bench, score, log_flop, error, beyond, grouped and key in named)
            )
    return out


def benchmark_order(evidence: dict[str, Evidence], keys: list[str]) -> list[str]:
    """The benchmarks of ``keys`` in the order :func:`predict_all` meets them."""
    return list(
        dict.fromkeys(chain.from_iterable(evidence[k].benchmarks for k in keys if k in evidence))
    )


REASONING = "Log-linear interpolation of log10 FLOP on benchmark scores: "


def weighted(predictions: list[Prediction]) -> tuple[float, float, bool]:
    """The inverse-variance weighted mean of ``predictions`` (log10 FLOP), its standard error
    (errors fully correlated) and whether every prediction lies beyond its fit's scores."""
    log_flop, se = correlated([(p.log_flop, p.se) for p in predictions])
    return log_flop, se, all(p.extrapolated for p in predictions)


def fit_note(fit: BenchmarkFit, named: bool, extrapolated: bool) -> str:
    """What the reasoning says of the fit behind one benchmark's prediction."""
    return (
        f" (fit on {fit.n} reference models, residual {fit.residual:.2f} dex"
        f"{f', size in the name {fit.named_shift:+.2f} dex' if named else ''}"
        f"{', outside their score range' if extrapolated else ''})"
    )


def confidence_of(se: float, extrapolated: bool) -> tuple[str, str]:
    """The confidence word and its explanation of a combined prediction."""
    level = confidence_for(se)
    if extrapolated and level == "medium":
        level = "low"
    explanation = (
        f"Benchmark interpolation, standard error {se:.2f} dex"
        f"{' (extrapolated beyond the reference scores)' if extrapolated else ''}"
    )
    return level, explanation


def combine(predictions: list[Prediction], fits: dict[str, BenchmarkFit], z: float) -> MethodResult:
    """One model's predictions combined (``batch.Batch.interpolated`` writes the same text
    for many models at once)."""
    log_flop, se, extrapolated = weighted(predictions)
    flop = 10**log_flop
    low, high = 10 ** (log_flop - z * se), 10 ** (log_flop + z * se)
    parts = [
        f"{p.benchmark} {p.score:g} -> {fmt(10**p.log_flop)}"
        f"{fit_note(fits[p.benchmark], p.named, p.extrapolated)}"
        for p in predictions
    ]
    combined = f"; weighted mean {fmt(flop)}" if len(predictions) > 1 else ""
    reasoning = f"{REASONING}{'; '.join(parts)}{combined}"
    confidence, explanation = confidence_of(se, extrapolated)
    return MethodResult(METHOD, flop, low, high, confidence, explanation, reasoning, sigma=se)
