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
# sheet's XML; a false match (text such as "a:f b") only costs the slower read.
FORMULA_STARTS, FORMULA_ENDS, ERROR = (b"<f", b":f"), (b">", b" ", b"/"), b' t="e"'


class WorkbookValues:
    """The sheets of one .xlsx file (its bytes), as rows of values from A1 on: text, numbers
    (``float``, or ``int`` when openpyxl reads a formula sheet), booleans, date-times."""

    def __init__(self, data: bytes, path: Path) -> None:
        self.data, self.path = data, path
        try:
            self._parts = _sheet_parts(data)  # first: zipfile says best what a bad file is
            self.book = CalamineWorkbook.from_filelike(io.BytesIO(data))
            self.sheetnames = [
                m.name for m in self.book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet
            ]
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
        if part is None:  # not found in the archive's index: the old, thorough way
            return True
        with zipfile.ZipFile(io.BytesIO(self.data)) as archive:
            return has_formulas(archive.read(part))

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


def has_formulas(xml: bytes) -> bool:
    """Whether a sheet's XML holds a formula or an error cell."""
    return ERROR in xml or any(_has_element(xml, start) for start in FORMULA_STARTS)


def _has_element(xml: bytes, start: bytes) -> bool:
    """Whether ``start`` (``<f``) begins an element named by it alone (not ``<filter``)."""
    index = xml.find(start)
    while index != -1:
        if xml[index + 2 : index + 3] in FORMULA_ENDS:
            return True
        index = xml.find(start, index + 2)
    return False


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
        package = ElementTree.fromstring(archive.read("_rels/.rels"))
        main = next(
            (
                rel.get("Target", "").lstrip("/")
                for rel in package.iter(f"{RELS}Relationship")
                if rel.get("Type", "").endswith("/officeDocument")
            ),
            "xl/workbook.xml",
        )
        folder, name = posixpath.split(main)
        targets = _targets(archive, posixpath.join(folder, "_rels", name + ".rels"), folder)
        book = ElementTree.fromstring(archive.read(main))
    sheets = book.iter(f"{MAIN}sheet")
    return {
        s.get("name", ""): targets[s.get(REL_ID, "")] for s in sheets if s.get(REL_ID) in targets
    }


def _targets(archive: zipfile.ZipFile, rels: str, folder: str) -> dict[str, str]:
    """A relationships part's ids -> the parts they point to, as paths in the archive."""
    root = ElementTree.fromstring(archive.read(rels))
    found = {}
    for rel in root.iter(f"{RELS}Relationship"):
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        found[rel.get("Id", "")] = posixpath.normpath(path)
    return found
