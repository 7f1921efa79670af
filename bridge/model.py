"""A sheet as read, and the changes a push makes to it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bridge.layout import SheetLayout


@dataclass
class SheetRow:
    """One row as read: canonical cells by column, the backend's reference to the row
    (Airtable record id, sheet row number), and the row number a reviewer sees."""

    key: str
    cells: dict[str, str]
    ref: Any
    position: int


@dataclass
class SheetData:
    """A sheet as read; ``last_row`` is the last used row number (the header is row 1)."""

    layout: SheetLayout
    header: list[str] = field(default_factory=list)
    rows: list[SheetRow] = field(default_factory=list)
    exists: bool = True
    last_row: int = 1


@dataclass
class SheetChanges:
    """What a push writes to one sheet: only what differs from what was read."""

    layout: SheetLayout
    header: list[str]
    existing_header: list[str] = field(default_factory=list)
    last_row: int = 1
    create: bool = False
    add_columns: list[str] = field(default_factory=list)
    updates: list[tuple[SheetRow, dict[str, str]]] = field(default_factory=list)
    appends: list[dict[str, str]] = field(default_factory=list)
    removals: list[SheetRow] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(
            self.create or self.add_columns or self.updates or self.appends or self.removals
        )

    @property
    def columns_after(self) -> list[str]:
        """The sheet's columns once the push has added what it lacks."""
        if self.create:
            return list(self.header)
        return [*self.existing_header, *self.add_columns]

    @property
    def cells(self) -> int:
        return sum(len(cells) for _, cells in self.updates) + sum(len(r) for r in self.appends)


def first_positions(header: list[Any]) -> dict[str, int]:
    """Column name -> 0-based index of its first occurrence in a header row. A later
    column under the same name (one a reviewer added) is neither read nor written."""
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        if name:
            positions.setdefault(str(name), index)
    return positions
