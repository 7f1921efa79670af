"""Helpers for the sheet bridge tests: a project folder, its CSV files, its workbook.

They live here rather than in conftest.py so test modules import them by a name no other
test folder uses. The fixtures (a project after the pipeline, after a first sync) are in
conftest.py. Reviewers' edits are made with openpyxl, as a spreadsheet program would save
them: load the workbook, change cells or rows, save it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml
from harness import KEYS, Home, read_csv
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from bridge.backends.local import LocalBackend
from bridge.layout import SheetLayout, layouts
from bridge.mirror import MirrorReport, mirror
from pipeline.curate.datasets import open_tables
from pipeline.curate.schema_map import SchemaMap

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
STAMP = "2031-05-06T07:08:09Z"
TITLES = {"candidates": "Candidates", "staging": "Staging", "published": "Published"}
WAITING = "waiting: run `tracker bridge pull` to apply your edits"
RESTORED = "restored: rows are not deleted from the sheet (filter it instead)"
# Staged by the ``synced`` fixture with review decisions: two mapped models, one unmapped.
STAGED = ("gpt_4o", "claude_3.5_sonnet", "o3")


@dataclass(frozen=True)
class Project(Home):
    """A project folder with ``configs/`` and ``data/``, synced with the local backend."""

    def backend(self) -> LocalBackend:
        return LocalBackend(self.workbook)

    def mirror(self, mode: str = "sync", **options: Any) -> MirrorReport:
        """``bridge.mirror.mirror`` on the local workbook (``backend=`` may replace it)."""
        backend = options.pop("backend", None) or self.backend()
        return mirror(self.settings(), mode, backend=backend, **options)  # type: ignore[arg-type]

    def layout(self, table: str) -> SheetLayout:
        """The table's sheet layout as the local backend fits it."""
        schema = SchemaMap.load(self.configs / "schema_map.yaml")
        tables = open_tables(self.settings(), list(TITLES))
        plain = layouts(schema, {t: tables[t].file_columns for t in TITLES})[table]
        backend = self.backend()
        return replace(
            plain,
            max_text=backend.max_text,
            plain_text=backend.plain_text,
            number_digits=backend.number_digits,
        )

    def local_files(self) -> dict[str, bytes]:
        """The snapshot without the workbook and the sync state: what a pull may change."""
        skip = ("data/sheets/", "data/state/")
        return {k: v for k, v in self.snapshot().items() if not k.startswith(skip)}

    def sheet(self, table: str) -> list[dict[str, Any]]:
        return sheet_rows(self.workbook, TITLES[table])

    def sheet_by_key(self, table: str) -> dict[str, dict[str, Any]]:
        """The sheet's rows by key (a key on two rows: the last one)."""
        key = KEYS.get(table, "model")
        return {row[key]: row for row in self.sheet(table)}

    def status(self, table: str, key: str) -> str:
        return self.sheet_by_key(table)[key]["sync_status"] or ""

    @contextmanager
    def editing(self) -> Iterator[Workbook]:
        """Open the workbook as a reviewer would; it is saved when the block ends."""
        with editing(self.workbook) as book:
            yield book

    def edit(self, table: str, key: str, cells: dict[str, Any]) -> None:
        """A reviewer types ``cells`` into the row of ``key``."""
        with self.editing() as book:
            put(book[TITLES[table]], key, cells)


@contextmanager
def editing(path: Path) -> Iterator[Workbook]:
    book = load_workbook(path)
    yield book
    book.save(path)


def header(sheet: Worksheet) -> list[str]:
    return [str(cell.value) for cell in sheet[1] if cell.value is not None]


def column_number(sheet: Worksheet, name: str) -> int:
    return header(sheet).index(name) + 1


def row_numbers(sheet: Worksheet, key: str) -> list[int]:
    """The sheet rows (header = row 1) whose first cell is ``key``."""
    return [row[0].row for row in sheet.iter_rows(min_row=2) if row[0].value == key]


def row_number(sheet: Worksheet, key: str) -> int:
    (number,) = row_numbers(sheet, key)
    return number


def put(sheet: Worksheet, key: str, cells: dict[str, Any]) -> None:
    number = row_number(sheet, key)
    for column, value in cells.items():
        sheet.cell(number, column_number(sheet, column)).value = value


def row_values(sheet: Worksheet, number: int) -> list[Any]:
    return [sheet.cell(number, c).value for c in range(1, sheet.max_column + 1)]


def append_values(sheet: Worksheet, values: list[Any]) -> int:
    """Paste ``values`` into the first row after the last used one; its number."""
    number = sheet.max_row + 1
    for index, value in enumerate(values, start=1):
        sheet.cell(number, index).value = value
    return number


def sort_rows(sheet: Worksheet, column: str, *, reverse: bool = False) -> None:
    """Sort the data rows by ``column`` as a spreadsheet program does (empty cells last)."""
    index = column_number(sheet, column) - 1
    rows = [row_values(sheet, n) for n in range(2, sheet.max_row + 1)]
    filled = [r for r in rows if r[index] is not None]
    empty = [r for r in rows if r[index] is None]
    ordered = sorted(filled, key=lambda r: r[index], reverse=reverse) + empty
    for number, values in enumerate(ordered, start=2):
        for col, value in enumerate(values, start=1):
            sheet.cell(number, col).value = value


# openpyxl leaves the escaped underscore of an inline text in place ("_x005F_x0041_" for
# the text "_x0041_"); spreadsheet programs and the local backend read the text.
ESCAPED_UNDERSCORE = re.compile(r"_x005F(?=_x[0-9A-Fa-f]{4}_)")


def shown(values: Iterable[Any]) -> tuple[Any, ...]:
    """Cell values as a spreadsheet program shows them."""
    return tuple(ESCAPED_UNDERSCORE.sub("", v) if isinstance(v, str) else v for v in values)


def sheet_rows(path: Path, title: str) -> list[dict[str, Any]]:
    """The data rows of one sheet as raw cell values by header name."""
    book = load_workbook(path)
    rows = [shown(values) for values in book[title].iter_rows(values_only=True)]
    names = [str(v) for v in rows[0]]
    return [dict(zip(names, values, strict=False)) for values in rows[1:]]


def workbook_values(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every sheet's cell values, header included (what a reviewer sees)."""
    book = load_workbook(path)
    return {sheet.title: [shown(v) for v in sheet.iter_rows(values_only=True)] for sheet in book}


def published_statuses(project: Project) -> dict[str, str]:
    """The status of each candidate the published dataset already has (the configured
    mapping sends its key to a published row's name)."""
    names = yaml.safe_load((project.configs / "model_name_mapping.yaml").read_text())
    published = read_csv(project.file("published"), "Model")
    return {
        key: f"published: as {names[key]!r}; no review needed"
        for key in read_csv(project.file("candidates"))
        if names.get(key) in published
    }


def no_write(report: MirrorReport) -> bool:
    """A sync that changed nothing: no local file written, no sheet write."""
    return not report.written and not report.pushed and not any(report.changes.values())
