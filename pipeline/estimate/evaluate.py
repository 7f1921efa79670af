"""``tracker evaluate``: leave-one-out accuracy against Epoch AI's reference data.

Every model of the shipped Epoch files (``data/raw/epoch/*.csv``) that also appears in a
shipped leaderboard is estimated with its own known value withheld — removed from the
known specs and from the benchmark fits' references — from the remaining evidence. Rows
whose ``Confidence`` is not one of Epoch's words (Confident, Likely, Speculative, Unknown)
were not written by Epoch and are left out.
"""

from __future__ import annotations

import itertools
import math
import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pipeline.collect.names import NameRules, normalise
from pipeline.errors import InputError
from pipeline.estimate.estimator import Estimator
from pipeline.estimate.evidence import load_evidence
from pipeline.estimate.hardware import load_checked
from pipeline.estimate.probability import p_above_interval
from pipeline.paths import ConfigPaths, DataPaths
from pipeline.schema import Classification
from pipeline.settings import Settings
from pipeline.storage.csvtable import read_raw
from pipeline.values import parse_flop

EPOCH_CONFIDENCE = {"confident", "likely", "speculative", "unknown", ""}
# Newest first: a model in both files takes the published (mid-2025) figure.
EPOCH_FILES = ("published_data.csv", "notable_ai_models_2024.csv")


@dataclass(frozen=True)
class Answer:
    """One method's answer for a held-out model."""

    method: str
    estimate: float
    low: float
    high: float
    p_above: float


@dataclass
class Case:
    key: str
    epoch_name: str
    truth: float
    estimate: float
    method: str
    classification: str
    low: float = 0.0
    high: float = 0.0
    p_above: float = float("nan")
    alternatives: list[Answer] = field(default_factory=list)

    @property
    def error(self) -> float:
        return math.log10(self.estimate) - math.log10(self.truth)

    def answers(self) -> list[Answer]:
        """The estimate's answer, then each alternative's."""
        own = Answer(self.method, self.estimate, self.low, self.high, self.p_above)
        return [own, *self.alternatives]


@dataclass(frozen=True)
class Figures:
    """Accuracy of one set of answers against the truths."""

    n: int
    median_abs_error: float
    mean_abs_error: float
    within_half_dex: float
    coverage: float
    brier: float

    @classmethod
    def of(cls, pairs: list[tuple[Answer, float]], threshold: float) -> Figures:
        errors = [abs(math.log10(a.estimate / truth)) for a, truth in pairs]
        inside = [a.low <= truth <= a.high for a, truth in pairs]
        brier = [(a.p_above - (truth > threshold)) ** 2 for a, truth in pairs]
        return cls(
            len(pairs), statistics.median(errors), statistics.fmean(errors),
            sum(e <= 0.5 for e in errors) / len(pairs), sum(inside) / len(pairs),
            statistics.fmean(brier),
        )  # fmt: skip

    def as_json(self) -> dict[str, float | int]:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(self).items()}


RELIABILITY_BINS = (0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0)


@dataclass
class Evaluation:
    cases: list[Case]
    threshold: float
    skipped: list[str] = field(default_factory=list)
    candidates_not_sure: int | None = None
    candidates: int | None = None

    def _counts(self, predicted: list[bool]) -> tuple[int, int, int]:
        actual = [c.truth >= self.threshold for c in self.cases]
        tp = sum(p and a for p, a in zip(predicted, actual, strict=True))
        return tp, sum(predicted), sum(actual)

    def precision_recall(self, predicted: list[bool]) -> tuple[float, float]:
        tp, n_pred, n_true = self._counts(predicted)
        return (tp / n_pred if n_pred else float("nan"), tp / n_true if n_true else float("nan"))

    @property
    def median_abs_error(self) -> float:
        return statistics.median(abs(c.error) for c in self.cases)

    def within(self, dex: float) -> float:
        return sum(abs(c.error) <= dex for c in self.cases) / len(self.cases)

    def overall(self) -> Figures:
        return Figures.of([(c.answers()[0], c.truth) for c in self.cases], self.threshold)

    def by_method(self) -> dict[str, Figures]:
        """Per method, over the models it gave an answer for (estimate or alternative)."""
        pairs: dict[str, list[tuple[Answer, float]]] = {}
        for case in self.cases:
            for answer in case.answers():
                pairs.setdefault(answer.method, []).append((answer, case.truth))
        return {m: Figures.of(p, self.threshold) for m, p in sorted(pairs.items())}

    def reliability(self) -> list[tuple[str, int, float, float]]:
        """(bin, models, mean stated P(above), observed share above) per probability bin."""
        rows = []
        edges = RELIABILITY_BINS
        for lo, hi in itertools.pairwise(edges):
            inside = [c for c in self.cases if lo <= c.p_above < hi or (hi == 1 and c.p_above == 1)]
            if not inside:
                rows.append((f"{lo:.1f}-{hi:.1f}", 0, float("nan"), float("nan")))
                continue
            stated = statistics.fmean(c.p_above for c in inside)
            observed = sum(c.truth > self.threshold for c in inside) / len(inside)
            rows.append((f"{lo:.1f}-{hi:.1f}", len(inside), stated, observed))
        return rows

    def not_sure(self) -> int:
        return sum(c.classification == Classification.NOT_SURE for c in self.cases)

    def point(self) -> tuple[float, float]:
        """Above 1e25 judged by the point estimate."""
        return self.precision_recall([c.estimate >= self.threshold for c in self.cases])

    def flagged(self) -> tuple[float, float]:
        """Above judged by 'is a candidate' (high-confidence above or not sure)."""
        return self.precision_recall(
            [
                c.classification in (Classification.ABOVE, Classification.NOT_SURE)
                for c in self.cases
            ]
        )

    def confident(self) -> tuple[float, float]:
        """Above judged by the high-confidence-above class alone."""
        return self.precision_recall([c.classification == Classification.ABOVE for c in self.cases])

    def confident_below(self) -> tuple[float, float]:
        """Below judged by the high-confidence-below class alone."""
        predicted = [c.classification == Classification.BELOW for c in self.cases]
        actual = [c.truth < self.threshold for c in self.cases]
        tp = sum(p and a for p, a in zip(predicted, actual, strict=True))
        n_pred, n_true = sum(predicted), sum(actual)
        return (tp / n_pred if n_pred else float("nan"), tp / n_true if n_true else float("nan"))

    def above_called_below(self) -> list[str]:
        """Models Epoch puts above the threshold that are called high-confidence below."""
        return [
            c.key
            for c in self.cases
            if c.truth >= self.threshold and c.classification == Classification.BELOW
        ]

    def everything_above(self) -> tuple[float, float]:
        """The baseline of calling every leaderboard model above 1e25."""
        return self.precision_recall([True for _ in self.cases])

    def as_json(self) -> dict[str, object]:
        """Every figure, for machines (``tracker evaluate --json``)."""
        rows = [
            ("point_estimate", self.point()), ("candidate", self.flagged()),
            ("high_confidence_above", self.confident()),
            ("high_confidence_below", self.confident_below()),
            ("baseline_every_model_above", self.everything_above()),
        ]  # fmt: skip
        return {
            "models": len(self.cases),
            "above": sum(c.truth >= self.threshold for c in self.cases),
            "overall": self.overall().as_json(),
            "by_method": {m: f.as_json() for m, f in self.by_method().items()},
            "reliability": [
                {"bin": b, "models": n, "stated": _num(s), "observed": _num(o)}
                for b, n, s, o in self.reliability()
            ],
            "precision_recall": {
                name: {"precision": _num(p), "recall": _num(r)} for name, (p, r) in rows
            },
            "above_called_below": self.above_called_below(),
            "not_sure_evaluated": self.not_sure(),
            "not_sure_candidates": self.candidates_not_sure,
            "candidates": self.candidates,
            "cases": [
                {
                    "model": c.key,
                    "epoch_name": c.epoch_name,
                    "truth": c.truth,
                    "estimate": c.estimate,
                    "low": c.low,
                    "high": c.high,
                    "p_above": c.p_above,
                    "method": c.method,
                    "class": c.classification,
                }
                for c in self.cases
            ],
        }


def _num(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 4)


def epoch_reference(
    folder: Path, rules: NameRules, name_index: dict[str, str]
) -> dict[str, tuple[str, float]]:
    """key -> (Epoch's model name, training compute) from the Epoch files in ``folder``."""
    out: dict[str, tuple[str, float]] = {}
    for filename in EPOCH_FILES:
        path = folder / filename
        if not path.exists():
            continue
        raw = read_raw(path)
        for column in ("Model", "Training compute (FLOP)", "Confidence"):
            if column not in raw.columns:
                raise InputError(f"missing column {column!r}", file=path, row=1)
        for record in raw.records:
            cells = record.cells
            if cells["Confidence"].strip().lower() not in EPOCH_CONFIDENCE:
                continue
            try:
                flop = parse_flop(cells["Training compute (FLOP)"])
            except ValueError as exc:
                raise InputError(
                    str(exc), file=path, row=record.number, field="Training compute (FLOP)"
                ) from None
            if flop is None:
                continue
            key = name_index.get(cells["Model"]) or normalise(cells["Model"], rules)
            out.setdefault(key, (cells["Model"], flop))
    if not out:
        raise InputError(f"no Epoch reference data ({' or '.join(EPOCH_FILES)})", file=folder)
    return out


def evaluate(settings: Settings, reference_dir: Path | None = None) -> Evaluation:
    paths, configs = DataPaths(settings.data_dir), ConfigPaths(settings.config_dir)
    evidence = load_evidence(paths.scraped)
    if not evidence:
        raise InputError("no scraped models; run `tracker collect-all` first", file=paths.scraped)
    known = load_checked(configs.known_models, settings.estimation)
    name_index = {spec.name: key for key, spec in known.items()}
    reference = epoch_reference(
        reference_dir or paths.raw / "epoch", NameRules.load(configs.aliases), name_index
    )
    # the cases are models seen on a leaderboard (a database of specs, Epoch's own, is not a
    # sighting); they are estimated from all the evidence, as the production run does
    seen = {key for key, item in evidence.items() if item.benchmarks}
    cases = []
    for key in sorted(set(reference) & seen):
        held_out = Estimator(evidence, known, settings, withheld=frozenset({key}))
        record = held_out.estimate([key]).get(key)
        if record is None:
            continue
        name, truth = reference[key]
        cases.append(case_of(record, name, truth, settings))
    if not cases:
        raise InputError(
            "no Epoch reference model appears in the scraped leaderboards", file=paths.scraped
        )
    skipped = sorted(set(reference) & seen - {c.key for c in cases})
    production = Estimator(evidence, known, settings).estimate()
    classes = [r["threshold_classification"] for r in production.values()]
    candidates = [c for c in classes if c != Classification.BELOW]
    return Evaluation(
        cases, settings.thresholds.threshold, skipped,
        candidates_not_sure=sum(c == Classification.NOT_SURE for c in candidates),
        candidates=len(candidates),
    )  # fmt: skip


def case_of(record: dict[str, Any], name: str, truth: float, settings: Settings) -> Case:
    """A held-out model's estimate record as an evaluation case."""
    threshold, z = settings.thresholds.threshold, settings.estimation.interval_z
    alternatives = [
        Answer(
            alt["method"],
            alt["training_flop"],
            alt["flop_low"],
            alt["flop_high"],
            p_above_interval(alt["training_flop"], alt["flop_low"], alt["flop_high"], threshold, z),
        )
        for alt in record["alternatives"]
    ]
    return Case(
        record["key"], name, truth, record["training_flop"], record["estimation_method"],
        record["threshold_classification"], record["flop_low"], record["flop_high"],
        record["p_above"], alternatives,
    )  # fmt: skip
