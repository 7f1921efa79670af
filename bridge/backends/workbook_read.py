"""The workbook's cell values, read with python-calamine (ten times faster than openpyxl's
read-only mode). Calamine reads what a cell shows: a formula's saved value, and nothing for
a formula saved without one or for an error. A sheet holding formulas or errors (found by a
scan of its XML) is read with openpyxl instead, as before: a formula reads as its saved
value, or as its own text when it has none; an error as its code (``#DIV/0!``)."""

from __future__ import annotations

import io
import posixpath
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from python_calamine import CalamineWorkbook, SheetTypeEnum

from pipeline.errors import InputError

Rows = list[list[Any]]
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
# How a formula (<f>, <f .../>, or prefixed <x:f>) or an error cell (t="e") starts in a
# sheet's XML. Text in cells is escaped, so a false match only costs the slower read.
FORMULA_MARKS = (b"<f>", b"<f ", b":f>", b":f ", b' t="e"')


class WorkbookValues:
    """The sheets of one .xlsx file (its bytes), as rows of values from A1 on: text, numbers
    (``float``, or ``int`` when openpyxl reads a formula sheet), booleans, date-times."""

    def __init__(self, data: bytes, path: Path) -> None:
        self.data, self.path = data, path
        try:
            self.book = CalamineWorkbook.from_filelike(io.BytesIO(data))
            self.sheetnames = [
                m.name for m in self.book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet
            ]
            self._parts = _sheet_parts(data)
        except Exception as exc:  # calamine and zipfile raise many kinds for a damaged file
            raise InputError(f"cannot open the workbook ({exc})", file=path) from None
        self._openpyxl: dict[bool, Any] = {}

    def rows(self, name: str, limit: int | None = None) -> Rows:
        """The sheet's rows (the first ``limit`` of them), each as long as the widest."""
        if self._has_formulas(name):
            return self._formula_rows(name, limit)
        try:
            values = self.book.get_sheet_by_name(name).to_python(skip_empty_area=False, nrows=limit)
        except Exception as exc:
            raise InputError(f"cannot read the sheet {name!r} ({exc})", file=self.path) from None
        return [_like_openpyxl(row) for row in values]

    def _has_formulas(self, name: str) -> bool:
        part = self._parts.get(name)
        if part is None:
            return False
        with zipfile.ZipFile(io.BytesIO(self.data)) as archive:
            xml = archive.read(part)
        return any(mark in xml for mark in FORMULA_MARKS)

    def _formula_rows(self, name: str, limit: int | None) -> Rows:
        """openpyxl's values of a sheet holding formulas: each formula as its saved value;
        one saved without a value (by a script, some exports) keeps its text rather than
        reading as an empty cell, which would clear the field."""
        rows = _openpyxl_rows(self._book(data_only=False)[name], limit)
        formulas = [
            (r, c)
            for r, values in enumerate(rows)
            for c, value in enumerate(values)
            if isinstance(value, str) and value.startswith("=")
        ]
        if formulas:
            saved = _openpyxl_rows(self._book(data_only=True)[name], limit)
            for r, c in formulas:
                value = saved[r][c] if r < len(saved) and c < len(saved[r]) else None
                if value is not None:
                    rows[r][c] = value
        return rows

    def _book(self, data_only: bool) -> Any:
        if data_only not in self._openpyxl:
            from openpyxl import load_workbook

            try:
                book = load_workbook(io.BytesIO(self.data), read_only=True, data_only=data_only)
            except Exception as exc:  # openpyxl raises many kinds for a damaged file
                raise InputError(f"cannot open the workbook ({exc})", file=self.path) from None
            self._openpyxl[data_only] = book
        return self._openpyxl[data_only]


def _like_openpyxl(row: list[Any]) -> list[Any]:
    """Calamine's values as openpyxl gives them: an empty cell ``None``, a date a
    ``datetime`` (its text is the same whichever library read it)."""
    return [
        None
        if value == ""
        else datetime(value.year, value.month, value.day)
        if type(value) is date
        else value
        for value in row
    ]


def _openpyxl_rows(sheet: Any, limit: int | None) -> Rows:
    sheet.reset_dimensions()  # some programs save a wrong used range; read every row
    return [list(values) for values in sheet.iter_rows(max_row=limit, values_only=True)]


def _sheet_parts(data: bytes) -> dict[str, str]:
    """Each sheet's name -> its XML part in the archive (``xl/worksheets/sheet1.xml``)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{RELS}Relationship")}
    parts = {}
    for sheet in book.iter(f"{MAIN}sheet"):
        target = targets.get(sheet.get(REL_ID))
        if target:
            part = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
            parts[sheet.get("name", "")] = posixpath.normpath(part)
    return parts
