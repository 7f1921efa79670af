"""Hostile sheet cells in the local workbook (data/sheets/tracker.xlsx after a first sync),
edited with openpyxl as a spreadsheet program saves them, then ``tracker bridge sync``.
The contract is mostly a ``sync_status`` and exit 0: the exact status, nothing lost, only
the expected files written. See hostile_support.py for how a case reads."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

import pytest
from bridge_support import column_number, editing, row_number, sheet_rows
from click.testing import Result
from hostile_support import (
    BRIDGE_STATE,
    CANDIDATES,
    HISTORY,
    PUBLISHED,
    STAGED,
    STAGING,
    WORKBOOK,
    Case,
    Home,
    Like,
    SheetCase,
    cases,
    idle_sync,
    planted,
    type_in,
    verify,
    verify_sheet,
)
from openpyxl import load_workbook

Check = Callable[[Home, Result], None]
Edit = Callable[[Home], None]
RESTORED = "restored: rows are not deleted from the sheet (filter it instead)"
AUDIT_KEPT = "restored: audit lines in notes are kept (add text, never remove it)"
PULLED = frozenset({WORKBOOK, BRIDGE_STATE})  # a status written, nothing applied
APPLIED = {
    "candidates": frozenset({CANDIDATES, WORKBOOK, BRIDGE_STATE, HISTORY}),
    "staging": frozenset({STAGING, WORKBOOK, BRIDGE_STATE, HISTORY}),
}
FORMULA = '=HYPERLINK("http://x","y")'
WORLD = "🚀 نموذج كبير \u200f(RTL)\u200f 👩\u200d🔬 — עברית"
LONG = "é" * 50_000

PINNED = "applied: {} pinned; the row still needs a decision"


def local(
    relative: str,
    key: str,
    column: str,
    expected: str,
    *,
    prefix: bool = False,
    keyed: str = "model",
) -> Check:
    """A check that a local cell holds exactly ``expected`` (or starts with it)."""

    def check(home: Home, result: Result) -> None:
        value = home.rows(relative, keyed)[key][column]
        assert value.startswith(expected) if prefix else value == expected, repr(value[:200])

    return check


def both(*checks: Check) -> Check:
    def run(home: Home, result: Result) -> None:
        for check in checks:
            check(home, result)

    return run


def sheet_cell(title: str, key: str, column: str) -> Callable[[Home], object]:
    def value(home: Home) -> object:
        sheet = load_workbook(home.workbook)[title]
        return sheet.cell(row_number(sheet, key), column_number(sheet, column)).value

    return value


def stays_in_sheet(title: str, key: str, column: str, expected: object) -> Check:
    """The reviewer's value waits in the sheet (it is not overwritten)."""

    def check(home: Home, result: Result) -> None:
        assert sheet_cell(title, key, column)(home) == expected

    return check


def round_trips(home: Home, result: Result) -> None:
    """The text is stored exactly, the sheet shows it unchanged, a second sync is idle."""
    staged = home.rows(STAGING)["o3"]
    assert staged["developer"] == "OpenAI 🤖"
    assert staged["notes"].startswith(WORLD + "\n")
    assert sheet_cell("Staging", "o3", "notes")(home) == staged["notes"]
    idle_sync(home)


def formula_stays_text(home: Home, result: Result) -> None:
    sheet = load_workbook(home.workbook)["Staging"]
    cell = sheet.cell(row_number(sheet, "o3"), column_number(sheet, "notes"))
    assert cell.data_type == "s" and cell.value.startswith(FORMULA + "\n")
    assert home.rows(STAGING)["o3"]["notes"].startswith(FORMULA + "\n")
    idle_sync(home)


def rename_key(title: str, key: str, new: str, **cells: object) -> Edit:
    def edit(home: Home) -> None:
        with editing(home.workbook) as book:
            sheet = book[title]
            number = row_number(sheet, key)
            sheet.cell(number, 1).value = new
            for column, value in cells.items():
                sheet.cell(number, column_number(sheet, column)).value = value

    return edit


def both_copies_flagged(home: Home, result: Result) -> None:
    rows = sheet_rows(home.workbook, "Candidates")
    numbers = [n for n, r in enumerate(rows, start=2) if r["model"] == "gpt_4.1"]
    statuses = [rows[n - 2]["sync_status"] for n in numbers]
    assert statuses == [f"duplicate key: also on row {n}" for n in reversed(numbers)]
    assert "gpt_4.1" in home.rows(CANDIDATES) and "grok_3" in home.rows(CANDIDATES)


def o3_pro_added(home: Home, result: Result) -> None:
    staged = home.rows(STAGING)
    assert staged["o3"]["developer"] == "OpenAI"
    assert (staged["o3_pro"]["developer"], staged["o3_pro"]["verified"]) == ("OpenAI Inc", "y")


def header_cell(title: str, column: str, value: object) -> Edit:
    def edit(home: Home) -> None:
        with editing(home.workbook) as book:
            sheet = book[title]
            sheet.cell(1, column_number(sheet, column)).value = value

    return edit


def developer_restored_at_the_end(home: Home, result: Result) -> None:
    sheet = load_workbook(home.workbook)["Staging"]
    names = [c.value for c in sheet[1]]
    assert names[1] is None and names[-1] == "developer"
    values = [r[-1].value for r in sheet.iter_rows(min_row=2)]
    assert values == [home.rows(STAGING)[key]["developer"] for key in STAGED]


def add_column(title: str, name: str, key: str | None = None, value: object = None) -> Edit:
    def edit(home: Home) -> None:
        with editing(home.workbook) as book:
            sheet = book[title]
            column = sheet.max_column + 1
            sheet.cell(1, column).value = name
            if key is not None:
                sheet.cell(row_number(sheet, key), column).value = value

    return edit


def reviewer_column_kept(home: Home, result: Result) -> None:
    assert sheet_cell("Candidates", "grok_3", "my notes")(home) == "check this"


def flops(home: Home) -> str:
    return json.dumps({k: r["training_flop"] for k, r in home.rows(STAGING).items()})


def shadowing_column(home: Home) -> None:
    """An empty column headed like a data column, added after the others."""
    home.facts["flops"] = flops(home)
    add_column("Staging", "training_flop")(home)


def nothing_lost(home: Home, result: Result) -> None:
    assert flops(home) == home.facts["flops"], flops(home)


def delete_sheet(title: str) -> Edit:
    def edit(home: Home) -> None:
        with editing(home.workbook) as book:
            del book[title]

    return edit


SUMMARY = (
    r"local \(.*\): 0 reviewer changes applied \(0 decisions\), 0 conflicts and {} problems"
    r" waiting in the sheet; 1 cells to write"
)

SHEET_CASES = [
    SheetCase(
        "number_in_a_text_column",
        type_in("Candidates", "gpt_4.1", {"developer": 42}),
        {("Candidates", "gpt_4.1"): PINNED.format("developer")},
        APPLIED["candidates"],
        check=local(CANDIDATES, "gpt_4.1", "developer", "42"),
    ),
    SheetCase(
        "boolean_in_a_text_column",
        type_in("Candidates", "gpt_4.1", {"developer": True}),
        {("Candidates", "gpt_4.1"): PINNED.format("developer")},
        APPLIED["candidates"],
        check=local(CANDIDATES, "gpt_4.1", "developer", "TRUE"),
    ),
    SheetCase(
        "text_in_training_flop",
        type_in("Candidates", "gpt_4.1", {"training_flop": "lots"}),
        {("Candidates", "gpt_4.1"): "training_flop: 'lots' is not a number"},
        PULLED,
        check=stays_in_sheet("Candidates", "gpt_4.1", "training_flop", "lots"),
    ),
    SheetCase(
        "text_in_published_compute",
        type_in("Published", "GPT-4o", {"Training compute (FLOP)": "about 4e25"}),
        {("Published", "GPT-4o"): "Training compute (FLOP): 'about 4e25' is not a number"},
        PULLED,
    ),
    SheetCase(
        "date_cell_in_a_date_column",
        type_in("Staging", "o3", {"release_date": datetime(2025, 4, 16, 0, 0)}),
        {("Staging", "o3"): "applied: release_date"},
        APPLIED["staging"],
        check=local(STAGING, "o3", "release_date", "2025-04-16"),
    ),
    SheetCase(
        "date_cell_in_training_flop",
        type_in("Candidates", "gpt_4.1", {"training_flop": datetime(2025, 1, 2)}),
        {("Candidates", "gpt_4.1"): "training_flop: '2025-01-02T00:00:00' is not a number"},
        PULLED,
    ),
    SheetCase(
        "negative_parameters",
        type_in("Staging", "o3", {"parameters": -5}),
        {("Staging", "o3"): "parameters: '-5' is not positive"},
        PULLED,
    ),
    SheetCase(
        "training_flop_1e99",
        type_in("Staging", "o3", {"training_flop": 1e99}),
        {("Staging", "o3"): "training_flop: '1e+99' is implausibly large (>= 1e30 FLOP)"},
        PULLED,
    ),
    SheetCase(
        "training_flop_1e99_counted_as_a_problem",
        type_in("Staging", "o3", {"training_flop": 1e99}),
        {("Staging", "o3"): "training_flop: '1e+99' is implausibly large (>= 1e30 FLOP)"},
        PULLED,
        line=Like(SUMMARY.format(1)),
    ),
    SheetCase(
        "unknown_vocabulary",
        type_in("Staging", "o3", {"confidence": "very"}),
        {("Staging", "o3"): "confidence: 'very' is not one of high, medium, low, speculative"},
        PULLED,
    ),
    SheetCase(
        "decision_a_number",
        type_in("Candidates", "gpt_4.1", {"decision": 7, "reason": "seven"}),
        {("Candidates", "gpt_4.1"): 'decision "7" not understood: use y or n'},
        PULLED,
    ),
    SheetCase(
        "published_name_already_taken",
        type_in("Staging", "o3", {"publish": "y", "published_name": "GPT-4o"}),
        {("Staging", "o3"): "publish: 'GPT-4o' is already the name of gpt_4o"},
        PULLED,
    ),
    SheetCase(
        "formula_typed_as_text_stays_text",
        type_in("Staging", "o3", {"notes": FORMULA}, as_text=True),
        {("Staging", "o3"): f"{AUDIT_KEPT}; applied: notes"},
        APPLIED["staging"],
        check=formula_stays_text,
    ),
    SheetCase(
        "formula_without_a_cached_value",
        type_in("Staging", "o3", {"reasoning": FORMULA}),
        {("Staging", "o3"): "applied: reasoning"},
        APPLIED["staging"],
        check=local(STAGING, "o3", "reasoning", FORMULA),
    ),
    SheetCase(
        # An .xlsx cell holds at most 32,767 characters (Excel's limit; openpyxl stores the
        # first 32,767): the sync applies all the sheet holds, not shortened further.
        "fifty_thousand_characters",
        type_in("Staging", "o3", {"notes": LONG}),
        {("Staging", "o3"): f"{AUDIT_KEPT}; applied: notes"},
        APPLIED["staging"],
        check=local(STAGING, "o3", "notes", LONG[:32_767] + "\n[", prefix=True),
    ),
    SheetCase(
        "emoji_and_right_to_left_text_round_trip",
        type_in("Staging", "o3", {"notes": WORLD, "developer": "OpenAI 🤖"}),
        {("Staging", "o3"): f"{AUDIT_KEPT}; applied: developer, notes"},
        APPLIED["staging"],
        check=round_trips,
    ),
    SheetCase(
        "emoji_in_the_published_sheet",
        type_in("Published", "GPT-4o", {"Abstract": WORLD}),
        {
            ("Published", "GPT-4o"): "conflict: verified staging row gpt_4o has notes (empty); "
            "published keeps your value, resolve with sync-datasets --diff"
        },
        frozenset({PUBLISHED, WORKBOOK, BRIDGE_STATE, HISTORY}),
        check=local(PUBLISHED, "GPT-4o", "Abstract", WORLD, keyed="Model"),
    ),
    SheetCase(
        "key_renamed_to_another_candidate",
        rename_key("Candidates", "grok_3", "gpt_4.1"),
        {("Candidates", "grok_3"): RESTORED},
        PULLED,
        check=both_copies_flagged,
    ),
    SheetCase(
        "key_renamed_and_a_cell_edited",
        rename_key("Staging", "o3", "o3_pro", developer="OpenAI Inc"),
        {("Staging", "o3_pro"): "applied: added to staging", ("Staging", "o3"): RESTORED},
        APPLIED["staging"],
        check=o3_pro_added,
    ),
    SheetCase(
        "blank_header_cell",
        header_cell("Staging", "developer", None),
        {("Staging", "o3"): ""},
        frozenset({WORKBOOK}),
        check=developer_restored_at_the_end,
    ),
    SheetCase(
        "column_added_by_a_reviewer",
        add_column("Candidates", "my notes", "grok_3", "check this"),
        {("Candidates", "grok_3"): "published: as 'Grok-3'; no review needed"},
        frozenset(),
        check=reviewer_column_kept,
    ),
    SheetCase(
        "column_added_with_the_name_of_a_data_column",
        shadowing_column,
        {("Staging", "o3"): ""},
        frozenset(),
        check=nothing_lost,
    ),
    SheetCase(
        "sheet_deleted",
        delete_sheet("Staging"),
        {("Staging", key): RESTORED for key in ("gpt_4o", "claude_3.5_sonnet", "o3")},
        PULLED,
    ),
]

BROKEN_WORKBOOKS = [
    Case(
        "workbook_truncated",
        lambda home: planted(WORKBOOK, home.workbook.read_bytes()[:3000])(home),
        ("bridge", "sync"),
        1,
        "Error: {data}/sheets/tracker.xlsx: cannot open the workbook (File is not a zip file)",
    ),
    Case(
        "workbook_not_a_workbook",
        planted(WORKBOOK, "model,decision\ngrok_3,y\n"),
        ("bridge", "pull"),
        1,
        "Error: {data}/sheets/tracker.xlsx: cannot open the workbook (File is not a zip file)",
    ),
]


@pytest.mark.parametrize("case", cases(SHEET_CASES))
def test_hostile_sheet_cells(home: Home, case: SheetCase) -> None:
    verify_sheet(home, case)


@pytest.mark.parametrize("case", cases(BROKEN_WORKBOOKS))
def test_hostile_workbook(home: Home, case: Case) -> None:
    verify(home, case)
