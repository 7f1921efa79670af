"""Rate limits and retries (ARCHITECTURE §9): a 429 is waited out (30 s on the clock), 5xx storms
are retried with exponential backoff, and after too many failures the sync stops with one
line and leaves every local file as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from airtable_support import TOKEN, Base, new_base, serving

from bridge.backends.airtable import AirtableBackend
from bridge.mirror import mirror
from pipeline.errors import TrackerError


@pytest.fixture
def base(project: Path, monkeypatch: pytest.MonkeyPatch) -> Base:
    return new_base(project, monkeypatch)


@pytest.fixture
def pushed(base: Base) -> Base:
    base.sync()
    return base


def test_a_burst_without_pacing_waits_out_the_429_penalty(base: Base) -> None:
    base.sync(requests_per_second=1000)
    # 16 requests, 5 a window: three get 429, each waited out for 30 s, and are retried.
    assert base.clock.sleeps == [30.0, 30.0, 30.0]
    assert base.elapsed == pytest.approx(90.0) and base.clock.elapsed >= 30
    assert base.fake.count() == 16 + 3 and base.backend_calls == {"schema": 4, "write": 15}
    assert len(base.records("candidates")) == len(base.rows("candidates"))
    assert len(base.records("published")) == 26
    base.sync()
    assert base.counts()["write"] == 0


def test_a_single_429_is_waited_out_for_the_30_second_penalty(pushed: Base) -> None:
    pushed.fake.fail_next(1, 429)
    sleeps = len(pushed.clock.sleeps)
    pushed.sync()
    assert pushed.clock.sleeps[sleeps:] == [30.0]  # no Retry-After: Airtable's penalty
    assert pushed.counts()["read"] == 4


def test_a_5xx_storm_is_retried_with_backoff(pushed: Base) -> None:
    pushed.fake.fail_next(5, 503)
    sleeps = len(pushed.clock.sleeps)
    report = pushed.sync()
    assert pushed.clock.sleeps[sleeps:] == [1.0, 2.0, 4.0, 8.0, 16.0]
    assert pushed.counts() == {"read": 3 + 5, "write": 0, "schema": 0}
    assert not report.local.changes and not report.pushed


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_failed_write_is_retried_once_and_applied_once(pushed: Base, status: int) -> None:
    pushed.edit("candidates", "grok_3", {"decision": "y", "reason": "reported 3.5e26"})
    pushed.fake.fail_at(6, status)  # the first write, after 4 reads and 1 read again
    sleeps = len(pushed.clock.sleeps)
    pushed.sync()
    assert pushed.counts()["write"] == 2 + 1
    assert pushed.clock.sleeps[sleeps:].count(1.0) == 1  # one backoff, then pacing only
    assert pushed.by_key("staging")["grok_3"]["verified"] == "y"
    assert pushed.duplicate_keys() == {}


def test_too_many_failures_stop_the_sync_and_change_no_file(pushed: Base) -> None:
    pushed.edit("candidates", "grok_3", {"decision": "y", "reason": "reported 3.5e26"})
    pushed.edit("candidates", "phi_4", {"decision": "n", "reason": "small"})
    before = pushed.files()
    for k in range(2, 9):  # the second page of Candidates fails 7 times: 1 try + 6 retries
        pushed.fake.fail_at(k, 502)
    error = pushed.try_sync()
    assert error == "Airtable: HTTP 502 injected"
    assert pushed.counts() == {"read": 8, "write": 0, "schema": 0}
    assert pushed.files() == before
    assert pushed.by_key("candidates")["grok_3"]["decision"] == "y"  # waiting, not lost
    pushed.sync()
    assert pushed.by_key("staging")["grok_3"]["verified"] == "y"


def test_the_command_prints_one_error_line_and_exits_1(
    pushed: Base, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIRTABLE_TOKEN", TOKEN)
    monkeypatch.setenv("AIRTABLE_BASE_ID", pushed.fake.base_id)
    monkeypatch.setenv("AIRTABLE_ENDPOINT_URL", pushed.fake.endpoint)
    monkeypatch.setattr("bridge.backends.airtable.Clock", lambda: pushed.clock)
    before = pushed.files()
    pushed.clock.advance(60)
    pushed.fake.fail_next(7, 503)
    result = pushed.cli("bridge", "sync")
    assert result.exit_code == 1
    assert result.output == "Error: Airtable: HTTP 503 injected\n"
    assert pushed.files() == before


def test_an_unreachable_endpoint_is_one_line(pushed: Base) -> None:
    before = pushed.files()
    backend = AirtableBackend(
        TOKEN, "appTEST", endpoint="https://elsewhere.test", clock=pushed.clock, retries=2
    )
    with serving(pushed.fake), pytest.raises(TrackerError) as caught:
        mirror(pushed.settings(), "sync", backend=backend)
    assert str(caught.value) == "Airtable: cannot reach https://elsewhere.test (ConnectionError)"
    assert pushed.clock.sleeps[-2:] == [1.0, 2.0]
    assert pushed.files() == before


@pytest.mark.parametrize(("retry_after", "waited"), [("5", 5.0), ("86400", 60.0)])
def test_retry_after_is_honoured_up_to_the_cap(
    pushed: Base, retry_after: str, waited: float
) -> None:
    pushed.fake.retry_after = retry_after  # a day: never waited for more than the cap
    pushed.fake.fail_next(2, 429)
    sleeps = len(pushed.clock.sleeps)
    report = pushed.sync()
    assert pushed.clock.sleeps[sleeps:] == [waited, waited]
    assert not report.pushed and pushed.counts()["read"] == 3 + 2  # a page a table, 2 refused
