"""Workbook libraries side by side: write and read the local backend's workbook at scale.

Run by hand (it takes a few minutes at 100,000 rows, so ``make bench`` does not run it)::

    .venv/bin/pip install pyexcelerate rustpy-xlsxwriter fastexcel  # the optional contenders
    .venv/bin/python bench/workbook_libs.py [ROWS] [REPEATS]

ROWS (default 100000) Candidates rows of the mirror's own columns and cell values (through
the product's codec), REPEATS (default 3) runs of each, the median printed as a markdown
table. Writers make one styled sheet as the product does (bold filled header, number
formats, wrapped long text, widths, frozen panes, filter, drop-down, highlight rule, page
setup) where the library can; each row says what it leaves out. Readers read the workbook
the product writes, every cell's value. A contender that is not installed is skipped.
"""

from __future__ import annotations

import io
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from synthetic import NOTES, model_name  # noqa: E402

from bridge.backends.local import LocalBackend  # noqa: E402
from bridge.backends.workbook_format import CHOICES, NUMBER_FORMATS, xlsxwriter_width  # noqa: E402
from bridge.codec import to_sheet  # noqa: E402
from bridge.layout import STATUS, SheetLayout, action_formula, layouts  # noqa: E402
from bridge.model import SheetChanges  # noqa: E402
from pipeline.curate.datasets import CANDIDATES  # noqa: E402
from pipeline.curate.schema_map import SchemaMap  # noqa: E402
from pipeline.schema import COLUMNS  # noqa: E402

LAST_ROW = 1_048_576


def candidates_layout() -> SheetLayout:
    schema = SchemaMap.load(ROOT / "configs" / "schema_map.yaml")
    published = [f.published for f in schema.fields]
    columns = {"candidates": COLUMNS, "staging": COLUMNS, "published": published}
    limits = {k: getattr(LocalBackend, k) for k in ("max_text", "plain_text", "number_digits")}
    return replace(layouts(schema, columns)[CANDIDATES], **limits)


def make_rows(layout: SheetLayout, n: int, seed: int = 5) -> list[dict[str, str]]:
    """``n`` canonical Candidates rows: names, numbers, dates, statuses, multi-line notes."""
    rng = random.Random(seed)
    rows = []
    for index in range(n):
        name, developer = model_name(rng, index)
        rows.append({
            "model": name.lower().replace("-", "_"), "developer": developer,
            "training_flop": f"{10 ** rng.uniform(21, 26.5):.3g}",
            "p_above_1e25": f"{rng.random():.3f}",
            "threshold_classification": rng.choice(["likely_above_1e25", "likely_below_1e25"]),
            STATUS: rng.choice(["", "", "conflict: training_flop", "applied: decision"]),
            "release_date": f"2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
            "parameters": str(rng.choice([7, 70, 405]) * 10**9),
            "confidence": rng.choice(["low", "medium", "high"]),
            "estimation_method": "benchmark_interpolation",
            "reasoning": "Interpolated from arena score.\nSecond line.",
            "sources": "https://example.org/a; https://example.org/b",
            "verified": "n", "last_updated": "2025-06-01T00:00:00Z",
            "notes": rng.choice(NOTES) if index % 5 == 0 else "",
        })  # fmt: skip
    return rows


def typed(layout: SheetLayout, rows: list[dict[str, str]]) -> list[list[Any]]:
    """The cell values the product writes (numbers as numbers, the rest as text)."""
    return [[to_sheet(layout, c, row.get(c, "")) for c in layout.header] for row in rows]


def letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


# Writers: each returns the workbook's bytes.


def write_product(layout: SheetLayout, rows: list[dict[str, str]], _: list[list[Any]]) -> bytes:
    from bridge.backends.local import _new_workbook

    changes = SheetChanges(layout, layout.header, create=True, appends=rows)
    return _new_workbook({layout.table: changes})


def write_openpyxl(layout: SheetLayout, _: list[dict[str, str]], values: list[list[Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook(write_only=True)
    sheet = book.create_sheet(layout.title)
    header, last = layout.header, letter(len(layout.header))
    for i, _column in enumerate(header, start=1):
        sheet.column_dimensions[letter(i)].width = 20
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{last}{len(values) + 1}"
    fill = PatternFill("solid", fgColor="FCE4D6", bgColor="FCE4D6")
    status = letter(header.index(STATUS) + 1)
    rule = FormulaRule(formula=[action_formula(status)], fill=fill)
    sheet.conditional_formatting.add(f"A2:{last}{LAST_ROW}", rule)
    check = DataValidation(
        type="list", formula1='"' + ",".join(CHOICES["decision"]) + '"', allow_blank=True
    )
    check.add(f"F2:F{LAST_ROW}")
    sheet.data_validations.append(check)
    sheet.page_setup.orientation = "landscape"
    bold, head_fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    cells = []
    for column in header:
        cell = WriteOnlyCell(sheet, column)
        cell.font, cell.fill = bold, head_fill
        cells.append(cell)
    sheet.append(cells)
    kinds = [layout.number_format(c) for c in header]
    wraps = [layout.wraps(c) for c in header]
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in values:
        out: list[Any] = []
        for value, kind, wrapped in zip(row, kinds, wraps, strict=True):
            if value is None:
                out.append(None)
                continue
            cell = WriteOnlyCell(sheet, value)
            if isinstance(value, str):
                cell.data_type = "s"
                if wrapped:
                    cell.alignment = wrap
            elif kind:
                cell.number_format = NUMBER_FORMATS[kind]
            out.append(cell)
        sheet.append(out)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_xlsxwriter(
    layout: SheetLayout, _: list[dict[str, str]], values: list[list[Any]]
) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet(layout.title)
    header = layout.header
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "text_wrap": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    formats = {k: book.add_format({"num_format": f}) for k, f in NUMBER_FORMATS.items()}
    sheet.set_column_pixels(0, len(header) - 1, xlsxwriter_width(20))
    sheet.freeze_panes(1, 1)
    sheet.autofilter(0, 0, len(values), len(header) - 1)
    status = letter(header.index(STATUS) + 1)
    action = book.add_format({"bg_color": "#FCE4D6"})
    sheet.conditional_format(
        1, 0, LAST_ROW - 1, len(header) - 1,
        {"type": "formula", "criteria": "=" + action_formula(status), "format": action},
    )  # fmt: skip
    sheet.data_validation(1, 5, LAST_ROW - 1, 5, {"validate": "list", "source": ["y", "n"]})
    sheet.set_landscape()
    for c, column in enumerate(header):
        sheet.write_string(0, c, column, head)
    kinds = [formats.get(layout.number_format(c) or "") for c in header]
    wraps = [wrap if layout.wraps(c) else None for c in header]
    for r, row in enumerate(values, start=1):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                sheet.write_string(r, c, value, wraps[c])
            else:
                sheet.write_number(r, c, value, kinds[c])
    book.close()
    return buffer.getvalue()


def write_pyexcelerate(
    layout: SheetLayout, _: list[dict[str, str]], values: list[list[Any]]
) -> bytes:
    from pyexcelerate import Alignment, Fill, Font, Format, Style, Workbook
    from pyexcelerate.Color import Color

    book = Workbook()
    data = [layout.header, *values]
    sheet = book.new_sheet(layout.title, data=data)
    sheet.set_row_style(1, Style(font=Font(bold=True), fill=Fill(background=Color(221, 235, 247))))
    for c, column in enumerate(layout.header, start=1):
        kind = layout.number_format(column)
        if kind:
            sheet.set_col_style(c, Style(format=Format(NUMBER_FORMATS[kind]), size=20))
        elif layout.wraps(column):
            sheet.set_col_style(c, Style(alignment=Alignment(wrap_text=True), size=20))
    sheet.panes = __import__("pyexcelerate").Panes(1, 1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_rustpy(layout: SheetLayout, rows: list[dict[str, str]], values: list[list[Any]]) -> bytes:
    import rustpy_xlsxwriter as rx

    header = layout.header
    records = [dict(zip(header, row, strict=True)) for row in values]
    formats = {
        c: rx.Format().set_num_format(NUMBER_FORMATS[k])
        for c in header
        if (k := layout.number_format(c))
    }
    formats.update({c: rx.Format().set_text_wrap() for c in header if layout.wraps(c)})
    buffer = io.BytesIO()
    rx.write_worksheet(
        records, buffer, sheet_name=layout.title, freeze_row=1, freeze_col=1,
        column_width=20, column_formats=formats, bold_headers=True, autofilter=True,
        page_setup={"landscape": True},
    )  # fmt: skip
    return buffer.getvalue()


WRITERS: dict[str, tuple[str, Callable[..., bytes], str]] = {
    "product (LocalBackend, first push)": ("", write_product, "nothing; and the Guide sheet"),
    "openpyxl write-only, styled": ("openpyxl", write_openpyxl, "nothing"),
    "XlsxWriter constant_memory": ("xlsxwriter", write_xlsxwriter, "nothing"),
    "pyexcelerate": ("pyexcelerate", write_pyexcelerate, "no drop-down, no highlight rule"),
    "rustpy-xlsxwriter": (
        "rustpy_xlsxwriter",
        write_rustpy,
        "no formula rule; rules on written rows only",
    ),
}


# Readers: each returns the rows of the Candidates sheet.


def read_product(path: Path, layout: SheetLayout) -> int:
    return len(LocalBackend(path).read([layout])[layout.table].rows)


def read_openpyxl(path: Path, _: SheetLayout) -> int:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    return sum(1 for _ in book["Candidates"].iter_rows(values_only=True))


def read_calamine(path: Path, _: SheetLayout) -> int:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    return len(book.get_sheet_by_name("Candidates").to_python(skip_empty_area=False))


def read_fastexcel(path: Path, _: SheetLayout) -> int:
    import fastexcel

    sheet = fastexcel.read_excel(str(path)).load_sheet_by_name("Candidates", header_row=None)
    return sheet.height


def read_pandas_calamine(path: Path, _: SheetLayout) -> int:
    import pandas

    return len(pandas.read_excel(path, "Candidates", engine="calamine", header=None, dtype=object))


READERS: dict[str, tuple[str, Callable[[Path, SheetLayout], int], str]] = {
    "product (LocalBackend.read)": ("", read_product, "rows parsed into the sheet model"),
    "openpyxl read-only": ("openpyxl", read_openpyxl, "values; formulas as text"),
    "python-calamine": ("python_calamine", read_calamine, "values; formulas' saved values"),
    "fastexcel": ("fastexcel", read_fastexcel, "columns typed by column, via Arrow"),
    "pandas read_excel (calamine)": ("python_calamine", read_pandas_calamine, "a DataFrame"),
}


def available(module: str) -> bool:
    if not module:
        return True
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def median_seconds(run: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """The median wall time of ``repeats`` runs, and what the last one returned."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    layout = candidates_layout()
    rows = make_rows(layout, n)
    values = typed(layout, rows)
    print(f"{n:,} rows x {len(layout.header)} columns, median of {repeats}\n")
    print("| write | seconds | MiB written | what it leaves out |\n|---|---|---|---|")
    for name, (module, write, note) in WRITERS.items():
        if not available(module):
            print(f"| {name} | not installed | | |")
            continue
        seconds, data = median_seconds(partial(write, layout, rows, values), repeats)
        print(f"| {name} | {seconds:.2f} | {len(data) / 2**20:.1f} | {note} |", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tracker.xlsx"
        path.write_bytes(write_product(layout, rows, values))
        print("\n| read (the product's workbook) | seconds | what it returns |\n|---|---|---|")
        for name, (module, read, note) in READERS.items():
            if not available(module):
                print(f"| {name} | not installed | |")
                continue
            seconds, count = median_seconds(partial(read, path, layout), repeats)
            assert count >= n, (name, count)
            print(f"| {name} | {seconds:.2f} | {note} |", flush=True)


if __name__ == "__main__":
    main()
