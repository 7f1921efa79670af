"""Cells between our canonical text and what a sheet stores.

Numbers go out as numbers (so reviewers can sort and filter them) and everything else as
text; a value read back is turned into the same canonical text. ``normal`` is what a text
becomes after a round trip through any sheet, and is what bases and comparisons use, so
that formatting a sheet applies (line endings, ``.0`` on integers) never looks like an edit.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from bridge.layout import SheetLayout
from pipeline.values import format_number, parse_number

SHEETS_EPOCH = date(1899, 12, 30)  # day 0 of spreadsheet date serial numbers
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
Cell = str | int | float | bool | None


def fit(layout: SheetLayout, text: str) -> str:
    """Text as the backend can hold it: without refused characters, within its length."""
    if layout.plain_text and CONTROL.search(text):
        text = CONTROL.sub("", text)
    if layout.max_text is not None and len(text) > layout.max_text:
        text = text[: layout.max_text - 1] + "…"
    return text


def too_long(layout: SheetLayout, text: str) -> bool:
    return layout.max_text is not None and len(text) > layout.max_text


def to_sheet(layout: SheetLayout, column: str, text: str) -> Cell:
    """The value to write for a canonical cell text."""
    if text == "":
        return None
    if column in layout.numbers:
        try:
            number = parse_number(text)
        except ValueError:
            # Not a number: as text where a cell can hold text, else left empty.
            return None if layout.typed_numbers else fit(layout, text)
        if number is not None:
            if layout.number_digits is not None:
                number = float(f"{number:.{layout.number_digits}g}")
            if layout.number_decimals is not None:
                number = round(number, layout.number_decimals)
            return int(number) if number.is_integer() and abs(number) < 2**53 else number
    return fit(layout, text)


def _date_text(day: date, style: str) -> str:
    if style == "published":
        return f"{day.month}/{day.day}/{day.year}"
    return day.isoformat()


def from_sheet(layout: SheetLayout, column: str, value: Any) -> str:
    """The canonical text of a value read from a sheet."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    style = layout.dates.get(column)
    if isinstance(value, datetime):
        return _date_text(value.date(), style or "iso") if style else value.isoformat()
    if isinstance(value, date):
        return _date_text(value, style or "iso")
    if isinstance(value, int | float):
        if style and 1 <= value < 2958466:  # a date typed into a date column: a serial number
            return _date_text(SHEETS_EPOCH + timedelta(days=int(value)), style)
        return format_number(value)
    return _newlines(str(value))


def reader(layout: SheetLayout, column: str) -> Callable[[Any], str]:
    """:func:`from_sheet` for one column, as a function of the value alone: a text (most
    cells) is taken as it is, without the checks other kinds of value need."""

    def read(value: Any) -> str:
        if type(value) is str and "\r" not in value:
            return value
        return from_sheet(layout, column, value)

    return read


def normaliser(layout: SheetLayout, column: str) -> Callable[[str], str]:
    """:func:`normal` for one column, as a function of the text alone: a number's text is
    worked out once per distinct text; a printable text within the length limit (most
    cells) is taken as it is."""
    if column in layout.numbers:
        seen: dict[str, str] = {}

        def number(text: str) -> str:
            found = seen.get(text)
            if found is None:
                found = seen[text] = normal(layout, column, text)
            return found

        return number
    limit = layout.max_text

    def text(value: str) -> str:
        if value.isprintable() and (limit is None or len(value) <= limit):
            return value  # no line end, no control character: nothing to change
        return normal(layout, column, value)

    return text


def _newlines(text: str) -> str:
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def normal(layout: SheetLayout, column: str, text: str) -> str:
    """``text`` as it reads back after being written to a sheet."""
    if column in layout.numbers:
        return from_sheet(layout, column, to_sheet(layout, column, text))
    # Text goes out as text and comes back as text (the short way of the line above).
    return _newlines(fit(layout, text)) if text else ""


def same(layout: SheetLayout, column: str, a: str, b: str) -> bool:
    """Equal as the sheet holds them; numbers within rounding (a backend may store fewer
    decimals or digits than we send)."""
    if a == b:
        return True
    return same_normal(layout, column, normal(layout, column, a), normal(layout, column, b))


def same_normal(layout: SheetLayout, column: str, x: str, y: str) -> bool:
    """:func:`same` for texts already through :func:`normal`."""
    if x == y:
        return True
    if column in layout.numbers:
        try:
            first, second = parse_number(x), parse_number(y)
        except ValueError:
            return False
        if first is not None and second is not None:
            return math.isclose(first, second, rel_tol=1e-12, abs_tol=1e-8)
    return False


# -- headers ----------------------------------------------------------------------------------

HEADER_SCAN = 10  # rows searched for the header row: title rows may sit above it


def header_name(value: Any) -> str:
    """A header cell as compared: spaces collapsed and trimmed, case folded."""
    return " ".join(str(value).split()).casefold() if value is not None else ""


def canonical_header(values: list[Any], layout: SheetLayout) -> list[str]:
    """A header row with each cell that names a column of ``layout`` (in any case, with
    any surrounding spaces) as the column's own name; other cells trimmed."""
    names = {header_name(column): column for column in layout.header}
    return [names.get(header_name(v), str(v).strip() if v is not None else "") for v in values]


def find_header(rows: list[list[Any]], layout: SheetLayout) -> int | None:
    """The index of the header row among the first rows: the first that names the key
    column (title rows above it are skipped); None when no row does."""
    key = header_name(layout.key)
    for index, values in enumerate(rows[:HEADER_SCAN]):
        if any(header_name(v) == key for v in values):
            return index
    return None


def matches(rows: list[list[Any]], layout: SheetLayout) -> bool:
    """Whether a sheet of another name is this layout's sheet, found by its header: the
    key column, the reviewer columns and at least half of the data columns."""
    index = find_header(rows, layout)
    if index is None:
        return False
    found = set(canonical_header(rows[index], layout))
    data = found & set(layout.columns)
    return set(layout.reviewer) <= found and len(data) * 2 >= len(layout.columns)
