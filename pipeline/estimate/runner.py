"""``estimate-flops``: estimate every collected model and save ``estimated_models.json``.

By default a model keeps its previous estimate while its evidence (names, developer,
benchmark scores, sources, known spec) is unchanged, so estimates do not drift every time
a reference model is added; ``--update`` re-estimates every model. Classification is
always recomputed, so a change of thresholds applies at once.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.errors import InputError
from pipeline.estimate import records
from pipeline.estimate.records import estimates_by_key
from pipeline.paths import ConfigPaths, DataPaths
from pipeline.settings import Settings
from pipeline.storage.fingerprint import as_recorded, record_fingerprint
from pipeline.storage.jsondoc import (
    collector_paused,
    read_document_with_fingerprint,
    write_document,
)
from pipeline.values import utc_now

if TYPE_CHECKING:  # imported when estimating: refresh, review and report read estimates only
    from pipeline.estimate.estimator import Estimator


@dataclass
class EstimateReport:
    models: list[dict[str, Any]]
    new: int = 0
    reestimated: int = 0
    kept: int = 0
    removed: list[str] = field(default_factory=list)
    reclassified: list[tuple[str, str, str]] = field(default_factory=list)
    fits: list[dict[str, Any]] = field(default_factory=list)
    written: bool = False
    warnings: list[str] = field(default_factory=list)
    keys: frozenset[str] = frozenset()  # every collected model's, estimated or not

    def counts(self, field_name: str) -> Counter[str]:
        return Counter(m[field_name] for m in self.models)


def _sort_key(model: dict[str, Any]) -> tuple[float, str]:
    return (-model["training_flop"], model["key"])


REBUILD = "`tracker estimate-flops --update` rebuilds it from the collected data"


def load_previous(paths: DataPaths) -> dict[str, dict[str, Any]]:
    """The saved estimates by key, each checked (empty when there are none)."""
    return _previous(paths)[1]


def _previous(paths: DataPaths) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The saved document and its estimates by key; a damaged file says how to rebuild it.
    Each record is checked unless the file is exactly as estimate-flops wrote it."""
    try:
        read = read_document_with_fingerprint(paths.estimated)
        if read is None:
            return {}, {}
        doc, fingerprint = read
        if as_recorded(fingerprint, paths.estimated, paths.estimated_fingerprint, checks()):
            return doc, {record["key"]: record for record in doc["models"]}
        return doc, estimates_by_key(doc["models"], paths.estimated)
    except InputError as exc:
        raise InputError(f"{exc.detail}; {REBUILD}", file=exc.file, row=exc.row,
                         field=exc.field) from None  # fmt: skip


@cache
def checks() -> str:
    """The digest of the code that checks a saved record: a file recorded as written under
    other checks (an earlier release) is checked again."""
    return hashlib.sha256(Path(records.__file__).read_bytes()).hexdigest()[:16]


def save_estimates(paths: DataPaths, doc: dict[str, Any]) -> bool:
    """Write the estimates document (unless it holds exactly this already) and record its
    fingerprint, so that readers take it as written; whether it was written."""
    written = write_document(paths.estimated, doc)
    record_fingerprint(paths.estimated, paths.estimated_fingerprint, checks())
    return written


def run_estimate(
    settings: Settings,
    *,
    update: bool = False,
    dry_run: bool = False,
    unsaved: dict[Path, dict[str, Any]] | None = None,
) -> EstimateReport:
    """Estimate every collected model (``unsaved``: documents collected in this cycle, read
    in place of their files)."""
    with collector_paused():  # the evidence and records hold no reference cycles
        return _estimate(settings, update, dry_run, unsaved)


def _estimate(
    settings: Settings, update: bool, dry_run: bool, unsaved: dict[Path, dict[str, Any]] | None
) -> EstimateReport:
    from pipeline.estimate.estimator import Estimator, classify_record
    from pipeline.estimate.evidence import load_evidence
    from pipeline.estimate.hardware import load_checked

    paths, configs = DataPaths(settings.data_dir), ConfigPaths(settings.config_dir)
    evidence = load_evidence(paths.scraped, unsaved)
    if not evidence:
        raise InputError("no scraped models; run `tracker collect-all` first", file=paths.scraped)
    estimator = Estimator(
        evidence, load_checked(configs.known_models, settings.estimation), settings,
        fits_file=paths.estimator_fits,
    )  # fmt: skip
    damaged = ""  # --update replaces a damaged file instead of reading it
    try:
        previous_doc, previous = _previous(paths)
    except InputError as exc:
        if not update:
            raise
        previous_doc, previous, damaged = {}, {}, str(exc).removesuffix(f"; {REBUILD}")
    old_metadata = previous_doc.get("metadata", {})
    del previous_doc  # the records live on in ``previous``, which is emptied as we go
    digests = {key: estimator.digest(key) for key in evidence}
    todo = [
        key
        for key, digest in digests.items()
        if update or previous.get(key, {}).get("evidence_hash") != digest
    ]
    fresh = estimator.iter_estimates(todo, digests)
    upcoming = next(fresh, None)
    report = EstimateReport(
        [], fits=[fit.as_json() for fit in estimator.fits.values()], keys=frozenset(evidence)
    )
    if damaged:
        report.warnings.append(f"{damaged}; rebuilt from the collected data")
    unchanged = True  # every record as saved before
    for key in evidence:
        old = previous.pop(key, None)
        if upcoming is not None and upcoming[0] == key:
            record = upcoming[1]
            upcoming = next(fresh, None)
            if old is None:
                report.new += 1
            else:
                report.reestimated += 1
        elif old is not None and old.get("evidence_hash") == digests[key]:
            record = classify_record(dict(old), settings)
            report.kept += 1
        else:
            if old is not None:
                report.removed.append(key)
            continue  # no method applies to this model
        unchanged = unchanged and record == old
        if old and old.get("threshold_classification") != record["threshold_classification"]:
            report.reclassified.append(
                (key, old.get("threshold_classification", ""), record["threshold_classification"])
            )
        report.models.append(record)
    report.removed = sorted([*report.removed, *previous])
    unchanged = unchanged and not report.removed
    report.models.sort(key=_sort_key)
    if not dry_run:
        report.written = _save(paths, settings, report, estimator, old_metadata, unchanged)
        estimator.keep_fits()
    return report


def _save(
    paths: DataPaths,
    settings: Settings,
    report: EstimateReport,
    estimator: Estimator,
    old_metadata: dict[str, Any],
    unchanged: bool,
) -> bool:
    """Write the estimates unless only the timestamp would change."""
    metadata: dict[str, Any] = {
        "generated_at": "",
        "model_count": len(report.models),
        "thresholds": settings.thresholds.model_dump(),
        "reference_models": sorted(k for k in estimator.known if k in estimator.evidence),
        "benchmark_fits": report.fits,
        "methods": dict(sorted(report.counts("estimation_method").items())),
        "classifications": dict(sorted(report.counts("threshold_classification").items())),
    }
    if unchanged and old_metadata:
        old_meta = dict(old_metadata)
        stamp = old_meta.pop("generated_at", "")
        if old_meta == {k: v for k, v in metadata.items() if k != "generated_at"}:
            return False
        metadata["generated_at"] = stamp
    metadata["generated_at"] = metadata["generated_at"] or utc_now()
    return save_estimates(paths, {"metadata": metadata, "models": report.models})
