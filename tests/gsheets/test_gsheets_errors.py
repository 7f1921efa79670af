"""API errors (ARCHITECTURE §9): 429 and 5xx are retried with backoff on the clock; a failure
that outlasts the retries ends the sync with one line and leaves every file as it was; a
sheet renamed or deleted by a reviewer costs one metadata re-read and is re-created."""

from __future__ import annotations

import json
import re
from itertools import pairwise
from pathlib import Path

import pytest
from gsheets_support import RESTORED, SID, Rig, add_candidates

from bridge.backends.gsheets import SheetsError

IDLE = {"metadata": 0, "read": 1, "write": 0, "structure": 0}
UNAVAILABLE = "Google Sheets: HTTP 503 The service is currently unavailable."


@pytest.fixture
def rig(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Rig:
    """After a first push and a reviewer's y decision typed in the sheet (not yet synced)."""
    rig = Rig.after_pipeline(project, tmp_path_factory)
    rig.sync()
    rig.type("Candidates", "gpt_4o", {"decision": "y", "reason": "known model"})
    return rig


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_retried_with_exponential_backoff(rig: Rig, status: int) -> None:
    rig.fake.fail_next(3, status)
    report = rig.sync()
    assert rig.clock.sleeps == [1.0, 2.0, 4.0]
    waits = [b.at - a.at for a, b in pairwise(rig.fake.calls)]
    assert waits == [1.0, 2.0, 4.0, 0.0, 0.0]  # each retry waited its backoff on the clock
    assert rig.counts() == {"metadata": 0, "read": 5, "write": 1, "structure": 0}
    assert [c.status for c in rig.fake.calls] == [status, status, status, 200, 200, 200]
    assert report.pushed and set(rig.rows("staging")) == {"gpt_4o"}


def test_429_waits_out_the_penalty(rig: Rig) -> None:
    rig.fake.fail_next(1, 429)
    rig.sync()
    assert rig.clock.sleeps == [30.0]
    assert [c.status for c in rig.fake.calls] == [429, 200, 200, 200]
    assert rig.fake.calls[1].at - rig.fake.calls[0].at == 30.0  # the retry waited
    assert set(rig.rows("staging")) == {"gpt_4o"}


def test_the_per_minute_quota_is_waited_out_on_the_clock(rig: Rig) -> None:
    rig.fake.rate_limit = 1  # one request per minute: the write is refused at first
    rig.sync()
    # the read again before writing, then the write, each waits out the quota
    assert [c.status for c in rig.fake.calls] == [200, 429, 429, 200, 429, 429, 200]
    assert rig.clock.sleeps == [30.0] * 4
    assert set(rig.rows("staging")) == {"gpt_4o"}


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (503, UNAVAILABLE),
        (429, "Google Sheets: HTTP 429 Quota exceeded."),
        (500, "Google Sheets: HTTP 500 Internal error encountered."),
    ],
)
def test_a_lasting_failure_is_one_line_and_changes_no_file(
    rig: Rig, status: int, message: str
) -> None:
    files, values = rig.files(), rig.values()
    rig.fake.fail_next(7, status)  # the first try and 6 retries
    with pytest.raises(SheetsError) as caught:
        rig.sync()
    assert str(caught.value) == message
    assert rig.counts()["read"] == 7 and len(rig.clock.sleeps) == 6
    assert rig.files() == files and rig.values() == values
    rig.sync()  # the next sync goes on where it stood
    assert set(rig.rows("staging")) == {"gpt_4o"}


def test_a_lost_connection_is_one_line_and_changes_no_file(rig: Rig) -> None:
    files = rig.files()
    for k in range(1, 8):
        rig.fake.drop_at(k)
    with pytest.raises(SheetsError) as caught:
        rig.sync()
    assert str(caught.value) == "Google Sheets: cannot reach the API (ConnectionError)"
    assert rig.files() == files


@pytest.mark.parametrize("status", [400, 403, 404])
def test_other_4xx_are_not_retried(rig: Rig, status: int) -> None:
    files = rig.files()
    rig.fake.fail_next(1, status, "Nope.")
    with pytest.raises(SheetsError, match=rf"^Google Sheets: HTTP {status} Nope\.$"):
        rig.sync()
    assert rig.fake.count() == 1 and rig.clock.sleeps == []
    assert rig.files() == files


def test_the_command_prints_error_and_exits_1(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GSHEETS_SPREADSHEET_ID", SID)
    monkeypatch.setenv("GSHEETS_ENDPOINT_URL", rig.base_url)
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setattr("bridge.backends.gsheets.Clock", lambda: rig.clock)
    files = rig.files()
    rig.fake.fail_next(7, 503)
    result = rig.cli("bridge", "sync", "--backend", "gsheets")
    assert (result.exit_code, result.output) == (1, f"Error: {UNAVAILABLE}\n")
    assert rig.files() == files
    result = rig.cli("bridge", "sync", "--backend", "gsheets")
    assert result.exit_code == 0, result.output
    assert set(rig.rows("staging")) == {"gpt_4o"}


def test_a_sheet_deleted_is_read_again_and_recreated(rig: Rig) -> None:
    rig.sync()
    files = rig.tables()
    published = rig.fake.values("Published")
    rig.fake.delete_sheet("Published")
    report = rig.sync()
    assert [(c.kind, c.status) for c in rig.fake.calls] == [
        ("read", 400),
        ("metadata", 200),
        ("read", 200),
        ("structure", 200),
        ("write", 200),
    ]
    assert report.changes["published"].create and not report.local.changes
    assert rig.tables() == files
    assert rig.fake.titles()[-1] == "Published"
    rows = rig.sheet("Published")
    assert [r["Model"] for r in rows] == [line[0] for line in published[1:]]
    assert {r["sync_status"] for r in rows} == {RESTORED}  # every row was missing
    rig.sync()
    assert rig.counts() == IDLE


def test_a_sheet_renamed_is_read_again_and_found_by_its_header(rig: Rig) -> None:
    rig.sync()
    files = rig.tables()
    published = rig.fake.values("Published")
    rig.fake.rename_sheet("Published", "Published (old)")
    report = rig.sync()
    assert [(c.kind, c.status) for c in rig.fake.calls] == [
        ("read", 400),
        ("metadata", 200),
        ("read", 200),
    ]
    assert not report.changes["published"] and not report.local.changes
    assert rig.tables() == files
    assert "Published" not in rig.fake.titles()
    assert rig.fake.values("Published (old)") == published
    rig.sync()
    assert rig.counts() == IDLE


def test_a_lasting_write_failure_keeps_the_journal_and_leaves_the_sheet(rig: Rig) -> None:
    values = rig.values()
    for k in range(3, 10):  # both reads succeed, the write and its 6 retries fail
        rig.fake.fail_at(k)
    with pytest.raises(SheetsError, match=f"^{re.escape(UNAVAILABLE)}$"):
        rig.sync()
    assert rig.values() == values
    assert json.loads(rig.state.read_text())["journal"] is not None
    rig.sync()
    assert rig.counts() == {"metadata": 0, "read": 2, "write": 1, "structure": 0}
    staged = rig.rows("staging")
    assert set(staged) == {"gpt_4o"} and staged["gpt_4o"]["notes"].count("Manual review") == 1


def test_a_lost_add_sheet_reply_does_not_break_later_syncs(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    rig = Rig.after_pipeline(project, tmp_path_factory)
    rig.fake.drop_at(2)  # the addSheet request is applied, its reply lost; the retry fails
    with pytest.raises(SheetsError, match='A sheet with the name "Candidates" already exists'):
        rig.sync()
    rig.sync()
    assert rig.fake.values("Candidates") == rig.expected_values("candidates")


def test_a_grid_shrunk_by_a_reviewer_is_grown_again(rig: Rig) -> None:
    rig.sync()
    used = len(rig.fake.values("Candidates"))
    rig.fake.resize("Candidates", rows=used)  # a reviewer deletes the empty rows below
    added = add_candidates(rig, 3)
    rig.sync()
    assert rig.keys("Candidates")[-3:] == added


@pytest.mark.parametrize(("retry_after", "waited"), [("7", 7.0), ("86400", 60.0)])
def test_retry_after_is_honoured_up_to_the_cap(rig: Rig, retry_after: str, waited: float) -> None:
    rig.fake.retry_after = retry_after  # a day: never waited for more than the cap
    rig.fake.fail_next(1, 503)
    rig.sync()
    assert rig.clock.sleeps == [waited]
    assert set(rig.rows("staging")) == {"gpt_4o"}
