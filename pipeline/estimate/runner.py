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
from operator import itemgetter
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
    encode_lines,
    holds_document,
    read_document_with_fingerprint,
    write_encoded,
)
from pipeline.values import utc_now

if TYPE_CHECKING:  # imported when estimating: refresh, review and report read estimates only
    from pipeline.estimate.estimator import Estimator


STAMP, METHOD, CLASS, HASH = (
    "generated_at", "estimation_method", "threshold_classification", "evidence_hash"
)  # fmt: skip
COUNTED = (METHOD, CLASS)
PAIR = itemgetter(*COUNTED)
CLASSIFIED = ("p_above", CLASS, "status")  # what classify_record sets
MISSING = object()


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
    _counted: dict[str, Counter[str]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _count: int | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def model_count(self) -> int:
        """How many models were estimated (all of them, where ``models`` leaves some out)."""
        return len(self.models) if self._count is None else self._count

    def count_summaries(self, summaries: list[tuple[str, float, str, str]]) -> None:
        """Count the models from their summaries (key, compute, method, class), for a
        report whose ``models`` may leave some out."""
        self._count = len(summaries)
        self._counted = {
            METHOD: Counter(s[2] for s in summaries),
            CLASS: Counter(s[3] for s in summaries),
        }

    def counts(self, field_name: str) -> Counter[str]:
        """How many models have each value of ``field_name``. The methods and the classes
        are counted together, once: the models are final when the report is read."""
        if field_name not in COUNTED:
            return Counter(m[field_name] for m in self.models)
        if not self._counted:
            self._counted = {METHOD: Counter(), CLASS: Counter()}
            for (method, classification), n in Counter(map(PAIR, self.models)).items():
                self._counted[METHOD][method] += n
                self._counted[CLASS][classification] += n
        return Counter(self._counted[field_name])


def _by_flop(models: list[dict[str, Any]]) -> list[int]:
    """The order of ``models`` by training compute, largest first, then by key."""
    return _order([m["key"] for m in models], [-m["training_flop"] for m in models])


def _order(keys: list[str], less_flop: list[float]) -> list[int]:
    """The order of models by ``less_flop`` (their compute, negated), then by key: two
    stable sorts on plain keys (texts, then floats), which compare faster than pairs."""
    order = sorted(range(len(keys)), key=keys.__getitem__)
    order.sort(key=less_flop.__getitem__)
    return order


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


def save_estimates(paths: DataPaths, metadata: dict[str, Any], parts: list[memoryview]) -> bool:
    """Write the estimates document of ``metadata`` and the records already encoded
    (``parts``, in order: :func:`pipeline.storage.jsondoc.encode_lines`), unless the file
    holds exactly this already, and record its fingerprint, so that readers take it as
    written; whether it was written."""
    written = write_encoded(paths.estimated, metadata, parts)
    record_fingerprint(paths.estimated, paths.estimated_fingerprint, checks())
    return written


def run_estimate(
    settings: Settings,
    *,
    update: bool = False,
    dry_run: bool = False,
    unsaved: dict[Path, dict[str, Any]] | None = None,
    records: bool = True,
) -> EstimateReport:
    """Estimate every collected model (``unsaved``: documents collected in this cycle, read
    in place of their files). Without ``records``, for a caller that reads the counts
    alone, an ``update`` that finds the file unchanged leaves ``models`` empty: the records
    a second process made are then never decoded."""
    with collector_paused():  # the evidence and records hold no reference cycles
        return _estimate(settings, update, dry_run, unsaved, records)


def _estimate(
    settings: Settings,
    update: bool,
    dry_run: bool,
    unsaved: dict[Path, dict[str, Any]] | None,
    records: bool = True,
) -> EstimateReport:
    from pipeline.estimate.estimator import Estimator
    from pipeline.estimate.evidence_cache import load_merged
    from pipeline.estimate.hardware import load_checked

    paths, configs = DataPaths(settings.data_dir), ConfigPaths(settings.config_dir)
    merged = load_merged(paths.scraped, paths.evidence_cache, unsaved)
    evidence = merged.evidence
    if not evidence:
        raise InputError("no scraped models; run `tracker collect-all` first", file=paths.scraped)
    estimator = Estimator(
        evidence, load_checked(configs.known_models, settings.estimation), settings,
        fits_file=paths.estimator_fits,
    )  # fmt: skip
    report = EstimateReport(
        [], fits=[fit.as_json() for fit in estimator.fits.values()], keys=frozenset(evidence)
    )
    if update:
        _reestimate(paths, settings, estimator, report, dry_run, records)
    else:
        _keep_unchanged(paths, settings, estimator, report, dry_run)
    if not dry_run:
        estimator.keep_fits()
        merged.keep()
    return report


def _keep_unchanged(
    paths: DataPaths,
    settings: Settings,
    estimator: Estimator,
    report: EstimateReport,
    dry_run: bool,
) -> None:
    """Estimate the models whose evidence changed since the saved estimates; the others
    keep theirs, classified again. (With no saved estimates, each digest is made with its
    record, on two cores where it can.)"""
    from pipeline.estimate.estimator import classify_record
    from pipeline.estimate.parallel import estimate_encoded

    previous_doc, previous = _previous(paths)
    old_metadata = previous_doc.get("metadata", {})
    del previous_doc  # the records live on in ``previous``, which is emptied as we go
    digests = {key: estimator.digest(key) for key in estimator.evidence} if previous else {}
    todo = [
        key
        for key in estimator.evidence
        if (old := previous.get(key)) is None or old.get(HASH) != digests[key]
    ]
    estimated = estimate_encoded(estimator, todo, digests)
    made, lines = estimated.records(), estimated.lines
    line_of = {key: line for (key, _), line in zip(made, lines, strict=True)}
    fresh = iter(made)
    upcoming = next(fresh, None)
    unchanged = True  # every record as saved before
    for key in estimator.evidence:
        old = previous.pop(key, None)
        if upcoming is not None and upcoming[0] == key:
            record = upcoming[1]
            upcoming = next(fresh, None)
            if old is None:
                report.new += 1
            else:
                report.reestimated += 1
            unchanged = unchanged and record == old
            was = old.get(CLASS, MISSING) if old else None
        elif old is not None and old.get(HASH) == digests[key]:
            saved = tuple(old.get(name, MISSING) for name in CLASSIFIED)
            record = classify_record(old, settings)  # in place: only these fields change
            report.kept += 1
            unchanged = unchanged and saved == tuple(record[name] for name in CLASSIFIED)
            was = saved[1]
        else:
            if old is not None:
                report.removed.append(key)
            continue  # no method applies to this model
        _note_reclassified(report, key, was, record)
        report.models.append(record)
    report.removed = sorted([*report.removed, *previous])
    report.models = [report.models[i] for i in _by_flop(report.models)]
    if dry_run:
        return
    metadata = _metadata(settings, report, estimator)
    if unchanged and not report.removed and old_metadata:
        old_meta = dict(old_metadata)
        stamp = old_meta.pop(STAMP, "")
        if old_meta == {k: v for k, v in metadata.items() if k != STAMP}:
            return
        metadata[STAMP] = stamp
    metadata[STAMP] = metadata[STAMP] or utc_now()
    kept = [record for record in report.models if record["key"] not in line_of]
    line_of.update(zip([record["key"] for record in kept], encode_lines(kept), strict=True))
    parts = [line_of[record["key"]] for record in report.models]
    report.written = save_estimates(paths, metadata, parts)


def _reestimate(
    paths: DataPaths,
    settings: Settings,
    estimator: Estimator,
    report: EstimateReport,
    dry_run: bool,
    records: bool = True,
) -> None:
    """Estimate every model again (on two cores where it can: :mod:`.parallel`). The
    records are encoded once, as they are saved: when the saved file holds exactly these
    bytes (its time of making aside), nothing changed and it is not read further;
    otherwise it is read for what changed, and replaced. The order and the counts come
    from each record's summary (``records``: whether the report holds the records)."""
    from pipeline.estimate.parallel import estimate_encoded

    estimated = estimate_encoded(estimator, list(estimator.evidence), {}, decode=False)
    summaries = estimated.summaries
    order = _order([s[0] for s in summaries], [-s[1] for s in summaries])
    parts = [estimated.lines[i] for i in order]
    report.count_summaries(summaries)
    metadata = _metadata(settings, report, estimator)
    unchanged_file = holds_document(paths.estimated, metadata, parts, STAMP)
    if records or not unchanged_file:  # what changed is found from the records
        made = estimated.records()
        report.models = [made[i][1] for i in order]
    if unchanged_file:
        report.reestimated = len(summaries)
        return
    try:  # a damaged file is replaced instead of read
        previous_doc, previous = _previous(paths)
    except InputError as exc:
        previous_doc, previous = {}, {}
        damaged = str(exc).removesuffix(f"; {REBUILD}")
        report.warnings.append(f"{damaged}; rebuilt from the collected data")
    unchanged = True  # every record as saved before (its bytes aside)
    for key, record in made:
        old = previous.pop(key, None)
        if old is None:
            report.new += 1
        else:
            report.reestimated += 1
        unchanged = unchanged and record == old
        _note_reclassified(report, key, old.get(CLASS, MISSING) if old else None, record)
    report.removed = sorted(previous)
    if dry_run:
        return
    stamp = previous_doc.get("metadata", {}).get(STAMP, "")
    metadata[STAMP] = (unchanged and not report.removed and stamp) or utc_now()
    report.written = save_estimates(paths, metadata, parts)


def _note_reclassified(report: EstimateReport, key: str, was: Any, record: dict[str, Any]) -> None:
    """Note a model whose saved record (``was``: its class, MISSING when it has none; None
    when there is no saved record) is classified otherwise now."""
    if was is not None and was != record[CLASS]:
        report.reclassified.append((key, "" if was is MISSING else was, record[CLASS]))


def _metadata(settings: Settings, report: EstimateReport, estimator: Estimator) -> dict[str, Any]:
    """The estimates document's metadata, its time of making left blank."""
    return {
        STAMP: "",
        "model_count": report.model_count,
        "thresholds": settings.thresholds.model_dump(),
        "reference_models": sorted(k for k in estimator.known if k in estimator.evidence),
        "benchmark_fits": report.fits,
        "methods": dict(sorted(report.counts(METHOD).items())),
        "classifications": dict(sorted(report.counts(CLASS).items())),
    }
