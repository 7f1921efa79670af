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


def dead_pid() -> int:
    """The id of a process that has ended."""
    import subprocess
    import sys

    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_lock_whose_program_is_gone_is_reported_and_ignored(synced: Project) -> None:
    import socket

    review(synced)
    lock = synced.workbook.parent / LOCKS[0]
    owner = f"Reviewer,{socket.gethostname()},rev,05.12.2026 09:00,file:///home/rev,{dead_pid()};"
    lock.write_text(owner)
    report = synced.mirror()
    assert report.pushed and report.skipped is None
    assert f"Ignored the lock file {lock} (its program is no longer running)" in report.notices
    assert "grok_3" in synced.rows("staging")


@pytest.mark.parametrize("lock", LOCKS)
def test_a_lock_older_than_the_configured_age_is_ignored(synced: Project, lock: str) -> None:
    import os
    import time

    review(synced)
    path = synced.workbook.parent / lock
    path.write_text("Reviewer,another-host,rev,01.12.2026 09:00,file:///home/rev;")
    old = time.time() - 13 * 3600  # the default age is 12 hours
    os.utime(path, (old, old))
    report = synced.mirror()
    assert report.pushed and report.skipped is None
    assert f"Ignored the lock file {path} (it is 13 hours old)" in report.notices
