"""The estimates of many models at once (ARCHITECTURE §10).

For a chunk of models, each estimating method's figures are made in one pass per fit (the
fits' predictions in arrays, the rest column by column with pre-formatted text), then each
record is assembled from them. The operations on each model's numbers are those of the
one-model path (``sizefit``, ``interpolation.combine``, ``Estimator.calibrate_result``,
``Estimator.record``), in the same order, so the records are the same to the byte: numpy
makes the fits' linear predictions (exact arithmetic), while powers of ten and logarithms
stay Python's (numpy's ``power`` differs from ``10 ** x`` in the last bit for about one
value in twenty). Models with a known or reported figure, and those whose methods are
combined, are few: they take the one-model path (:meth:`Estimator.methods`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from functools import lru_cache
from operator import attrgetter
from typing import TYPE_CHECKING, Any, NamedTuple

from pipeline.estimate import calibration
from pipeline.estimate.classify import status_for
from pipeline.estimate.combination import correlated
from pipeline.estimate.heuristics import Size, describe_size, size_source
from pipeline.estimate.interpolation import METHOD as INTERPOLATED
from pipeline.estimate.interpolation import REASONING as INTERPOLATION
from pipeline.estimate.interpolation import Prediction, confidence_of, fit_note, weighted
from pipeline.estimate.result import confidence_for, fmt
from pipeline.estimate.sizefit import METHOD as SIZED
from pipeline.estimate.sizefit import (
    SCORED,
    SCORED_FIT,
    LinearFit,
    fitted_on,
    scored_explanation,
    scored_part,
    scored_predictions,
    sized_confidence,
    sized_explanation,
    sized_reasoning,
    when,
)
from pipeline.schema import Classification
from pipeline.values import format_number

if TYPE_CHECKING:
    from pipeline.estimate.estimator import Estimator

SQRT2 = math.sqrt(2)
ABOVE, BELOW, NOT_SURE = (c.value for c in (Classification.ABOVE, Classification.BELOW,
                                           Classification.NOT_SURE))  # fmt: skip


class Figures(NamedTuple):
    """One method's result for one model, calibrated: its spread and explanation, and its
    record as an alternative (``MethodResult.as_json``: numbers rounded as saved)."""

    sigma: float
    explanation: str
    saved: dict[str, Any]

    @property
    def method(self) -> str:
        return str(self.saved["method"])

    def copy(self) -> Figures:
        """The same figures with a record of their own (a record's alternatives are its)."""
        # made as a tuple is: the named tuple's own __new__ is a Python function
        return tuple.__new__(Figures, (self.sigma, self.explanation, dict(self.saved)))


# Figures made from the same inputs are the same: many models share their size, date or
# benchmark score, so each method's figures are kept by their inputs (the predictions
# themselves included), up to this many a method.
KEPT = 1 << 12
# What makes sizes equal, as a plain tuple (hashed without calling a Python function)
SIZE = attrgetter("total", "active", "text", "moe_guess", "source")


# ``describe_size`` of each distinct size once: sizes recur across many models.
_described = lru_cache(maxsize=1 << 16)(describe_size)


class Batch:
    """The fast path of :meth:`Estimator.iter_estimates` for one estimator."""

    def __init__(self, estimator: Estimator) -> None:
        from pipeline.estimate.estimator import LEVELS

        self.estimator = estimator
        self.rank = {level: index for index, level in enumerate(LEVELS)}
        config = estimator.settings.estimation
        self.z = config.interval_z
        self.share = f"{calibration.coverage_share(self.z):.0%}"
        self.scales = {m: c.scale for m, c in estimator.calibration.items()}
        self.how = {m: f"; {c.describe()}" for m, c in estimator.calibration.items()}
        thresholds = estimator.settings.thresholds
        self.thresholds = thresholds
        self.log_threshold = math.log10(thresholds.threshold)
        self._tails: dict[tuple[str, bool, bool], str] = {}
        self._explained: dict[str, str] = {}  # by the size's source
        self._status: dict[tuple[str, str], str] = {}
        self._sized: dict[tuple[Any, ...], Figures] = {}
        self._scored: dict[tuple[Any, ...], Figures] = {}
        self._reasoned: dict[tuple[str, float, float, str], str] = {}
        self._classified: dict[tuple[float, float, float, str], tuple[float, str, str]] = {}
        self._interpolated: dict[tuple[Prediction, ...], Figures] = {}

    # -- one method's figures ----------------------------------------------------------
    def _figures(
        self, method: str, log_flop: float, se: float, confidence: str, explanation: str,
        reasoning: str,
    ) -> Figures:  # fmt: skip
        """``MethodResult.normal`` then ``calibrate_result``; the numbers rounded as
        ``round_sig`` does (``float(f"{x:.3g}")``), as ``as_json`` saves them."""
        z, flop = self.z, 10**log_flop
        scale = self.scales.get(method)
        if scale is None:
            sigma, low, high = se, 10 ** (log_flop - z * se), 10 ** (log_flop + z * se)
        else:
            sigma = se * scale
            widen = 10 ** (z * sigma)
            low, high = flop / widen, flop * widen
            worse = confidence_for(sigma)
            if self.rank[worse] > self.rank[confidence]:  # the worse of the two
                confidence = worse
        saved = {
            "method": method,
            "training_flop": float(f"{flop:.3g}"),
            "flop_low": float(f"{low:.3g}"),
            "flop_high": float(f"{high:.3g}"),
            "confidence": confidence,
            "reasoning": reasoning,
        }
        return Figures(sigma, explanation, saved)

    def sized(self, models: dict[str, tuple[Size, float | None, str]]) -> dict[str, Figures]:
        """Size and date (``SizeFit.estimate_many``, ``_sized_result``)."""
        out: dict[str, Figures] = {}
        kept = self._sized
        for fit, dated, group, means, ses in self.estimator.size_fit.predicted(models):
            fitted = fitted_on(fit, dated)
            explained: dict[str, str] = {}  # by the size's source
            for (key, given), log_flop, se in zip(group, means, ses, strict=True):
                size, year, text = given
                found = kept.get(inputs := (SIZE(size), year, text, log_flop, se))
                if found is not None:
                    out[key] = found.copy()
                    continue
                reasoning = sized_reasoning(
                    _described(size), when(text if dated else None), fitted, log_flop, size.active
                )
                explanation = explained.get(size.source)
                if explanation is None:
                    explanation = explained[size.source] = sized_explanation(size, dated)
                confidence = sized_confidence(se, size)
                out[key] = self._figures(SIZED, log_flop, se, confidence, explanation, reasoning)
                if len(kept) < KEPT:
                    kept[inputs] = out[key].copy()
        return out

    def scored(
        self, models: dict[str, tuple[Size, dict[str, float]]], fits: dict[str, LinearFit]
    ) -> dict[str, Figures]:
        """Size and benchmark (``estimate_scored_many``, ``_scored_result``)."""
        found: dict[str, list[tuple[str, float, float, float]]] = {}
        for bench, group, means, ses in scored_predictions(models, fits):
            for (key, _, value), mean, se in zip(group, means, ses, strict=True):
                found.setdefault(key, []).append((bench, value, mean, se))
        out: dict[str, Figures] = {}
        kept = self._scored
        for key, rows in found.items():
            size = models[key][0]
            figures = kept.get(inputs := (SIZE(size), *rows))
            if figures is not None:
                out[key] = figures.copy()
                continue
            log_flop, se = correlated([(mean, se) for _, _, mean, se in rows])
            parts = "; ".join(
                scored_part(bench, value, mean, fits[bench]) for bench, value, mean, _ in rows
            )
            reasoning = f"{_described(size)}{SCORED_FIT}{parts}"
            explanation = self._explained.get(size.source)
            if explanation is None:
                explanation = self._explained[size.source] = scored_explanation(size)
            out[key] = self._figures(
                SCORED, log_flop, se, confidence_for(se), explanation, reasoning
            )
            # a score of -0 is written so but equals 0: such rows are not kept
            if len(kept) < KEPT and all(value for _, value, _, _ in rows):
                kept[inputs] = out[key].copy()
        return out

    def interpolated(self, predictions: list[Prediction]) -> Figures:
        """Benchmark interpolation (``interpolation.combine``)."""
        inputs = tuple(predictions)
        found = self._interpolated.get(inputs)
        if found is not None:
            return found.copy()
        figures = self._interpolate(predictions)
        # a score of -0 is written so but equals 0: such predictions are not kept
        if len(self._interpolated) < KEPT and all(p.score for p in predictions):
            self._interpolated[inputs] = figures.copy()
        return figures

    def _interpolate(self, predictions: list[Prediction]) -> Figures:
        log_flop, se, extrapolated = weighted(predictions)
        parts = "; ".join(self._part(p) for p in predictions)
        combined = f"; weighted mean {fmt(10**log_flop)}" if len(predictions) > 1 else ""
        reasoning = f"{INTERPOLATION}{parts}{combined}"
        confidence, explanation = confidence_of(se, extrapolated)
        return self._figures(INTERPOLATED, log_flop, se, confidence, explanation, reasoning)

    def _part(self, p: Prediction) -> str:
        """One benchmark's prediction in the interpolation's reasoning."""
        tail = self._tails.get((p.benchmark, p.named, p.extrapolated))
        if tail is None:
            fit = self.estimator.fits[p.benchmark]
            tail = self._tails[p.benchmark, p.named, p.extrapolated] = fit_note(
                fit, p.named, p.extrapolated
            )
        return f"{p.benchmark} {p.score:g} -> {fmt(10**p.log_flop)}{tail}"

    # -- the records ---------------------------------------------------------------------
    def records(
        self,
        chunk: list[str],
        predictions: dict[str, list[Prediction]],
        digests: dict[str, str],
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """(key, record) for each of ``chunk`` some method applies to, in order."""
        est = self.estimator
        evidence = est.evidence
        dated: dict[str, tuple[Size, float | None, str]] = {}
        scored: dict[str, tuple[Size, dict[str, float]]] = {}
        sizes: dict[str, Size] = {}
        plain = set()
        for key in chunk:
            if key in est.yaml or key in est.reported or key not in evidence:
                continue
            plain.add(key)
            size = est.size_of(key)
            if size is None:
                continue
            sizes[key] = size
            when = est.date_of(key)
            dated[key] = (size, when and when[0], when[1] if when else "")
            benchmarks = evidence[key].benchmarks
            if benchmarks:
                scored[key] = (size, benchmarks)
        by_size = self.sized(dated)
        by_score = self.scored(scored, est.scored_fits)
        for key in chunk:
            if key not in plain:
                record = self.alone(key, predictions, digests.get(key))
            else:
                found = predictions.get(key)
                results = _ordered(
                    by_size.get(key),
                    by_score.get(key),
                    self.interpolated(found) if found else None,
                )
                if results is None:  # the methods may be combined
                    record = self.alone(key, predictions, digests.get(key))
                elif results:
                    record = self.record(key, results, sizes.get(key), digests.get(key))
                else:
                    record = None  # no method applies
            if record is not None:
                yield key, record

    def alone(
        self, key: str, predictions: dict[str, list[Prediction]], digest: str | None = None
    ) -> dict[str, Any] | None:
        """The one-model path, as the estimator made every record before (None when no
        method applies)."""
        est = self.estimator
        sized = est.sized_many([key]).get(key, ())
        results = est.methods(key, predictions.get(key, []), 0, sized)
        return est.record(key, results, digest) if results else None

    def record(
        self, key: str, results: list[Figures], size: Size | None, digest: str | None
    ) -> dict[str, Any]:
        """``Estimator.record`` of a model without a known figure."""
        item = self.estimator.evidence[key]
        best = results[0]
        # the first result with parameters: size and date, or size and benchmark
        total = size.total if size is not None else None
        if not (len(results) > 1 or best.method != INTERPOLATED):
            total = None
        saved = best.saved
        flop, low, high = saved["training_flop"], saved["flop_low"], saved["flop_high"]
        confidence, method = saved["confidence"], saved["method"]
        p, classification, status = self.classify(flop, low, high, confidence)
        return {
            "key": key,
            "name": item.name,
            "developer": item.developer,
            "raw_names": sorted(item.names),
            "sources": [*item.sources],
            "benchmarks": dict(sorted(item.benchmarks.items())),
            "release_date": "",
            "first_seen": item.first_seen,
            "parameters": float(total) if total else None,
            "parameter_source": size_source(size) if total and size else "",
            "training_flop": flop,
            "flop_low": low,
            "flop_high": high,
            "confidence": confidence,
            "confidence_explanation": best.explanation,
            "estimation_method": method,
            "reasoning": self._reasoning(saved["reasoning"], low, high, method),
            "alternatives": [r.saved for r in results[1:]],
            "evidence_hash": digest or self.estimator.digest(key),
            "p_above": p,
            "threshold_classification": classification,
            "status": status,
        }

    def _reasoning(self, reasoning: str, low: float, high: float, method: str) -> str:
        """The estimate's reasoning with its interval (``Estimator._reasoning``), kept by
        its parts: figures recur (``format_number`` writes -0 as 0)."""
        found = self._reasoned.get(parts := (reasoning, low, high, method))
        if found is None:
            found = (
                f"{reasoning}; {self.share} interval {format_number(low)} - "
                f"{format_number(high)}{self.how.get(method, '')}"
            )
            if len(self._reasoned) < KEPT:
                self._reasoned[parts] = found
        return found

    def classify(
        self, flop: float, low: float, high: float, confidence: str
    ) -> tuple[float, str, str]:
        """``classify_record``: the probability above the threshold (rounded), the class
        and the status (kept by the figures: rounded, they recur)."""
        found = self._classified.get(figures := (flop, low, high, confidence))
        if found is None:
            found = self._classify(flop, low, high, confidence)
            if len(self._classified) < KEPT:
                self._classified[figures] = found
        return found

    def _classify(
        self, flop: float, low: float, high: float, confidence: str
    ) -> tuple[float, str, str]:
        log_flop = math.log10(flop)
        if not (flop > 0 and low > 0 and high > 0) or high <= low:
            sigma = 0.0
        else:
            sigma = (math.log10(high) - math.log10(low)) / (2 * self.z)
        gap = log_flop - self.log_threshold
        if sigma <= 0:
            p = 1.0 if gap > 0 else 0.0
        else:
            p = round(0.5 * (1 + math.erf(gap / sigma / SQRT2)), 3)
        thresholds = self.thresholds
        if p >= thresholds.above:
            classification = ABOVE
        elif p <= thresholds.below:
            classification = BELOW
        else:
            classification = NOT_SURE
        status = self._status.get((classification, confidence))
        if status is None:
            status = self._status[classification, confidence] = status_for(
                classification, confidence
            )
        return p, classification, status


def _ordered(
    sized: Figures | None, scored: Figures | None, interpolated: Figures | None
) -> list[Figures] | None:
    """The results the estimator would keep, the estimate first (as sorted by spread), or
    None when the combination might apply: it does not when size and benchmark, which
    shares its evidence with both others, is strictly the most precise."""
    if scored is None:
        if sized is not None and interpolated is not None:
            return None
        return [sized] if sized is not None else [interpolated] if interpolated else []
    sigma = scored.sigma
    if (sized is not None and sized.sigma <= sigma) or (
        interpolated is not None and interpolated.sigma <= sigma
    ):
        return None
    if sized is None:
        return [scored] if interpolated is None else [scored, interpolated]
    if interpolated is None:
        return [scored, sized]
    if interpolated.sigma < sized.sigma:
        return [scored, interpolated, sized]
    return [scored, sized, interpolated]
