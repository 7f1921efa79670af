"""A key on two sheet rows (ARCHITECTURE §3, §7): both rows say so, and their edits wait."""

from __future__ import annotations

import re

from bridge_support import (
    Project,
    append_values,
    column_number,
    no_write,
    put,
    row_numbers,
    row_values,
)


def paste_copy(project: Project, key: str, flop: float) -> None:
    """The reviewer copies the row of ``key`` to the bottom and changes its FLOP."""
    with project.editing() as book:
        sheet = book["Candidates"]
        (number,) = row_numbers(sheet, key)
        values = row_values(sheet, number)
        values[column_number(sheet, "training_flop") - 1] = flop
        append_values(sheet, values)


def named_rows(project: Project, key: str) -> dict[int, set[int]]:
    """Sheet row of each copy of ``key`` -> the rows its status names."""
    with project.editing() as book:
        sheet = book["Candidates"]
        numbers = row_numbers(sheet, key)
        status = column_number(sheet, "sync_status")
        statuses = [sheet.cell(n, status).value or "" for n in numbers]
    return {
        n: {int(x) for x in re.findall(r"\d+", s.removeprefix("duplicate key: also on row "))}
        for n, s in zip(numbers, statuses, strict=True)
    }


def test_both_copies_name_each_other_and_the_edit_waits(synced: Project) -> None:
    before = synced.rows("candidates")["o3_mini"]
    paste_copy(synced, "o3_mini", 9e24)
    report = synced.mirror()
    statuses = report.outcomes["candidates"].row_statuses
    (first, row_1), (second, row_2) = sorted((row.position, m) for row, m in statuses)
    assert row_1 == f"duplicate key: also on row {second}"
    assert row_2 == f"duplicate key: also on row {first}"
    assert synced.rows("candidates")["o3_mini"] == before
    assert not report.local.changes
    assert report.outcomes["candidates"].invalid == 2


def test_fixing_the_duplicate_applies_the_edit(synced: Project) -> None:
    paste_copy(synced, "o3_mini", 9e24)
    synced.mirror()
    with synced.editing() as book:  # the reviewer keeps the copy with the new value
        sheet = book["Candidates"]
        for number in reversed(row_numbers(sheet, "o3_mini")):
            if sheet.cell(number, column_number(sheet, "training_flop")).value != 9e24:
                sheet.delete_rows(number)
    synced.mirror()
    assert synced.rows("candidates")["o3_mini"]["training_flop"] == "9e+24"
    assert [r["model"] for r in synced.sheet("candidates")].count("o3_mini") == 1


def test_the_sheet_keeps_exactly_the_two_copies(synced: Project) -> None:
    paste_copy(synced, "o3_mini", 9e24)
    synced.mirror()
    assert [r["model"] for r in synced.sheet("candidates")].count("o3_mini") == 2
    assert no_write(synced.mirror())
    assert [r["model"] for r in synced.sheet("candidates")].count("o3_mini") == 2


def test_statuses_name_the_other_copy_after_a_push_without_removals(synced: Project) -> None:
    with synced.editing() as book:
        for _ in range(2):
            append_values(book["Candidates"], ["mystery_model", "Acme", 4e25])
    synced.mirror()
    named = named_rows(synced, "mystery_model")
    assert all(rows == set(named) - {n} for n, rows in named.items())


def test_statuses_name_the_other_copy_after_a_push_that_removed_a_row(synced: Project) -> None:
    with synced.editing() as book:
        sheet = book["Candidates"]
        put(sheet, "phi_4", {"decision": "n", "reason": "small"})  # its row leaves the sheet
        for _ in range(2):
            append_values(sheet, ["mystery_model", "Acme", 4e25])
    synced.mirror()
    assert "phi_4" not in synced.sheet_by_key("candidates")
    named = named_rows(synced, "mystery_model")
    assert all(rows == set(named) - {n} for n, rows in named.items())
