"""The three-way mirror (DESIGN §7): read the sheets, pull reviewers' edits into the local
files, push local changes to the sheets, under a write-ahead journal."""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Literal

from bridge.analysis import Analysis, analyse
from bridge.backends import make_backend
from bridge.backends.base import Backend
from bridge.codec import normal
from bridge.layout import TABLES, SheetLayout, layouts
from bridge.model import SheetChanges
from bridge.outcome import Outcome
from bridge.pull import ORDER, PULLS, TABLES_NEEDED, PullContext
from bridge.push import changes_for, desired_rows, hold_unpulled, intended_base
from bridge.state import BridgeState
from pipeline.curate.apply import apply_plan, preview
from pipeline.curate.datasets import PUBLISHED, open_tables, published_seed, seed_published
from pipeline.curate.mapping import MappingFile
from pipeline.curate.plan import Plan
from pipeline.curate.schema_map import SchemaMap
from pipeline.errors import TrackerError
from pipeline.paths import ConfigPaths, DataPaths
from pipeline.settings import Settings
from pipeline.storage.csvtable import CsvTable
from pipeline.values import utc_now

Mode = Literal["status", "pull", "push", "sync"]


@dataclass
class MirrorReport:
    backend: str
    location: str
    mode: str
    dry_run: bool
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    changes: dict[str, SheetChanges] = field(default_factory=dict)
    local: Plan = field(default_factory=Plan)
    written: list[str] = field(default_factory=list)
    pushed: bool = False
    skipped: str | None = None
    local_changes: dict[str, int] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)
    notices: list[str] = field(default_factory=list)


def _fitted(layout: SheetLayout, backend: Backend) -> SheetLayout:
    return replace(
        layout,
        max_text=backend.max_text,
        plain_text=backend.plain_text,
        number_digits=backend.number_digits,
    )


def local_changes(layout: SheetLayout, table: CsvTable, base: dict[str, dict[str, str]]) -> int:
    """Rows whose local cells differ from the base (what a push would write)."""
    changed = 0
    for key in table.rows:
        row = base.get(key)
        if row is None or any(
            normal(layout, c, table.cell(key, c)) != row.get(c, "") for c in layout.columns
        ):
            changed += 1
    return changed + sum(1 for key in base if key not in table)


def mirror(
    settings: Settings,
    mode: Mode,
    *,
    backend: Backend | None = None,
    backend_name: str | None = None,
    tables: list[str] | None = None,
    dry_run: bool = False,
) -> MirrorReport:
    backend = backend or make_backend(settings, backend_name)
    paths, configs = DataPaths(settings.data_dir), ConfigPaths(settings.config_dir)
    report = MirrorReport(backend.name, backend.location(), mode, dry_run)
    writing = mode in ("pull", "sync", "push") and not dry_run
    seed = published_seed(settings)
    if seed is not None and writing:
        seed_published(settings)
        report.notices.append(f"Started {paths.published} from {seed}")
    local = open_tables(settings, TABLES_NEEDED)
    if seed is not None and not writing:
        local[PUBLISHED] = CsvTable.read(
            seed, local[PUBLISHED].key_column, local[PUBLISHED].columns
        )
    if not writing:
        local = copy.deepcopy(local)
    schema = SchemaMap.load(configs.schema_map)
    mapping = MappingFile.load(configs.name_mapping)
    lays = {
        name: _fitted(layout, backend)
        for name, layout in layouts(
            schema, {t: local[t].columns for t in TABLES}, settings.bridge.titles
        ).items()
    }
    chosen = [t for t in TABLES if tables is None or t in tables]
    state = BridgeState.load(paths.state, backend.name)
    backend.cache = state.cache.setdefault(backend.name, {})
    for table in chosen:
        report.local_changes[table] = local_changes(lays[table], local[table], state.base_of(table))
    try:
        sheets = backend.read([lays[t] for t in chosen])
    except TrackerError as exc:
        if mode != "status":
            raise
        report.skipped = f"sheet not read: {exc}"  # status works offline: local changes only
        return report
    refs = state.cache.get("refs", {}) if backend.stable_refs else {}
    analyses = {
        t: analyse(lays[t], sheets[t], state.base_of(t),
                   state.journal.get(t) if state.journal is not None else None,
                   refs.get(t), {k: local[t].get(k) for k in local[t].rows})
        for t in chosen
    }  # fmt: skip
    report.outcomes = {t: Outcome() for t in chosen}
    stamp = utc_now()

    def apply(plan: Plan) -> None:
        if not plan.changes:
            return
        report.local.extend(plan.changes)
        if writing:
            report.written += apply_plan(plan, local, stamp, paths.state)
        else:
            preview(plan, local, stamp)

    if mode in ("pull", "sync", "status"):
        ctx = PullContext(local, schema, mapping, configs.name_mapping, stamp, apply, not writing)
        for table in ORDER:
            if table in chosen:
                PULLS[table](analyses[table], ctx, report.outcomes[table])
    else:
        for table in chosen:
            hold_unpulled(analyses[table], report.outcomes[table])
    if mode == "pull":
        if writing:
            _advance(state, analyses, report.outcomes)
        report.calls = backend.calls
        return report
    intended = {}
    for table in chosen:
        desired = desired_rows(lays[table], local[table], analyses[table], report.outcomes[table])
        report.changes[table] = changes_for(
            lays[table], analyses[table], desired, report.outcomes[table]
        )
        intended[table] = intended_base(
            lays[table], desired, analyses[table], report.outcomes[table]
        )
    if mode == "status" or dry_run:
        report.calls = backend.calls
        return report
    report.skipped = backend.write_blocked()
    if report.skipped is None:
        if any(report.changes.values()):
            state.begin_push(intended)
            backend.write({t: c for t, c in report.changes.items() if c})
            report.pushed = True
        else:
            state.bases.update(intended)
        state.finish_push()
    else:
        _advance(state, analyses, report.outcomes)
    report.calls = backend.calls
    return report


def _advance(
    state: BridgeState, analyses: dict[str, Analysis], outcomes: dict[str, Outcome]
) -> None:
    """After a pull without a push: the pulled cells' base becomes the reviewer's value."""
    for table, analysis in analyses.items():
        base = state.bases.setdefault(table, {})
        for key, columns in outcomes[table].applied.items():
            row = analysis.rows.get(key)
            if row is None:
                continue
            target = base.setdefault(key, dict(analysis.base.get(key, {})))
            for column in columns:
                target[column] = normal(analysis.layout, column, row.cells.get(column, ""))
    state.save()
