"""The three-way merge rules (ARCHITECTURE §7): conflicts, verified and unverified rows, cells
reviewers may not change, renamed keys, rows added in the sheets."""

from __future__ import annotations

import pytest
from bridge_support import (
    STAMP,
    Project,
    append_values,
    column_number,
    no_write,
    row_number,
    row_values,
)
from project_paths import leaderboards_only

from pipeline.storage.csvtable import CsvTable

CONFLICT = (
    "conflict: training_flop changed locally to 3.1e+25 since your edit; both kept, "
    "resolve with tracker bridge sync --prefer sheet|local"
)


def set_local(project: Project, table: str, key: str, column: str, value: str) -> None:
    """A local change, as the pipeline or a command makes one."""
    csv_table = CsvTable.read(project.file(table), "model")
    csv_table.set_cell(key, column, value)
    csv_table.save()


def test_a_cell_changed_on_both_sides_of_a_verified_row_is_a_conflict(synced: Project) -> None:
    assert synced.rows("staging")["gpt_4o"]["verified"] == "y"
    set_local(synced, "staging", "gpt_4o", "training_flop", "3.1e+25")
    synced.edit("staging", "gpt_4o", {"training_flop": 4e25})
    report = synced.mirror()
    assert report.outcomes["staging"].conflicts == 1
    assert synced.rows("staging")["gpt_4o"]["training_flop"] == "3.1e+25"
    row = synced.sheet_by_key("staging")["gpt_4o"]
    assert (row["training_flop"], row["sync_status"]) == (4e25, CONFLICT)
    again = synced.mirror()
    assert again.outcomes["staging"].status_of("gpt_4o") == CONFLICT
    assert no_write(again)
    assert synced.rows("staging")["gpt_4o"]["training_flop"] == "3.1e+25"
    assert synced.sheet_by_key("staging")["gpt_4o"]["training_flop"] == 4e25


def test_the_same_change_on_both_sides_is_no_conflict(synced: Project) -> None:
    set_local(synced, "staging", "gpt_4o", "training_flop", "3.1e+25")
    synced.edit("staging", "gpt_4o", {"training_flop": 3.1e25})
    report = synced.mirror()
    assert not report.outcomes["staging"].statuses
    assert not report.local.changes


def test_on_an_unverified_row_the_reviewer_wins(synced: Project) -> None:
    set_local(synced, "candidates", "gpt_4.1", "training_flop", "1e+26")
    synced.edit("candidates", "gpt_4.1", {"training_flop": 2e26})
    synced.mirror()
    row = synced.rows("candidates")["gpt_4.1"]
    assert (row["training_flop"], row["verified"]) == ("2e+26", "")  # pinned, not verified
    assert row["notes"] == (
        f"[{STAMP}] Sheet edit by a reviewer: training_flop = 2e+26 "
        "(automation had training_flop 1e+26); pinned against re-estimation"
    )
    status = "applied: training_flop pinned; the row still needs a decision"
    assert synced.status("candidates", "gpt_4.1") == status


def test_a_local_change_alone_is_pushed(synced: Project) -> None:
    set_local(synced, "candidates", "gpt_4.1", "training_flop", "1e+26")
    report = synced.mirror()
    assert not report.local.changes and report.pushed
    assert [cells for _, cells in report.changes["candidates"].updates] == [
        {"training_flop": "1e+26"}
    ]
    assert synced.sheet_by_key("candidates")["gpt_4.1"]["training_flop"] == 1e26


def test_a_decision_needs_a_reason(synced: Project) -> None:
    before = synced.local_files()
    synced.edit("candidates", "grok_3", {"decision": "yes"})
    report = synced.mirror()
    assert not report.local.changes
    assert synced.status("candidates", "grok_3") == "decision needs a reason: fill in reason"
    assert synced.sheet_by_key("candidates")["grok_3"]["decision"] == "yes"
    assert synced.local_files() == before


@pytest.mark.parametrize("word", ["Y", "above", "YES"])
def test_decision_words_in_any_case(synced: Project, word: str) -> None:
    synced.edit("candidates", "grok_3", {"decision": word, "reason": "reported"})
    synced.mirror()
    assert "grok_3" in synced.rows("staging")


def test_edits_of_last_updated_and_sync_status_are_undone(synced: Project) -> None:
    stamp = synced.rows("candidates")["grok_3"]["last_updated"]
    synced.edit("candidates", "grok_3", {"last_updated": "yesterday"})
    synced.edit("candidates", "gpt_4.1", {"sync_status": "looks fine to me"})
    report = synced.mirror()
    assert not report.local.changes
    rows = synced.sheet_by_key("candidates")
    assert rows["grok_3"]["last_updated"] == stamp
    assert rows["grok_3"]["sync_status"] == "restored: last_updated is kept by the worker"
    assert rows["gpt_4.1"]["sync_status"] is None
    assert synced.rows("candidates")["grok_3"]["last_updated"] == stamp


def test_a_renamed_key_is_restored_and_the_row_keeps_its_data(synced: Project) -> None:
    with synced.editing() as book:
        sheet = book["Candidates"]
        number = row_number(sheet, "grok_3")
        sheet.cell(number, 1).value = "grok_three"
        before = row_values(sheet, number)
    report = synced.mirror()
    assert not report.local.changes
    sheet_rows = synced.sheet("candidates")
    assert [r["model"] for r in sheet_rows].count("grok_3") == 1
    assert "grok_three" not in [r["model"] for r in sheet_rows]
    row = synced.sheet_by_key("candidates")["grok_3"]
    assert row["sync_status"] == "restored: the key cannot be changed ('grok_3')"
    assert [v for c, v in row.items() if c != "sync_status"][1:] == [
        v for c, v in zip(row, before, strict=True) if c != "sync_status"
    ][1:]
    assert "grok_three" not in synced.rows("candidates")


def test_a_row_added_in_staging_with_a_valid_key_is_pulled_in(synced: Project) -> None:
    with synced.editing() as book:
        sheet = book["Staging"]
        number = append_values(sheet, ["mystery_model_9", "Acme", 4.2e25])
        sheet.cell(number, column_number(sheet, "release_date")).value = "2025-03-01"
    synced.mirror()
    row = synced.rows("staging")["mystery_model_9"]
    assert (row["developer"], row["training_flop"], row["verified"]) == ("Acme", "4.2e+25", "y")
    assert row["notes"] == f"[{STAMP}] Added in the Staging sheet by a reviewer"
    assert synced.status("staging", "mystery_model_9") == "applied: added to staging"
    assert no_write(synced.mirror())


@pytest.mark.parametrize(
    ("key", "flop", "status"),
    [
        (
            "Mystery Model",
            4.2e25,
            "not pulled: 'Mystery Model' is not a model key (lower case, digits, . and _)",
        ),
        ("mystery_model", "lots", "training_flop: 'lots' is not a number"),
    ],
)
def test_an_invalid_row_added_in_staging_stays_in_the_sheet(
    synced: Project, key: str, flop: object, status: str
) -> None:
    with synced.editing() as book:
        append_values(book["Staging"], [key, "Acme", flop])
    report = synced.mirror()
    assert not report.local.changes
    assert key not in synced.rows("staging")
    assert synced.status("staging", key) == status
    assert synced.sheet_by_key("staging")[key]["developer"] == "Acme"


def test_a_row_added_in_candidates_waits_without_a_manual_source(synced: Project) -> None:
    leaderboards_only(synced.configs)
    with synced.editing() as book:
        append_values(book["Candidates"], ["mystery_model", "Acme", 4.2e25])
    report = synced.mirror()
    assert not report.local.changes
    assert "mystery_model" not in synced.rows("candidates")
    status = "not pulled: candidates come from the pipeline's sources"
    assert synced.status("candidates", "mystery_model") == status


@pytest.mark.parametrize("title", ["Candidates", "Staging"])
def test_a_row_added_and_not_pulled_stays_on_the_next_sync(synced: Project, title: str) -> None:
    with synced.editing() as book:
        append_values(book[title], ["Mystery Model", "Acme", 4.2e25])
    first = synced.mirror()
    assert first.outcomes[title.lower()].status_of("Mystery Model").startswith("not pulled: ")
    second = synced.mirror()
    assert "Mystery Model" in synced.sheet_by_key(title.lower())
    assert no_write(second)


def test_an_invalid_number_waits_with_a_status(synced: Project) -> None:
    synced.edit("staging", "o3", {"training_flop": "a lot"})
    report = synced.mirror()
    assert not report.local.changes
    assert synced.status("staging", "o3") == "training_flop: 'a lot' is not a number"
    assert synced.sheet_by_key("staging")["o3"]["training_flop"] == "a lot"


def test_publish_on_a_mapped_row_updates_published(synced: Project) -> None:
    """Numbers follow staging; Epoch's own notes stay; the note names the sheet."""
    epoch_notes = synced.rows("published")["GPT-4o"]["Training compute notes"]
    assert epoch_notes and epoch_notes != synced.rows("staging")["gpt_4o"]["reasoning"]
    synced.edit("staging", "gpt_4o", {"training_flop": 3.9e25, "publish": "y"})
    synced.mirror()
    published = synced.rows("published")["GPT-4o"]
    assert published["Training compute (FLOP)"] == "3.9e+25"
    assert published["Training compute notes"] == epoch_notes
    note = published["Accessibility notes"].splitlines()[-1]
    assert note.startswith(
        f"[{STAMP}] Updated from staging (gpt_4o) from the Staging sheet: "
        "Training compute (FLOP) = 3.9e+25"
    )  # (then any other field the estimate gives differently, e.g. its confidence)
    row = synced.sheet_by_key("staging")["gpt_4o"]
    assert row["publish"] is None
    assert row["sync_status"] == "applied: training_flop; applied: published as 'GPT-4o'"
    assert synced.sheet_by_key("published")["GPT-4o"]["Training compute (FLOP)"] == 3.9e25
    assert no_write(synced.mirror())


def test_publish_with_a_name_adds_the_mapping_and_the_published_row(synced: Project) -> None:
    """The mapping goes into the data directory's overlay: the checkout stays clean."""
    configured = (synced.configs / "model_name_mapping.yaml").read_bytes()
    synced.edit("staging", "o3", {"publish": "Y", "published_name": "OpenAI o3"})
    synced.mirror()
    assert (synced.configs / "model_name_mapping.yaml").read_bytes() == configured
    lines = (synced.data / "state" / "model_name_mapping.yaml").read_text().splitlines()
    assert lines[-2:] == ["# OpenAI Models", 'o3: "OpenAI o3"']
    published = synced.rows("published")["OpenAI o3"]
    assert published["Training compute (FLOP)"] == synced.rows("staging")["o3"]["training_flop"]
    added = f"[{STAMP}] Added from staging (o3) from the Staging sheet"
    assert published["Accessibility notes"] == added
    assert synced.sheet_by_key("published")["OpenAI o3"]["Organization"] == "OpenAI"
    row = synced.sheet_by_key("staging")["o3"]
    assert (row["publish"], row["sync_status"]) == (None, "applied: published as 'OpenAI o3'")
    assert no_write(synced.mirror())


def test_publish_without_a_name_asks_for_one(synced: Project) -> None:
    synced.edit("staging", "o3", {"publish": "y"})
    report = synced.mirror()
    assert not report.local.changes
    row = synced.sheet_by_key("staging")["o3"]
    status = "publish: this model has no published name; fill in published_name"
    assert (row["publish"], row["sync_status"]) == ("y", status)
    assert "OpenAI o3" not in synced.rows("published")


def test_a_published_cell_changed_on_both_sides_is_a_conflict(synced: Project) -> None:
    table = CsvTable.read(synced.file("published"), "Model")
    table.set_cell("GPT-4o", "Organization", "OpenAI Inc.")
    table.save()
    synced.edit("published", "GPT-4o", {"Organization": "Open AI"})
    report = synced.mirror()
    assert report.outcomes["published"].status_of("GPT-4o") == (
        "conflict: Organization changed locally to OpenAI Inc. since your edit; both kept, "
        "resolve with tracker bridge sync --prefer sheet|local"
    )
    assert synced.rows("published")["GPT-4o"]["Organization"] == "OpenAI Inc."
    assert synced.sheet_by_key("published")["GPT-4o"]["Organization"] == "Open AI"
    assert synced.rows("staging")["gpt_4o"]["developer"] == "OpenAI"


def test_a_column_deleted_in_the_sheet_is_restored_not_cleared(synced: Project) -> None:
    candidates = synced.file("candidates").read_bytes()
    with synced.editing() as book:
        sheet = book["Candidates"]
        sheet.delete_cols(column_number(sheet, "confidence_explanation"))
    report = synced.mirror()
    assert not report.local.changes
    assert synced.file("candidates").read_bytes() == candidates
    explained = synced.rows("candidates")["grok_3"]["confidence_explanation"]
    assert synced.sheet_by_key("candidates")["grok_3"]["confidence_explanation"] == explained


def test_a_cleared_key_is_restored_in_place(synced: Project) -> None:
    synced.edit("candidates", "grok_3", {"model": None})
    synced.mirror()
    keys = [row["model"] for row in synced.sheet("candidates")]
    assert keys.count("grok_3") == 1 and None not in keys
    assert synced.status("candidates", "grok_3") == "restored: the key cannot be changed ('grok_3')"


@pytest.mark.parametrize("word", ["y", "n"])
def test_a_correction_and_a_decision_in_one_edit_are_both_applied(
    synced: Project, word: str
) -> None:
    synced.edit(
        "candidates", "grok_3", {"developer": "xAI Corp", "decision": word, "reason": "reported"}
    )
    synced.mirror()
    target = "staging" if word == "y" else "below"
    row = synced.rows(target)["grok_3"]
    assert (row["developer"], row["verified"]) == ("xAI Corp", "y")
    assert "grok_3" not in synced.rows("candidates") or word == "y"


def test_a_reviewer_edit_of_the_reasoning_reaches_published(synced: Project) -> None:
    synced.edit("staging", "gpt_4o", {"reasoning": "Reviewer: cluster of 25k A100s"})
    synced.mirror()
    synced.edit("staging", "gpt_4o", {"publish": "y"})
    synced.mirror()
    published = synced.rows("published")["GPT-4o"]
    assert published["Training compute notes"] == "Reviewer: cluster of 25k A100s"
