"""Smaller rules: a misspelt top-level ``TRACKER_`` variable is refused like a misspelt
nested one, and an empty ``TRACKER_DATA_DIR`` too; rows added in the Staging and Published
sheets count as reviewer changes applied; the decision drop-down covers every row, also
one appended after blank formatted rows; a repeated header line in an export is skipped."""

from __future__ import annotations

import re

import pytest
from bridge_support import append_values, column_number, editing, row_number, row_values
from hostile_support import JAN, JAN_RAW, Case, Home, cases, replace, text_of, verify
from openpyxl import load_workbook
from openpyxl.styles import PatternFill

ENVIRONMENT = [
    Case(
        "misspelt_top_level_variable",
        lambda home: {},
        ("validate",),
        1,
        "Error: environment variable TRACKER_DATA_DIRR: not a setting; settings are"
        " TRACKER_BACKEND, TRACKER_CONFIG_DIR, TRACKER_DATA_DIR, TRACKER_MAX_RETRY_WAIT_SECONDS,"
        " TRACKER_PUBLISHED_SEED, TRACKER_SCHEDULE and TRACKER_<SECTION>__<NAME> for the"
        " sections bridge, collect, estimation, thresholds, worker",
    ),
    Case(
        "empty_data_dir",
        lambda home: {},
        ("validate",),
        1,
        "Error: environment variable TRACKER_DATA_DIR: is empty; unset it or name a folder",
    ),
]
VARIABLES = {"misspelt_top_level_variable": ("TRACKER_DATA_DIRR", "x"),
             "empty_data_dir": ("TRACKER_DATA_DIR", "")}  # fmt: skip


@pytest.mark.parametrize("case", cases(ENVIRONMENT))
def test_environment_variables_are_checked(
    home: Home, case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(*VARIABLES[case.id])
    verify(home, case)


def test_rows_added_in_the_sheets_count_as_reviewer_changes(home: Home) -> None:
    with editing(home.workbook) as book:
        for title, key, copy in (
            ("Staging", "o3", "o3_pro"),
            ("Published", "GPT-4o", "GPT-4o mini x"),
        ):
            sheet = book[title]
            values = row_values(sheet, row_number(sheet, key))
            values[0] = copy
            values[column_number(sheet, "sync_status") - 1] = None
            append_values(sheet, values)
    result = home.cli("bridge", "sync")
    assert result.exit_code == 0, result.output
    assert re.search(r"local \(.*\): 2 reviewer changes applied \(0 decisions\)", result.output)
    assert "o3_pro" in home.rows("data/staging/above_1e25_flop_staging.csv")


def test_the_decision_drop_down_covers_rows_appended_after_blank_formatted_rows(
    home: Home,
) -> None:
    with editing(home.workbook) as book:
        sheet = book["Candidates"]
        sheet.cell(7000, 1).fill = PatternFill("solid", fgColor="FFFF00")  # formatted, blank
        sheet.delete_rows(row_number(sheet, "phi_4"))  # restored: appended at the end
    result = home.cli("bridge", "sync")
    assert result.exit_code == 0, result.output
    sheet = load_workbook(home.workbook)["Candidates"]
    number = row_number(sheet, "phi_4")
    assert number >= 7000  # after the formatted rows
    letter = sheet.cell(1, column_number(sheet, "decision")).column_letter
    covered = [
        rule for rule in sheet.data_validations.dataValidation
        if any(f"{letter}{number}" in cells for cells in rule.sqref.ranges)
    ]  # fmt: skip
    assert covered and covered[0].formula1 == '"y,n"'


def test_a_repeated_header_line_is_skipped(collect_home: Home) -> None:
    header = text_of(collect_home, JAN_RAW).splitlines()[0]
    case = Case(
        "repeated_header",
        replace(JAN_RAW, "\n3,DeepSeek-R1,", f"\n{header}\n3,DeepSeek-R1,"),
        ("collect-all",),
        0,
        f"ok    {JAN}: 154 models, 9 names folded into existing keys"
        f" (unchanged: {{data}}/scraped/{JAN}_models.json)",
    )
    result = verify(collect_home, case)  # the collected models are unchanged
    assert "warning" not in result.output
