"""A workbook open in a spreadsheet program (its lock file exists) is not written; the
pull still applies reviewers' edits, and the next sync after it is closed writes."""

from __future__ import annotations

import pytest
from bridge_support import STAMP, Project, no_write, put

from bridge.pull import CONFIRMED_HERE

LOCKS = [".~lock.tracker.xlsx#", "~$tracker.xlsx"]
NOTE = f"[{STAMP}] Manual review: confirmed above 1e25 FLOP. Reason: reported"


def review(project: Project) -> None:
    with project.editing() as book:
        put(book["Candidates"], "grok_3", {"decision": "y", "reason": "reported"})
        put(book["Staging"], "o3", {"training_flop": 2e26})


@pytest.mark.parametrize("lock", LOCKS)
def test_push_is_skipped_while_the_workbook_is_open(synced: Project, lock: str) -> None:
    review(synced)
    (synced.workbook.parent / lock).write_text("reviewer,host,pid;")
    workbook = synced.workbook.read_bytes()
    result = synced.cli("bridge", "sync")
    assert result.exit_code == 0, result.output
    assert (
        f"Push skipped: {synced.workbook} is open in a spreadsheet program ({lock}); "
        "close it to let the worker write"
    ) in result.output
    assert synced.workbook.read_bytes() == workbook
    assert synced.rows("staging")["grok_3"]["notes"] == NOTE
    assert synced.rows("staging")["o3"]["training_flop"] == "2e+26"


@pytest.mark.parametrize("lock", LOCKS)
def test_the_next_sync_after_closing_writes(synced: Project, lock: str) -> None:
    review(synced)
    (synced.workbook.parent / lock).write_text("")
    skipped = synced.mirror()
    assert skipped.skipped and not skipped.pushed
    (synced.workbook.parent / lock).unlink()
    report = synced.mirror()
    assert report.pushed and report.skipped is None
    assert not report.local.changes  # the edits were pulled once, while the lock was there
    assert synced.sheet_by_key("staging")["grok_3"]["notes"] == NOTE
    assert "grok_3" not in synced.sheet_by_key("candidates")  # confirmed: it lives in Staging
    assert synced.rows("staging")["grok_3"]["notes"].splitlines().count(NOTE) == 1
    assert no_write(synced.mirror())


def test_a_lock_of_another_workbook_does_not_block(synced: Project) -> None:
    (synced.workbook.parent / ".~lock.other.xlsx#").write_text("")
    synced.edit("staging", "o3", {"training_flop": 2e26})
    report = synced.mirror()
    assert report.pushed and report.skipped is None


def test_edits_pulled_while_open_are_reported_once_it_is_closed(synced: Project) -> None:
    review(synced)
    (synced.workbook.parent / LOCKS[0]).write_text("")
    synced.mirror()
    (synced.workbook.parent / LOCKS[0]).unlink()
    synced.mirror()
    assert synced.status("staging", "grok_3") == CONFIRMED_HERE
    assert synced.status("staging", "o3") == "applied: training_flop"
