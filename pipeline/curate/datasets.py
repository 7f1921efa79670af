"""Opening the curated tables by name, after finishing any interrupted apply."""

from __future__ import annotations

from pathlib import Path

from pipeline.curate.apply import recover
from pipeline.curate.schema_map import SchemaMap
from pipeline.paths import ConfigPaths, DataPaths
from pipeline.schema import COLUMNS, KEY
from pipeline.settings import Settings
from pipeline.storage.atomic import atomic_write_bytes
from pipeline.storage.csvtable import CsvTable

CANDIDATES, BELOW, STAGING, PUBLISHED = "candidates", "below", "staging", "published"


def table_path(paths: DataPaths, name: str) -> Path:
    return {
        CANDIDATES: paths.candidates,
        BELOW: paths.below,
        STAGING: paths.staging,
        PUBLISHED: paths.published,
    }[name]


def published_seed(settings: Settings) -> Path | None:
    """The file a missing published dataset starts from, if it is missing and there is one."""
    if DataPaths(settings.data_dir).published.exists() or not settings.published_seed:
        return None
    seed = settings.data_dir / settings.published_seed
    return seed if seed.is_file() else None


def seed_published(settings: Settings) -> Path | None:
    """Start a missing published dataset from the configured seed; the seed if copied."""
    seed = published_seed(settings)
    if seed is not None:
        atomic_write_bytes(DataPaths(settings.data_dir).published, seed.read_bytes())
    return seed


def open_tables(settings: Settings, names: list[str]) -> dict[str, CsvTable]:
    """The named tables (missing files read as empty), after replaying an interrupted plan."""
    paths = DataPaths(settings.data_dir)
    recover(paths.state)
    tables = {}
    for name in names:
        if name == PUBLISHED:
            schema = SchemaMap.load(ConfigPaths(settings.config_dir).schema_map)
            key, columns = schema.key.published, schema.published_columns
            tables[name] = CsvTable.read(paths.published, key, columns)
        else:
            tables[name] = CsvTable.read(table_path(paths, name), KEY, COLUMNS)
    return tables
