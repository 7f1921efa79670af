"""Fault injection (ARCHITECTURE §7.6: "a crash or network error anywhere is safe: re-run and it
converges").

The afternoon's sync is run once without faults and its end state recorded. Then, for every
request k of that sync, an identical start gets a fault at request k — an error reply
(``fail_at``: not applied) or a lost reply (``drop_at``: applied, then ConnectionError) —
the sync runs (it may fail with one line), runs again without faults, and its end state is
compared with the fault-free one. Small data: 15 candidates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from airtable_support import (
    SMALL,
    Base,
    afternoon,
    edits_applied_once,
    new_base,
    one_line,
    stage_two,
)

FAULTS = ("fail_at", "drop_at")
State = tuple[dict[str, bytes], dict[str, list[dict[str, Any]]]]
KEYS = {"candidates": "model", "staging": "model", "published": "Model"}


@dataclass
class Run:
    """One faulty start: the fault, its request number, the errors of the faulty sync and
    of the clean one after it, and what they left."""

    fault: str
    k: int
    first: str | None
    second: str | None
    base: Base

    @property
    def name(self) -> str:
        return f"{self.fault}({self.k})"


@dataclass
class Start:
    """Before the afternoon's sync (``before``) or before the first push (``empty``), and
    the end states and request counts of fault-free runs from there."""

    before: Base
    after: State
    requests: int
    empty: Base
    pushed: State
    push_requests: int
    root: Path
    clones: int = 0
    cache: dict[tuple[str, int], list[Run]] = field(default_factory=dict)

    def clone(self, base: Base) -> Base:
        self.clones += 1
        return base.clone(self.root / f"clone{self.clones}")

    def runs(self, which: str, retries: int) -> list[Run]:
        """For each fault and request number of the afternoon's sync (or of the first
        push): the sync with the fault, then one without. Run once per module."""
        if (which, retries) not in self.cache:
            base = self.before if which == "afternoon" else self.empty
            requests = self.requests if which == "afternoon" else self.push_requests
            runs = []
            for fault in FAULTS:
                for k in range(1, requests + 1):
                    clone = self.clone(base)
                    getattr(clone.fake, fault)(k)
                    first = clone.try_sync(retries=retries)
                    runs.append(Run(fault, k, first, clone.try_sync(), clone))
            self.cache[which, retries] = runs
        return self.cache[which, retries]


@pytest.fixture(scope="module")
def start(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Start]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        root = tmp_path_factory.mktemp("faults")
        empty = new_base(root / "empty", monkeypatch)
        empty.keep_candidates(SMALL)
        first = empty.clone(root / "first")
        first.sync()
        pushed, push_requests = first.end_state(), first.fake.count()
        stage_two(first)
        afternoon(first)
        reference = first.clone(root / "reference")
        reference.sync()
        yield Start(
            first,
            reference.end_state(),
            reference.fake.count(),
            empty,
            pushed,
            push_requests,
            root,
        )


def by_key(state: State) -> dict[str, dict[str, dict[str, Any]]]:
    return {t: {r.get(KEYS[t], ""): r for r in records} for t, records in state[1].items()}


def records_differing(start: Start, seen: Callable[[dict[str, Any]], Any]) -> list[str]:
    """``run: table key`` for each record of the fault-free end whose ``seen`` part is not
    the same (or which is missing) after a run with a fault in the afternoon sync."""
    want = by_key(start.after)
    differ = []
    for run in start.runs("afternoon", 0):
        got = by_key(run.base.end_state())
        for table, records in want.items():
            for key, fields in records.items():
                if seen(got[table].get(key, {})) != seen(fields):
                    differ.append(f"{run.name}: {table} {key}")
    return differ


def test_the_fault_free_sync_has_twelve_requests(start: Start) -> None:
    # 3 reads; Candidates: update, upsert, delete; Staging: update, upsert; Published: update;
    # and per table written, the records about to be updated read again by id
    assert start.requests == 12
    assert start.push_requests == 4 + 2 + 0 + 3


@pytest.mark.parametrize("retries", [0, 6], ids=["no-retries", "default-retries"])
def test_every_fault_converges_to_the_same_files(start: Start, retries: int) -> None:
    problems = []
    for run in start.runs("afternoon", retries):
        if run.first and not (run.first.startswith("Airtable: ") and one_line(run.first)):
            problems.append(f"{run.name}: error {run.first!r}")
        if run.second is not None:
            problems.append(f"{run.name}: the clean sync failed: {run.second}")
        if run.base.files() != start.after[0]:
            problems.append(f"{run.name}: local files differ")
        if run.base.duplicate_keys():
            problems.append(f"{run.name}: duplicate keys {run.base.duplicate_keys()}")
        problems += [f"{run.name}: {p}" for p in edits_applied_once(run.base)]
    assert problems == []
    if retries:  # a lone error reply is retried away, a lost delete reply too
        failed = [run.name for run in start.runs("afternoon", retries) if run.first]
        assert failed == []


def test_every_fault_converges_to_the_same_cells(start: Start) -> None:
    """Every record the fault-free sync leaves is there with the same cells (statuses
    aside, see below)."""

    def cells(fields: dict[str, Any]) -> dict[str, Any]:
        return dict(fields, sync_status=None)

    assert records_differing(start, cells) == []


def test_every_fault_removes_the_row_moved_below(start: Start) -> None:
    want = {t: set(records) for t, records in by_key(start.after).items()}
    differ = [
        run.name
        for run in start.runs("afternoon", 0)
        if {t: set(records) for t, records in by_key(run.base.end_state()).items()} != want
    ]
    assert differ == []


def test_every_fault_keeps_the_applied_statuses(start: Start) -> None:
    def status(fields: dict[str, Any]) -> Any:
        return fields.get("sync_status")

    assert records_differing(start, status) == []


def test_with_retries_a_failed_request_changes_nothing(start: Start) -> None:
    for k in range(1, start.requests + 1):
        clone = start.clone(start.before)
        clone.fake.fail_at(k)
        assert clone.try_sync() is None, k
        assert clone.end_state() == start.after, k


def test_with_retries_a_lost_reply_changes_nothing(start: Start) -> None:
    failed = []
    for k in range(1, start.requests + 1):
        clone = start.clone(start.before)
        clone.fake.drop_at(k)
        error = clone.try_sync()
        if error is not None or clone.end_state() != start.after:
            failed.append((k, error))
    assert failed == []


def test_an_interrupted_first_push_converges(start: Start) -> None:
    problems = [
        f"{run.name}: {run.second}"
        for run in start.runs("first push", 0)
        if run.second is not None or run.base.end_state() != start.pushed
    ]
    assert problems == []


def test_an_interrupted_first_push_never_duplicates_records(start: Start) -> None:
    """What happens today: whatever the fault, no key is on two records, no local file
    changes, and the later syncs fail with one line."""
    for run in start.runs("first push", 0):
        assert run.base.duplicate_keys() == {}, run.name
        assert run.base.files() == start.pushed[0], run.name
        for error in (run.first, run.second):
            assert error is None or one_line(error), (run.name, error)
