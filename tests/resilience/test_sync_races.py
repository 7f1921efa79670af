"""Races and lost replies around a sync's writes (ARCHITECTURE §7): removals in several
DELETE requests whose replies are all lost, and a reviewer's edit landing between a sync's
read and its write, on the stateful fakes (tests/fakes)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bridge.layout import asks_for_action

HERE = Path(__file__).resolve().parent
for _folder in ("airtable", "gsheets", "bridge"):
    if str(HERE.parent / _folder) not in sys.path:
        sys.path.append(str(HERE.parent / _folder))

from airtable_support import csv_text, new_base, read_table, stage_two  # noqa: E402
from gsheets_support import Rig, stage  # noqa: E402

REMOVED = 23  # three DELETE requests of at most 10 records


def test_removals_in_several_deletes_with_every_reply_lost_all_land(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = new_base(tmp_path, monkeypatch)
    base.sync()
    header, rows = read_table(base.file("candidates"))
    leaving = [r["model"] for r in rows if not r["verified"]][:REMOVED]
    kept = [r for r in rows if r["model"] not in leaving]
    base.file("candidates").write_text(csv_text(header, kept), encoding="utf-8")
    base.fake.drop_every("DELETE")
    outcome = base.try_sync()
    left = set(leaving) & set(base.keys("candidates"))
    assert outcome is not None or not left, f"sync reported success, {len(left)} left"
    base.fake.drop_every("NONE")
    base.sync()
    assert not set(leaving) & set(base.keys("candidates"))
    assert sorted(base.keys("candidates")) == sorted(r["model"] for r in kept)


# -- an edit typed between a sync's read and its write ---------------------------------------


def _set_local(path: Path, key: str, column: str, value: str) -> None:
    header, rows = read_table(path)
    (row,) = [r for r in rows if r["model"] == key]
    row[column] = value
    path.write_text(csv_text(header, rows), encoding="utf-8")


def test_a_sheets_edit_typed_during_a_sync_is_not_overwritten(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    rig = Rig.after_pipeline(project, tmp_path_factory)
    stage(rig)
    _set_local(rig.file("staging"), "o3", "training_flop", "1.9e+26")  # the push writes it
    rig.fake.after_next("read", lambda: rig.type("Staging", "o3", {"training_flop": 2.2e26}))
    rig.sync()
    assert rig.by_key("Staging")["o3"]["training_flop"] == 2.2e26  # not overwritten
    rig.sync()  # the next sync reads it as a reviewer's edit of a verified row
    assert rig.rows("staging")["o3"]["training_flop"] == "1.9e+26"
    assert rig.by_key("Staging")["o3"]["training_flop"] == 2.2e26
    assert rig.status("Staging", "o3").startswith("conflict: training_flop")


def test_an_airtable_edit_typed_during_a_sync_is_not_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = new_base(tmp_path, monkeypatch)
    base.sync()
    _set_local(base.file("candidates"), "grok_3", "training_flop", "3.6e+26")
    table = base.fake.table_id("Candidates")
    base.fake.after_next(
        "GET", table, lambda: base.edit("candidates", "grok_3", {"training_flop": 4e26})
    )
    base.sync()
    assert base.by_key("candidates")["grok_3"]["training_flop"] == 4e26  # not overwritten
    base.sync()  # the next sync reads it as a reviewer's edit: it wins on an unverified row
    assert base.rows("candidates")["grok_3"]["training_flop"] == "4e+26"
    assert base.rows("candidates")["grok_3"]["verified"] == ""  # pinned; a decision verifies


# -- a lost base, and a published edit racing a local change ---------------------------------


def test_a_sync_with_the_base_deleted_invents_no_edit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = new_base(tmp_path, monkeypatch)
    stage_two(base)
    _set_local(base.file("staging"), "gpt_4o", "training_flop", "3.9e+25")
    _set_local(base.file("candidates"), "grok_3", "training_flop", "3.6e+26")
    (base.data / "state" / "bridge_airtable.json").unlink()
    base.sync()
    staged, candidate = base.rows("staging")["gpt_4o"], base.rows("candidates")["grok_3"]
    assert staged["training_flop"] == "3.9e+25" and "Sheet edit" not in staged["notes"]
    assert candidate["training_flop"] == "3.6e+26" and candidate["verified"] == ""
    assert base.by_key("candidates")["grok_3"]["training_flop"] == 3.6e26
    assert base.status("staging", "gpt_4o").startswith("conflict: training_flop")
    base.sync()
    assert base.rows("staging")["gpt_4o"]["training_flop"] == "3.9e+25"


def test_a_published_edit_racing_a_local_change_on_a_verified_row(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    rig = Rig.after_pipeline(project, tmp_path_factory)
    stage(rig)
    _set_local(rig.file("staging"), "gpt_4o", "training_flop", "3.9e+25")
    rig.type("Published", "GPT-4o", {"Training compute (FLOP)": 4.4e25})
    rig.sync()
    assert rig.rows("staging")["gpt_4o"]["training_flop"] == "3.9e+25"
    assert rig.rows("published")["GPT-4o"]["Training compute (FLOP)"] == "4.4e+25"
    status = rig.status("Published", "GPT-4o")
    assert status.startswith("conflict: verified staging row gpt_4o"), status
    rig.sync()
    assert rig.status("Published", "GPT-4o") == status  # reported until resolved
    assert rig.rows("staging")["gpt_4o"]["training_flop"] == "3.9e+25"


def test_rows_moved_during_a_sync_make_the_push_wait(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    rig = Rig.after_pipeline(project, tmp_path_factory)
    stage(rig)
    _set_local(rig.file("staging"), "o3", "training_flop", "1.9e+26")
    rig.fake.after_next("read", lambda: rig.fake.insert_row("Staging", 2))
    report = rig.sync()
    assert report.skipped == (
        "rows of the Staging sheet moved or were deleted while the sync ran; the next sync writes"
    )
    assert rig.by_key("Staging")["o3"]["training_flop"] != 1.9e26  # nothing written
    rig.sync()
    assert rig.by_key("Staging")["o3"]["training_flop"] == 1.9e26
    assert not asks_for_action(rig.status("Staging", "o3"))
