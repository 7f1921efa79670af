"""A column's reader and normaliser (bridge/codec.py) give what :func:`from_sheet` and
:func:`normal` give, for every kind of cell, with the shortcuts they take."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from bridge.codec import from_sheet, normal, normaliser, reader
from bridge.layout import SheetLayout

LAYOUT = SheetLayout(
    table="candidates",
    title="Candidates",
    key="model",
    columns=("model", "release_date", "parameters", "notes"),
    reviewer=("decision",),
    numbers=frozenset({"parameters"}),
    dates={"release_date": "iso"},
    max_text=12,
    plain_text=True,
    number_digits=16,
)
TEXTS = ["", "gpt_4o", "a\r\nb", "a\rb", "a\nb", "tab\there", "bell\x07", "x" * 13,
         "x" * 12, "\ufffe", "  ", "中文", "emoji 🙂", "1.5e+26", "70000000000", "-0", "0",
         "n/a", "1,000"]  # fmt: skip
VALUES: list[Any] = [*TEXTS, None, True, False, 0.0, -0.0, 3.0, 1.5e26, 7e10, 45000.0, 12,
                     datetime(2024, 5, 13, 10, 30), date(2024, 5, 13)]  # fmt: skip


@pytest.mark.parametrize("column", [*LAYOUT.header, "other"])
def test_a_columns_reader_reads_as_from_sheet(column: str) -> None:
    read = reader(LAYOUT, column)
    for value in VALUES:
        assert read(value) == from_sheet(LAYOUT, column, value), value


@pytest.mark.parametrize("column", [*LAYOUT.header, "other"])
def test_a_columns_normaliser_is_normal(column: str) -> None:
    norm = normaliser(LAYOUT, column)
    for text in [*TEXTS, *TEXTS]:  # the second time from what it kept
        assert norm(text) == normal(LAYOUT, column, text), text
