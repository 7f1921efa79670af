"""Races and lost replies around a sync's writes (ARCHITECTURE §7): removals in several
DELETE requests whose replies are all lost, and a reviewer's edit landing between a sync's
read and its write, on the stateful fakes (tests/fakes)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
for _folder in ("airtable", "gsheets", "bridge"):
    if str(HERE.parent / _folder) not in sys.path:
        sys.path.append(str(HERE.parent / _folder))

from airtable_support import csv_text, new_base, read_table  # noqa: E402

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
