"""What every ``sync-datasets`` mode opens: tables, the mapping, the schema translation."""

from __future__ import annotations

import copy

import click

from pipeline.curate.apply import apply_plan, preview
from pipeline.curate.datasets import (
    PUBLISHED,
    STAGING,
    open_tables,
    published_seed,
    seed_published,
)
from pipeline.curate.mapping import load_mapping
from pipeline.curate.plan import Plan
from pipeline.curate.schema_map import SchemaMap
from pipeline.curate.sync import SyncContext, plan_to_published, plan_to_staging
from pipeline.errors import InputError
from pipeline.paths import ConfigPaths, DataPaths
from pipeline.settings import Settings
from pipeline.storage.csvtable import CsvTable
from pipeline.values import utc_now

ANSWERS = {"yes": "y", "no": "n", "q": "quit"}
TARGETS = {"staging-to-published": PUBLISHED, "published-to-staging": STAGING}


class Session:
    def __init__(self, settings: Settings, *, read_only: bool = False) -> None:
        configs = ConfigPaths(settings.config_dir)
        published = DataPaths(settings.data_dir).published
        seed = published_seed(settings)
        if seed is not None and not read_only:
            seed_published(settings)
            click.echo(f"Started {published} from {seed}")
        self.tables = open_tables(settings, [STAGING, PUBLISHED])
        if seed is not None and read_only:
            click.echo(f"No {published} yet: reading {seed} (a sync would start from it)")
            self.tables[PUBLISHED] = CsvTable.read(
                seed, self.tables[PUBLISHED].key_column, self.tables[PUBLISHED].columns
            )
        self.mapping_path = configs.name_mapping
        overlay = DataPaths(settings.data_dir).mapping_overlay
        self.mapping = load_mapping(configs.name_mapping, overlay)
        self.schema = SchemaMap.load(configs.schema_map)
        self.state = DataPaths(settings.data_dir).state

    @property
    def staging(self) -> CsvTable:
        return self.tables[STAGING]

    @property
    def published(self) -> CsvTable:
        return self.tables[PUBLISHED]

    def context(self) -> SyncContext:
        return SyncContext(self.schema, self.mapping, utc_now())

    def plan(self, direction: str) -> Plan:
        planner = plan_to_published if TARGETS[direction] == PUBLISHED else plan_to_staging
        return planner(self.staging, self.published, self.context())

    def apply(self, plan: Plan) -> list[str]:
        return apply_plan(plan, self.tables, utc_now(), self.state)

    def simulate(self, plan: Plan) -> None:
        """Apply ``plan`` to in-memory copies of the tables; nothing is written."""
        self.tables = copy.deepcopy(self.tables)
        preview(plan, self.tables, utc_now())

    def require_valid_mapping(self) -> None:
        if self.mapping.problems:
            for problem in self.mapping.described_problems():
                click.echo(f"error: {problem}", err=True)
            raise InputError("fix the name mapping first", file=self.mapping_path)
