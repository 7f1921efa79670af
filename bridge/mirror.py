"""The three-way mirror (ARCHITECTURE §7): read the sheets, pull reviewers' edits into the local
files, push local changes to the sheets, under a write-ahead journal."""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from typing import Literal

from bridge.analysis import Analysis, analyse
from bridge.backends import make_backend
from bridge.backends.base import Backend
from bridge.codec import normal, too_long
from bridge.layout import TABLES, SheetLayout, layouts
from bridge.manual_rows import manual_entries
from bridge.model import SheetChanges
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
    local = open_tables(settings, [t for t in TABLES_NEEDED if t not in in_hand])
    if seed is not None and not writing and PUBLISHED in local:
        published = local[PUBLISHED]
        local[PUBLISHED] = CsvTable.read(seed, published.key_column, published.columns)
    local = {t: in_hand[t] if t in in_hand else local[t] for t in TABLES_NEEDED}
    return local if writing else copy.deepcopy(local)


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
    """One mirror run; ``prefer`` (``sheet`` or ``local``) settles every conflict that way."""
    backend = backend or make_backend(settings, backend_name)
    paths, configs = DataPaths(settings.data_dir), ConfigPaths(settings.config_dir)
    report = MirrorReport(backend.name, backend.location(), mode, dry_run)
    writing = mode in ("pull", "sync", "push") and not dry_run
    in_hand = in_hand or InHand()
    local = report.tables = _open_local(settings, writing, report, in_hand.tables)
    schema = SchemaMap.load(configs.schema_map)
    columns = {t: local[t].file_columns for t in TABLES}  # a missing column stays the sheet's
    lays = {
        n: fitted(lay, backend)
        for n, lay in layouts(schema, columns, settings.bridge.titles).items()
    }
    chosen = [t for t in TABLES if tables is None or t in tables]
    state = BridgeState.load(paths.state, backend.name)
    backend.cache = state.cache.setdefault(backend.name, {})
    if mode == "status":
        report.local_changes = {
            t: local_changes(lays[t], local[t], state.base_of(t), shown_elsewhere(t, local))
            for t in chosen
        }
    refs = dict(backend.cache.get("refs", {})) if backend.stable_refs else {}
    try:
        sheets = backend.read([lays[t] for t in chosen])
    except TrackerError as exc:
        if mode != "status":
            raise
        report.skipped = f"sheet not read: {exc}"  # status works offline: local changes only
        return report
    journal = state.journal
    analyses = {
        t: analyse(
            lays[t], sheets[t], state.base_of(t), None if journal is None else journal.get(t),
            refs.get(t), {k: local[t].get(k) for k in local[t].rows},
        )
        for t in chosen
    }  # fmt: skip
    baseless = sum(len(a.unknown) for a in analyses.values())
    if baseless:
        report.notices.append(
            f"No sync base for {baseless} rows whose sheet and local values differ: they are "
            "conflicts, never reviewer edits; `tracker bridge rebase` adopts the sheets as base"
        )
    report.outcomes = {t: Outcome() for t in chosen}
    unsent = backend.cache.get(UNSENT, {})
    stamp = utc_now()

    def apply(plan: Plan) -> None:
        if plan.changes:
            report.local.extend(plan.changes)
            if writing:
                report.written += apply_plan(plan, local, stamp, paths.state, source="sheet")
            else:
                preview(plan, local, stamp)

    if mode == "push":
        for table in chosen:
            hold_unpulled(analyses[table], report.outcomes[table], unsent.get(table, {}))
    else:
        manual = manual_entries(settings.data_dir, configs, in_hand.keys)
        ctx = PullContext(local, schema,
                          mapping=load_mapping(configs.name_mapping, paths.mapping_overlay),
                          mapping_path=paths.mapping_overlay, stamp=stamp, apply=apply,
                          dry_run=not writing, prefer=prefer,
                          thresholds=settings.thresholds,
                          manual=manual)  # fmt: skip
        for table in ORDER:
            if table in chosen:
                PULLS[table](analyses[table], ctx, report.outcomes[table])
                for key, status in unsent.get(table, {}).items():  # answers not yet written
                    if status and key not in report.outcomes[table].statuses:
                        report.outcomes[table].say(key, status)
        confirmed_in_staging(report.outcomes)
    if CANDIDATES in chosen:
        mapping = load_mapping(configs.name_mapping, paths.mapping_overlay)
        found = already_published(local[CANDIDATES], mapping, local[PUBLISHED])
        published_statuses(report.outcomes[CANDIDATES], found)
    if mode == "pull":
        if writing:
            _unsent(state, backend, report.outcomes)
            _advance(state, analyses, report.outcomes)
        report.calls = backend.calls
        return report
    intended = {}
    for table in chosen:
        lay, analysis, out = lays[table], analyses[table], report.outcomes[table]
        desired = desired_rows(lay, local[table], analysis, out, shown_elsewhere(table, local))
        report.changes[table] = changes_for(lay, analysis, desired, out)
        intended[table] = intended_base(lay, desired, analysis, out, local[table])
    shortened = _shortened(report.changes)
    if shortened:
        report.notices.append(
            f"Shortened in the sheet to {backend.max_text:,} characters (ending in …), the full "
            f"text kept in the local files: {', '.join(shortened)}"
        )
    invalid = _invalid(local)
    if not writing:
        report.calls = backend.calls
        if invalid and mode == "status":  # status reports, never refuses
            report.notices.append(f"Not pushed until fixed: {invalid}")
        elif invalid:
            raise InputError(invalid)
        return report
    if invalid:  # what the pull took is kept; nothing bad reaches the sheet
        if any(o.applied or o.statuses for o in report.outcomes.values()):
            _unsent(state, backend, report.outcomes)
            _advance(state, analyses, report.outcomes)
        raise InputError(invalid)
    report.skipped = backend.write_blocked()
    report.notices += getattr(backend, "notices", [])  # stale lock files ignored
    if report.skipped is None and any(report.changes.values()):
        report.skipped = recheck(backend, report.changes, analyses, intended)
    if report.skipped is not None:
        _unsent(state, backend, report.outcomes)
        _advance(state, analyses, report.outcomes)
    else:
        if any(report.changes.values()):
            state.begin_push(intended)
            backend.write({t: c for t, c in report.changes.items() if c})
            report.pushed = True
        else:
            state.bases.update(intended)
        backend.cache.pop(UNSENT, None)
        state.finish_push()
    report.calls = backend.calls
    return report


def _shortened(changes: dict[str, SheetChanges]) -> list[str]:
    """``table key column`` of each text cell a push writes that is longer than the
    backend holds (sent shortened; an unedited shortened cell reads back as unchanged)."""
    found = []
    for table, change in changes.items():
        lay = change.layout
        rows = [(row.key, cells) for row, cells in change.updates]
        rows += [(cells.get(lay.key, ""), cells) for cells in change.appends]
        for key, cells in rows:
            found += [
                f"{table} {key} {column}"
                for column, text in cells.items()
                if column not in lay.numbers and too_long(lay, text)
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
