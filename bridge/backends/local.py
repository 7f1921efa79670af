"""The embedded backend: an .xlsx workbook, one sheet per table.

Read with python-calamine (:mod:`bridge.backends.workbook_read`); a new workbook is written
with XlsxWriter, streamed; one that exists (a reviewer may have saved it, with their own
formatting or sheets) is changed in place with openpyxl. Formatted for reviewers
(:mod:`bridge.backends.workbook_format`) when a sheet is created or gains columns, with a
``Guide`` sheet. Written atomically; when a spreadsheet program holds the workbook open (its
lock file is present) the push is skipped and the pull still works. Cells over Excel's
32,767 characters are shortened in the workbook only.
"""

from __future__ import annotations

import hashlib
import io
import re
import sys
import zipfile
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

import xlsxwriter

from bridge.backends.lockfile import inspect_lock
from bridge.backends.workbook_format import (
    FONT,
    NewFormats,
    add_guide,
    add_new_guide,
    clear_format,
    format_new_sheet,
    format_sheet,
    get_column_letter,
    style_cell,
    style_header,
)
from bridge.backends.workbook_read import WorkbookValues
from bridge.codec import (
    HEADER_SCAN,
    canonical_header,
    find_header,
    fit,
    from_sheet,
    matches,
    reader,
    to_sheet,
)
from bridge.layout import SheetLayout
from bridge.model import SheetChanges, SheetData, SheetRow, first_positions
from pipeline.errors import InputError
from pipeline.storage.atomic import atomic_write_bytes

if TYPE_CHECKING:  # openpyxl is imported only to change a workbook that exists
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

MAX_TEXT = 32767
# Text that reads as an escaped character in the file's XML ("_x0041_" is "A"); written
# with its underscore escaped, as Excel does, it reads back as itself.
ESCAPE_LIKE = re.compile(r"(_x[0-9A-Fa-f]{4}_)")
# openpyxl reads a shared text's escaped underscore ("_x005F_x0041_", the text "_x0041_")
# by deleting every "x005F_" in it, and writes the text as it is: marked out of its way while
# it reads, such a text keeps its escape, as one written in the cell itself does.
ESCAPED_UNDERSCORE, MARK = b"x005F_", "x005F\ue000"


class LocalBackend:
    name = "local"
    stable_refs = False
    max_text = MAX_TEXT
    plain_text = True
    number_digits = 16  # XlsxWriter writes numbers with "%.16g"
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
        self.last_read: bytes | None = None  # the digest of the file as last read

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

    def _open(self) -> Workbook | None:
        """The workbook in full, to change it in place (its formatting kept)."""
        if not self.path.exists():
            return None
        from openpyxl import load_workbook

        try:
            data, marked = _mark_shared_escapes(self.path.read_bytes())
            book = load_workbook(io.BytesIO(data))
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise InputError(f"cannot open the workbook ({exc})", file=self.path) from None
        if marked:
            _unmark_escapes(book)
        return book

    def read(self, layouts: list[SheetLayout]) -> dict[str, SheetData]:
        self.calls["read"] += 1
        self.layouts = list(layouts)
        # Read whole first: the file may be replaced while it is read (an atomic write).
        data = self.path.read_bytes() if self.path.exists() else None
        self.last_read = _digest(data)
        book = WorkbookValues(data, self.path) if data is not None else None
        del data
        result = {}
        titles = {layout.title for layout in layouts}
        for layout in layouts:
            found = _sheet_of(book, layout, titles) if book is not None else None
            if book is None or found is None:
                result[layout.table] = SheetData(layout, exists=False)
                continue
            result[layout.table] = self._sheet(layout, book.rows(found))
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
        readers = [(column, i, reader(layout, column)) for column, i in positions.items()]
        for number, values in enumerate(body, start=first):
            if all(v is None or v == "" for v in values):
                continue
            width = len(values)
            cells = {column: read(values[i] if i < width else None) for column, i, read in readers}
            data.rows.append(SheetRow(cells.get(layout.key, "").strip(), cells, number, number))
        return data

    def unchanged_since_read(self) -> bool:
        """Whether the workbook holds exactly the bytes last read (or is still missing): no
        one saved it since, so reading it again would find nothing new."""
        if self.last_read is None:
            return False
        data = self.path.read_bytes() if self.path.exists() else None
        return _digest(data) == self.last_read

    def write(self, changes: dict[str, SheetChanges]) -> None:
        self.calls["write"] += 1
        book = self._open()
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


def _mark_shared_escapes(data: bytes) -> tuple[bytes, bool]:
    """The workbook with each escaped underscore of its shared texts marked (as spreadsheet
    programs save text), and whether there was one."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        shared = [n for n in archive.namelist() if n.lower().endswith("sharedstrings.xml")]
        texts = {name: archive.read(name) for name in shared}
        found = any(ESCAPED_UNDERSCORE in xml for xml in texts.values())
        if not found or any(MARK.encode() in xml for xml in texts.values()):
            return data, False  # nothing to mark, or the mark would be ambiguous
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as marked:
            for info in archive.infolist():
                part = archive.read(info)
                if info.filename in texts:
                    part = part.replace(ESCAPED_UNDERSCORE, MARK.encode())
                marked.writestr(info, part)
    return buffer.getvalue(), True


def _unmark_escapes(book: Workbook) -> None:
    """The texts :func:`_mark_shared_escapes` marked, escaped again as the file held them."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "s" and isinstance(cell.value, str) and MARK in cell.value:
                    cell.value = cell.value.replace(MARK, ESCAPED_UNDERSCORE.decode())
                    cell.data_type = "s"


def _digest(data: bytes | None) -> bytes:
    """A workbook's content as compared between reads; a missing file: b"" (no digest)."""
    return b"" if data is None else hashlib.blake2b(data).digest()


def _sheet_of(book: WorkbookValues, layout: SheetLayout, titles: set[str]) -> str | None:
    """The title of the layout's sheet: its own, else that of a sheet of another name
    (renamed by a reviewer) found by its header; None when there is none."""
    if layout.title in book.sheetnames:
        return layout.title
    for name in book.sheetnames:
        if name not in titles and matches(book.rows(name, HEADER_SCAN), layout):
            return name
    return None


def _sheet_in(book: Workbook, layout: SheetLayout, titles: set[str]) -> Worksheet | None:
    """:func:`_sheet_of` in a workbook loaded by openpyxl, to change it."""
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
    sheet = None if change.create else _sheet_in(book, layout, titles)
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
    """A new workbook of new sheets, formatted for reviewers: XlsxWriter, streamed (each row
    written out as the next begins), every value typed explicitly (text is text: "=..." is
    never a formula)."""
    buffer = io.BytesIO()
    options = {
        "constant_memory": True,
        "strings_to_formulas": False,
        "strings_to_numbers": False,
        "strings_to_urls": False,
        "default_format_properties": {"font_name": FONT, "font_size": 10},
    }
    book = xlsxwriter.Workbook(buffer, options)
    formats = NewFormats(book)
    for change in changes.values():
        layout, header = change.layout, change.layout.header
        sheet = book.add_worksheet(layout.title)
        # The codec fits text to MAX_TEXT characters, as the workbook always held it;
        # XlsxWriter would cut it again by its UTF-16 length (an emoji counts twice), or
        # cut the markup of a text that looks like rich text (:func:`_streamed`).
        sheet.xls_strmax = sys.maxsize
        format_new_sheet(sheet, formats, layout, header, change.appends, len(change.appends) + 1)
        columns = [
            (index, column, column in layout.numbers, *formats.of_column(layout, column))
            for index, column in enumerate(header)
        ]
        write_string, write_number = sheet.write_string, sheet.write_number
        for number, cells in enumerate(change.appends, start=1):
            for index, column, numeric, number_style, text_style in columns:
                text = cells.get(column, "")
                if not text:
                    continue
                value = to_sheet(layout, column, text) if numeric else fit(layout, text)
                if isinstance(value, str):
                    write_string(number, index, _streamed(value), text_style)
                elif value is not None:
                    write_number(number, index, value, number_style)
    add_new_guide(book, formats, [change.layout for change in changes.values()])
    book.close()
    return buffer.getvalue()


def _streamed(text: str) -> str:
    """A text as XlsxWriter's streaming mode takes it: line ends as "\n" (how every line end
    reads back, :func:`bridge.codec.normal`; a "\r" would be written escaped), and one that
    looks like rich-text XML ("<r>...</r>", which it would copy into the file as XML) as
    one plain run."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("<r>") and text.endswith("</r>"):
        return f'<r><t xml:space="preserve">{escape(text)}</t></r>'
    return text


def _put(cell: Any, layout: SheetLayout, column: str, text: str) -> Any:
    value = to_sheet(layout, column, text)
    if isinstance(value, str):
        value = ESCAPE_LIKE.sub(r"_x005F\1", value)  # openpyxl writes text as it is
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # text is text: "=..." is never a formula
    return style_cell(cell, layout, column)


def _add_header(sheet: Worksheet, columns: list[str], first: int, row: int = 1) -> None:
    """Header cells from column ``first`` on."""
    for index, column in enumerate(columns, start=first):
        style_header(sheet.cell(row, index), column)
