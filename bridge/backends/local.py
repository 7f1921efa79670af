"""The embedded backend: an .xlsx workbook (openpyxl), one sheet per table.

Formatted for reviewers (:mod:`bridge.backends.workbook_format`) when a sheet is created or
gains columns, with a ``Guide`` sheet. Written atomically; when a spreadsheet
program holds the workbook open (its lock file is present) the push is skipped and the
pull still works. Cells over Excel's 32,767 characters are shortened in the workbook only.
"""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from bridge.backends.lockfile import inspect_lock
from bridge.backends.workbook_format import (
    add_guide,
    clear_format,
    format_sheet,
    set_default_font,
    style_cell,
    style_header,
)
from bridge.codec import (
    HEADER_SCAN,
    canonical_header,
    find_header,
    from_sheet,
    matches,
    to_sheet,
)
from bridge.layout import SheetLayout
from bridge.model import SheetChanges, SheetData, SheetRow, first_positions
from pipeline.errors import InputError
from pipeline.storage.atomic import atomic_write_bytes

MAX_TEXT = 32767


class LocalBackend:
    name = "local"
    stable_refs = False
    max_text = MAX_TEXT
    plain_text = True
    number_digits = 16  # openpyxl writes numbers with "%.16g"
    number_decimals = None
    typed_numbers = False
    deletes_rows = True

    def __init__(self, path: Path, lock_max_age_hours: float = 12.0) -> None:
        self.path = path
        self.lock_max_age_hours = lock_max_age_hours
        self.notices: list[str] = []
        self.calls: Counter[str] = Counter()
        self.cache: dict[str, Any] = {}
        self.layouts: list[SheetLayout] = []  # the sheets last read, for the Guide

    def location(self) -> str:
        return str(self.path)

    def lock_files(self) -> list[Path]:
        """LibreOffice's and Excel's marks of a workbook open for editing; a stale one (its
        program gone, or older than ``lock_max_age_hours``) is reported and ignored."""
        folder, name = self.path.parent, self.path.name
        found = []
        for path in (folder / f".~lock.{name}#", folder / f"~${name}"):
            if not path.exists():
                continue
            lock = inspect_lock(path, self.lock_max_age_hours)
            if lock.stale is None:
                found.append(path)
            else:
                self.notices.append(f"Ignored the lock file {path} ({lock.stale})")
        return found

    def write_blocked(self) -> str | None:
        locks = self.lock_files()
        if locks:
            return (f"{self.path} is open in a spreadsheet program ({locks[0].name}); "
                    "close it to let the worker write")  # fmt: skip
        return None

    def _open(self, reading: bool, data_only: bool = False) -> Workbook | None:
        """The workbook: for reading, streamed (read-only mode is several times faster and
        lighter), with formulas or with their saved values (``data_only``); for writing,
        in full, so formatting is kept."""
        if not self.path.exists():
            return None
        try:
            if reading:
                data = io.BytesIO(self.path.read_bytes())
                return load_workbook(data, read_only=True, data_only=data_only)
            return load_workbook(self.path)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise InputError(f"cannot open the workbook ({exc})", file=self.path) from None

    def read(self, layouts: list[SheetLayout]) -> dict[str, SheetData]:
        self.calls["read"] += 1
        self.layouts = list(layouts)
        book = self._open(reading=True)
        saved: Workbook | None = None  # the same workbook with formulas' saved values
        result = {}
        titles = {layout.title for layout in layouts}
        for layout in layouts:
            found = _sheet_of(book, layout, titles) if book is not None else None
            if found is None:
                result[layout.table] = SheetData(layout, exists=False)
                continue
            rows = _rows(found)
            formulas = [
                (r, c)
                for r, values in enumerate(rows)
                for c, value in enumerate(values)
                if isinstance(value, str) and value.startswith("=")
            ]
            if formulas:
                saved = saved or self._open(reading=True, data_only=True)
                assert saved is not None
                _saved_values(rows, formulas, _rows(saved[found.title]))
            result[layout.table] = self._sheet(layout, rows)
        return result

    def _sheet(self, layout: SheetLayout, rows: list[list[Any]]) -> SheetData:
        """Rows below the header row, wherever it is (case and spaces ignored). A sheet
        whose header row was deleted is read in the worker's column order, numbered as
        they will be once the push has written the header back above them."""
        index = find_header(rows, layout)
        if index is None and any(v not in (None, "") for values in rows for v in values):
            data = SheetData(layout, list(layout.header), last_row=len(rows) + 1)
            positions, body, first = {c: i for i, c in enumerate(layout.header)}, rows, 2
        else:
            index = index or 0
            header = canonical_header(rows[index] if rows else [], layout)
            data = SheetData(layout, header, last_row=max(1, len(rows)))
            positions, body, first = first_positions(header), rows[index + 1 :], index + 2
        for number, values in enumerate(body, start=first):
            if all(v is None or v == "" for v in values):
                continue
            cells = {
                column: from_sheet(layout, column, values[i] if i < len(values) else None)
                for column, i in positions.items()
            }
            data.rows.append(SheetRow(cells.get(layout.key, "").strip(), cells, number, number))
        return data

    def write(self, changes: dict[str, SheetChanges]) -> None:
        self.calls["write"] += 1
        book = self._open(reading=False)
        if book is None:
            data = _new_workbook(changes)
        else:
            titles = {change.layout.title for change in changes.values()}
            formatted = [_change_sheet(book, change, titles) for change in changes.values()]
            if any(formatted):
                add_guide(book, self.layouts or [c.layout for c in changes.values()])
            buffer = io.BytesIO()
            book.save(buffer)
            data = buffer.getvalue()
        atomic_write_bytes(self.path, data)


def _rows(sheet: ReadOnlyWorksheet) -> list[list[Any]]:
    sheet.reset_dimensions()  # some programs save a wrong used range; read every row
    # types-openpyxl types ReadOnlyWorksheet.iter_rows with Worksheet's own self type.
    rows = sheet.iter_rows(values_only=True)  # type: ignore[misc]
    return [list(values) for values in rows]


def _saved_values(
    rows: list[list[Any]], formulas: list[tuple[int, int]], saved: list[list[Any]]
) -> None:
    """A formula reads as the value the spreadsheet program saved for it; one saved
    without a value (by a script, some exports) keeps its text rather than reading as
    an empty cell, which would clear the field."""
    for r, c in formulas:
        value = saved[r][c] if r < len(saved) and c < len(saved[r]) else None
        if value is not None:
            rows[r][c] = value


def _sheet_of(book: Any, layout: SheetLayout, titles: set[str]) -> Any:
    """The layout's sheet: by its title, else a sheet of another name (renamed by a
    reviewer) found by its header; None when there is none."""
    if layout.title in book.sheetnames:
        return book[layout.title]
    for name in book.sheetnames:
        sheet = book[name]
        if name not in titles and matches(_top(sheet), layout):
            return sheet
    return None


def _top(sheet: Any) -> list[list[Any]]:
    return [list(values) for values in sheet.iter_rows(max_row=HEADER_SCAN, values_only=True)]


def _change_sheet(book: Workbook, change: SheetChanges, titles: set[str]) -> bool:
    """Apply one sheet's changes to a loaded workbook; True when its layout changed (a
    sheet created or columns added), and so was formatted again."""
    layout = change.layout
    sheet = None if change.create else _sheet_of(book, layout, titles)
    header_row = 1
    created = sheet is None
    if sheet is None:
        sheet = book.create_sheet(layout.title)
        _add_header(sheet, layout.header, first=1)
    else:
        for merged in list(sheet.merged_cells.ranges):  # merged cells cannot be written
            sheet.unmerge_cells(str(merged))
        index = find_header(_top(sheet), layout)
        if index is None:  # the header row was deleted: rebuilt above the rows
            sheet.insert_rows(1)
            _add_header(sheet, layout.header, first=1)
        header_row = (index or 0) + 1
        if change.add_columns:
            used = max((c.column for c in sheet[header_row] if c.value is not None), default=0)
            _add_header(sheet, change.add_columns, first=used + 1, row=header_row)
    names = canonical_header([c.value for c in sheet[header_row]], layout)
    columns = {name: i + 1 for name, i in first_positions(names).items()}
    for row, cells in change.updates:
        for column, text in cells.items():
            _put(sheet.cell(row.ref, columns[column]), layout, column, text)
    next_row = sheet.max_row + 1
    for cells in change.appends:
        for column, text in cells.items():
            _put(sheet.cell(next_row, columns[column]), layout, column, text)
        next_row += 1
    for row in sorted(change.removals, key=lambda r: r.ref, reverse=True):
        sheet.delete_rows(row.ref)
    header = [str(c.value) if c.value is not None else "" for c in sheet[header_row]]
    if created or change.add_columns:
        clear_format(sheet)
        format_sheet(sheet, layout, header, _texts(sheet, layout, columns), sheet.max_row)
        return True
    if sheet.auto_filter.ref:  # the filter covers the rows added since
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(sheet.max_row, 2)}"
    return False


def _texts(sheet: Worksheet, layout: SheetLayout, columns: dict[str, int]) -> list[dict[str, str]]:
    """The sheet's rows as canonical cells (what the widths are fitted to)."""
    return [
        {c: from_sheet(layout, c, values[i - 1]) for c, i in columns.items() if i <= len(values)}
        for values in sheet.iter_rows(min_row=2, values_only=True)
    ]


def _new_workbook(changes: dict[str, SheetChanges]) -> bytes:
    """A new workbook of new sheets, streamed (openpyxl's write-only mode: a fraction of
    the time and memory of building cells first), formatted for reviewers."""
    book = Workbook(write_only=True)
    set_default_font(book)
    for change in changes.values():
        layout = change.layout
        sheet = book.create_sheet(layout.title)
        # The sheet's size, which a streamed sheet cannot know: without it every reader
        # (openpyxl's read-only mode included) parses the whole sheet once just to size it.
        size = f"A1:{get_column_letter(len(layout.header))}{len(change.appends) + 1}"
        sheet.calculate_dimension = lambda size=size: size  # read by openpyxl's writer
        format_sheet(sheet, layout, layout.header, change.appends, len(change.appends) + 1)
        sheet.append([style_header(WriteOnlyCell(sheet), column) for column in layout.header])
        for cells in change.appends:
            row = []
            for column in layout.header:
                text = cells.get(column, "")
                row.append(_put(WriteOnlyCell(sheet), layout, column, text) if text else None)
            sheet.append(row)
    add_guide(book, [change.layout for change in changes.values()])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _put(cell: Any, layout: SheetLayout, column: str, text: str) -> Any:
    value = to_sheet(layout, column, text)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # text is text: "=..." is never a formula
    return style_cell(cell, layout, column)


def _add_header(sheet: Worksheet, columns: list[str], first: int, row: int = 1) -> None:
    """Header cells from column ``first`` on."""
    for index, column in enumerate(columns, start=first):
        style_header(sheet.cell(row, index), column)
