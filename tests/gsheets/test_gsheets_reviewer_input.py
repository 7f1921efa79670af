"""What reviewers type and how they rearrange a Google sheet: typed values are parsed as
USER_ENTERED (numbers, dates), keys cannot change, columns they add are left alone, and
the columns the tracker owns must survive a renamed or deleted header."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes.sheets_fake import col_letter
from gsheets_support import STAMP, Rig

IDLE = {"metadata": 0, "read": 1, "write": 0, "structure": 0}


@pytest.fixture
def rig(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Rig:
    rig = Rig.after_pipeline(project, tmp_path_factory)
    rig.sync()
    return rig


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("3.1e25", "3.1e+25"),
        ("'3.10e25", "3.1e+25"),
        ("31,000,000,000,000,000,000,000,000", "3.1e+25"),
    ],
)
def test_a_typed_training_flop_is_stored_canonically(rig: Rig, typed: str, stored: str) -> None:
    rig.type("Candidates", "gpt_4o", {"training_flop": typed})
    rig.sync()
    row = rig.rows("candidates")["gpt_4o"]
    assert (row["training_flop"], row["verified"]) == (stored, "")  # pinned, not verified
    pinned_note = f"training_flop = {stored}; pinned against re-estimation"
    assert row["notes"].endswith(f"[{STAMP}] Sheet edit by a reviewer: {pinned_note}")
    pinned = "applied: training_flop pinned; the row still needs a decision"
    assert rig.status("Candidates", "gpt_4o") == pinned
    rig.sync()
    assert rig.counts() == IDLE


def test_a_decimal_comma_is_refused_not_read_as_ten_times_more(rig: Rig) -> None:
    before = rig.rows("candidates")["gpt_4o"]
    rig.type("Candidates", "gpt_4o", {"training_flop": "1,5e25"})
    rig.sync()
    assert rig.rows("candidates")["gpt_4o"] == before
    assert rig.status("Candidates", "gpt_4o").startswith("training_flop: ")


def test_a_date_typed_in_published_reads_back_in_epochs_format(rig: Rig) -> None:
    rig.type("Published", "GPT-4o", {"Publication date": "2024-05-14"})
    assert isinstance(rig.by_key("Published")["GPT-4o"]["Publication date"], int)
    rig.sync()
    assert rig.rows("published")["GPT-4o"]["Publication date"] == "5/14/2024"
    assert rig.status("Published", "GPT-4o") == "applied: Publication date"
    rig.sync()
    assert rig.counts() == IDLE


def test_a_changed_key_is_restored(rig: Rig) -> None:
    files = rig.tables()
    rig.type("Candidates", "gpt_4o", {"model": "gpt_4o_renamed"})
    report = rig.sync()
    assert not report.local.changes and rig.tables() == files
    assert "gpt_4o_renamed" not in rig.keys("Candidates")
    assert rig.status("Candidates", "gpt_4o") == "restored: the key cannot be changed ('gpt_4o')"
    rig.sync()
    assert rig.counts() == IDLE


def test_a_column_inserted_by_a_reviewer_is_left_alone(rig: Rig) -> None:
    sheet = rig.fake.sheet("Candidates")
    for line in sheet.grid:
        line.insert(2, None)  # Insert > Column left of training_flop
    sheet.column_count += 1
    rig.fake.set_cell("Candidates", "C1", "comments")
    rig.fake.set_cell("Candidates", f"C{rig.row_of('Candidates', 'grok_3')}", "ask xAI")
    rig.type("Candidates", "gpt_4o", {"decision": "y", "reason": "known model"})
    rig.sync()
    assert rig.header("Candidates")[:4] == ["model", "developer", "comments", "training_flop"]
    assert rig.by_key("Candidates")["grok_3"]["comments"] == "ask xAI"
    assert "gpt_4o" not in rig.keys("Candidates")  # confirmed: it lives in Staging
    row = rig.by_key("Staging")["gpt_4o"]
    assert row["sync_status"] == "applied: confirmed above 1e25 in Candidates"
    rig.sync()
    assert rig.counts() == IDLE


@pytest.mark.parametrize("change", ["rename", "delete"])
def test_a_renamed_or_deleted_column_does_not_empty_the_local_column(rig: Rig, change: str) -> None:
    files = rig.tables()
    column = rig.header("Candidates").index("reasoning")
    if change == "rename":
        rig.fake.set_cell("Candidates", f"{col_letter(column)}1", "Reasoning (why)")
    else:
        rig.fake.sheet("Candidates").delete_columns(column, column + 1)
    report = rig.sync()
    assert not report.local.changes and rig.tables() == files  # not read as emptied cells
    assert rig.header("Candidates")[-1] == "reasoning"  # put back at the end, filled
    local = rig.rows("candidates")
    assert all(
        row["reasoning"] == local[row["model"]]["reasoning"] for row in rig.sheet("Candidates")
    )
    rig.sync()
    assert rig.counts() == IDLE


def test_a_row_typed_below_the_candidates_becomes_a_manual_entry(rig: Rig) -> None:
    head, at = rig.header("Candidates"), len(rig.fake.values("Candidates")) + 1
    typed = {"model": "mystery_model_9", "developer": "Acme", "training_flop": "4.2e25"}
    for column, value in typed.items():
        rig.fake.set_cell("Candidates", f"{col_letter(head.index(column))}{at}", value)
    rig.sync()
    added = "applied: added as a manual entry; a candidate on the next cycle"
    assert rig.status("Candidates", "mystery_model_9") == added
    manual = (rig.data / "raw" / "manual" / "models.yaml").read_text(encoding="utf-8")
    assert manual.startswith("# Models added by hand")
    assert manual.endswith(
        "- name: mystery_model_9\n  developer: Acme\n  compute: 4.2e+25\n"
        f"  notes: '[{STAMP}] Added in the Candidates sheet by a reviewer'\n"
    )
    assert "mystery_model_9" not in rig.rows("candidates")
    rig.sync()
    assert rig.counts() == IDLE
    assert rig.status("Candidates", "mystery_model_9") == added
