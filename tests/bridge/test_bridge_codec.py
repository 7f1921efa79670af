"""Cells between canonical text and what a sheet stores (bridge/codec.py)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from bridge.codec import from_sheet, normal, same, to_sheet, too_long
from bridge.layout import SheetLayout

OURS = SheetLayout(
    table="candidates",
    title="Candidates",
    key="model",
    columns=("model", "release_date", "parameters", "training_flop", "notes"),
    reviewer=("decision", "reason"),
    numbers=frozenset({"parameters", "training_flop"}),
    dates={"release_date": "iso"},
    max_text=12,
    plain_text=True,
    number_digits=16,
)
PUBLISHED = SheetLayout(
    table="published",
    title="Published",
    key="Model",
    columns=("Model", "Publication date", "Training compute (FLOP)"),
    reviewer=(),
    numbers=frozenset({"Training compute (FLOP)"}),
    dates={"Publication date": "published"},
)


@pytest.mark.parametrize(
    ("column", "text", "value"),
    [
        ("training_flop", "5e+26", 5e26),
        ("training_flop", "3.8e+25", 3.8e25),
        ("parameters", "405000000000", 405000000000),
        ("parameters", "1,234", 1234),
        ("training_flop", "2.0", 2),
        ("training_flop", "about 3e25", "about 3e25"),
        ("parameters", "", None),
        ("notes", "5e+26", "5e+26"),
    ],
)
def test_numbers_are_written_as_numbers_in_number_columns(
    column: str, text: str, value: Any
) -> None:
    written = to_sheet(OURS, column, text)
    assert written == value
    assert type(written) is type(value)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (5e26, "5e+26"),
        (3.8e25, "3.8e+25"),
        (405000000000.0, "405000000000"),
        (70, "70"),
        (0.1234567890123457, "0.1234567890123457"),
        (1e15, "1e+15"),
        (True, "TRUE"),
        (None, ""),
    ],
)
def test_values_read_back_as_canonical_text(value: Any, text: str) -> None:
    assert from_sheet(OURS, "training_flop", value) == text


def test_numbers_keep_the_sixteen_digits_openpyxl_writes(tmp_path: Path) -> None:
    texts = ["0.12345678901234567", "6.000010000000001e+24", "1.2345678901234567e+25", "2e+60"]
    book = Workbook()
    for row, text in enumerate(texts, start=1):
        book.active.cell(row, 1).value = to_sheet(OURS, "training_flop", text)
    book.save(tmp_path / "n.xlsx")
    read = [r[0] for r in load_workbook(tmp_path / "n.xlsx").active.iter_rows(values_only=True)]
    back = [from_sheet(OURS, "training_flop", v) for v in read]
    assert back == [normal(OURS, "training_flop", t) for t in texts]
    assert back == ["0.1234567890123457", "6.000010000000001e+24", "1.234567890123457e+25", "2e+60"]
    assert same(OURS, "training_flop", "0.12345678901234567", "0.1234567890123457")


def test_huge_integers_stay_floats() -> None:
    assert to_sheet(OURS, "parameters", str(2**60)) == pytest.approx(2.0**60)
    assert isinstance(to_sheet(OURS, "parameters", str(2**60)), float)
    assert normal(OURS, "parameters", str(2**60)) == "1.152921504606847e+18"


@pytest.mark.parametrize("text", ["=SUM(A1:A3)", "+44 20 7946", "-5", "@mention", "=1+1"])
def test_text_that_looks_like_a_formula_stays_text(text: str) -> None:
    assert to_sheet(OURS, "notes", text[:12]) == text[:12]
    assert from_sheet(OURS, "notes", text[:12]) == text[:12]


def test_a_minus_number_in_a_number_column_is_a_number() -> None:
    assert to_sheet(OURS, "training_flop", "-5") == -5


def test_line_endings_are_normalised() -> None:
    assert from_sheet(OURS, "notes", "a\r\nb\rc\nd") == "a\nb\nc\nd"
    assert same(OURS, "notes", "a\r\nb", "a\nb")


@pytest.mark.parametrize(
    ("value", "iso", "published"),
    [
        (45292, "2024-01-01", "1/1/2024"),
        (45292.75, "2024-01-01", "1/1/2024"),
        (datetime(2025, 7, 9, 13, 5), "2025-07-09", "7/9/2025"),
        (date(2025, 12, 31), "2025-12-31", "12/31/2025"),
        ("2025-02-17", "2025-02-17", "2025-02-17"),
    ],
)
def test_dates_typed_into_date_columns_read_back_as_dates(
    value: Any, iso: str, published: str
) -> None:
    assert from_sheet(OURS, "release_date", value) == iso
    assert from_sheet(PUBLISHED, "Publication date", value) == published


def test_dates_outside_date_columns_are_not_dates() -> None:
    assert from_sheet(OURS, "training_flop", 45292) == "45292"
    assert from_sheet(OURS, "notes", datetime(2025, 7, 9, 13, 5)) == "2025-07-09T13:05:00"
    assert from_sheet(OURS, "release_date", 0) == "0"


def test_control_characters_are_stripped_where_the_backend_refuses_them() -> None:
    assert to_sheet(OURS, "notes", "a\x00b\x07\x1b\tc\nd") == "ab\tc\nd"
    assert to_sheet(PUBLISHED, "Model", "a\x00b") == "a\x00b"
    assert normal(OURS, "notes", "x\x0bx\ufffe") == "xx"


def test_long_text_is_shortened_for_the_workbook_only() -> None:
    text = "abcdefghijklmnop"
    assert too_long(OURS, text)
    assert to_sheet(OURS, "notes", text) == "abcdefghijk…"
    assert len(to_sheet(OURS, "notes", text)) == 12  # type: ignore[arg-type]
    assert not too_long(OURS, "abcdefghijkl")
    assert to_sheet(OURS, "notes", "abcdefghijkl") == "abcdefghijkl"
    assert not too_long(PUBLISHED, text * 1000)


def test_empty_text_is_an_empty_cell() -> None:
    assert to_sheet(OURS, "notes", "") is None
    assert from_sheet(OURS, "notes", None) == ""
