"""A reviewer's afternoon in Airtable, then one sync (the issue's list, ARCHITECTURE §6-7).

Decisions y, n, "maybe" and one without a reason; a Staging correction; a Published
correction that flows to its staging row; a deleted record; a record pasted twice; a
renamed key. Records have no order in Airtable, so a different order changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from airtable_support import (
    ABOVE,
    BELOW,
    FLOP_NOTE,
    FLOWED_NOTE,
    NOTES_EDIT,
    PUBLISHED_NOTE,
    RESTORED,
    Base,
    afternoon,
    edits_applied_once,
    new_base,
    pages,
    stage_two,
)

from bridge.mirror import MirrorReport

LOCAL = ("candidates", "below", "staging", "published")
AMBIGUOUS = "Cannot upsert: more than one existing record matches on model"


@dataclass
class Evening:
    base: Base
    before: dict[str, dict[str, dict[str, str]]]
    deleted_id: str
    report: MirrorReport


@pytest.fixture
def staged(project: Path, monkeypatch: pytest.MonkeyPatch) -> Base:
    """After a first push and two y decisions: gpt_4o and o3 are in Staging."""
    base = new_base(project, monkeypatch)
    stage_two(base)
    return base


@pytest.fixture
def evening(staged: Base) -> Evening:
    before = {t: staged.rows(t) for t in LOCAL}
    deleted_id = staged.record_id("candidates", "o1_mini")
    afternoon(staged)
    return Evening(staged, before, deleted_id, staged.sync())


def test_decision_y_adds_the_model_to_staging(evening: Evening) -> None:
    base = evening.base
    staged, candidate = base.rows("staging")["grok_3"], base.rows("candidates")["grok_3"]
    assert staged["verified"] == "y" and staged["status"] == "confirmed_above_1e25"
    assert staged["notes"] == ABOVE
    assert candidate["verified"] == "y" and candidate["notes"] == ABOVE
    assert "grok_3" not in base.keys("candidates")  # confirmed: it lives in Staging
    record = base.by_key("staging")["grok_3"]
    assert record["notes"] == ABOVE
    assert record["sync_status"] == "applied: confirmed above 1e25 in Candidates"


def test_decision_n_moves_the_model_below_and_out_of_the_sheet(evening: Evening) -> None:
    base = evening.base
    below = base.rows("below")["phi_4"]
    assert below["verified"] == "y" and below["status"] == "confirmed_below_1e25"
    assert below["threshold_classification"] == "high_confidence_below_1e25"
    assert below["notes"] == BELOW
    assert "phi_4" not in base.rows("candidates")
    assert "phi_4" not in base.keys("candidates")


def test_unclear_decisions_wait_in_the_sheet_with_a_status(evening: Evening) -> None:
    base = evening.base
    records = base.by_key("candidates")
    maybe, unreasoned = records["gpt_4.1"], records["deepseek_r1"]
    assert maybe["sync_status"] == 'decision "maybe" not understood: use y or n'
    assert maybe["decision"] == "maybe" and maybe["reason"] == "unsure"
    assert unreasoned["sync_status"] == "decision needs a reason: fill in reason"
    assert unreasoned["decision"] == "yes"
    for key in ("gpt_4.1", "deepseek_r1"):
        assert base.rows("candidates")[key] == evening.before["candidates"][key]
        assert key not in base.rows("staging") and key not in base.rows("below")


def test_a_staging_correction_is_applied_and_verified(evening: Evening) -> None:
    base = evening.base
    o3 = base.rows("staging")["o3"]
    assert o3["training_flop"] == "2e+26" and o3["verified"] == "y"
    assert o3["notes"].splitlines()[-1] == FLOP_NOTE
    record = base.by_key("staging")["o3"]
    assert record["training_flop"] == 2e26 and record["sync_status"] == "applied: training_flop"
    assert record["notes"] == o3["notes"]


def test_a_published_correction_leaves_a_verified_staging_row_in_conflict(
    evening: Evening,
) -> None:
    base = evening.base
    published = base.rows("published")["GPT-4o"]
    assert published["Training compute notes"] == NOTES_EDIT
    assert published["Accessibility notes"].splitlines()[-1] == PUBLISHED_NOTE
    assert base.rows("staging")["gpt_4o"] == evening.before["staging"]["gpt_4o"]
    assert FLOWED_NOTE not in base.rows("staging")["gpt_4o"]["notes"]
    record = base.by_key("published")["GPT-4o"]
    assert record["sync_status"].startswith("conflict: verified staging row gpt_4o has reasoning")
    assert record["Accessibility notes"] == published["Accessibility notes"]


def test_a_deleted_record_is_restored(evening: Evening) -> None:
    base = evening.base
    restored = base.by_key("candidates")["o1_mini"]
    assert restored["sync_status"] == RESTORED
    assert base.record_id("candidates", "o1_mini") != evening.deleted_id
    assert base.rows("candidates")["o1_mini"] == evening.before["candidates"]["o1_mini"]
    assert restored["training_flop"] == float(base.rows("candidates")["o1_mini"]["training_flop"])


def test_only_the_edited_rows_changed_locally(evening: Evening) -> None:
    base = evening.base
    changed = {
        "candidates": {"grok_3", "phi_4"},
        "below": {"phi_4"},
        "staging": {"grok_3", "o3"},
        "published": {"GPT-4o"},
    }
    for table, keys in changed.items():
        now, before = base.rows(table), evening.before[table]
        assert {k for k in now.keys() | before.keys() if now.get(k) != before.get(k)} == keys
    assert edits_applied_once(base) == []


def test_the_sync_reads_every_page_and_writes_one_batch_per_kind(evening: Evening) -> None:
    # Candidates: 1 update batch, 1 upsert (o1_mini back), 1 delete (phi_4);
    # Staging: 1 update batch (o3, gpt_4o), 1 upsert (grok_3); Published: 1 update.
    # Reads: 3 (a page per sheet), and the records about to be written read again, one
    # request per table.
    assert evening.base.counts() == {"read": 6, "write": 6, "schema": 0}
    assert evening.base.duplicate_keys() == {}


def test_a_second_sync_writes_nothing(evening: Evening) -> None:
    base = evening.base
    before, records = base.files(), {t: base.by_key(t) for t in ("candidates", "staging")}
    report = base.sync()
    reads = sum(pages(len(base.keys(t))) for t in ("candidates", "staging", "published"))
    assert base.counts() == {"read": reads, "write": 0, "schema": 0}
    assert not report.local.changes and not report.written and base.files() == before
    assert {t: base.by_key(t) for t in ("candidates", "staging")} == records


def test_record_order_changes_nothing(staged: Base, tmp_path: Path) -> None:
    afternoon(staged)
    straight, shuffled = staged.clone(tmp_path / "straight"), staged.clone(tmp_path / "shuffled")
    shuffled.shuffle(seed=3)
    straight.sync()
    shuffled.sync()
    assert shuffled.end_state() == straight.end_state()
    assert shuffled.counts() == straight.counts()


# -- a key on two records --------------------------------------------------------------


@pytest.fixture
def pasted(staged: Base) -> Base:
    """o3_mini pasted as a second record with another training_flop."""
    copy = dict(staged.by_key("candidates")["o3_mini"], training_flop=9e24)
    staged.fake.add_record("Candidates", copy)
    return staged


def flagged(base: Base, key: str) -> list[str]:
    return [str(r.get("sync_status", "")) for r in base.records("candidates") if r["model"] == key]


def test_a_key_on_two_records_is_flagged_and_the_sync_goes_on(pasted: Base) -> None:
    before = pasted.rows("candidates")["o3_mini"]
    afternoon(pasted)
    pasted.sync()
    statuses = flagged(pasted, "o3_mini")
    assert len(statuses) == 2
    assert all(re.fullmatch(r"duplicate key: also on row \d+", s) for s in statuses)
    assert pasted.rows("candidates")["o3_mini"] == before
    assert edits_applied_once(pasted) == []


def test_a_key_on_two_records_settles_to_no_writes(pasted: Base) -> None:
    pasted.try_sync()
    assert pasted.try_sync() is None
    assert pasted.counts()["write"] == 0


# -- a renamed key -----------------------------------------------------------------------


def test_a_renamed_key_is_restored_on_the_same_record(staged: Base) -> None:
    record = staged.record_id("candidates", "grok_3")
    before = staged.files()
    staged.fake.set_field("Candidates", record, "model", "grok_three")
    report = staged.sync()
    fields = staged.record("candidates", record)
    assert fields["model"] == "grok_3"
    assert fields["sync_status"] == "restored: the key cannot be changed ('grok_3')"
    assert "grok_three" not in staged.keys("candidates") and staged.duplicate_keys() == {}
    assert staged.counts()["write"] == 1 and not report.local.changes
    assert staged.files() == before
    staged.sync()
    assert staged.counts()["write"] == 0


def test_a_renamed_and_edited_record_is_found_by_its_record_id(staged: Base) -> None:
    record = staged.record_id("candidates", "grok_3")
    count = len(staged.records("candidates"))
    staged.fake.set_field("Candidates", record, "model", "grok_three")
    staged.fake.set_field("Candidates", record, "parameters", 3e12)
    staged.sync()
    assert staged.record("candidates", record)["model"] == "grok_3"
    assert len(staged.records("candidates")) == count
    grok = staged.rows("candidates")["grok_3"]
    assert grok["parameters"] == "3000000000000" and grok["verified"] == ""  # pinned
