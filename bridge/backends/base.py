"""The interface every backend implements."""

from __future__ import annotations

from collections import Counter
from typing import Any, Protocol

from bridge.layout import SheetLayout
from bridge.model import SheetChanges, SheetData


class Backend(Protocol):
    calls: Counter[str]
    cache: dict[str, Any]  # this backend's part of the saved sync state (JSON)

    # What each backend class states about its sheets: read-only, so a class may say
    # ``number_decimals = None`` or ``max_text = MAX_TEXT``.
    @property
    def name(self) -> str: ...
    @property
    def stable_refs(self) -> bool:
        """Row references survive sorting (Airtable record ids)."""
        ...

    @property
    def max_text(self) -> int | None: ...
    @property
    def plain_text(self) -> bool: ...
    @property
    def number_digits(self) -> int | None: ...
    @property
    def number_decimals(self) -> int | None: ...
    @property
    def typed_numbers(self) -> bool: ...
    @property
    def deletes_rows(self) -> bool:
        """Removing a row moves the rows below it up (the workbook)."""
        ...

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
