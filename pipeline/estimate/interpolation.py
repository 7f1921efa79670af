"""Benchmark interpolation: a log-linear fit of log10 FLOP on a benchmark score.

For each benchmark (``source.benchmark``) with enough reference models — models of known
compute that the source also scores — ordinary least squares gives
``log10 FLOP = intercept + slope * score``. The residual standard deviation of that fit,
widened for the distance from the reference scores' mean (the usual prediction error),
is the standard error of a new model's estimate. When the references include models
whose size is in their name (open weights, mostly) and models whose size is not, the fit
gains an offset for the first kind: at the same score they were trained with less compute,
and a single line would put the others too low. Several benchmarks are combined by
inverse-variance weights; because they measure the same model (often the same votes), the
combined error is the smallest single error, not a smaller one.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from statistics import NormalDist
from typing import NamedTuple

import numpy as np

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
    # (X'X)^-1 of the design [1, score - mean_x, named] when the fit has the offset
    inverse: tuple[tuple[float, ...], ...] | None = None

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
        design = np.column_stack([np.ones_like(scores), scores - self.mean_x, named])
        leverage = np.einsum("ij,jk,ik->i", design, np.array(self.inverse), design)
        return mean, self.residual * np.sqrt(1 + leverage)

    def as_json(self) -> dict[str, float | int | str | list[float]]:
        return {"benchmark": self.benchmark, "reference_models": self.n,
                "slope": round(self.slope, 6), "intercept": round(self.intercept, 4),
                "named_size_shift": round(self.named_shift, 4),
                "residual_dex": round(self.residual, 3),
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
    None when the score does not rise with compute (it then says nothing about it)."""
    grouped = min(flag.sum(), len(flag) - flag.sum()) >= MIN_GROUP
    design = np.column_stack([np.ones_like(x), x - x.mean(), *([flag] if grouped else [])])
    inverse = np.linalg.inv(design.T @ design)
    coef = inverse @ design.T @ y
    if coef[1] <= 0:
        return None
    residuals = y - design @ coef
    dof = len(y) - design.shape[1]
    residual = math.sqrt(float((residuals**2).sum()) / dof) * _loo_scale(
        residuals, np.einsum("ij,jk,ik->i", design, inverse, design), dof
    )
    slope, intercept = float(coef[1]), float(coef[0] - coef[1] * x.mean())
    return BenchmarkFit(
        bench, len(y), slope, intercept, max(residual, 0.05), float(x.mean()), sxx,
        float(x.min()), float(x.max()),
        named_shift=float(coef[2]) if grouped else 0.0,
        inverse=tuple(tuple(float(v) for v in row) for row in inverse) if grouped else None,
    )  # fmt: skip


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
) -> dict[str, list[Prediction]]:
    """Per key, one prediction per fitted benchmark it has (vectorised per benchmark;
    ``named``: the keys whose size is in their name). The order of ``keys`` (or of
    ``evidence``) fixes the order of benchmarks, so the same input gives the same
    reasoning text in every process."""
    table = _scores_by_benchmark(
        evidence if keys is None else {k: evidence[k] for k in keys if k in evidence}
    )
    out: dict[str, list[Prediction]] = defaultdict(list)
    for bench, (bench_keys, scores) in table.items():
        fit = fits.get(bench)
        if fit is None:
            continue
        x = np.array(scores)
        mean, se = fit.predict(x, np.array([float(k in named) for k in bench_keys]))
        outside = (x < fit.x_min) | (x > fit.x_max)
        grouped = fit.inverse is not None
        rows = zip(bench_keys, scores, mean.tolist(), se.tolist(), outside.tolist(), strict=True)
        for key, score, log_flop, error, beyond in rows:
            if not 0 < log_flop < MAX_LOG_FLOP:
                continue  # an absurd score; no estimate rather than an impossible one
            out[key].append(
                Prediction(bench, score, log_flop, error, beyond, grouped and key in named)
            )
    return out


def _confidence(se: float, extrapolated: bool) -> str:
    level = confidence_for(se)
    if extrapolated and level == "medium":
        level = "low"
    return level


def combine(predictions: list[Prediction], fits: dict[str, BenchmarkFit], z: float) -> MethodResult:
    """One model's predictions combined (``batch.Batch.interpolated`` writes the same text
    for many models at once)."""
    weights = [1 / p.se**2 for p in predictions]
    log_flop = sum(w * p.log_flop for w, p in zip(weights, predictions, strict=True)) / sum(weights)
    se = min(p.se for p in predictions)
    extrapolated = all(p.extrapolated for p in predictions)
    flop = 10**log_flop
    low, high = 10 ** (log_flop - z * se), 10 ** (log_flop + z * se)
    parts = [
        f"{p.benchmark} {p.score:g} -> {fmt(10**p.log_flop)} (fit on {fits[p.benchmark].n} "
        f"reference models, residual {fits[p.benchmark].residual:.2f} dex"
        f"{f', size in the name {fits[p.benchmark].named_shift:+.2f} dex' if p.named else ''}"
        f"{', outside their score range' if p.extrapolated else ''})"
        for p in predictions
    ]
    combined = f"; weighted mean {fmt(flop)}" if len(predictions) > 1 else ""
    reasoning = (
        f"Log-linear interpolation of log10 FLOP on benchmark scores: {'; '.join(parts)}{combined}"
    )
    confidence = _confidence(se, extrapolated)
    explanation = (
        f"Benchmark interpolation, standard error {se:.2f} dex"
        f"{' (extrapolated beyond the reference scores)' if extrapolated else ''}"
    )
    return MethodResult(METHOD, flop, low, high, confidence, explanation, reasoning, sigma=se)
