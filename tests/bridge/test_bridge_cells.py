"""Cells through the workbook: formula-like text, dates typed by reviewers, text the
workbook cannot hold as it is (ARCHITECTURE §6)."""

from __future__ import annotations

from datetime import datetime

from bridge_support import STAMP, Project, column_number, no_write, row_number
from openpyxl import load_workbook

from pipeline.storage.csvtable import CsvTable


def set_local(project: Project, key: str, cells: dict[str, str]) -> None:
    table = CsvTable.read(project.file("candidates"), "model")
    for column, value in cells.items():
        table.set_cell(key, column, value)
    table.save()


def test_formula_like_text_is_stored_as_text(fresh: Project) -> None:
    tricky = {"notes": "=1+1", "reasoning": "+44 1", "sources": "-x", "parameter_source": "@a"}
    set_local(fresh, "grok_3", tricky)
    fresh.mirror()
    sheet = load_workbook(fresh.workbook)["Candidates"]  # formulas as stored, not values
    number = row_number(sheet, "grok_3")
    for column, text in tricky.items():
        cell = sheet.cell(number, column_number(sheet, column))
        assert (cell.value, cell.data_type) == (text, "s")
    assert no_write(fresh.mirror())


def test_a_date_typed_into_the_sheet_is_stored_as_yyyy_mm_dd(synced: Project) -> None:
    synced.edit("candidates", "gpt_4.1", {"release_date": datetime(2025, 4, 14)})
    synced.mirror()
    assert synced.rows("candidates")["gpt_4.1"]["release_date"] == "2025-04-14"
    assert no_write(synced.mirror())


def test_a_published_date_is_stored_as_m_d_yyyy_and_flows_to_staging(synced: Project) -> None:
    staging = CsvTable.read(synced.file("staging"), "model")
    staging.set_cell("gpt_4o", "verified", "")  # a verified row would be a conflict instead
    staging.save()
    synced.mirror()
    synced.edit("published", "GPT-4o", {"Publication date": datetime(2024, 5, 3)})
    synced.mirror()
    assert synced.rows("published")["GPT-4o"]["Publication date"] == "5/3/2024"
    staged = synced.rows("staging")["gpt_4o"]
    assert (staged["release_date"], staged["verified"]) == ("2024-05-03", "y")
    assert staged["notes"].endswith(
        f"[{STAMP}] From the Published sheet (GPT-4o): release_date = 2024-05-03"
    )
    assert no_write(synced.mirror())


def test_long_text_is_shortened_in_the_workbook_only(fresh: Project) -> None:
    long = "x" * 40000
    set_local(fresh, "grok_3", {"notes": long, "reasoning": "bell\x07 and\x00 nul"})
    fresh.mirror()
    row = fresh.sheet_by_key("candidates")["grok_3"]
    assert row["notes"] == "x" * 32766 + "…"
    assert row["reasoning"] == "bell and nul"
    again = fresh.mirror()
    assert no_write(again) and not again.local.changes
    assert fresh.rows("candidates")["grok_3"]["notes"] == long


def test_a_number_typed_as_text_is_the_same_number(synced: Project) -> None:
    synced.edit("candidates", "grok_3", {"training_flop": "3.5E26", "parameters": ""})
    report = synced.mirror()
    assert not report.local.changes
    assert synced.sheet_by_key("candidates")["grok_3"]["training_flop"] == "3.5E26"
