"""``collect-all``: read every configured source and save its models."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.collect.developers import DeveloperNames
from pipeline.collect.export import write_export
from pipeline.collect.history import record_outcomes
from pipeline.collect.hub import hub_models, list_models
from pipeline.collect.names import NameRules
from pipeline.collect.reading import Inputs, read_inputs
from pipeline.collect.records import Collected, build_models, keep_timestamps, merge_snapshots
from pipeline.collect.snapshots import unclaimed_files
from pipeline.collect.sources import SPEC_TYPES, SourceConfig, load_sources
from pipeline.collect.specs import build_spec_models, spec_changes
from pipeline.errors import InputError, TrackerError, source_failure
from pipeline.paths import ConfigPaths, DataPaths
from pipeline.settings import Settings
from pipeline.storage.jsondoc import read_document, write_document
from pipeline.values import utc_now

if TYPE_CHECKING:
    import httpx

# A source that suddenly yields fewer than half the models of its previous output most
# likely had its page layout changed; the previous output is kept instead.
MIN_KEPT_SHARE = 0.5


@dataclass
class SourceResult:
    name: str
    ok: bool
    models: int = 0
    folded: int = 0
    written: bool = False
    error: str = ""
    warnings: list[str] = field(default_factory=list)
    document: dict[str, Any] | None = None  # what was collected (a dry run does not write it)
    new_models: list[str] = field(default_factory=list)  # keys not in the previous output
    new_files: list[str] = field(default_factory=list)  # snapshots read for the first time
    failed_files: list[str] = field(default_factory=list)  # one line each
    changes: list[str] = field(default_factory=list)  # known values changed (specs sources)
    saved_copy: str = ""  # a fetched page or file saved as a new snapshot
    lists_models: bool = True  # False for a database of specs (its news are not discoveries)


@dataclass
class CollectReport:
    results: list[SourceResult]
    warnings: list[str] = field(default_factory=list)  # files no source reads

    @property
    def succeeded(self) -> list[SourceResult]:
        return [r for r in self.results if r.ok]

    @property
    def failed(self) -> list[SourceResult]:
        return [r for r in self.results if not r.ok]

    def documents(self, settings: Settings) -> dict[Path, dict[str, Any]]:
        """The collected documents by the path they were (or, in a dry run, would have
        been) written to; a failed source's previous output stays on disk only."""
        paths = DataPaths(settings.data_dir)
        return {paths.scraped_file(r.name): r.document for r in self.results if r.document}


def _previous(paths: DataPaths, name: str) -> dict[str, Any] | None:
    try:
        return read_document(paths.scraped_file(name))
    except InputError:
        return None  # a damaged previous output is simply replaced


def fetch_live(source: SourceConfig, settings: Settings, client: httpx.Client | None) -> str:
    """A live source's page (or file) as text; SourceError in one line when it fails."""
    from pipeline.collect.fetch import fetch_page, make_client  # httpx: live sources only

    assert source.url is not None
    own = client is None
    client = client or make_client(settings.collect)
    try:
        return fetch_page(
            source.name, source.url, settings.collect, client,
            max_wait=settings.max_retry_wait_seconds,
        )  # fmt: skip
    finally:
        if own:
            client.close()


def _relative(origin: str, data_dir: Path) -> str:
    path = Path(origin)
    try:
        return path.relative_to(data_dir).as_posix()
    except ValueError:
        return origin


def _models(
    source: SourceConfig,
    inputs: Inputs,
    rules: NameRules,
    developers: DeveloperNames,
    old_models: dict[str, dict[str, Any]],
    now: str,
) -> Collected:
    """The source's records: a specs source's newest snapshot; a leaderboard's snapshots
    merged, each model with the days it was first and last seen."""
    if source.type in SPEC_TYPES:
        newest = inputs.dated[-1]
        collected = build_spec_models(newest.rows, source, rules, developers, now)
        collected.models = keep_timestamps(collected.models, old_models, now)
        return collected
    total = Collected([])
    dated = []
    for snapshot in inputs.dated:
        part = build_models(snapshot.rows, source, rules, now, None, developers)
        total.warnings.extend(part.warnings)
        total.folded = part.folded  # of the newest snapshot
        dated.append((snapshot.day, part.models))
    total.models = keep_timestamps(merge_snapshots(dated, old_models), old_models, now)
    return total


def collect_source(
    source: SourceConfig,
    settings: Settings,
    rules: NameRules,
    client: httpx.Client | None = None,
    dry_run: bool = False,
    developers: DeveloperNames | None = None,
) -> SourceResult:
    """Read one source and save its models (a dry run keeps them in the result)."""
    paths = DataPaths(settings.data_dir)
    if source.type == "hf_hub":
        return _collect_hub(source, settings, rules, developers or DeveloperNames(), dry_run)
    try:
        inputs = read_inputs(
            source,
            settings,
            lambda live: fetch_live(live, settings, client),
            utc_now()[:10],
            dry_run,
            newest_only=source.type in SPEC_TYPES,
        )
    except TrackerError as exc:
        return SourceResult(source.name, False, error=source_failure(source.name, exc))
    if source.export_to:  # the folder source reads the export: no records of its own
        rows = inputs.dated[-1].rows
        saved = None if dry_run else write_export(rows, source, settings.data_dir, utc_now()[:10])
        return SourceResult(
            source.name,
            True,
            len(rows),
            saved_copy=_relative(str(saved), settings.data_dir) if saved else "",
        )
    previous = _previous(paths, source.name) or {}
    old_models = {m.get("key"): m for m in previous.get("models", [])}
    collected = _models(
        source, inputs, rules, developers or DeveloperNames(), old_models, utc_now()
    )
    warnings = [*inputs.notes, *collected.warnings]
    if not collected.models and source.type != "manual_yaml":  # an empty list is fine
        return SourceResult(
            source.name, False, error="no models found", warnings=warnings,
            failed_files=inputs.failed,
        )  # fmt: skip
    if len(collected.models) < len(old_models) * MIN_KEPT_SHARE:
        error = (
            f"only {len(collected.models)} models where the previous output has "
            f"{len(old_models)}: a changed layout? (delete the previous output to accept it)"
        )
        return SourceResult(
            source.name, False, error=error, warnings=warnings, failed_files=inputs.failed
        )
    snapshots: list[dict[str, Any]] = [
        {"file": _relative(d.origin, settings.data_dir), "date": d.day, "models": len(d.rows)}
        for d in inputs.dated
        if d.origin != source.url
    ]
    old_files = {s.get("file") for s in (previous.get("metadata") or {}).get("snapshots", [])}
    unchanged = previous.get("models") == collected.models
    metadata = {
        "source": source.name,
        "type": source.type,
        "input": source.url if source.type == "html_table" else source.path or source.glob,
        "saved_at": (previous.get("metadata") or {}).get("saved_at") if unchanged else utc_now(),
        "model_count": len(collected.models),
        "folded_names": collected.folded,
    }
    if snapshots:
        metadata["snapshots"] = snapshots
    document = {"metadata": metadata, "models": collected.models}
    written = not dry_run and write_document(paths.scraped_file(source.name), document)
    return SourceResult(
        source.name,
        True,
        len(collected.models),
        collected.folded,
        written,
        warnings=warnings,
        document=document,
        new_models=sorted(m["key"] for m in collected.models if m["key"] not in old_models),
        new_files=[]
        if source.type in SPEC_TYPES
        else [s["file"] for s in snapshots if s["file"] not in old_files],
        failed_files=inputs.failed,
        changes=spec_changes(collected.models, old_models) if source.type in SPEC_TYPES else [],
        saved_copy=_relative(str(inputs.saved), settings.data_dir) if inputs.saved else "",
        lists_models=source.type != "epoch_csv",
    )


def _collect_hub(
    source: SourceConfig,
    settings: Settings,
    rules: NameRules,
    developers: DeveloperNames,
    dry_run: bool,
) -> SourceResult:
    paths = DataPaths(settings.data_dir)
    try:
        infos = list_models(source)
    except TrackerError as exc:
        return SourceResult(source.name, False, error=source_failure(source.name, exc))
    previous = _previous(paths, source.name) or {}
    old_models = {m.get("key"): m for m in previous.get("models", [])}
    now = utc_now()
    collected = hub_models(infos, source, rules, developers, now)
    if not collected.models:
        return SourceResult(
            source.name, False, error="no models found", warnings=collected.warnings
        )
    collected.models = keep_timestamps(collected.models, old_models, now)
    unchanged = previous.get("models") == collected.models
    metadata = {
        "source": source.name,
        "type": source.type,
        "input": source.url or "https://huggingface.co",
        "saved_at": (previous.get("metadata") or {}).get("saved_at") if unchanged else now,
        "model_count": len(collected.models),
        "folded_names": collected.folded,
    }
    document = {"metadata": metadata, "models": collected.models}
    written = not dry_run and write_document(paths.scraped_file(source.name), document)
    return SourceResult(
        source.name, True, len(collected.models), collected.folded, written,
        warnings=collected.warnings,
        document=document,
        new_models=sorted(m["key"] for m in collected.models if m["key"] not in old_models),
        changes=spec_changes(collected.models, old_models),
    )  # fmt: skip


def collect_all(
    settings: Settings,
    only: str | None = None,
    client: httpx.Client | None = None,
    dry_run: bool = False,
) -> CollectReport:
    """Collect every enabled source (``only``: that one), record each one's outcome in
    ``state/sources.json`` (unless all failed) and warn of files in a source folder that
    no source reads."""
    configs = ConfigPaths(settings.config_dir)
    every = load_sources(configs.scrapers)
    sources = [s for s in every if s.enabled or s.name == only]
    if only is not None:
        names = [s.name for s in every]
        if only not in names:
            raise InputError(
                f"unknown source {only!r}; sources: {', '.join(names)}", file=configs.scrapers
            )
        sources = [s for s in sources if s.name == only]
    rules = NameRules.load(configs.aliases)
    developers = DeveloperNames.load(configs.aliases)
    report = CollectReport(
        [collect_source(s, settings, rules, client, dry_run, developers) for s in sources]
    )
    seed = [settings.data_dir / settings.published_seed] if settings.published_seed else []
    report.warnings = [
        f"{path}: no source in {configs.scrapers} reads this file (add it to a source's"
        " path or glob, or move it out of the folder)"
        for path in unclaimed_files(every, settings.data_dir, seed)
    ]
    if not dry_run and report.succeeded:  # a collection that fails leaves every file as it was
        record_outcomes(DataPaths(settings.data_dir).state, report.results, utc_now()[:10])
    return report
