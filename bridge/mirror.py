"""The three-way mirror (ARCHITECTURE §7): read the sheets, pull reviewers' edits into the local
files, push local changes to the sheets, under a write-ahead journal."""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from bridge.analysis import Analysis, Rows, analyse
from bridge.backends import make_backend
from bridge.backends.base import Backend
from bridge.codec import normal
from bridge.layout import TABLES, SheetLayout, layouts
from bridge.manual_rows import manual_entries
from bridge.model import SheetChanges, SheetData
from bridge.outcome import Outcome
from bridge.pull import (
    ORDER,
    PULLS,
    TABLES_NEEDED,
    PullContext,
    confirmed_in_staging,
    published_statuses,
)
from bridge.push import changes_for, desired_rows, hold_unpulled, intended_base
from bridge.recheck import recheck
from bridge.state import BridgeState
from pipeline.curate.apply import apply_plan, preview
from pipeline.curate.datasets import (
    BELOW,
    CANDIDATES,
    PUBLISHED,
    STAGING,
    open_tables,
    published_seed,
    seed_published,
)
from pipeline.curate.mapping import load_mapping
from pipeline.curate.plan import Plan
from pipeline.curate.review import already_published
from pipeline.curate.schema_map import SchemaMap
from pipeline.curate.validate import validate_table
from pipeline.errors import InputError, TrackerError
from pipeline.paths import ConfigPaths, DataPaths
from pipeline.settings import Settings
from pipeline.storage.csvtable import CsvTable
from pipeline.values import utc_now

Mode = Literal["status", "pull", "push", "sync"]
UNSENT = "unsent"  # state cache: statuses a pull made that no push has written yet


@dataclass
class InHand:
    """What the earlier stages of a cycle hand to the mirror instead of their files: local
    tables (as written, or as a dry run would have written them) and the keys of every
    collected model."""

    tables: dict[str, CsvTable] = field(default_factory=dict)
    keys: frozenset[str] | None = None


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
    tables: dict[str, CsvTable] = field(default_factory=dict, repr=False)  # as the sync left them

    def totals(self) -> dict[str, int]:
        """Reviewer changes applied, decisions among them, conflicts and problems waiting in
        the sheet, cells written (or to write, in a dry run)."""
        outcomes = self.outcomes.values()
        return {
            "edits": sum(len(o.events) for o in outcomes),
            "decisions": sum(1 for o in outcomes for e in o.events if e.startswith("decision")),
            "conflicts": sum(o.conflicts for o in outcomes),
            "invalid": sum(o.invalid for o in outcomes),
            "cells": sum(c.cells for c in self.changes.values()),
        }


def fitted(layout: SheetLayout, backend: Backend) -> SheetLayout:
    """A layout with the backend's limits (text length, digits, typed numbers)."""
    return replace(
        layout,
        max_text=backend.max_text,
        plain_text=backend.plain_text,
        number_digits=backend.number_digits,
        number_decimals=backend.number_decimals,
        typed_numbers=backend.typed_numbers,
        deletes_rows=backend.deletes_rows,
    )


def shown_elsewhere(table: str, local: dict[str, CsvTable]) -> set[str]:
    """Local rows the sheet does not show: a confirmed candidate lives in Staging."""
    if table != CANDIDATES:
        return set()
    return {key for key in local[CANDIDATES].rows if key in local[STAGING]}


def local_changes(
    layout: SheetLayout,
    table: CsvTable,
    base: dict[str, dict[str, str]],
    hidden: Collection[str] = (),
) -> int:
    """Rows whose local cells differ from the base (what a push would write)."""
    changed = 0
    for key in table.rows:
        if key in hidden:
            changed += key in base  # it leaves the sheet
            continue
        row = base.get(key)
        if row is None or any(
            normal(layout, c, table.cell(key, c)) != row.get(c, "") for c in layout.columns
        ):
            changed += 1
    return changed + sum(1 for key in base if key not in table)


def _open_local(
    settings: Settings,
    writing: bool,
    report: MirrorReport,
    in_hand: dict[str, CsvTable] | None = None,
) -> dict[str, CsvTable]:
    """The local tables; a missing published dataset starts from its seed (in memory only
    when nothing may be written). Tables ``in_hand`` (an earlier stage's of this cycle: as
    written, or as a dry run would have written them) are taken instead of their files;
    when nothing may be written, only copies of them are changed."""
    paths = DataPaths(settings.data_dir)
    in_hand = in_hand or {}
    seed = published_seed(settings)
    if seed is not None and writing:
        seed_published(settings)
        report.notices.append(f"Started {paths.published} from {seed}")
    now = [t for t in TABLES_NEEDED if t not in LATER or t in in_hand]
    local = open_tables(settings, [t for t in now if t not in in_hand])
    if seed is not None and not writing and PUBLISHED in local:
        published = local[PUBLISHED]
        local[PUBLISHED] = CsvTable.read(seed, published.key_column, published.columns)
    tables = LocalTables(
        {t: in_hand[t] if t in in_hand else local[t] for t in now},
        lambda name: open_tables(settings, [name])[name],
    )
    return tables if writing else copy.deepcopy(tables)


LATER = (BELOW,)  # the largest file; only a reviewer's decision or added row asks about it


class LocalTables(dict[str, CsvTable]):
    """The local tables by name; one of :data:`LATER` that no earlier stage handed over is
    read from its file when first asked for (an idle sync never reads it)."""

    def __init__(self, tables: dict[str, CsvTable], load: Callable[[str], CsvTable]) -> None:
        super().__init__(tables)
        self.load = load

    def __missing__(self, name: str) -> CsvTable:
        if name not in LATER:
            raise KeyError(name)
        table = self[name] = self.load(name)
        return table


@dataclass
class _Sync:
    """One mirror run, as its steps share it: where it reads and writes, the local tables,
    the sheets' layouts, the sync state and, once the sheets are read, their analyses."""

    settings: Settings
    backend: Backend
    report: MirrorReport
    writing: bool
    chosen: list[str]
    local: dict[str, CsvTable]
    schema: SchemaMap
    lays: dict[str, SheetLayout]
    state: BridgeState
    analyses: dict[str, Analysis] = field(default_factory=dict)
    stamp: str = ""

    @property
    def paths(self) -> DataPaths:
        return DataPaths(self.settings.data_dir)

    @property
    def configs(self) -> ConfigPaths:
        return ConfigPaths(self.settings.config_dir)

    def apply(self, plan: Plan) -> None:
        """A pulled plan: applied to the local files, or previewed in memory."""
        if not plan.changes:
            return
        self.report.local.extend(plan.changes)
        if self.writing:
            self.report.written += apply_plan(
                plan, self.local, self.stamp, self.paths.state, source="sheet"
            )
        else:
            preview(plan, self.local, self.stamp)

    def keep_pulled(self) -> None:
        """After a pull without a push: keep its statuses for the push that will write
        them and take the pulled cells as the base."""
        _unsent(self.state, self.backend, self.report.outcomes)
        _advance(self.state, self.analyses, self.report.outcomes)


def mirror(
    settings: Settings,
    mode: Mode,
    *,
    backend: Backend | None = None,
    backend_name: str | None = None,
    tables: list[str] | None = None,
    dry_run: bool = False,
    in_hand: InHand | None = None,
    prefer: str | None = None,
) -> MirrorReport:
    """One mirror run (ARCHITECTURE §7), as its steps: open the local side, read the
    sheets, analyse them, pull (plan and apply reviewers' edits), plan the push, recheck,
    push and save the state. ``prefer`` (``sheet`` or ``local``) settles every conflict
    that way."""
    in_hand = in_hand or InHand()
    backend = backend or make_backend(settings, backend_name)
    run = _open(settings, mode, backend, tables, dry_run, in_hand)
    refs = dict(backend.cache.get("refs", {})) if backend.stable_refs else {}
    sheets = _read(run, mode)
    if sheets is None:
        return run.report  # status works offline: local changes only
    run.analyses = _analyse(run, sheets, refs)
    _pull(run, mode, prefer, in_hand.keys)
    if mode == "pull":
        if run.writing:
            run.keep_pulled()
    else:
        intended = _plan_push(run)
        if _may_push(run, mode):
            _push(run, intended)
    run.report.calls = backend.calls
    return run.report


def _open(
    settings: Settings,
    mode: Mode,
    backend: Backend,
    tables: list[str] | None,
    dry_run: bool,
    in_hand: InHand,
) -> _Sync:
    """The local side: tables, layouts fitted to the backend, the sync state."""
    report = MirrorReport(backend.name, backend.location(), mode, dry_run)
    writing = mode in ("pull", "sync", "push") and not dry_run
    local = report.tables = _open_local(settings, writing, report, in_hand.tables)
    schema = SchemaMap.load(ConfigPaths(settings.config_dir).schema_map)
    columns = {t: local[t].file_columns for t in TABLES}  # a missing column stays the sheet's
    lays = {
        n: fitted(lay, backend)
        for n, lay in layouts(schema, columns, settings.bridge.titles).items()
    }
    chosen = [t for t in TABLES if tables is None or t in tables]
    state = BridgeState.load(DataPaths(settings.data_dir).state, backend.name)
    backend.cache = state.cache.setdefault(backend.name, {})
    return _Sync(settings, backend, report, writing, chosen, local, schema, lays, state)


def _read(run: _Sync, mode: Mode) -> dict[str, SheetData] | None:
    """Step 1: the chosen sheets as they are now (``status`` also counts the local
    changes, and goes on offline: None when the sheets cannot be read)."""
    if mode == "status":
        run.report.local_changes = {
            t: local_changes(
                run.lays[t], run.local[t], run.state.base_of(t), shown_elsewhere(t, run.local)
            )
            for t in run.chosen
        }
    try:
        return run.backend.read([run.lays[t] for t in run.chosen])
    except TrackerError as exc:
        if mode != "status":
            raise
        run.report.skipped = f"sheet not read: {exc}"
        return None


def _analyse(run: _Sync, sheets: dict[str, SheetData], refs: dict[str, Any]) -> dict[str, Analysis]:
    """Step 2: each sheet against its base, the journal and the local rows."""
    journal = run.state.journal
    analyses = {
        t: analyse(
            run.lays[t], sheets[t], run.state.base_of(t),
            None if journal is None else journal.get(t), refs.get(t),
            {k: row.cells for k, row in run.local[t].rows.items()},  # read, never changed
        )
        for t in run.chosen
    }  # fmt: skip
    baseless = sum(len(a.unknown) for a in analyses.values())
    if baseless:
        run.report.notices.append(
            f"No sync base for {baseless} rows whose sheet and local values differ: they are "
            "conflicts, never reviewer edits; `tracker bridge rebase` adopts the sheets as base"
        )
    return analyses


def _pull(run: _Sync, mode: Mode, prefer: str | None, keys: frozenset[str] | None) -> None:
    """Steps 3-4: reviewers' edits through the tables' rules into the local files (a push
    only holds them back for a pull), and the statuses that answer them."""
    report, paths, configs = run.report, run.paths, run.configs
    report.outcomes = {t: Outcome() for t in run.chosen}
    unsent = run.backend.cache.get(UNSENT, {})
    run.stamp = utc_now()
    if mode == "push":
        for table in run.chosen:
            hold_unpulled(run.analyses[table], report.outcomes[table], unsent.get(table, {}))
    else:
        ctx = PullContext(run.local, run.schema,
                          mapping=load_mapping(configs.name_mapping, paths.mapping_overlay),
                          mapping_path=paths.mapping_overlay, stamp=run.stamp, apply=run.apply,
                          dry_run=not run.writing, prefer=prefer,
                          thresholds=run.settings.thresholds,
                          manual=manual_entries(run.settings.data_dir, configs, keys))  # fmt: skip
        for table in [t for t in ORDER if t in run.chosen]:
            PULLS[table](run.analyses[table], ctx, report.outcomes[table])
            _answer_unsent(report.outcomes[table], unsent.get(table, {}))
        confirmed_in_staging(report.outcomes)
    if CANDIDATES in run.chosen:
        mapping = load_mapping(configs.name_mapping, paths.mapping_overlay)
        found = already_published(run.local[CANDIDATES], mapping, run.local[PUBLISHED])
        published_statuses(report.outcomes[CANDIDATES], found)


def _answer_unsent(out: Outcome, unsent: dict[str, str]) -> None:
    """Statuses an earlier pull made that no push has written yet, unless answered anew."""
    for key, status in unsent.items():
        if status and key not in out.statuses:
            out.say(key, status)


def _plan_push(run: _Sync) -> dict[str, Rows]:
    """Step 5's plan: the cells each sheet should change, and the base they leave."""
    report, intended = run.report, {}
    for table in run.chosen:
        lay, analysis, out = run.lays[table], run.analyses[table], report.outcomes[table]
        hidden = shown_elsewhere(table, run.local)
        desired = desired_rows(lay, run.local[table], analysis, out, hidden)
        report.changes[table] = changes_for(lay, analysis, desired, out)
        intended[table] = intended_base(lay, desired, analysis, out, run.local[table])
    shortened = _shortened(report.changes)
    if shortened:
        report.notices.append(
            f"Shortened in the sheet to {run.backend.max_text:,} characters (ending in …), "
            f"the full text kept in the local files: {', '.join(shortened)}"
        )
    return intended


def _may_push(run: _Sync, mode: Mode) -> bool:
    """Whether to write: never in a dry run or ``status``, never while staging holds an
    error (what the pull took is kept; nothing bad reaches the sheet)."""
    invalid = _invalid(run.local)
    if not run.writing:
        if invalid and mode == "status":  # status reports, never refuses
            run.report.notices.append(f"Not pushed until fixed: {invalid}")
        elif invalid:
            raise InputError(invalid)
        return False
    if invalid:
        if any(o.applied or o.statuses for o in run.report.outcomes.values()):
            run.keep_pulled()
        raise InputError(invalid)
    return True


def _push(run: _Sync, intended: dict[str, Rows]) -> None:
    """Steps 5-6: unless the sheet may not be written (the workbook is open) or changed
    since it was read (the recheck), write the changes under the journal and save the
    state; otherwise keep what was pulled for the next push."""
    report, backend, state = run.report, run.backend, run.state
    report.skipped = backend.write_blocked()
    report.notices += getattr(backend, "notices", [])  # stale lock files ignored
    if report.skipped is None and any(report.changes.values()):
        report.skipped = recheck(backend, report.changes, run.analyses, intended)
    if report.skipped is not None:
        run.keep_pulled()
        return
    if any(report.changes.values()):
        state.begin_push(intended)
        backend.write({t: c for t, c in report.changes.items() if c})
        report.pushed = True
    else:
        state.bases.update(intended)
    backend.cache.pop(UNSENT, None)
    state.finish_push()


def _shortened(changes: dict[str, SheetChanges]) -> list[str]:
    """``table key column`` of each text cell a push writes that is longer than the
    backend holds (sent shortened; an unedited shortened cell reads back as unchanged)."""
    found = []
    for table, change in changes.items():
        lay, limit = change.layout, change.layout.max_text
        if limit is None:
            continue
        rows = [(row.key, cells) for row, cells in change.updates]
        rows += [(cells.get(lay.key, ""), cells) for cells in change.appends]
        for key, cells in rows:
            found += [
                f"{table} {key} {column}"
                for column, text in cells.items()
                if len(text) > limit and column not in lay.numbers
            ]
    return found


def _invalid(local: dict[str, CsvTable]) -> str | None:
    """The first error `tracker validate` finds in staging, the hand-curated table a push
    reads (the refresh checks the candidates), or None."""
    errors = [p for p in validate_table(local[STAGING]) if p.level == "error"]
    if not errors:
        return None
    more = f" (and {len(errors) - 1} more: see `tracker validate`)" if len(errors) > 1 else ""
    return errors[0].located() + more


def _unsent(state: BridgeState, backend: Backend, outcomes: dict[str, Outcome]) -> None:
    """Keep a pull's statuses for the push that will write them (``bridge push``, or the
    next sync once the workbook is closed)."""
    stored = backend.cache.setdefault(UNSENT, {})
    for table, outcome in outcomes.items():
        stored.setdefault(table, {}).update({k: outcome.status_of(k) for k in outcome.statuses})


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


def rebase(
    settings: Settings, *, backend: Backend | None = None, backend_name: str | None = None
) -> dict[str, int]:
    """Take the sheets as they are now as the sync base (after the state was lost, or a
    redeploy against an existing sheet): the next sync writes every local value that
    differs over the sheet's. Reviewer columns keep an empty base, so a decision waiting
    in the sheet is still pulled. Rows per table taken."""
    backend = backend or make_backend(settings, backend_name)
    paths, configs = DataPaths(settings.data_dir), ConfigPaths(settings.config_dir)
    local = open_tables(settings, TABLES_NEEDED)
    schema = SchemaMap.load(configs.schema_map)
    columns = {t: local[t].columns for t in TABLES}
    lays = {
        n: fitted(lay, backend)
        for n, lay in layouts(schema, columns, settings.bridge.titles).items()
    }
    try:
        state = BridgeState.load(paths.state, backend.name)
    except InputError:  # a damaged state is what rebase replaces
        state = BridgeState(paths.state / f"bridge_{backend.name}.json")
    backend.cache = state.cache.setdefault(backend.name, {})
    sheets = backend.read([lays[t] for t in TABLES])
    taken = {}
    for table in TABLES:
        layout, rows = lays[table], Counter(r.key for r in sheets[table].rows if r.key.strip())
        state.bases[table] = {
            row.key: {
                c: "" if c in layout.reviewer else normal(layout, c, row.cells.get(c, ""))
                for c in layout.header
            }
            for row in sheets[table].rows
            if rows.get(row.key) == 1
        }
        taken[table] = len(state.bases[table])
    state.journal = None
    backend.cache.pop(UNSENT, None)
    state.save()
    return taken
