"""Step 5 of the three-way merge: what the sheet should show, and the writes that get it
there. Only cells that differ from what was read are written; new rows are appended; rows
that left the local table are removed only if no reviewer edit of theirs is waiting."""

from __future__ import annotations

import bisect
import re
from collections.abc import Collection

from bridge.analysis import Analysis, Rows
from bridge.codec import normaliser, same, to_sheet
from bridge.layout import STATUS, SheetLayout
from bridge.model import SheetChanges, SheetRow
from bridge.outcome import Outcome
from pipeline.storage.csvtable import CsvTable


def desired_rows(
    layout: SheetLayout,
    local: CsvTable,
    analysis: Analysis,
    out: Outcome,
    hidden: Collection[str] = (),
) -> Rows:
    """Every local row as the sheet should show it (``hidden`` ones aside: confirmed
    candidates live in Staging), plus rows kept for their reviewers."""
    rows: Rows = {}
    for key, record in local.rows.items():
        if key in hidden:
            continue
        get = record.cells.get
        cells = {c: get(c, "") for c in layout.columns}
        for column in layout.numbers if layout.typed_numbers else ():
            if cells.get(column, "").strip() and to_sheet(layout, column, cells[column]) is None:
                out.say(key, f"{column}: {cells[column]!r} is not a number; not shown in the sheet")
        sheet = analysis.rows.get(key)
        for column in layout.reviewer:
            cells[column] = sheet.cells.get(column, "") if sheet else ""
        for column in out.held.get(key, ()):
            if sheet is not None:
                cells[column] = sheet.cells.get(column, "")
        cells.update(out.overrides.get(key, {}))
        cells[STATUS] = (
            out.status_of(key)
            or lasting_of(analysis.intended.get(key))
            or lasting(sheet)
            or out.quiet.get(key, "")
        )
        rows[key] = cells
    for key in out.keep:
        sheet = analysis.rows.get(key)
        if key not in rows and sheet is not None:
            rows[key] = {
                **{c: sheet.cells.get(c, "") for c in layout.header},
                **out.overrides.get(key, {}),
                STATUS: out.status_of(key),
            }
    return rows


LASTING = ("applied:", "restored:")


def lasting(row: SheetRow | None) -> str:
    """A report of something done (``applied: ...``) stays until another message replaces
    it, so the next sync need not write; problems are recomputed every sync."""
    return lasting_of(row.cells if row is not None else None)


def lasting_of(cells: dict[str, str] | None) -> str:
    """The lasting status among ``cells`` (a sheet row, or an interrupted push's intent)."""
    status = (cells or {}).get(STATUS, "")
    return status if status.startswith(LASTING) else ""


def intended_base(
    layout: SheetLayout, desired: Rows, analysis: Analysis, out: Outcome, local: CsvTable
) -> Rows:
    """The base after the push: what it writes, except held cells, whose edits wait. A row
    kept only for its reviewer (not in the local table) keeps its old base, or none: a
    reviewer's own row is never mistaken for one that left the local table."""
    base: Rows = {}
    normals = {column: normaliser(layout, column) for column in layout.header}
    for key, cells in desired.items():
        if key not in local:
            if key in analysis.base:
                base[key] = analysis.base[key]
            continue
        row = {c: (normals.get(c) or normaliser(layout, c))(v) for c, v in cells.items()}
        for column in out.held.get(key, ()):
            if analysis.has_base(key, column):
                row[column] = analysis.base.get(key, {}).get(column, "")
            else:
                row.pop(column, None)  # still unknown: the conflict waits
        base[key] = row
    for key in analysis.duplicates:
        if key in analysis.base:
            base[key] = analysis.base[key]
    return base


def changes_for(
    layout: SheetLayout, analysis: Analysis, desired: Rows, out: Outcome
) -> SheetChanges:
    sheet = analysis.sheet
    changes = SheetChanges(
        layout, layout.header, sheet.header, sheet.last_row, create=not sheet.exists
    )
    if sheet.exists:
        changes.add_columns = [c for c in layout.header if c not in sheet.header]
    for key, cells in desired.items():
        if key in analysis.duplicates:
            continue  # its rows only get their status until a reviewer removes one
        row = analysis.rows.get(key)
        if row is None:
            changes.appends.append(cells)
            continue
        diff = {c: v for c, v in cells.items() if not same(layout, c, v, row.cells.get(c, ""))}
        if diff:
            changes.updates.append((row, diff))
    for key, row in analysis.rows.items():
        if key not in desired:
            changes.removals.append(row)
    removed = sorted(row.position for row in changes.removals)
    for row, message in out.row_statuses:
        if layout.deletes_rows and removed:
            message = _renumbered(message, removed)
        if row.cells.get(STATUS, "") != message:
            changes.updates.append((row, {STATUS: message}))
    return changes


def _renumbered(message: str, removed: list[int]) -> str:
    """``also on row N`` as it reads once the rows above N that the push removes are gone."""
    return re.sub(
        r"\d+", lambda m: str(int(m[0]) - bisect.bisect_left(removed, int(m[0]))), message
    )


def hold_unpulled(analysis: Analysis, out: Outcome, unsent: dict[str, str]) -> None:
    """A push without a pull keeps every reviewer edit in the sheet, waiting; a row the last
    pull already answered shows that answer (``unsent``)."""
    for key, status in unsent.items():
        if status:
            out.say(key, status)
    for key, edits in analysis.edits.items():
        out.hold(key, *edits)
        if key not in unsent:
            out.say(key, "waiting: run `tracker bridge pull` to apply your edits")
        out.keep.add(key)
    for key in analysis.added:
        out.keep.add(key)
