"""A 1,000-row Candidates table with 1% of its rows edited by reviewers (ARCHITECTURE §10):
reads = ceil(N/100) a table, writes = ceil(k/10) a changed table, no schema call."""

from __future__ import annotations

from pathlib import Path

import pytest
from airtable_support import STAMP, Base, batches, new_base, paced_seconds, pages

ROWS = 1000


@pytest.fixture
def thousand(project: Path, monkeypatch: pytest.MonkeyPatch) -> Base:
    base = new_base(project, monkeypatch)
    base.grow_candidates(ROWS)
    base.sync()
    return base


def test_the_first_push_of_1000_rows_is_paced_without_429(thousand: Base) -> None:
    requests = thousand.fake.count()
    assert thousand.counts() == {"read": 0, "write": batches(ROWS) + batches(26), "schema": 4}
    assert requests == sum(thousand.backend_calls.values()) == 107
    assert thousand.elapsed == pytest.approx(paced_seconds(requests), abs=0.05)  # 21.21 s
    assert thousand.elapsed >= (requests - 1) / 5 * 0.99
    assert 30.0 not in thousand.clock.sleeps


def test_an_idle_sync_of_1000_rows_reads_10_pages_and_writes_nothing(thousand: Base) -> None:
    report = thousand.sync()
    assert thousand.counts() == {"read": pages(ROWS) + 1 + 1, "write": 0, "schema": 0}
    assert not report.local.changes and not report.pushed


def test_ten_edited_rows_cost_one_write(thousand: Base) -> None:
    keys = thousand.keys("candidates")[5::100]  # one on each page
    assert len(keys) == 10
    for key in keys:
        thousand.edit("candidates", key, {"parameter_source": "reviewer"})
    before = thousand.rows("candidates")
    report = thousand.sync()
    # + 1: the ten records read again by id just before they are written
    assert thousand.counts() == {"read": pages(ROWS) + 3, "write": batches(10), "schema": 0}
    assert [len(c.updates) for c in report.changes.values()] == [10, 0, 0]
    after, records = thousand.rows("candidates"), thousand.by_key("candidates")
    note = (
        f"[{STAMP}] Sheet edit by a reviewer: parameter_source = reviewer; "
        "pinned against re-estimation"
    )
    for key in keys:
        assert after[key]["parameter_source"] == "reviewer" and after[key]["verified"] == ""
        assert after[key]["notes"] == note
        # the echo: notes and sync_status go back to the sheet
        assert records[key]["notes"] == note
        assert records[key]["sync_status"] == (
            "applied: parameter_source pinned; the row still needs a decision"
        )
    assert {k for k in after if after[k] != before[k]} == set(keys)
    thousand.sync()
    assert thousand.counts()["write"] == 0
