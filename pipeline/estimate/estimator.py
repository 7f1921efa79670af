"""Every method for every model. Reported compute (``configs/known_models.yaml``, then a
source's ``specs``) is the estimate when there is one; otherwise the estimating methods —
hardware, fine-tune, size and date, benchmark interpolation — are combined by inverse-variance
weights (``combination``), each with its interval calibrated on the reference models
(``calibration``). Every result is kept as an alternative."""

from __future__ import annotations

import copy
import hashlib
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from pipeline.estimate import calibration, combination, fitcache
from pipeline.estimate.batch import Batch
from pipeline.estimate.classify import classify, status_for
from pipeline.estimate.evidence import Evidence
from pipeline.estimate.hardware import finetune_result, hardware_result
from pipeline.estimate.heuristics import Size, era_year, parse_size
from pipeline.estimate.interpolation import (
    BenchmarkFit,
    Prediction,
    fit_benchmarks,
    predict_all,
    reference_scores,
)
from pipeline.estimate.interpolation import combine as combine_benchmarks
from pipeline.estimate.known import KnownModel
from pipeline.estimate.probability import p_above, p_above_interval
from pipeline.estimate.result import MethodResult, confidence_for, fmt
from pipeline.estimate.sizefit import (
    LinearFit,
    SizeFit,
    SizeReference,
    estimate_scored,
    estimate_scored_many,
    fit_scored,
)
from pipeline.schema import canonical
from pipeline.settings import Estimation, Settings
from pipeline.values import format_date, format_number, parse_date, round_sig, urls_in

KNOWN = "known_specs"
REPORTED = "reported_specs"
LEVELS = ("high", "medium", "low", "speculative")


def known_result(
    key: str, spec: KnownModel, config: Estimation, method: str = KNOWN, parameter_source: str = ""
):
    """The reported compute as a result (None when the entry gives none); its parameters'
    source is ``parameter_source``, else the known specification."""
    flop = spec.flop
    if flop is None:
        return None
    where = f" ({spec.source})" if spec.source else ""
    reference = f"; {spec.reference}" if spec.reference else ""
    label = "Known" if method == KNOWN else "Reported"
    reasoning = f"{label}: {spec.name}, {spec.how} {fmt(flop)} FLOP{where}{reference}"
    if spec.notes:
        reasoning += f". {spec.notes}"
    z = config.interval_z
    return MethodResult.normal(
        method, math.log10(flop), config.known_interval_dex[spec.confidence] / z, z,
        confidence=spec.confidence,
        explanation=f"{label} model specification ({spec.confidence} confidence)",
        reasoning=reasoning, parameters=spec.parameters,
        parameter_source=(parameter_source or f"known_specification:{key}")
        if spec.parameters
        else "",
    )  # fmt: skip


def reported_spec(item: Evidence) -> KnownModel | None:
    """A source's ``specs`` as a known specification, when they give compute."""
    specs = item.specs
    try:
        confidence = canonical("confidence", str(specs.get("confidence", "")))
    except ValueError:
        confidence = ""
    url = str(specs.get("source_url", ""))
    try:
        return KnownModel(
            name=item.name, developer=item.developer,
            release_date=specs.get("release_date"),
            training_flop=specs.get("training_flop"), parameters=specs.get("parameters"),
            training_tokens=specs.get("training_tokens"),
            confidence=confidence if confidence in LEVELS else "low",
            source=url if urls_in(url) == [url] else "",
            reference=f"reported by {', '.join(item.sources) or 'a source'}",
            notes=str(specs.get("notes", "")),
        )  # fmt: skip
    except ValidationError:
        return None  # facts without compute: used for size and date only


@lru_cache(maxsize=1 << 12)
def _year(day: date) -> float:
    return day.year + (day.timetuple().tm_yday - 0.5) / 366


@lru_cache(maxsize=1 << 12)
def _day(text: str) -> date | None:
    """``parse_date``, once per distinct text (a model's first day, its reported date)."""
    return parse_date(text)


# A model's size results made beforehand (size and date, size and benchmark), or None
Sized = tuple[MethodResult | None, ...] | None
CHUNK = 10_000  # models whose size results are made in one pass (bounds the memory)

FLOAT = re.compile(r"-?\d+\.\d+(?:e[-+]?\d+)?")
Fit = TypeVar("Fit")


@dataclass
class Estimator:
    """Estimates for a set of models. The fits and calibrations are made once, from the
    known and reported compute; ``withheld`` keys' known values are used nowhere.
    ``fits_file``: where they are kept between runs (:mod:`fitcache`), read when they were
    made from the same reference models, settings and code, written by :meth:`keep_fits`."""

    evidence: dict[str, Evidence]
    known: dict[str, KnownModel]
    settings: Settings
    withheld: frozenset[str] = field(default_factory=frozenset)
    calibrated: bool = True
    fits_file: Path | None = None

    def __post_init__(self) -> None:
        self.withheld = frozenset(self.withheld)
        self.all_reported = {
            key: spec
            for key, item in self.evidence.items()
            if item.specs and (spec := reported_spec(item)) is not None
        }
        seen = [item.first_seen for item in self.evidence.values() if item.first_seen]
        self.collection_start = min(seen) if seen else None
        # in key order: the fits' order (and the sums' order) is the same in every process
        self._table = reference_scores(self.evidence, sorted(self._all_references()))
        moe = self.settings.estimation.parameter_heuristic.moe_active_experts
        # the size each key states (parsed once: read for every method of every model)
        self._parsed = {k: parse_size(k, moe) for k in self.evidence}
        self.named = frozenset(k for k, size in self._parsed.items() if size is not None)
        saved = self._saved_fits()
        self._fit(saved=saved)
        self.fits: dict[str, BenchmarkFit] = saved.fits if saved else fit_benchmarks(
            {}, self.references, self.settings.estimation.min_reference_models,
            table=self._table, named=self.named,
        )  # fmt: skip
        self.calibration: dict[str, calibration.Calibration] = {}
        # each reference model's method results made without its known values
        self._held_out: dict[str, list[MethodResult]] = {}
        if saved is not None:
            self.calibration, self._held_out = saved.calibration, saved.held_out
        elif self.calibrated and self.settings.estimation.calibrate:
            self.calibration = self._calibrate()
        self._made_here = saved is None

    def _saved_fits(self) -> fitcache.Fitted | None:
        """The fits and calibration kept in ``fits_file`` for these reference models."""
        if self.fits_file is None:
            return None
        try:
            self._fits_digest = fitcache.digest(self)
        except OSError:  # the code cannot be read (installed without its sources): none kept
            self.fits_file = None
            return None
        return fitcache.load(self.fits_file, self._fits_digest)

    def keep_fits(self) -> bool:
        """Keep the fits and calibration made in this run in ``fits_file`` for the next;
        whether it wrote."""
        if self.fits_file is None or not self._made_here:
            return False
        fitted = fitcache.Fitted(
            self.fits, self.size_fit, self.scored_fits, self.calibration, self._held_out
        )
        return fitcache.save(self.fits_file, self._fits_digest, fitted)

    # -- the known values, without the withheld ones ------------------------------------
    def _all_references(self) -> set[str]:
        return {k for k, s in {**self.all_reported, **self.known}.items() if s.flop}

    def _fit(
        self,
        parent: Estimator | None = None,
        left_out: str = "",
        saved: fitcache.Fitted | None = None,
    ) -> None:
        """Known specs, references and the size fits, without the withheld keys (``parent``:
        the estimator this one withholds ``left_out`` more of, whose known specs, references
        and size references are this one's but ``left_out``'s, and whose fits without
        ``left_out`` among their references are kept: the same references give the same fit;
        ``saved``: the size fits kept from an earlier run)."""
        self.yaml: dict[str, KnownModel]
        self.reported: dict[str, KnownModel]
        self.references: dict[str, float]
        self._sized: dict[str, SizeReference | None]
        self._sizes: dict[str, Size]  # of the references with a size
        if parent is not None:
            self.yaml = _less(parent.yaml, left_out)
            self.reported = _less(parent.reported, left_out)
            self.references = _less(parent.references, left_out)
            self._sized = _less(parent._sized, left_out)
            self._sizes = _less(parent._sizes, left_out)
        else:
            self.yaml = {k: s for k, s in self.known.items() if k not in self.withheld}
            self.reported = {k: s for k, s in self.all_reported.items() if k not in self.withheld}
            self.references = {
                k: math.log10(flop)
                for k, s in {**self.reported, **self.yaml}.items()
                if (flop := s.flop) is not None
            }
            self._sized = {key: self._size_reference(key, y) for key, y in self.references.items()}
            self._sizes = {
                key: found.size
                for key, found in self._sized.items()
                if found is not None and found.size is not None
            }
        sizes = self._sizes
        sized = [found for found in self._sized.values() if found is not None]
        least = self.settings.estimation.min_reference_models
        unsized = parent is not None and parent._sized.get(left_out) is None
        kept = saved or (parent if unsized else None)
        if kept is not None:
            # kept from an earlier run, or the left-out key has no size: the same sized
            # references, the same fits
            self.size_fit: SizeFit = kept.size_fit
            self.scored_fits: dict[str, LinearFit] = kept.scored_fits
            return
        self.size_fit = SizeFit.learn(sized, least)
        if parent is None:
            self.scored_fits = fit_scored(self._table, self.references, sizes, least)
            return
        changed = parent._benchmarks_of(left_out)
        table = {bench: self._table[bench] for bench in changed}
        refitted = fit_scored(table, self.references, sizes, least)
        self.scored_fits = _replaced(self._table, parent.scored_fits, refitted, changed)

    def without(self, key: str) -> Estimator:
        """The same estimator with ``key``'s known values withheld, uncalibrated. Only the
        fits ``key`` is a reference of are made again: the others keep their references,
        hence their fit."""
        other = copy.copy(self)
        other.withheld = self.withheld | {key}
        other.calibrated, other.calibration, other._held_out = False, {}, {}
        other.__dict__.pop("_shared_digest", None)  # a copy must not keep our fingerprint
        other.fits_file = None
        other._fit(self, key)
        changed = self._benchmarks_of(key) if key in self.references else []
        refitted = fit_benchmarks(
            {}, other.references, self.settings.estimation.min_reference_models,
            table={bench: self._table[bench] for bench in changed}, named=self.named,
        )  # fmt: skip
        other.fits = _replaced(self._table, self.fits, refitted, changed)
        return other

    def _size_reference(self, key: str, log_flop: float) -> SizeReference | None:
        """A reference model's size and date for the size fit (None without a size)."""
        size = self.size_of(key)
        if size is None:
            return None
        year = self.date_of(key)
        return SizeReference(key, size.active, year and year[0], log_flop, size)

    def _benchmarks_of(self, key: str) -> list[str]:
        """The benchmarks whose reference scores include ``key``'s."""
        return [bench for bench, (keys, _) in self._table.items() if key in keys]

    # -- what is known of a model ---------------------------------------------------------
    def size_of(self, key: str) -> Size | None:
        """Size from the name, else the known (or reported) parameters, taken as dense. A
        source's exact count (one that names where it comes from, like the Hub's safetensors
        metadata) replaces a dense size read from the name: an open model's real size."""
        if key in self._parsed:
            size = self._parsed[key]
        else:
            moe = self.settings.estimation.parameter_heuristic.moe_active_experts
            size = parse_size(key, moe)
        if size is not None:
            exact = self.exact_parameters(key)
            if exact and size.total == size.active and not size.moe_guess:
                return Size(exact, exact, "known parameters", source=self.given_source(key))
            return size
        known, spec = self.yaml.get(key), self.reported.get(key)
        if known is not None and known.parameters:
            source = f"known_specification:{key}"
            return Size(known.parameters, known.parameters, "known parameters", source=source)
        item = self.evidence.get(key)
        reported = item.specs.get("parameters") if item and key not in self.withheld else None
        parameters = (spec.parameters if spec else None) or reported
        if parameters:
            source = self.given_source(key) or "reported specs"
            return Size(parameters, parameters, "known parameters", source=source)
        return None

    def exact_parameters(self, key: str) -> float | None:
        """A source's parameter count that names its source (withheld in an evaluation)."""
        item = self.evidence.get(key)
        if item is None or not item.specs or key in self.withheld or not self.given_source(key):
            return None
        parameters = item.specs.get("parameters")
        return float(parameters) if parameters else None

    def given_source(self, key: str) -> str:
        """Where a source's reported parameter count comes from: its ``specs``
        ``parameter_source`` (e.g. the Hub's safetensors metadata), or ''."""
        item = self.evidence.get(key)
        return str((item.specs if item else {}).get("parameter_source") or "")

    def date_of(self, key: str) -> tuple[float, str] | None:
        """(year as a number, where it comes from): known specs, reported specs, a date in
        the name, or the day a dated snapshot first listed the model — unless that is the
        first snapshot of all, which only says the model existed by then."""
        for spec, where in ((self.yaml.get(key), "known specs"),
                            (self.reported.get(key), "reported specs")):  # fmt: skip
            if spec is not None and spec.release_date is not None:
                return _year(spec.release_date), f"{spec.release_date} ({where})"
        item = self.evidence.get(key)
        if item is None:
            return None
        if key not in self.withheld and (day := _day(item.specs.get("release_date", ""))):
            return _year(day), f"{day} (reported specs)"
        if (year := era_year(item.names)) is not None:
            return year + 0.5, f"{year} (the name)"
        if item.first_seen and item.first_seen != self.collection_start:
            day = _day(item.first_seen)
            if day is not None:
                return _year(day), f"{item.first_seen} (first seen in a leaderboard)"
        return None

    # -- the methods ----------------------------------------------------------------------
    def components(
        self, key: str, predictions: list[Prediction], depth: int = 0, sized: Sized = None
    ) -> list[MethodResult]:
        """The estimating methods that apply to ``key``, with their raw (uncalibrated)
        spreads (``sized``: its size results made beforehand by :meth:`sized_many`)."""
        config = self.settings.estimation
        results: list[MethodResult] = []
        spec = self.yaml.get(key)
        hardware = hardware_result(spec, config) if spec is not None else None
        if hardware is not None:
            results.append(hardware)
        if spec is not None and spec.base_model and depth < 5:
            base = self.best(spec.base_model, depth + 1)
            if base is not None:
                base_parameters = base.parameters
                if tuned := finetune_result(spec, base, base_parameters, config.interval_z):
                    results.append(tuned)
        if sized is not None:
            results.extend(result for result in sized if result is not None)
            size = None
        else:
            size = self.size_of(key)
        if size is not None:
            when = self.date_of(key)
            by_size = self.size_fit.estimate(
                size, when and when[0], when[1] if when else "", config.interval_z
            )
            if by_size is not None:
                results.append(by_size)
            item = self.evidence.get(key)
            if item is not None and item.benchmarks:
                scored = estimate_scored(size, item.benchmarks, self.scored_fits, config.interval_z)
                if scored is not None:
                    results.append(scored)
        if predictions:
            results.append(combine_benchmarks(predictions, self.fits, config.interval_z))
        return results

    def sized_many(self, keys: Iterable[str]) -> dict[str, tuple[MethodResult | None, ...]]:
        """Per key with a size, its size-and-date and size-and-benchmark results (None
        where the method does not apply), the fits' predictions made in array passes."""
        z = self.settings.estimation.interval_z
        dated: dict[str, tuple[Size, float | None, str]] = {}
        scored: dict[str, tuple[Size, dict[str, float]]] = {}
        for key in keys:
            size = self.size_of(key)
            if size is None:
                continue
            when = self.date_of(key)
            dated[key] = (size, when and when[0], when[1] if when else "")
            item = self.evidence.get(key)
            if item is not None and item.benchmarks:
                scored[key] = (size, item.benchmarks)
        by_size = self.size_fit.estimate_many(dated, z)
        by_score = estimate_scored_many(scored, self.scored_fits, z)
        return {key: (by_size.get(key), by_score.get(key)) for key in dated}

    def calibrate_result(self, result: MethodResult) -> MethodResult:
        found = self.calibration.get(result.method)
        if found is None:
            return result
        # ``result.widened(found.scale, z)`` with the confidence it implies, in one step
        sigma = result.sigma * found.scale
        widen = 10 ** (self.settings.estimation.interval_z * sigma)
        confidence = max(result.confidence, confidence_for(sigma), key=LEVELS.index)
        return MethodResult(
            result.method, result.flop, result.flop / widen, result.flop * widen, confidence,
            result.explanation, result.reasoning, result.parameters, result.parameter_source,
            sigma,
        )  # fmt: skip

    def methods(
        self, key: str, predictions: list[Prediction], depth: int = 0, sized: Sized = None
    ) -> list[MethodResult]:
        """Every result for ``key``, the estimate first."""
        config = self.settings.estimation
        known = self.known_figures(key)
        parts = [self.calibrate_result(r) for r in self.components(key, predictions, depth, sized)]
        combined = combination.combine(parts, config.interval_z)
        if combined is not None:
            combined = self.calibrate_result(combined)
        # The estimate is the most precise after calibration: the combination usually, a
        # single method when the reference models show it does better on its own.
        estimated = sorted([*parts, *([combined] if combined else [])], key=lambda r: r.sigma)
        undecided = known and self.thresholds_undecided(known[0])
        joint = self.known_and_methods(key, known[0]) if undecided else None
        return ([joint] if joint else []) + known + estimated

    def known_figures(self, key: str) -> list[MethodResult]:
        """The model's known compute (configs/known_models.yaml), then its reported one."""
        config, known = self.settings.estimation, []
        for spec, method in ((self.yaml.get(key), KNOWN), (self.reported.get(key), REPORTED)):
            given = self.given_source(key) if method == REPORTED else ""
            if spec is not None and (result := known_result(key, spec, config, method, given)):
                known.append(result)
        return known

    def known_figure(self, key: str) -> MethodResult | None:
        figures = self.known_figures(key)
        return figures[0] if figures else None

    def thresholds_undecided(self, result: MethodResult) -> bool:
        """Whether ``result`` alone leaves the model not_sure."""
        thresholds = self.settings.thresholds
        p = p_above(result.log_flop, result.sigma, thresholds.threshold)
        return thresholds.below < p < thresholds.above

    def known_and_methods(self, key: str, known: MethodResult) -> MethodResult | None:
        """A known figure that leaves the model not_sure, combined with the methods'
        estimates made without it. (A figure that decides on its own is shown as given.)

        A known figure is often itself an estimate (Epoch AI's "speculative" or "likely"
        ones), with the spread its confidence states. The methods, fitted with this model's
        own figure withheld (the leave-one-out of the calibration), are independent
        evidence; where they are compatible with it, the inverse-variance combination is
        the better estimate. None when no method applies or none is compatible.
        """
        held_out = self._held_out.get(key)
        if not held_out:
            return None
        methods = [self.calibrate_result(r) for r in held_out]
        note = " (the methods' estimates made with this model's own figure withheld)"
        return combination.combine(
            [known, *methods], self.settings.estimation.interval_z, note=note, needs=known.method
        )

    def best(self, key: str, depth: int = 0) -> MethodResult | None:
        predictions = predict_all(self.evidence, self.fits, [key], self.named).get(key, [])
        results = self.methods(key, predictions, depth)
        return results[0] if results else None

    def _calibrate(self) -> dict[str, calibration.Calibration]:
        """Leave-one-out over the reference models: per method (and for the combination)
        the scale that makes the intervals cover their share of the residuals."""
        config = self.settings.estimation
        z, least = config.interval_z, config.min_reference_models
        raw: dict[str, list[MethodResult]] = {}
        for key in sorted(self.references):
            sub = self.without(key)
            predictions = predict_all(self.evidence, sub.fits, [key], self.named).get(key, [])
            raw[key] = sub.components(key, predictions)
        self._held_out = raw
        residuals: dict[str, list[float]] = {}
        for key, results in raw.items():
            for result in results:
                error = (result.log_flop - self.references[key]) / result.sigma
                residuals.setdefault(result.method, []).append(error)
        scales = calibration.calibrate(residuals, z, least)
        self.calibration = scales
        combined = []
        for key, results in raw.items():
            joint = combination.combine([self.calibrate_result(r) for r in results], z)
            if joint is not None:
                combined.append((joint.log_flop - self.references[key]) / joint.sigma)
        return scales | calibration.calibrate({combination.METHOD: combined}, z, least)

    # -- records --------------------------------------------------------------------------
    def digest(self, key: str) -> str:
        """Fingerprint of what a model's estimate depends on: its evidence and known spec,
        and what every estimate shares (the fits, the calibration, the estimation settings;
        for a model with a known figure the thresholds too), so a new reference model or
        benchmark re-estimates the models it changes. A change of thresholds alone
        reclassifies the others from their stored estimates."""
        spec = self.yaml.get(key)
        shared = self._shared_digest
        figure = self.known_figure(key) if spec is not None or key in self.reported else None
        if figure is not None:  # whether it is combined with the methods
            shared += f"|undecided={self.thresholds_undecided(figure)}"
        return self.evidence[key].digest((spec.model_dump(mode="json") if spec else None, shared))

    @cached_property
    def _shared_digest(self) -> str:
        shared = (
            sorted((bench, fit.as_json()) for bench, fit in self.fits.items()),
            repr(self.size_fit), repr(self.scored_fits), sorted(self.calibration.items()),
            self.settings.estimation.model_dump(mode="json"), self.collection_start,
        )  # fmt: skip
        # 9 significant digits: sums over references differ in the last bits between
        # processes (the order of a set), and must not make every estimate look changed
        text = FLOAT.sub(lambda m: f"{float(m.group()):.9g}", repr(shared))
        return hashlib.sha1(text.encode()).hexdigest()[:16]

    def estimate(self, keys: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
        """Estimate records for ``keys`` (default: every model with evidence)."""
        return dict(self.iter_estimates(keys))

    def iter_estimates(
        self,
        keys: Iterable[str] | None = None,
        digests: dict[str, str] | None = None,
        order: list[str] | None = None,
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """(key, record) for each of ``keys`` some method applies to, made a chunk at a time
        (the benchmark predictions for all of them are made at once, first, each model's
        in the order the benchmarks are first met in ``keys``, or ``order`` when ``keys``
        are a part of the keys estimated together: their ``benchmark_order``)."""
        wanted = list(self.evidence) if keys is None else list(keys)
        predictions = predict_all(self.evidence, self.fits, wanted, self.named, order)
        batch = Batch(self)
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            yield from batch.records(chunk, predictions, digests or {})
            for key in chunk:
                predictions.pop(key, None)

    def _reasoning(self, best: MethodResult, low: float, high: float) -> str:
        """The estimate's reasoning with its interval (``low``, ``high``: rounded)."""
        z = self.settings.estimation.interval_z
        found = self.calibration.get(best.method)
        how = f"; {found.describe()}" if found else ""
        return (
            f"{best.reasoning}; {calibration.coverage_share(z):.0%} interval "
            f"{format_number(low)} - {format_number(high)}{how}"
        )

    def record(
        self, key: str, results: list[MethodResult], digest: str | None = None
    ) -> dict[str, Any]:
        item = self.evidence.get(key, Evidence(key))
        spec = self.yaml.get(key) or self.reported.get(key)
        best = results[0]
        parameters = next((r for r in results if r.parameters), None)
        low, high = round_sig(best.low), round_sig(best.high)
        record = {
            "key": key,
            "name": item.name,
            "developer": item.developer or (spec.developer if spec else ""),
            "raw_names": sorted(item.names),
            "sources": [*item.sources, *([spec.source] if spec and spec.source else [])],
            "benchmarks": dict(sorted(item.benchmarks.items())),
            "release_date": format_date(spec.release_date) if spec else "",
            "first_seen": item.first_seen,
            "parameters": float(parameters.parameters)
            if parameters and parameters.parameters
            else None,
            "parameter_source": parameters.parameter_source if parameters else "",
            "training_flop": round_sig(best.flop),
            "flop_low": low,
            "flop_high": high,
            "confidence": best.confidence,
            "confidence_explanation": best.explanation,
            "estimation_method": best.method,
            "reasoning": self._reasoning(best, low, high),
            "alternatives": [r.as_json() for r in results[1:]],
            "evidence_hash": digest
            or (self.digest(key) if key in self.evidence else item.digest()),
        }
        return classify_record(record, self.settings)


def _less(items: dict[str, Fit], key: str) -> dict[str, Fit]:
    """``items`` without ``key``, the others in their order."""
    out = dict(items)
    out.pop(key, None)
    return out


def _replaced(
    table: dict[str, Any], fits: dict[str, Fit], refitted: dict[str, Fit], changed: list[str]
) -> dict[str, Fit]:
    """``fits`` with those of the ``changed`` benchmarks replaced by ``refitted`` (where a
    benchmark has no fit now, none), in the order of ``table`` (the order they are made in)."""
    out = {}
    for bench in table:
        fit = (refitted if bench in changed else fits).get(bench)
        if fit is not None:
            out[bench] = fit
    return out


def classify_record(record: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """(Re)compute the probability above the threshold, the classification and the status
    from the stored estimate (its central value and 80% interval)."""
    p = p_above_interval(
        record["training_flop"], record["flop_low"], record["flop_high"],
        settings.thresholds.threshold, settings.estimation.interval_z,
    )  # fmt: skip
    record["p_above"] = round(p, 3)
    classification = classify(record["p_above"], settings.thresholds)
    record["threshold_classification"] = classification.value
    record["status"] = status_for(classification, record["confidence"])
    return record
