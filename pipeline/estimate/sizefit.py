"""Size and date: a fit learnt from the reference models, instead of assumed token counts.

Over the models of known compute whose size is known (from the name, or the known
parameters), ordinary least squares gives
``log10 FLOP = a + b x log10 N_active + c x (year - 2024)`` (the *dated* fit, over the
references with a release date) and ``log10 FLOP = a + b x log10 N_active`` (the *undated*
fit, over all of them). A dated model uses the dated fit; an undated one the undated fit,
whose wider residual spread says that its date, hence its token count, is unknown — it
never silently gets the newest era's tokens. The standard error is the usual prediction
error of a linear fit.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from pipeline.estimate.combination import correlated
from pipeline.estimate.heuristics import Size, describe_size, size_source
from pipeline.estimate.result import MethodResult, confidence_for, count

METHOD = "parameter_heuristic"
Dated = tuple[Size, float | None, str]  # a model's size, year (None: undated), date text
# A fit, whether it uses the date, the models it predicts, their means and standard errors
SizedPredictions = tuple["LinearFit", bool, list[tuple[str, Dated]], list[float], list[float]]
BASE_YEAR = 2024.0


@dataclass(frozen=True)
class LinearFit:
    """``y = features @ coef`` with its residual spread and the (X'X)^-1 for prediction."""

    coef: tuple[float, ...]
    inverse: tuple[tuple[float, ...], ...]
    residual: float
    n: int

    def predict(self, features: list[float]) -> tuple[float, float]:
        """Mean and standard error at ``features`` (plain Python: called once per model)."""
        mean = sum(c * f for c, f in zip(self.coef, features, strict=True))
        leverage = sum(
            fi * sum(v * fj for v, fj in zip(row, features, strict=True))
            for fi, row in zip(features, self.inverse, strict=True)
        )
        return mean, self.residual * math.sqrt(1 + leverage)

    def predict_many(self, columns: list[np.ndarray]) -> tuple[list[float], list[float]]:
        """:meth:`predict` for many models at once (``columns``: one array per feature),
        with the same operations in the same order, so the same floats."""
        mean: np.ndarray | float = 0.0
        for c, f in zip(self.coef, columns, strict=True):
            mean = mean + c * f
        leverage: np.ndarray | float = 0.0
        for fi, row in zip(columns, self.inverse, strict=True):
            inner: np.ndarray | float = 0.0
            for v, fj in zip(row, columns, strict=True):
                inner = inner + v * fj
            leverage = leverage + fi * inner
        se = self.residual * np.sqrt(1 + np.asarray(leverage))
        return np.asarray(mean).tolist(), se.tolist()


def fit_linear(rows: list[list[float]], y: list[float], min_models: int) -> LinearFit | None:
    """Least squares of ``y`` on ``rows``; None with too few rows or a singular design."""
    n, k = len(rows), len(rows[0]) if rows else 0
    if n < max(min_models, k + 2):
        return None
    x, target = np.array(rows), np.array(y)
    try:
        inverse = np.linalg.inv(x.T @ x)
    except np.linalg.LinAlgError:
        return None
    coef = inverse @ x.T @ target
    residuals = target - x @ coef
    residual = math.sqrt(float((residuals**2).sum()) / (n - k))
    return LinearFit(
        tuple(float(c) for c in coef),
        tuple(tuple(float(v) for v in row) for row in inverse),
        max(residual, 0.05),
        n,
    )


@dataclass(frozen=True)
class SizeReference:
    key: str
    active: float
    year: float | None
    log_flop: float
    size: Size | None = None


def _features(active: float, year: float | None) -> list[float]:
    base = [1.0, math.log10(active) - 10]
    return base if year is None else [*base, year - BASE_YEAR]


@dataclass(frozen=True)
class SizeFit:
    dated: LinearFit | None
    undated: LinearFit | None

    @classmethod
    def learn(cls, references: list[SizeReference], min_models: int) -> SizeFit:
        dated = [r for r in references if r.year is not None]
        return cls(
            fit_linear([_features(r.active, r.year) for r in dated],
                       [r.log_flop for r in dated], min_models),
            fit_linear([_features(r.active, None) for r in references],
                       [r.log_flop for r in references], min_models),
        )  # fmt: skip

    def estimate(
        self, size: Size, year: float | None, date_text: str, z: float
    ) -> MethodResult | None:
        fit = self.dated if year is not None else self.undated
        if fit is None:
            return None
        log_flop, se = fit.predict(_features(size.active, year))
        return _sized_result(fit, size, year, date_text, log_flop, se, z)

    def estimate_many(self, models: dict[str, Dated], z: float) -> dict[str, MethodResult]:
        """:meth:`estimate` of every model (key -> size, year, date text)."""
        out: dict[str, MethodResult] = {}
        for fit, _, group, means, ses in self.predicted(models):
            for (key, (size, year, text)), log_flop, se in zip(group, means, ses, strict=True):
                out[key] = _sized_result(fit, size, year, text, log_flop, se, z)
        return out

    def predicted(self, models: dict[str, Dated]) -> Iterator[SizedPredictions]:
        """Each fit (by size and date, then by size alone) with the models (key -> size, year,
        date text) it predicts, and their means and standard errors: one array pass a fit."""
        for fit, dated in ((self.dated, True), (self.undated, False)):
            group = [(k, m) for k, m in models.items() if (m[1] is not None) == dated]
            if fit is None or not group:
                continue
            columns = [np.ones(len(group)),
                       np.array([math.log10(m[0].active) for _, m in group]) - 10]  # fmt: skip
            if dated:
                columns.append(np.array([m[1] for _, m in group]) - BASE_YEAR)
            means, ses = fit.predict_many(columns)
            yield fit, dated, group, means, ses


def _sized_result(
    fit: LinearFit,
    size: Size,
    year: float | None,
    date_text: str,
    log_flop: float,
    se: float,
    z: float,
) -> MethodResult:
    """The size-and-date result of a prediction ``log_flop`` +/- ``se`` of ``fit``
    (``batch.Batch.sized`` makes the same text for many models at once)."""
    dated = year is not None
    reasoning = sized_reasoning(
        describe_size(size), when(date_text if dated else None), fitted_on(fit, dated),
        log_flop, size.active,
    )  # fmt: skip
    return MethodResult.normal(
        METHOD, log_flop, se, z, confidence=sized_confidence(se, size),
        explanation=sized_explanation(size, dated), reasoning=reasoning,
        parameters=size.total, parameter_source=size_source(size),
    )  # fmt: skip


def when(date_text: str | None) -> str:
    """The model's date as the size-and-date reasoning says it."""
    return f"a model of {date_text}" if date_text is not None else "a model of unknown date"


def fitted_on(fit: LinearFit, dated: bool) -> str:
    """The size-and-date reasoning's words for the fit."""
    return (
        f"; log10 FLOP fitted on {'size and date' if dated else 'size alone'} over "
        f"{fit.n} reference models: "
    )


def sized_reasoning(described: str, when: str, fitted: str, log_flop: float, active: float) -> str:
    """The size-and-date reasoning: the size, the date, the fit and the tokens it implies."""
    tokens = 10**log_flop / (6 * active)
    return (
        f"{described}; {when}{fitted}{10**log_flop:.2e} FLOP, i.e. {count(tokens)} training "
        f"tokens ({tokens / active:.0f} per active parameter)"
    )


def sized_confidence(se: float, size: Size) -> str:
    """The size-and-date confidence: a guessed mixture-of-experts size is never medium."""
    confidence = confidence_for(se)
    return "low" if size.moe_guess and confidence == "medium" else confidence


def sized_explanation(size: Size, dated: bool) -> str:
    return (
        f"Size from {_origin(size)} and a fit on the reference models' size and date"
        if dated
        else f"Size from {_origin(size)}, date unknown: fit on the reference models' size"
    )


def _origin(size: Size) -> str:
    """Where a size comes from, for an explanation."""
    return f"the parameters ({size.source})" if size.source else "the name"


SCORED = "size_and_benchmark"
SCORE_CENTRE, SCORE_SCALE = 1200.0, 100.0


def _scored_features(active: float, score: float) -> list[float]:
    return [1.0, math.log10(active) - 10, (score - SCORE_CENTRE) / SCORE_SCALE]


def fit_scored(
    table: dict[str, tuple[list[str], list[float]]],
    references: dict[str, float],
    sizes: dict[str, Size],
    min_models: int,
) -> dict[str, LinearFit]:
    """Per benchmark, ``log10 FLOP = a + b x log10 N_active + c x score`` over the reference
    models with a size and a score: the score stands for what the size alone does not say
    (how long, on how much data, the model was trained)."""
    fits = {}
    for bench, (keys, scores) in table.items():
        rows, y = [], []
        for key, score in zip(keys, scores, strict=True):
            if key in references and key in sizes:
                rows.append(_scored_features(sizes[key].active, score))
                y.append(references[key])
        if (fit := fit_linear(rows, y, min_models)) is not None:
            fits[bench] = fit
    return fits


def estimate_scored(
    size: Size, benchmarks: dict[str, float], fits: dict[str, LinearFit], z: float
) -> MethodResult | None:
    """The size-and-score fits of every benchmark the model has, inverse-variance weighted;
    their errors are taken as fully correlated (the benchmarks measure the same model)."""
    found = [
        (bench, benchmarks[bench], *fits[bench].predict(_scored_features(size.active, score)))
        for bench, score in sorted(benchmarks.items())
        if bench in fits
    ]
    return _scored_result(size, found, fits, z) if found else None


def estimate_scored_many(
    models: dict[str, tuple[Size, dict[str, float]]], fits: dict[str, LinearFit], z: float
) -> dict[str, MethodResult]:
    """:func:`estimate_scored` of every model (key -> size, benchmark scores)."""
    found: dict[str, list[tuple[str, float, float, float]]] = {}
    for bench, group, means, ses in scored_predictions(models, fits):
        for (key, _, value), mean, se in zip(group, means, ses, strict=True):
            found.setdefault(key, []).append((bench, value, mean, se))
    return {key: _scored_result(models[key][0], rows, fits, z) for key, rows in found.items()}


def scored_predictions(
    models: dict[str, tuple[Size, dict[str, float]]], fits: dict[str, LinearFit]
) -> Iterator[tuple[str, list[tuple[str, float, float]], list[float], list[float]]]:
    """Each benchmark with the models (key, active parameters, score) it predicts, and their
    means and standard errors: one array pass a benchmark."""
    for bench in sorted({b for _, scores in models.values() for b in scores} & fits.keys()):
        group = [(k, size.active, scores[bench]) for k, (size, scores) in models.items()
                 if bench in scores]  # fmt: skip
        score = np.array([s for *_, s in group])
        columns = [np.ones(len(group)),
                   np.array([math.log10(active) for _, active, _ in group]) - 10,
                   (score - SCORE_CENTRE) / SCORE_SCALE]  # fmt: skip
        means, ses = fits[bench].predict_many(columns)
        yield bench, group, means, ses


def _scored_result(
    size: Size, found: list[tuple[str, float, float, float]], fits: dict[str, LinearFit], z: float
) -> MethodResult:
    """The combination of each benchmark's (benchmark, score, mean, standard error)
    (``batch.Batch.scored`` makes the same text for many models at once)."""
    log_flop, se = correlated([(mean, se) for *_, mean, se in found])
    parts = "; ".join(
        scored_part(bench, score, mean, fits[bench]) for bench, score, mean, _ in found
    )
    return MethodResult.normal(
        SCORED, log_flop, se, z, confidence=confidence_for(se),
        explanation=scored_explanation(size), reasoning=f"{describe_size(size)}{SCORED_FIT}{parts}",
        parameters=size.total, parameter_source=size_source(size),
    )  # fmt: skip


SCORED_FIT = "; log10 FLOP fitted on size and benchmark score: "


def scored_part(bench: str, score: float, mean: float, fit: LinearFit) -> str:
    """One benchmark's prediction in the size-and-benchmark reasoning."""
    return f"{bench} {score:g} -> {10**mean:.2e} (fit on {fit.n} reference models)"


def scored_explanation(size: Size) -> str:
    return f"Size from {_origin(size)} and benchmark score, fitted on the reference models"
