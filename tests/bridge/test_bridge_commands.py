"""``tracker bridge status|pull|push|sync`` and their options (README "Curation")."""

from __future__ import annotations

import pytest
from bridge_support import STAMP, WAITING, Project, published_statuses, put

from bridge.pull import CONFIRMED_HERE
from pipeline.storage.csvtable import CsvTable

APPLIED = f"[{STAMP}] Manual review: confirmed above 1e25 FLOP. Reason: reported"


def review(project: Project) -> None:
    with project.editing() as book:
        put(book["Candidates"], "grok_3", {"decision": "y", "reason": "reported"})
        put(book["Candidates"], "gpt_4.1", {"decision": "maybe", "reason": "unsure"})
        put(book["Staging"], "o3", {"training_flop": 2e26})


def local_change(project: Project) -> None:
    table = CsvTable.read(project.file("candidates"), "model")
    table.set_cell("deepseek_r1", "training_flop", "8e+25")
    table.save()


def test_pull_applies_edits_and_leaves_the_workbook(synced: Project) -> None:
    review(synced)
    workbook = synced.workbook.read_bytes()
    result = synced.cli("bridge", "pull")
    assert result.exit_code == 0, result.output
    assert synced.workbook.read_bytes() == workbook
    assert synced.rows("staging")["grok_3"]["notes"] == APPLIED
    assert synced.rows("staging")["o3"]["training_flop"] == "2e+26"
    assert 'candidates gpt_4.1: decision "maybe" not understood: use y or n' in result.output
    assert "2 reviewer changes applied (1 decisions), 0 conflicts and 1 problems" in result.output
    assert "Written: staging, candidates" in result.output


def test_a_push_after_a_pull_writes_the_local_changes(synced: Project) -> None:
    review(synced)
    synced.cli("bridge", "pull")
    files = {t: synced.file(t).read_bytes() for t in ("candidates", "staging", "below")}
    result = synced.cli("bridge", "push")
    assert result.exit_code == 0, result.output
    assert "grok_3" not in synced.sheet_by_key("candidates")  # confirmed: it lives in Staging
    assert synced.sheet_by_key("staging")["grok_3"]["notes"] == APPLIED
    assert synced.sheet_by_key("staging")["o3"]["training_flop"] == 2e26
    assert {t: synced.file(t).read_bytes() for t in files} == files
    again = synced.mirror()
    assert not again.local.changes
    assert synced.rows("staging")["grok_3"]["notes"] == APPLIED


def test_a_push_after_a_pull_writes_the_statuses(synced: Project) -> None:
    review(synced)
    synced.cli("bridge", "pull")
    synced.cli("bridge", "push")
    assert synced.status("staging", "grok_3") == CONFIRMED_HERE
    assert synced.status("candidates", "gpt_4.1") == 'decision "maybe" not understood: use y or n'
    assert synced.status("staging", "o3") == "applied: training_flop"


def test_push_alone_keeps_reviewer_edits_waiting(synced: Project) -> None:
    review(synced)
    local_change(synced)
    before = {t: synced.file(t).read_bytes() for t in ("candidates", "staging", "below")}
    result = synced.cli("bridge", "push")
    assert result.exit_code == 0, result.output
    assert {t: synced.file(t).read_bytes() for t in before} == before
    rows = synced.sheet_by_key("candidates")
    assert (rows["grok_3"]["decision"], rows["grok_3"]["sync_status"]) == ("y", WAITING)
    assert rows["deepseek_r1"]["training_flop"] == 8e25
    assert synced.sheet_by_key("staging")["o3"]["training_flop"] == 2e26
    assert synced.status("staging", "o3") == WAITING
    synced.cli("bridge", "sync")
    assert synced.rows("staging")["o3"]["training_flop"] == "2e+26"
    assert synced.rows("staging")["grok_3"]["notes"] == APPLIED


@pytest.mark.parametrize("command", ["sync", "pull", "push"])
def test_dry_run_shows_both_plans_and_changes_nothing(synced: Project, command: str) -> None:
    review(synced)
    local_change(synced)
    before = synced.snapshot()
    result = synced.cli("bridge", command, "--dry-run")
    assert result.exit_code == 0, result.output
    assert synced.snapshot() == before
    assert result.output.rstrip().endswith("Dry run: nothing changed.")
    if command != "push":
        assert "Local changes from the sheets (dry run)" in result.output
        assert "grok_3" in result.output and "o3" in result.output
    if command != "pull":
        assert "Sheet changes" in result.output
        assert "deepseek_r1" in result.output


def test_dry_run_before_the_first_sync_creates_nothing(fresh: Project) -> None:
    before = fresh.snapshot()
    result = fresh.cli("bridge", "sync", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "create sheet" in result.output
    assert fresh.snapshot() == before
    assert not fresh.workbook.exists() and not fresh.file("published").exists()


def test_status_reports_both_sides_and_changes_nothing(synced: Project) -> None:
    review(synced)
    local_change(synced)
    before = synced.snapshot()
    result = synced.cli("bridge", "status")
    assert result.exit_code == 0, result.output
    assert synced.snapshot() == before
    lines = result.output.splitlines()
    assert lines[:3] == [
        "candidates: 1 rows changed locally since the last sync",
        "staging: 0 rows changed locally since the last sync",
        "published: 0 rows changed locally since the last sync",
    ]
    assert 'candidates gpt_4.1: decision "maybe" not understood: use y or n' in lines
    assert "2 reviewer changes applied (1 decisions), 0 conflicts and 1 problems" in lines[-1]


def test_status_reports_a_staging_error_that_blocks_the_push(synced: Project) -> None:
    table = CsvTable.read(synced.file("staging"), "model")
    table.set_cell("o3", "release_date", "31/31/2025")
    table.save()
    before = synced.snapshot()
    status = synced.cli("bridge", "status")
    assert status.exit_code == 0, status.output
    assert synced.snapshot() == before
    (line,) = [x for x in status.output.splitlines() if x.startswith("Not pushed until fixed: ")]
    assert "field release_date: '31/31/2025' is not a date" in line
    assert synced.cli("bridge", "sync").exit_code == 1


def test_status_works_without_the_workbook(synced: Project) -> None:
    local_change(synced)
    synced.workbook.unlink()
    result = synced.cli("bridge", "status")
    assert result.exit_code == 0, result.output
    assert "candidates: 1 rows changed locally since the last sync" in result.output
    assert not synced.workbook.exists()


def test_status_works_when_the_workbook_cannot_be_read(synced: Project) -> None:
    synced.workbook.write_bytes(b"not a workbook")
    result = synced.cli("bridge", "status")
    assert result.exit_code == 0, result.output
    assert "candidates: 0 rows changed locally since the last sync" in result.output
    assert "sheet not read: " in result.output
    assert synced.cli("bridge", "sync").exit_code != 0


def test_status_before_the_first_sync_counts_every_row(fresh: Project) -> None:
    result = fresh.cli("bridge", "status")
    count = len(fresh.rows("candidates"))
    assert f"candidates: {count} rows changed locally since the last sync" in result.output
    assert not fresh.workbook.exists()


def test_table_option_syncs_only_that_sheet(synced: Project) -> None:
    review(synced)
    local_change(synced)
    candidates = synced.file("candidates").read_bytes()
    result = synced.cli("bridge", "sync", "--table", "staging")
    assert result.exit_code == 0, result.output
    assert synced.rows("staging")["o3"]["training_flop"] == "2e+26"
    assert synced.status("staging", "o3") == "applied: training_flop"
    assert "grok_3" not in synced.rows("staging")
    assert synced.file("candidates").read_bytes() == candidates
    rows = synced.sheet_by_key("candidates")
    assert rows["deepseek_r1"]["training_flop"] == 9.39e25  # the estimate, not the local 8e25
    assert rows["grok_3"]["sync_status"] == published_statuses(synced)["grok_3"]
    synced.cli("bridge", "sync")
    assert synced.rows("staging")["grok_3"]["notes"] == APPLIED
