"""Applying a plan: in memory, then atomic writes in two phases.

Phase 1 makes every addition and update, including the arriving half of each move, and
saves every changed file. Phase 2 removes moved and dropped rows and saves again. A crash
between any two writes therefore leaves a moved row in both files (the next refresh removes
the unverified copy), never in neither. Applying the same plan twice changes nothing the
second time: ``last_updated`` is stamped only on rows whose cells changed.
"""

from __future__ import annotations

from pipeline.curate.plan import AddRow, DropRow, MoveRow, Plan, UpdateField
from pipeline.storage.csvtable import CsvTable


def _upsert(table: CsvTable, key: str, row: dict[str, str]) -> bool:
    """Add the row, or set its cells; whether anything changed."""
    if key not in table:
        table.add_row({column: row.get(column, "") for column in table.columns})
        return True
    changed = [table.set_cell(key, c, v) for c, v in row.items() if c in table.columns]
    return any(changed)


def _arrive(change: MoveRow, tables: dict[str, CsvTable]) -> bool:
    """The moved row in its target, keeping cells of columns only the source has."""
    source, target = tables[change.source], tables[change.table]
    row = dict(change.row)
    if change.key in source:
        extra = [c for c in source.columns if c not in target.columns]
        target.add_columns(extra)
        row = {**source.get(change.key), **row}
    return _upsert(target, change.key, row)


def _save_all(tables: dict[str, CsvTable]) -> list[str]:
    return [name for name, table in tables.items() if table.save()]


def apply_plan(plan: Plan, tables: dict[str, CsvTable], stamp: str) -> list[str]:
    """Apply ``plan`` and write the tables; the names of the files written."""
    for change in plan.writes:
        if isinstance(change, AddRow):
            changed = _upsert(tables[change.table], change.key, change.row)
        elif isinstance(change, UpdateField):
            changed = tables[change.table].set_cell(change.key, change.field, change.new)
        elif isinstance(change, MoveRow):
            changed = _arrive(change, tables)
        else:
            continue
        table = tables[change.table]
        if changed and "last_updated" in table.columns:
            table.set_cell(change.key, "last_updated", stamp)
    written = _save_all(tables)
    for change in plan.writes:
        if isinstance(change, MoveRow | DropRow):
            name = change.source if isinstance(change, MoveRow) else change.table
            if change.key in tables[name]:
                tables[name].remove_row(change.key)
    return list(dict.fromkeys(written + _save_all(tables)))
