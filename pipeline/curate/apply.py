"""Applying a plan to tables: in memory first, then one atomic write per changed file.

Files that receive rows are written before files that lose them, so a crash between two
writes can leave a row in both files (the next refresh removes the unverified copy), never
in neither.
"""

from __future__ import annotations

from pipeline.curate.plan import AddRow, DropRow, MoveRow, Plan, UpdateField
from pipeline.storage.csvtable import CsvTable


def _upsert(table: CsvTable, key: str, row: dict[str, str]) -> None:
    if key in table:
        for column, value in row.items():
            if column in table.columns:
                table.set_cell(key, column, value)
    else:
        table.add_row(
            {
                **{c: "" for c in table.columns},
                **{c: v for c, v in row.items() if c in table.columns},
            }
        )


def apply_plan(plan: Plan, tables: dict[str, CsvTable], stamp: str) -> list[str]:
    """Apply in memory; rows added or changed get ``last_updated = stamp``. Returns the
    names of the tables to write, receiving tables first."""
    receiving: list[str] = []
    losing: list[str] = []
    touched: set[tuple[str, str]] = set()
    for change in plan.writes:
        if isinstance(change, AddRow):
            _upsert(tables[change.table], change.key, change.row)
            receiving.append(change.table)
        elif isinstance(change, UpdateField):
            tables[change.table].set_cell(change.key, change.field, change.new)
            receiving.append(change.table)
        elif isinstance(change, MoveRow):
            _upsert(tables[change.table], change.key, change.row)
            if change.key in tables[change.source]:
                tables[change.source].remove_row(change.key)
            receiving.append(change.table)
            losing.append(change.source)
        elif isinstance(change, DropRow):
            if change.key in tables[change.table]:
                tables[change.table].remove_row(change.key)
            losing.append(change.table)
        if not isinstance(change, DropRow):
            touched.add((change.table, change.key))
    for name, key in touched:
        table = tables[name]
        if "last_updated" in table.columns and key in table:
            table.set_cell(key, "last_updated", stamp)
    return list(dict.fromkeys(receiving + losing))


def write_tables(tables: dict[str, CsvTable], order: list[str]) -> list[str]:
    """Save every table, those in ``order`` first; returns the names of files written."""
    names = list(dict.fromkeys([*order, *tables]))
    return [name for name in names if tables[name].save()]
