"""The merge rule against hostile histories (ARCHITECTURE §7): a published edit racing a
verified staging row, conflicts resolved by the command they name, a sync whose base was
deleted, audit lines removed in the sheet. Each starts from the hostile ``home``: three
verified staging rows and a first sync to the local workbook."""

from __future__ import annotations

import re

from bridge_support import column_number, editing, row_number
from hostile_support import (
    BRIDGE_STATE,
    CANDIDATES,
    PUBLISHED,
    STAGING,
    Home,
    cell,
    idle_sync,
    no_traceback,
    type_in,
)
from openpyxl import load_workbook

FLOP = "Training compute (FLOP)"


def sync(home: Home, *args: str) -> str:
    result = home.cli("bridge", "sync", *args)
    no_traceback(result)
    assert result.exit_code == 0, result.output
    return result.output


def in_sheet(home: Home, title: str, key: str, column: str) -> object:
    sheet = load_workbook(home.workbook)[title]
    return sheet.cell(row_number(sheet, key), column_number(sheet, column)).value


def resolve(home: Home, status: str, choice: str) -> None:
    """Run the command a conflict status names, choosing ``choice`` where it offers one."""
    found = re.search(r"resolve with (?:tracker )?(.+?)(?:;|$)", status)
    assert found, status
    words = found[1].replace("|", " ").split()
    options = {"--prefer": choice}
    args = [w for w in words if not ({w} & {"sheet", "local", "published", "staging"})]
    args = [a for w in args for a in ([w, options[w]] if w in options else [w])]
    if "--diff" in args and "--prefer" not in args:
        args += ["--prefer", choice]
    result = home.cli(*args)
    no_traceback(result)
    assert result.exit_code == 0, (args, result.output)


# -- one merge rule: Published -> Staging ------------------------------------------------------


def test_a_published_edit_never_overwrites_a_verified_staging_row(home: Home) -> None:
    verified = home.rows(STAGING)["gpt_4o"]["training_flop"]
    type_in("Published", "GPT-4o", {FLOP: 4.5e25})(home)
    sync(home)
    assert home.rows(STAGING)["gpt_4o"]["training_flop"] == verified
    assert "From the Published sheet" not in home.rows(STAGING)["gpt_4o"]["notes"]
    status = home.status("Published", "GPT-4o")
    assert status.startswith("conflict:") and "sync-datasets --diff" in status, status


def test_a_published_conflict_is_resolved_by_the_command_it_names(home: Home) -> None:
    type_in("Published", "GPT-4o", {FLOP: 4.5e25})(home)
    sync(home)
    resolve(home, home.status("Published", "GPT-4o"), "published")
    assert home.rows(STAGING)["gpt_4o"]["training_flop"] == "4.5e+25"
    sync(home)
    assert home.status("Published", "GPT-4o") == ""
    idle_sync(home)


def _racing(home: Home) -> str:
    """A verified staging row changed locally and, differently, in the sheet."""
    cell(STAGING, "gpt_4o", "training_flop", "3.9e+25")(home)
    type_in("Staging", "gpt_4o", {"training_flop": 4e25})(home)
    sync(home)
    assert home.rows(STAGING)["gpt_4o"]["training_flop"] == "3.9e+25"
    status = home.status("Staging", "gpt_4o")
    assert status.startswith("conflict: training_flop"), status
    return status


def test_a_sheet_conflict_resolved_for_the_sheet_by_the_command_it_names(home: Home) -> None:
    resolve(home, _racing(home), "sheet")
    assert home.rows(STAGING)["gpt_4o"]["training_flop"] == "4e+25"
    assert home.status("Staging", "gpt_4o").startswith("applied: training_flop")
    idle_sync(home)


def test_a_sheet_conflict_resolved_for_local_keeps_the_sheet_value_in_notes(home: Home) -> None:
    resolve(home, _racing(home), "local")
    assert home.rows(STAGING)["gpt_4o"]["training_flop"] == "3.9e+25"
    assert in_sheet(home, "Staging", "gpt_4o", "training_flop") == 3.9e25
    assert "training_flop = 4e+25" in home.rows(STAGING)["gpt_4o"]["notes"]
    assert not home.status("Staging", "gpt_4o").startswith("conflict")
    idle_sync(home)


def test_sync_datasets_reports_a_verified_row_as_a_conflict_it_resolves(home: Home) -> None:
    cell(PUBLISHED, "GPT-4o", FLOP, "4.6e+25")(home)
    result = home.cli("sync-datasets", "--dry-run", "--direction", "published-to-staging")
    assert "verified in staging: resolve with sync-datasets --diff" in result.output, result.output
    resolve(home, "resolve with sync-datasets --diff", "published")
    result = home.cli("sync-datasets", "--dry-run", "--direction", "published-to-staging")
    assert "resolve with" not in result.output, result.output


# -- a missing sync base ----------------------------------------------------------------------


def _base_lost(home: Home) -> None:
    """Local changes since the last push (a verified and an unverified row), then the sync
    state deleted, as the damaged-state advice says."""
    cell(STAGING, "gpt_4o", "training_flop", "3.9e+25")(home)
    cell(CANDIDATES, "grok_3", "training_flop", "3.6e+26")(home)
    home.path(BRIDGE_STATE).unlink()


def test_a_missing_base_invents_no_reviewer_edit(home: Home) -> None:
    _base_lost(home)
    output = sync(home)
    assert "`tracker bridge rebase` adopts the sheets as base" in output, output
    staging, candidates = home.rows(STAGING)["gpt_4o"], home.rows(CANDIDATES)["grok_3"]
    assert staging["training_flop"] == "3.9e+25"
    assert "Sheet edit by a reviewer" not in staging["notes"]
    assert candidates["training_flop"] == "3.6e+26" and candidates["verified"] == ""
    assert "Sheet edit by a reviewer" not in candidates["notes"]
    assert in_sheet(home, "Candidates", "grok_3", "training_flop") == 3.6e26
    status = home.status("Staging", "gpt_4o")
    assert status.startswith("conflict: training_flop is 3.9e+25 locally"), status


def test_bridge_rebase_adopts_the_sheet_as_the_base(home: Home) -> None:
    _base_lost(home)
    result = home.cli("bridge", "rebase")
    no_traceback(result)
    assert result.exit_code == 0, result.output
    sync(home)
    assert home.rows(STAGING)["gpt_4o"]["training_flop"] == "3.9e+25"
    assert in_sheet(home, "Staging", "gpt_4o", "training_flop") == 3.9e25
    assert home.status("Staging", "gpt_4o") == ""
    idle_sync(home)


def test_a_missing_base_keeps_a_conflict_until_it_is_resolved(home: Home) -> None:
    in_the_sheet = home.rows(STAGING)["gpt_4o"]["training_flop"]
    _base_lost(home)
    sync(home)
    sync(home)
    assert home.rows(STAGING)["gpt_4o"]["training_flop"] == "3.9e+25"
    assert home.status("Staging", "gpt_4o").startswith("conflict: training_flop")
    resolve(home, home.status("Staging", "gpt_4o"), "sheet")
    assert home.rows(STAGING)["gpt_4o"]["training_flop"] == in_the_sheet
    idle_sync(home)


def test_a_decision_is_still_pulled_without_a_base(home: Home) -> None:
    home.path(BRIDGE_STATE).unlink()
    with editing(home.workbook) as book:
        sheet = book["Candidates"]
        number = row_number(sheet, "grok_3")
        sheet.cell(number, column_number(sheet, "decision")).value = "y"
        sheet.cell(number, column_number(sheet, "reason")).value = "known model"
    sync(home)
    assert "grok_3" in home.rows(STAGING)


# -- audit lines and verification cannot be undone from a sheet ------------------------------


def test_an_older_copy_of_the_sheet_reverts_no_verified_row(home: Home) -> None:
    """A confirmed model lives in Staging (it left Candidates): an old copy of its row there
    cannot undo the decision."""
    before = home.rows(STAGING)["o3"]
    assert before["verified"] == "y" and "Manual review" in before["notes"]
    type_in("Staging", "o3", {"verified": None, "status": "likely_above_1e25", "notes": None})(home)
    sync(home)
    after = home.rows(STAGING)["o3"]
    assert (after["verified"], after["status"], after["notes"]) == (
        "y",
        before["status"],
        before["notes"],
    )
    status = home.status("Staging", "o3")
    assert "verified of a verified row" in status and "status of a verified row" in status
    assert "audit lines" in status and "applied" not in status, status
    assert in_sheet(home, "Staging", "o3", "verified") == "y"
    assert in_sheet(home, "Staging", "o3", "notes") == before["notes"]
    idle_sync(home)


def test_a_note_may_gain_text_but_keeps_its_audit_lines(home: Home) -> None:
    before = home.rows(STAGING)["o3"]["notes"]
    type_in("Staging", "o3", {"notes": "Checked against the paper"})(home)
    sync(home)
    notes = home.rows(STAGING)["o3"]["notes"]
    assert "Checked against the paper" in notes
    assert all(line in notes.splitlines() for line in before.splitlines()), notes
    assert home.status("Staging", "o3").startswith("restored: audit lines")
    idle_sync(home)


# -- one validation for every row that enters a dataset --------------------------------------


def test_a_row_added_in_the_published_sheet_is_validated(home: Home) -> None:
    with editing(home.workbook) as book:
        sheet = book["Published"]
        names = [c.value for c in sheet[1]]
        bad = {"Model": "Mystery-1", FLOP: "lots of flops", "Publication date": "someday",
               "Parameters": "-7", "Confidence": "Super sure"}  # fmt: skip
        number = sheet.max_row + 1
        for column, value in bad.items():
            sheet.cell(number, names.index(column) + 1).value = value
    sync(home)
    assert "Mystery-1" not in home.rows(PUBLISHED, "Model")
    status = home.status("Published", "Mystery-1")
    for column in (FLOP, "Publication date", "Parameters", "Confidence"):
        assert column in status, status
    assert in_sheet(home, "Published", "Mystery-1", FLOP) == "lots of flops"


def test_bridge_rebase_replaces_a_damaged_state(home: Home) -> None:
    home.path(BRIDGE_STATE).write_text("{not json", encoding="utf-8")
    result = home.cli("bridge", "sync")
    assert result.exit_code == 1 and "`tracker bridge rebase`" in result.output, result.output
    result = home.cli("bridge", "rebase")
    no_traceback(result)
    assert result.exit_code == 0, result.output
    idle_sync(home)
