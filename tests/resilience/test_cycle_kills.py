"""Crash safety: a cycle killed with SIGKILL at a random point, 52 times (seeded).

A real process is killed: the test process forks (after every import: ~5 ms a child, where
a fresh interpreter spends ~0.7 s importing the CLI before a ~0.1 s cycle); the child runs
``tracker run`` on the local workbook in-process and kills itself with
``os.kill(os.getpid(), SIGKILL)`` right before or right after its k-th write — an
``os.replace`` of an atomic write (every data file, journal, sync state, workbook, report,
heartbeat) or an append to history.jsonl. Kill points are chosen by write, not by
wall-clock delay, so every stage is hit: the points are (write k, before|after) over the
writes of the fault-free cycle, drawn without replacement with random.Random(SEED).

After each kill (the child's log says what had landed): every CSV under data/ parses with
the csv module with unique keys, every JSON and history line parses, the workbook loads,
and every file at a final path is byte-identical to its version before the cycle or to a
version the child wrote completely (no half-written file); temporary files may be left.
Then one uninterrupted cycle must succeed without opening any leftover temporary file
(watched with an audit hook) and end where the uninterrupted cycle ends (the same end
state as the fault tests compare), every reviewer edit applied once.

Two variants, both from the pristine copy (the project after its first cycle with the
workload planted): 52 single kills, and 5 chains of up to 8 cycles killed one after
another (each child dies right before or after each write with a seeded 8% chance, so a
cycle that resumes a killed one is killed in turn, recovery included), then one cycle.

The window that matters most: a kill after the pull applied reviewer edits to the local
files and before the push's write-ahead journal landed. The next sync reads the same edits
again against the old base; it must answer them as applied (a decision already in effect,
a correction its audit note records) rather than "not applied" or "already decided", so
the sheet reaches the uninterrupted end state too.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from resilience_support import (
    SHEET_SIDE,
    TEMP,
    End,
    LocalSite,
    Outcome,
    Site,
    Stamps,
    differences,
    duplicate_sheet_keys,
    edits_applied_once,
    end_state,
    files_are_whole,
    planted_site,
    temp_files,
)

import pipeline.curate.history
import pipeline.storage.atomic

SEED = 20261122
KILLS = 52  # enough for the seeded draw to hit every write
CHAINS = 5  # chains of up to CHAIN_LENGTH killed cycles, then one cycle to its end
CHAIN_LENGTH = 8
CHANCE = 0.08  # in a chain, the chance to die right before, and right after, each write
CHILD_TIMEOUT = 60.0

# The writes of the fault-free cycle (test_cycle_faults_local.WRITES plus the appends to
# history.jsonl: one per applied plan, after its last file).
EVENTS = [
    "state/worker.json",  # 1 heartbeat
    "scraped/lmarena_text_2025_01_23_models.json",  # collect
    "state/sources.json",
    "estimated/estimated_models.json",  # estimate
    "state/estimated_fingerprint.json",  # 5
    "state/apply_journal.json",  # refresh
    "clean/above_1e25_flop.csv",
    "state/history.jsonl",
    "state/apply_journal.json",  # pull: Published edit (its staging row is verified)
    "published/published_data.csv",  # 10
    "state/history.jsonl",
    "state/apply_journal.json",  # pull: Staging correction
    "staging/above_1e25_flop_staging.csv",
    "state/history.jsonl",
    "state/apply_journal.json",  # 15 pull: y decision
    "clean/above_1e25_flop.csv",
    "staging/above_1e25_flop_staging.csv",
    "state/history.jsonl",
    "state/apply_journal.json",  # pull: n decision
    "clean/below_1e25_flop.csv",  # 20
    "clean/above_1e25_flop.csv",
    "state/history.jsonl",
    "state/bridge_local.json",  # push: write-ahead journal
    "sheets/tracker.xlsx",
    "state/bridge_local.json",  # push landed
    "reports/compute_over_time.png",  # report
    "reports/index.html",
    "state/worker.json",  # heartbeat
]
POINTS = [(k, when) for k in range(1, len(EVENTS) + 1) for when in ("before", "after")]
CHOSEN = random.Random(SEED).sample(POINTS, KILLS)


# -- watching leftover temporary files ------------------------------------------------------

_WATCHED: set[str] = set()
_TOUCHED: list[str] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not _WATCHED or event not in ("open", "os.rename"):
        return
    path = args[0]
    if isinstance(path, str | Path) and str(path) in _WATCHED:
        _TOUCHED.append(f"{event} {path}")


sys.addaudithook(_audit)  # inert unless _WATCHED holds something
pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork (POSIX)")


# -- the child ----------------------------------------------------------------------------


class Landed(NamedTuple):
    """One write of the child, as its log recorded it."""

    n: int  # 1-based, over replaces and history appends
    target: str  # data/-relative
    digest: str  # sha256 of the file's new content ("" for an append)


Decide = Callable[[int, str], bool]  # (write number, "before"|"after") -> kill now?


def at(point: tuple[int, str]) -> Decide:
    """Kill right before or after one write."""
    return lambda n, when: (n, when) == point


def at_random(seed: int) -> Decide:
    """Kill before or after each write with probability CHANCE (seeded)."""
    rng = random.Random(seed)
    return lambda n, when: rng.random() < CHANCE


def _child(site: Site, decide: Decide, log: Path) -> None:
    """Run in the forked child: the cycle, killed where ``decide`` says; never returns."""
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    count = [0]

    def landed(target: str, digest: str) -> None:
        rel = str(Path(target).relative_to(site.data))
        os.write(fd, (json.dumps([count[0], rel, digest]) + "\n").encode())

    def kill(when: str) -> None:
        if decide(count[0], when):
            os.write(fd, (json.dumps(["kill", count[0], when]) + "\n").encode())
            os.kill(os.getpid(), signal.SIGKILL)

    real_replace, real_record = os.replace, pipeline.curate.history.record

    def replace(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        count[0] += 1
        digest = hashlib.sha256(Path(src).read_bytes()).hexdigest()
        kill("before")
        real_replace(src, dst, *args, **kwargs)
        landed(str(dst), digest)
        kill("after")

    def record(state_dir: Path, entries: list[Any], *args: Any, **kwargs: Any) -> None:
        if not entries:
            return
        count[0] += 1
        kill("before")
        real_record(state_dir, entries, *args, **kwargs)
        landed(str(state_dir / "history.jsonl"), "")
        kill("after")

    pipeline.storage.atomic.os.replace = replace  # type: ignore[attr-defined]
    pipeline.curate.history.record = record
    outcome = site.run()
    os._exit(0 if outcome.ok else 3)


@dataclass
class Run:
    """One child: whether SIGKILL ended it, where, and the writes that landed."""

    killed: bool
    point: tuple[int, str] | None
    writes: list[Landed]


def killed_run(site: Site, decide: Decide, log: Path) -> Run:
    """Fork; the child runs the cycle and kills itself where ``decide`` says."""
    log.unlink(missing_ok=True)
    pid = os.fork()
    if pid == 0:  # the child: never back into pytest
        try:
            _child(site, decide, log)
        finally:
            os._exit(4)
    deadline = time.monotonic() + CHILD_TIMEOUT
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)  # our own child, stuck
            os.waitpid(pid, 0)
            pytest.fail(f"the child did not end in {CHILD_TIMEOUT} s")
        time.sleep(0.002)
    lines = [json.loads(line) for line in (log.read_text().splitlines() if log.exists() else [])]
    writes = [Landed(*line) for line in lines if line[0] != "kill"]
    point = next(((line[1], line[2]) for line in lines if line[0] == "kill"), None)
    if os.WIFSIGNALED(status):
        assert os.WTERMSIG(status) == signal.SIGKILL and point is not None
        return Run(True, point, writes)
    assert os.WEXITSTATUS(status) == 0, f"the child's cycle failed ({os.WEXITSTATUS(status)})"
    return Run(False, None, writes)


# -- checks after a kill --------------------------------------------------------------------


def digests(site: Site) -> dict[str, str]:
    return {
        str(p.relative_to(site.data)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(site.data.rglob("*"))
        if p.is_file() and not TEMP.search(p.name)
    }


def torn_files(site: Site, before: dict[str, str], writes: list[Landed]) -> list[str]:
    """Files at a final path that are neither as before the cycles nor a version the child
    wrote whole; history.jsonl must extend its old self."""
    versions: dict[str, set[str]] = {}
    for write in writes:
        versions.setdefault(write.target, set()).add(write.digest)
    problems = []
    for name, digest in digests(site).items():
        if name in ("state/history.jsonl", "state/tracker.lock"):
            continue  # an append (checked line by line); the lock's holder note
        if digest != before.get(name) and digest not in versions.get(name, set()):
            problems.append(f"{name}: a version nobody wrote whole")
    return problems


@dataclass
class Start:
    before: Site  # the pristine copy
    after: End  # where the uninterrupted cycle ends
    digests: dict[str, str]  # the pristine files
    history: bytes
    root: Path
    events: list[str]  # what the uninterrupted cycle wrote, in order
    clones: int = 0

    def clone(self) -> Site:
        self.clones += 1
        return self.before.clone(self.root / f"kill{self.clones}")


@pytest.fixture(scope="module")
def start(stamps: Stamps, tmp_path_factory: pytest.TempPathFactory) -> Start:
    root = tmp_path_factory.mktemp("kills")
    site = planted_site(LocalSite, root / "first")
    reference = site.clone(root / "reference")
    stamps.under_test()
    run = killed_run(reference, lambda n, when: False, root / "reference.log")
    assert not run.killed
    after = end_state(reference)
    assert edits_applied_once(reference) == []
    history = (site.state / "history.jsonl").read_bytes()
    return Start(site, after, digests(site), history, root, [w.target for w in run.writes])


def test_the_fault_free_cycle_makes_these_writes(start: Start) -> None:
    assert start.events == EVENTS


@dataclass
class Kill:
    """What one kill (or chain of kills) left, and the cycle after it."""

    points: list[tuple[int, str]] = field(default_factory=list)  # where children died
    whole: list[str] = field(default_factory=list)  # problems right after the kills
    temps: list[str] = field(default_factory=list)  # temporary files left
    outcome: Outcome | None = None
    touched: list[str] = field(default_factory=list)  # leftover temp files opened
    edits: list[str] = field(default_factory=list)
    duplicates: dict[str, list[str]] = field(default_factory=dict)
    differ: list[str] = field(default_factory=list)


_KILLS: dict[str, Kill] = {}


def kill_then_converge(name: str, decides: list[Decide], start: Start, stamps: Stamps) -> Kill:
    """Run a cycle per ``decides``, each killed where it says (from the pristine copy),
    checking the files after each kill; then one cycle to its end. Once per name."""
    if name in _KILLS:
        return _KILLS[name]
    site, result = start.clone(), Kill()
    log = site.root.parent / f"{site.root.name}.log"
    written: list[Landed] = []  # every complete version any child wrote
    for decide in decides:
        stamps.under_test()
        run = killed_run(site, decide, log)
        written += run.writes
        if not run.killed:
            break  # the cycle ran to its end
        result.points.append(run.point)  # type: ignore[arg-type]
        after = f"after a kill at {run.point}"
        result.whole += [f"{after}: {p}" for p in files_are_whole(site)]
        result.whole += [f"{after}: {p}" for p in torn_files(site, start.digests, written)]
        if not (site.state / "history.jsonl").read_bytes().startswith(start.history):
            result.whole.append(f"{after}: history.jsonl lost old lines")
    result.temps = temp_files(site)
    _WATCHED.update(str(site.root / t) for t in result.temps)
    _TOUCHED.clear()
    try:
        stamps.under_test()
        result.outcome = site.run()
    finally:
        _WATCHED.clear()
    result.touched = list(_TOUCHED)
    result.edits = edits_applied_once(site)
    result.duplicates = duplicate_sheet_keys(site)
    result.differ = differences(end_state(site), start.after)
    _KILLS[name] = result
    return result


def assert_converged(result: Kill) -> None:
    """The cycle after the kills succeeded and reached the uninterrupted end state: the
    local data first, then the sheet side too."""
    assert result.outcome is not None and result.outcome.ok, result.outcome
    assert result.touched == []  # no leftover temporary file was opened or renamed
    assert result.edits == []
    assert result.duplicates == {}
    assert [d for d in result.differ if d not in SHEET_SIDE] == []
    assert result.differ == []


SINGLE = [
    pytest.param(i, p, id=f"kill{i:02d}-write{p[0]:02d}-{p[1]}") for i, p in enumerate(CHOSEN)
]


@pytest.mark.parametrize(("i", "point"), SINGLE)
def test_a_kill_leaves_every_file_whole(
    i: int, point: tuple[int, str], start: Start, stamps: Stamps
) -> None:
    result = kill_then_converge(f"single{i}", [at(point)], start, stamps)
    assert result.points == [point]
    assert result.whole == []


@pytest.mark.parametrize(("i", "point"), SINGLE)
def test_the_cycle_after_a_kill_converges(
    i: int, point: tuple[int, str], start: Start, stamps: Stamps
) -> None:
    result = kill_then_converge(f"single{i}", [at(point)], start, stamps)
    assert_converged(result)


@pytest.mark.parametrize("chain", range(CHAINS), ids=[f"chain{c}" for c in range(CHAINS)])
def test_chained_kills_leave_every_file_whole_and_one_cycle_converges(
    chain: int, start: Start, stamps: Stamps
) -> None:
    decides = [at_random(SEED * 100 + chain * CHAIN_LENGTH + i) for i in range(CHAIN_LENGTH)]
    result = kill_then_converge(f"chain{chain}", decides, start, stamps)
    assert len(result.points) >= 2  # cycles killed one after another (then one ran out)
    assert result.whole == []
    assert_converged(result)


def test_the_kills_cover_every_stage() -> None:
    """The seeded draw hits before and after writes of every stage of the cycle."""
    hit = {EVENTS[k - 1].split("/")[0] for k, _ in CHOSEN}
    assert {"scraped", "estimated", "clean", "staging", "published", "sheets", "reports"} <= hit
    assert {"before", "after"} == {when for _, when in CHOSEN}
    assert {k for k, _ in CHOSEN} == set(range(1, len(EVENTS) + 1))


def test_the_audit_hook_sees_a_leftover_temporary_file_opened(tmp_path: Path) -> None:
    leftover = tmp_path / ".above_1e25_flop.csv.abc123.tmp"
    leftover.write_text("model\n")
    _WATCHED.add(str(leftover))
    _TOUCHED.clear()
    try:
        leftover.read_text()
        os.replace(leftover, tmp_path / "above_1e25_flop.csv")
    finally:
        _WATCHED.clear()
    assert [t.split()[0] for t in _TOUCHED] == ["open", "os.rename"]
