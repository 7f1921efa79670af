"""``collect-all``: read every configured source and save its models."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from pipeline.collect.fetch import fetch_page, make_client
from pipeline.collect.names import NameRules
from pipeline.collect.records import build_models
from pipeline.collect.sources import SourceConfig, load_sources
from pipeline.collect.tables import SourceRow, rows_from_csv, rows_from_html
from pipeline.errors import InputError, SourceError, TrackerError
from pipeline.paths import ConfigPaths, DataPaths
from pipeline.settings import Settings
from pipeline.storage.jsondoc import read_document, write_document
from pipeline.values import utc_now

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
    unsaved: dict[str, Any] | None = None  # the document a dry run did not write


@dataclass
class CollectReport:
    results: list[SourceResult]

    @property
    def succeeded(self) -> list[SourceResult]:
        return [r for r in self.results if r.ok]

    @property
    def failed(self) -> list[SourceResult]:
        return [r for r in self.results if not r.ok]

    def unsaved(self, settings: Settings) -> dict[Path, dict[str, Any]]:
        """A dry run's documents by the path they would have been written to."""
        paths = DataPaths(settings.data_dir)
        return {paths.scraped_file(r.name): r.unsaved for r in self.results if r.unsaved}


def read_rows(
    source: SourceConfig, settings: Settings, client: httpx.Client | None
) -> list[SourceRow]:
    if source.type == "csv_file":
        return rows_from_csv(source.input_path(settings.data_dir), source)
    if source.type == "html_file":
        path = source.input_path(settings.data_dir)
        try:
            html = path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            raise SourceError(source.name, f"{path}: file not found") from None
        return rows_from_html(html, source, str(path))
    assert source.url is not None
    own = client is None
    client = client or make_client(settings.collect)
    try:
        html = fetch_page(
            source.name,
            source.url,
            settings.collect,
            client,
            max_wait=settings.max_retry_wait_seconds,
        )
    finally:
        if own:
            client.close()
    return rows_from_html(html, source, source.url)


def _previous(paths: DataPaths, name: str) -> dict[str, Any] | None:
    try:
        return read_document(paths.scraped_file(name))
    except InputError:
        return None  # a damaged previous output is simply replaced


def collect_source(
    source: SourceConfig,
    settings: Settings,
    rules: NameRules,
    client: httpx.Client | None = None,
    dry_run: bool = False,
) -> SourceResult:
    """Read one source and save its models (a dry run keeps them in the result)."""
    paths = DataPaths(settings.data_dir)
    try:
        rows = read_rows(source, settings, client)
    except TrackerError as exc:
        message = str(exc)
        return SourceResult(
            source.name, False, error=message.removeprefix(f"source {source.name}: ")
        )
    previous = _previous(paths, source.name) or {}
    old_models = {m.get("key"): m for m in previous.get("models", [])}
    now = utc_now()
    collected = build_models(rows, source, rules, now, old_models)
    if not collected.models:
        return SourceResult(
            source.name, False, error="no models found", warnings=collected.warnings
        )
    if len(collected.models) < len(old_models) * MIN_KEPT_SHARE:
        error = (
            f"only {len(collected.models)} models where the previous output has "
            f"{len(old_models)}: a changed layout? (delete the previous output to accept it)"
        )
        return SourceResult(source.name, False, error=error, warnings=collected.warnings)
    unchanged = previous.get("models") == collected.models
    metadata = {
        "source": source.name,
        "type": source.type,
        "input": source.url if source.type == "html_table" else source.path,
        "saved_at": (previous.get("metadata") or {}).get("saved_at") if unchanged else now,
        "model_count": len(collected.models),
        "folded_names": collected.folded,
    }
    document = {"metadata": metadata, "models": collected.models}
    written = not dry_run and write_document(paths.scraped_file(source.name), document)
    return SourceResult(
        source.name,
        True,
        len(collected.models),
        collected.folded,
        written,
        warnings=collected.warnings,
        unsaved=document if dry_run and not unchanged else None,
    )


def collect_all(
    settings: Settings,
    only: str | None = None,
    client: httpx.Client | None = None,
    dry_run: bool = False,
) -> CollectReport:
    configs = ConfigPaths(settings.config_dir)
    sources = [s for s in load_sources(configs.scrapers) if s.enabled or s.name == only]
    if only is not None:
        names = [s.name for s in load_sources(configs.scrapers)]
        if only not in names:
            raise InputError(
                f"unknown source {only!r}; sources: {', '.join(names)}", file=configs.scrapers
            )
        sources = [s for s in sources if s.name == only]
    rules = NameRules.load(configs.aliases)
    return CollectReport([collect_source(s, settings, rules, client, dry_run) for s in sources])
