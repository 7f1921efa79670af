"""``tracker evaluate``: leave-one-out accuracy against Epoch AI's reference data.

Every model of the shipped Epoch files (``data/raw/epoch/*.csv``) that also appears in a
shipped leaderboard is estimated with its own known value withheld — removed from the
known specs and from the benchmark fits' references — from the remaining evidence. Rows
whose ``Confidence`` is not one of Epoch's words (Confident, Likely, Speculative, Unknown)
were not written by Epoch and are left out.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.collect.names import NameRules, normalise
from pipeline.errors import InputError
from pipeline.estimate.estimator import Estimator
from pipeline.estimate.evidence import load_evidence
from pipeline.estimate.known import load_known
from pipeline.paths import ConfigPaths, DataPaths
from pipeline.schema import ABOVE, NOT_SURE
from pipeline.settings import Settings
from pipeline.storage.csvtable import read_raw
from pipeline.values import parse_flop

EPOCH_CONFIDENCE = {"confident", "likely", "speculative", "unknown", ""}
# Newest first: a model in both files takes the published (mid-2025) figure.
EPOCH_FILES = ("published_data.csv", "notable_ai_models_2024.csv")


@dataclass
class Case:
    key: str
    epoch_name: str
    truth: float
    estimate: float
    method: str
    classification: str

    @property
    def error(self) -> float:
        return math.log10(self.estimate) - math.log10(self.truth)


@dataclass
class Evaluation:
    cases: list[Case]
    threshold: float
    skipped: list[str] = field(default_factory=list)

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

    def point(self) -> tuple[float, float]:
        """Above 1e25 judged by the point estimate."""
        return self.precision_recall([c.estimate >= self.threshold for c in self.cases])

    def flagged(self) -> tuple[float, float]:
        """Above judged by 'is a candidate' (high-confidence above or not sure)."""
        return self.precision_recall([c.classification in (ABOVE, NOT_SURE) for c in self.cases])

    def confident(self) -> tuple[float, float]:
        """Above judged by the high-confidence-above class alone."""
        return self.precision_recall([c.classification == ABOVE for c in self.cases])

    def everything_above(self) -> tuple[float, float]:
        """The baseline of calling every leaderboard model above 1e25."""
        return self.precision_recall([True for _ in self.cases])


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
    known = load_known(configs.known_models)
    name_index = {spec.name: key for key, spec in known.items()}
    reference = epoch_reference(
        reference_dir or paths.raw / "epoch", NameRules.load(configs.aliases), name_index
    )
    # models seen on a leaderboard: a database of specs (Epoch's own) is not a sighting
    evidence = {key: item for key, item in evidence.items() if item.benchmarks}
    cases = []
    for key in sorted(set(reference) & set(evidence)):
        withheld = {k: spec for k, spec in known.items() if k != key}
        record = Estimator(evidence, withheld, settings).estimate([key]).get(key)
        if record is None:
            continue
        name, truth = reference[key]
        cases.append(
            Case(
                key,
                name,
                truth,
                record["training_flop"],
                record["estimation_method"],
                record["threshold_classification"],
            )
        )
    if not cases:
        raise InputError(
            "no Epoch reference model appears in the scraped leaderboards", file=paths.scraped
        )
    skipped = sorted(set(reference) & set(evidence) - {c.key for c in cases})
    return Evaluation(cases, settings.thresholds.threshold, skipped)
