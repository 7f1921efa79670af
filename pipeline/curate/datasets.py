"""Opening the curated tables by name, after finishing any interrupted apply."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pipeline.curate.apply import recover
from pipeline.curate.schema_map import SchemaMap
from pipeline.paths import ConfigPaths, DataPaths
from pipeline.schema import COLUMNS, KEY, VERIFIED
from pipeline.settings import Settings
from pipeline.storage.atomic import atomic_write_bytes
from pipeline.storage.csvtable import CsvTable


class Table(StrEnum):
    """The curated tables, by the name plans, the journal, history and the sheets use."""

    CANDIDATES = "candidates"
    BELOW = "below"
    STAGING = "staging"
    PUBLISHED = "published"


# The members by their own names, as modules import them.
CANDIDATES = Table.CANDIDATES
BELOW = Table.BELOW
STAGING = Table.STAGING
PUBLISHED = Table.PUBLISHED
DECIDED = ("confirmed_above_1e25", "confirmed_below_1e25")  # statuses only a decision sets


def read_dataset(path: Path) -> CsvTable:
    """Candidates, below or staging in any subset and order of the schema's columns.

    A file without ``verified`` still records decisions in ``status``: those rows read as
    verified, so automation keeps them (written out with the column on the next write)."""
    table = CsvTable.read(path, KEY, COLUMNS)
    if "verified" in table.missing:
        for record in table.rows.values():
            if record.cells.get("status", "").strip().lower() in DECIDED:
                record.cells["verified"] = VERIFIED
    return table


def table_path(paths: DataPaths, name: str) -> Path:
    by_name: dict[str, Path] = {
        CANDIDATES: paths.candidates,
        BELOW: paths.below,
        STAGING: paths.staging,
        PUBLISHED: paths.published,
    }
    return by_name[name]


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
            tables[name] = read_dataset(table_path(paths, name))
    return tables
