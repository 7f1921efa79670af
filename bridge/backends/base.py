"""The interface every backend implements."""

from __future__ import annotations

from collections import Counter
from typing import Protocol

from bridge.layout import SheetLayout
from bridge.model import SheetChanges, SheetData


class Backend(Protocol):
    name: str
    calls: Counter[str]
    cache: dict[str, object]
    stable_refs: bool  # row references survive sorting (Airtable record ids)
    max_text: int | None
    plain_text: bool
    number_digits: int | None
    number_decimals: int | None
    typed_numbers: bool
    deletes_rows: bool  # removing a row moves the rows below it up (the workbook)

    def location(self) -> str:
        """Where reviewers find the sheets (a path or a URL)."""
        ...

    def read(self, layouts: list[SheetLayout]) -> dict[str, SheetData]:
        """Every row of every sheet named, keyed by table (a missing sheet: exists=False)."""
        ...

    def write_blocked(self) -> str | None:
        """Why writing is not possible now (the workbook is open elsewhere), or None."""
        ...

    def write(self, changes: dict[str, SheetChanges]) -> None:
        """Apply the changes. Safe to repeat after a failure part way (idempotent by key)."""
        ...
