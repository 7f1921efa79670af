"""Every method for every model, in priority order: known specs, parameter heuristics,
benchmark interpolation. The first available result is the estimate; all are kept as
alternatives."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pipeline.estimate.classify import classify, status_for
from pipeline.estimate.evidence import Evidence
from pipeline.estimate.heuristics import era_year, estimate_from_size, parse_size
from pipeline.estimate.interpolation import BenchmarkFit, combine, fit_benchmarks, predict_all
from pipeline.estimate.known import KnownModel
from pipeline.estimate.result import MethodResult, fmt
from pipeline.settings import Estimation, Settings
from pipeline.values import format_date, round_sig

KNOWN = "known_specs"


def known_result(key: str, spec: KnownModel, config: Estimation) -> MethodResult:
    factor = math.pow(10, config.known_interval_dex[spec.confidence])
    flop = spec.flop
    where = f" ({spec.source})" if spec.source else ""
    reference = f"; {spec.reference}" if spec.reference else ""
    reasoning = f"Known: {spec.name}, {spec.how} {fmt(flop)} FLOP{where}{reference}"
    if spec.notes:
        reasoning += f". {spec.notes}"
    return MethodResult(
        KNOWN, flop, flop / factor, flop * factor, spec.confidence,
        f"Known model specification ({spec.confidence} confidence)", reasoning,
        parameters=spec.parameters,
        parameter_source=f"known_specification:{key}" if spec.parameters else "",
    )  # fmt: skip


@dataclass
class Estimator:
    """Estimates for a set of models; the benchmark fits are made once, from ``known``."""

    evidence: dict[str, Evidence]
    known: dict[str, KnownModel]
    settings: Settings

    def __post_init__(self) -> None:
        references = {k: math.log10(spec.flop) for k, spec in self.known.items()}
        self.fits: dict[str, BenchmarkFit] = fit_benchmarks(
            self.evidence, references, self.settings.estimation.min_reference_models
        )

    def digest(self, key: str) -> str:
        """Fingerprint of what a model's estimate depends on: its evidence and known spec."""
        spec = self.known.get(key)
        return self.evidence[key].digest(spec.model_dump(mode="json") if spec else None)

    def methods(self, key: str, predictions: list[Any]) -> list[MethodResult]:
        config = self.settings.estimation
        item = self.evidence.get(key, Evidence(key))
        results = []
        if key in self.known:
            results.append(known_result(key, self.known[key], config))
        heuristic = config.parameter_heuristic
        size = parse_size(key, heuristic.moe_active_experts)
        if size is not None:
            results.append(estimate_from_size(size, era_year(item.names), heuristic))
        if predictions:
            results.append(combine(predictions, self.fits, config.interval_z))
        return results

    def estimate(self, keys: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
        """Estimate records for ``keys`` (default: every model with evidence)."""
        return dict(self.iter_estimates(keys))

    def iter_estimates(
        self, keys: Iterable[str] | None = None, digests: dict[str, str] | None = None
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """(key, record) for each of ``keys`` some method applies to, made one at a time
        (the benchmark predictions for all of them are made at once, first)."""
        wanted = list(self.evidence) if keys is None else list(keys)
        predictions = predict_all(self.evidence, self.fits, wanted)
        for key in wanted:
            results = self.methods(key, predictions.get(key, []))
            if results:
                yield key, self.record(key, results, (digests or {}).get(key))

    def record(
        self, key: str, results: list[MethodResult], digest: str | None = None
    ) -> dict[str, Any]:
        item = self.evidence.get(key, Evidence(key))
        spec = self.known.get(key)
        best = results[0]
        parameters = next((r for r in results if r.parameters), None)
        record = {
            "key": key,
            "name": item.name,
            "developer": item.developer or (spec.developer if spec else ""),
            "raw_names": sorted(item.names),
            "sources": [*item.sources, *([spec.source] if spec and spec.source else [])],
            "benchmarks": dict(sorted(item.benchmarks.items())),
            "release_date": format_date(spec.release_date) if spec else "",
            "parameters": parameters.parameters if parameters else None,
            "parameter_source": parameters.parameter_source if parameters else "",
            "training_flop": round_sig(best.flop),
            "flop_low": round_sig(best.low),
            "flop_high": round_sig(best.high),
            "confidence": best.confidence,
            "confidence_explanation": best.explanation,
            "estimation_method": best.method,
            "reasoning": best.reasoning,
            "alternatives": [r.as_json() for r in results[1:]],
            "evidence_hash": digest
            or (self.digest(key) if key in self.evidence else item.digest()),
        }
        return classify_record(record, self.settings)


def classify_record(record: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """(Re)compute the classification and status from the stored estimate."""
    classification = classify(
        record["training_flop"], record["flop_low"], record["flop_high"], settings.thresholds
    )
    record["threshold_classification"] = classification
    record["status"] = status_for(classification, record["confidence"])
    return record
