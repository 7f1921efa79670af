"""Rows reviewers add to the Candidates sheet: manual entries, candidates on the next cycle."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from bridge_support import STAMP, Project, column_number, no_write

from bridge.manual_rows import append_entry

ADDED = "applied: added as a manual entry; a candidate on the next cycle"
MYSTERY = {
    "model": "mystery_model_9",
    "developer": "Acme",
    "release_date": "2025-03-01",
    "parameters": 9.0e11,
    "training_flop": 4.2e25,
    "confidence": "medium",
    "sources": "https://example.com/mystery; https://example.com/paper",
}


def add_row(project: Project, cells: dict[str, Any]) -> None:
    """A reviewer types a new row at the end of the Candidates sheet."""
    with project.editing() as book:
        sheet = book["Candidates"]
        number = sheet.max_row + 1
        for column, value in cells.items():
            sheet.cell(number, column_number(sheet, column)).value = value


def manual_file(project: Project) -> str:
    return (project.data / "raw" / "manual" / "models.yaml").read_text(encoding="utf-8")


def test_a_valid_row_becomes_a_manual_entry_and_a_candidate_next_cycle(synced: Project) -> None:
    before = manual_file(synced)
    add_row(synced, MYSTERY)
    report = synced.mirror()
    assert synced.status("candidates", "mystery_model_9") == ADDED
    assert "added mystery_model_9 as a manual entry" in report.outcomes["candidates"].events
    assert "mystery_model_9" not in synced.rows("candidates")
    text = manual_file(synced)
    assert text.startswith(before.rstrip("[]\n"))  # the file's comments are kept
    assert yaml.safe_load(text) == [
        {
            "name": "mystery_model_9",
            "developer": "Acme",
            "date": date(2025, 3, 1),
            "parameters": 900000000000,
            "compute": 4.2e25,
            "confidence": "medium",
            "sources": ["https://example.com/mystery", "https://example.com/paper"],
            "notes": f"[{STAMP}] Added in the Candidates sheet by a reviewer",
        }
    ]
    again = synced.mirror()  # answered again, never added twice
    assert synced.status("candidates", "mystery_model_9") == ADDED
    assert manual_file(synced) == text
    assert no_write(again)

    result = synced.cli("run", "--backend", "local")
    assert result.exit_code == 0, result.output
    row = synced.rows("candidates")["mystery_model_9"]
    assert (row["developer"], row["release_date"], row["training_flop"]) == (
        "Acme",
        "2025-03-01",
        "4.2e+25",
    )
    assert row["parameters"] == "900000000000"
    assert row["estimation_method"] == "reported_specs"
    assert synced.status("candidates", "mystery_model_9") == ADDED  # "applied:" lasts
    assert "No sync base" not in result.output  # the reviewer's figures are the local ones
    after = synced.mirror()
    assert not after.notices
    assert no_write(after)
    assert [r["model"] for r in synced.sheet("candidates")].count("mystery_model_9") == 1


@pytest.mark.parametrize(
    ("cells", "status"),
    [
        (
            {"model": "Mystery Model"},
            "not pulled: 'Mystery Model' is not a model key (lower case, digits, . and _)",
        ),
        (
            {"model": "mystery_model", "training_flop": "lots"},
            "training_flop: 'lots' is not a number",
        ),
        ({"model": "mystery_model", "parameters": -5}, "parameters: '-5' is not positive"),
        ({"model": "mystery_model", "release_date": "soon"}, "release_date: "),
        (
            {"model": "mystery_instruct"},
            "not pulled: the sources would read 'mystery_instruct' as 'mystery'; use that",
        ),
    ],
)
def test_an_invalid_row_stays_in_the_sheet_with_its_problem(
    synced: Project, cells: dict[str, Any], status: str
) -> None:
    before = manual_file(synced)
    add_row(synced, {"developer": "Acme", **cells})
    report = synced.mirror()
    assert not report.local.changes
    assert manual_file(synced) == before
    assert synced.status("candidates", cells["model"]).startswith(status)
    assert synced.sheet_by_key("candidates")[cells["model"]]["developer"] == "Acme"


def test_a_key_already_below_or_collected_is_not_added(synced: Project) -> None:
    below = next(iter(synced.rows("below")))
    add_row(synced, {"model": below, "developer": "Acme"})
    synced.mirror()
    assert (
        synced.status("candidates", below)
        == f"not pulled: {below} is already in below_1e25_flop.csv"
    )
    assert yaml.safe_load(manual_file(synced)) == []


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("", "- name: x\n  compute: 4.2e+25\n"),
        ("# only a comment", "# only a comment\n- name: x\n  compute: 4.2e+25\n"),
        ("# c\r\n[]\r\n", "# c\r\n- name: x\r\n  compute: 4.2e+25\r\n"),
        ("- name: a  # kept\n", "- name: a  # kept\n- name: x\n  compute: 4.2e+25\n"),
    ],
)
def test_an_entry_is_appended_keeping_comments_and_line_endings(
    tmp_path: Path, before: str, after: str
) -> None:
    path = tmp_path / "models.yaml"
    path.write_bytes(before.encode())
    append_entry(path, {"name": "x", "compute": 4.2e25})
    assert path.read_bytes().decode() == after
