"""Sheet headers are found like leaderboard headers: case and surrounding spaces ignored,
the header row found under a title row, rebuilt when it was deleted (never read from the
first data row), a renamed sheet found by its header rather than duplicated; merged cells
never end a sync with a traceback. On the local workbook."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from bridge_support import column_number, editing, put, row_number, sheet_rows
from gsheets_support import Rig
from hostile_support import BELOW, STAGING, Home, no_traceback
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.errors import InputError

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


def test_google_sheets_without_a_header_row_is_refused_not_misread(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    rig = Rig.after_pipeline(tmp_path / "p", tmp_path_factory)
    rig.sync()
    rig.fake.delete_row("Candidates", 1)
    before, files = rig.values(), rig.files()
    with pytest.raises(InputError, match="Google sheet 'Candidates': no header row"):
        rig.sync()
    assert rig.values() == before and rig.files() == files  # nothing doubled, nothing lost
