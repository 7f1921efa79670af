"""Step 5 of the three-way merge: what the sheet should show, and the writes that get it
there. Only cells that differ from what was read are written; new rows are appended; rows
that left the local table are removed only if no reviewer edit of theirs is waiting."""

from __future__ import annotations

from bridge.analysis import Analysis, Rows
from bridge.codec import normal
from bridge.layout import STATUS, SheetLayout
from bridge.model import SheetChanges, SheetRow
from bridge.outcome import Outcome
from pipeline.storage.csvtable import CsvTable


def desired_rows(layout: SheetLayout, local: CsvTable, analysis: Analysis, out: Outcome) -> Rows:
    """Every local row as the sheet should show it, plus rows kept for their reviewers."""
    rows: Rows = {}
    for key in local.rows:
        cells = {c: local.cell(key, c) for c in layout.columns}
        sheet = analysis.rows.get(key)
        for column in layout.reviewer:
            cells[column] = sheet.cells.get(column, "") if sheet else ""
        for column in out.held.get(key, ()):
            if sheet is not None:
                cells[column] = sheet.cells.get(column, "")
        cells.update(out.overrides.get(key, {}))
        cells[STATUS] = out.status_of(key) or lasting(sheet)
        rows[key] = cells
    for key in out.keep:
        sheet = analysis.rows.get(key)
        if key not in rows and sheet is not None:
            rows[key] = {
                **{c: sheet.cells.get(c, "") for c in layout.header},
                STATUS: out.status_of(key),
            }
    return rows


LASTING = ("applied:", "restored:")


def lasting(row: SheetRow | None) -> str:
    """A report of something done (``applied: ...``) stays until another message replaces
    it, so the next sync need not write; problems are recomputed every sync."""
    status = row.cells.get(STATUS, "") if row is not None else ""
    return status if status.startswith(LASTING) else ""


def intended_base(layout: SheetLayout, desired: Rows, analysis: Analysis, out: Outcome) -> Rows:
    """The base after the push: what it writes, except held cells, whose edits wait."""
    base: Rows = {}
    for key, cells in desired.items():
        row = {c: normal(layout, c, v) for c, v in cells.items()}
        for column in out.held.get(key, ()):
            row[column] = analysis.base.get(key, {}).get(column, "")
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
        row = analysis.rows.get(key)
        if row is None:
            changes.appends.append(cells)
            continue
        diff = {
            c: v
            for c, v in cells.items()
            if normal(layout, c, v) != normal(layout, c, row.cells.get(c, ""))
        }
        if diff:
            changes.updates.append((row, diff))
    for key, row in analysis.rows.items():
        if key not in desired:
            changes.removals.append(row)
    for row, message in out.row_statuses:
        if row.cells.get(STATUS, "") != message:
            changes.updates.append((row, {STATUS: message}))
    return changes


def hold_unpulled(analysis: Analysis, out: Outcome) -> None:
    """A push without a pull keeps every reviewer edit in the sheet, waiting."""
    for key, edits in analysis.edits.items():
        out.hold(key, *edits)
        out.say(key, "waiting: run `tracker bridge pull` to apply your edits")
        out.keep.add(key)
    for key in analysis.added:
        out.keep.add(key)
