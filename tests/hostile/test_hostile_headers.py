"""Sheet headers are found like leaderboard headers: case and surrounding spaces ignored,
the header row found under a title row, rebuilt when it was deleted (never read from the
first data row), a renamed sheet found by its header rather than duplicated; merged cells
never end a sync with a traceback. On the local workbook, Google Sheets and Airtable (whose
field names are matched in any case and with any surrounding spaces)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from airtable_support import new_base
from bridge_support import column_number, editing, put, row_number, sheet_rows
from fakes.sheets_fake import col_letter
from gsheets_support import Rig
from hostile_support import BELOW, STAGING, Home, no_traceback
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

DECIDED = {"decision": "n", "reason": "a small model"}


def decide_phi_4(sheet: Worksheet) -> None:
    put(sheet, "phi_4", DECIDED)


def sync(home: Home) -> str:
    result = home.cli("bridge", "sync")
    no_traceback(result)
    assert result.exit_code == 0, result.output
    return result.output


def sizes(home: Home) -> dict[str, tuple[int, int]]:
    book = load_workbook(home.workbook)
    return {name: (book[name].max_row, book[name].max_column) for name in book.sheetnames}


def decided(home: Home) -> None:
    assert home.rows(BELOW)["phi_4"]["status"] == "confirmed_below_1e25"


def recase_header(sheet: Worksheet) -> None:
    for cell in sheet[1]:
        if cell.value in ("model", "decision", "reason", "developer"):
            cell.value = f"  {cell.value.upper()} "


def title_row(sheet: Worksheet) -> None:
    sheet.insert_rows(1)
    sheet.cell(1, 1).value = "Candidates to review: set decision and reason"


def delete_header(sheet: Worksheet) -> None:
    sheet.delete_rows(1)


EDITS: dict[str, Callable[[Worksheet], None]] = {
    "header_in_other_case_and_spaces": recase_header,
    "title_row_above_the_header": title_row,
    "header_row_deleted": delete_header,
}


@pytest.mark.parametrize("name", list(EDITS))
def test_the_header_is_found_and_the_decision_applied(home: Home, name: str) -> None:
    before = sizes(home)
    with editing(home.workbook) as book:
        decide_phi_4(book["Candidates"])
        EDITS[name](book["Candidates"])
    sync(home)
    decided(home)
    after = sizes(home)
    rows, columns = before["Candidates"]
    assert after["Candidates"][1] == columns  # no column added twice
    assert after["Candidates"][0] <= rows + (name == "title_row_above_the_header")
    sheet = load_workbook(home.workbook)["Candidates"]
    header = 2 if name == "title_row_above_the_header" else 1
    assert (
        sheet.cell(header, column_number_ci(sheet, header, "model")).value.strip().lower()
        == "model"
    )
    sync(home)  # and a second sync finds it again, with nothing to do
    assert sizes(home) == after


def column_number_ci(sheet: Worksheet, row: int, name: str) -> int:
    names = [str(c.value or "").strip().lower() for c in sheet[row]]
    return names.index(name) + 1


def test_a_renamed_sheet_is_found_by_its_header(home: Home) -> None:
    with editing(home.workbook) as book:
        book["Staging"].title = "Staging (review)"
        put(book["Staging (review)"], "o3", {"developer": "OpenAI Inc"})
    sync(home)
    book = load_workbook(home.workbook)
    assert "Staging" not in book.sheetnames
    assert home.rows(STAGING)["o3"]["developer"] == "OpenAI Inc"


@pytest.mark.parametrize("column", ["model", "sync_status", "decision"])
def test_merged_cells_never_end_a_sync_with_a_traceback(home: Home, column: str) -> None:
    """Two rows' cells merged; the lower row asks for an answer the worker must write."""
    with editing(home.workbook) as book:
        sheet = book["Candidates"]
        first = row_number(sheet, "phi_4")
        below = sheet.cell(first + 1, 1).value
        put(sheet, below, {"decision": "maybe", "reason": "unsure"})
        number = column_number(sheet, column)
        sheet.merge_cells(start_row=first, start_column=number, end_row=first + 1,
                          end_column=number)  # fmt: skip
    sync(home)
    sync(home)
    statuses = [r["sync_status"] for r in sheet_rows(home.workbook, "Candidates")]
    answered = any(status and "maybe" in status for status in statuses)
    assert answered == (column != "decision")  # merging keeps only the upper value


def test_google_sheets_header_under_a_title_row_in_any_case(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    rig = Rig.after_pipeline(tmp_path / "p", tmp_path_factory)
    rig.sync()
    rig.type("Candidates", "phi_4", DECIDED)
    rig.fake.insert_row("Candidates", 1, ["Candidates to review: set decision and reason"])
    rig.fake.set_raw("Candidates", "A2", "  MODEL ")
    rows = len(rig.fake.values("Candidates"))
    rig.sync()
    assert rig.rows("below")["phi_4"]["status"] == "confirmed_below_1e25"
    values = rig.fake.values("Candidates")
    assert len(values) <= rows  # nothing appended twice
    keys = [row[0] for row in values[2:] if row and row[0]]
    assert "phi_4" not in keys and len(keys) == len(set(keys))
    assert values[1][0] == "  MODEL "


def test_google_sheets_without_a_header_row_rebuilds_it_above_the_rows(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    rig = Rig.after_pipeline(tmp_path / "p", tmp_path_factory)
    rig.sync()
    rig.type("Candidates", "phi_4", DECIDED)
    header = rig.header("Candidates")
    rig.fake.delete_row("Candidates", 1)
    rows = len(rig.fake.values("Candidates"))
    rig.sync()
    assert rig.rows("below")["phi_4"]["status"] == "confirmed_below_1e25"
    assert rig.header("Candidates") == header  # written back in row 1, above the rows
    values = rig.fake.values("Candidates")
    assert len(values) <= rows + 1  # nothing appended twice
    keys = [row[0] for row in values[1:] if row and row[0]]
    assert "phi_4" not in keys and len(keys) == len(set(keys))
    report = rig.sync()  # and a second sync finds it, with nothing to do
    assert not any(report.changes.values()) and rig.counts()["structure"] == 0


def test_google_sheets_renamed_sheet_is_found_by_its_header(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    rig = Rig.after_pipeline(tmp_path / "p", tmp_path_factory)
    rig.sync()
    rig.type("Candidates", "phi_4", DECIDED)
    rig.fake.rename_sheet("Candidates", "To review")
    titles = rig.fake.titles()
    rig.sync()
    assert rig.rows("below")["phi_4"]["status"] == "confirmed_below_1e25"
    assert rig.fake.titles() == titles  # no new Candidates sheet
    assert "phi_4" not in [row[0] for row in rig.fake.values("To review") if row]
    rig.sync()
    assert rig.fake.titles() == titles and rig.counts()["metadata"] == 0


def test_google_sheets_columns_added_under_a_title_row_go_on_the_header_row(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    rig = Rig.after_pipeline(tmp_path / "p", tmp_path_factory)
    rig.sync()
    header = rig.header("Candidates")
    last = f"{col_letter(len(header) - 1)}1"
    rig.fake.set_raw("Candidates", last, "")  # a column's header cleared: the push adds it
    title = "Candidates to review: set decision and reason"
    rig.fake.insert_row("Candidates", 1, [title])
    rig.sync()
    values = rig.fake.values("Candidates")
    assert values[0] == [title]
    assert values[1] == header  # added back on the header's row, not over the title


def test_airtable_fields_are_matched_in_any_case_and_spaces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = new_base(tmp_path / "p", monkeypatch)
    base.sync()
    base.fake.rename_field("Candidates", "decision", "Decision ")
    base.fake.rename_field("Candidates", "reason", " REASON")
    fields = base.fake.field_names("Candidates")
    record = base.record_id("candidates", "phi_4")
    base.fake.set_field("Candidates", record, "Decision ", "n")
    base.fake.set_field("Candidates", record, " REASON", "a small model")
    base.sync()
    assert base.rows("below")["phi_4"]["status"] == "confirmed_below_1e25"
    assert base.fake.field_names("Candidates") == fields  # no decision field added
    base.sync()
    assert base.fake.field_names("Candidates") == fields
    assert base.counts()["write"] == 0 and base.counts()["schema"] == 0
