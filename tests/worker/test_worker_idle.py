"""Idle cycles: with nothing new in the inputs or the sheets, a cycle writes no file (same
bytes and same modification time: the sync state and the report are not rewritten) and,
on Airtable, sends no write request (README "Shared sheets": "A sync with nothing to do
makes no write call")."""

from __future__ import annotations

import pytest
from airtable_support import pages
from worker_support import HEARTBEAT, Airtable, Home, changed, stages


def test_two_idle_cycles_after_the_first_rewrite_nothing(cycled: Home) -> None:
    before = cycled.snapshot(skip=(HEARTBEAT,))
    assert "state/bridge_local.json" in before and "sheets/tracker.xlsx" in before

    for _ in range(2):
        result = cycled.run()
        summary = stages(result.output)
        assert summary["sync"][0] == "local: 0 reviewer changes (0 decisions), 0 cells written"
        assert summary["report"][0].endswith("(unchanged)")
        assert summary["refresh"][0].endswith("0 rows added, 0 moved")
        assert changed(before, cycled.snapshot(skip=(HEARTBEAT,))) == []
        assert cycled.heartbeat()["result"] == "ok"


def test_the_heartbeat_is_the_only_file_an_idle_cycle_touches(cycled: Home) -> None:
    before = cycled.snapshot()
    cycled.run()
    assert changed(before, cycled.snapshot()) == [HEARTBEAT]


@pytest.fixture
def airtable(fresh: Home, monkeypatch: pytest.MonkeyPatch) -> Airtable:
    return Airtable.install(monkeypatch)


def first_push(fresh: Home, airtable: Airtable) -> dict[str, int]:
    """The first cycle on an empty base: every table created and filled; its requests."""
    with airtable.serving():
        result = fresh.run("--backend", "airtable")
    assert "Sheets: airtable, " in result.output
    assert sorted(airtable.keys("candidates")) == sorted(fresh.rows("candidates"))
    return airtable.counts()


def idle_cycle(fresh: Home, airtable: Airtable) -> dict[str, int]:
    """One more cycle on Airtable with no new input; its requests."""
    with airtable.serving():
        result = fresh.run("--backend", "airtable")
    assert stages(result.output)["sync"][0] == (
        "airtable: 0 reviewer changes (0 decisions), 0 cells written"
    )
    return airtable.counts()


def test_idle_cycles_on_airtable_send_no_write_request(fresh: Home, airtable: Airtable) -> None:
    pushed = first_push(fresh, airtable)
    assert pushed["write"] > 0

    second = idle_cycle(fresh, airtable)
    after_second = fresh.snapshot(skip=(HEARTBEAT,))
    third = idle_cycle(fresh, airtable)

    # Reads only: one list request per 100 records of each table, no schema request
    # (the schema is remembered), no write.
    reads = sum(pages(len(fresh.rows(t))) for t in ("candidates", "staging", "published"))
    assert second == {"read": reads, "write": 0, "schema": 0, "other": 0}
    assert third == second
    assert changed(after_second, fresh.snapshot(skip=(HEARTBEAT,))) == []


def test_the_first_idle_cycle_after_a_push_to_airtable_rewrites_no_file(
    fresh: Home, airtable: Airtable
) -> None:
    first_push(fresh, airtable)
    before = fresh.snapshot(skip=(HEARTBEAT,))

    idle_cycle(fresh, airtable)

    assert changed(before, fresh.snapshot(skip=(HEARTBEAT,))) == []
