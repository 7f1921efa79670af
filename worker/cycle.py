"""One cycle, the main job: collect -> estimate -> refresh -> mirror (pull, apply, push)
-> report. A stage that fails stops the cycle before anything downstream changes; some
sources failing is a warning. A stop request (SIGTERM) ends the cycle between stages.
Each stage hands what it computed to the next one in memory: a real cycle writes it first
and no stage reads back the file the one before it wrote; a dry run writes nothing."""

from __future__ import annotations

import logging
import os
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bridge.mirror import InHand, MirrorReport, mirror
from pipeline.collect.runner import SourceResult, collect_all
from pipeline.curate.refresh import run_refresh
from pipeline.errors import TrackerError, os_error_message
from pipeline.estimate.runner import run_estimate
from pipeline.paths import DataPaths
from pipeline.report import REPORTED_FIELDS, write_report
from pipeline.settings import Settings
from pipeline.storage.csvtable import CsvTable
from pipeline.storage.jsondoc import collector_paused
from pipeline.storage.lock import data_lock, describe
from pipeline.values import utc_now

# Files of the running worker, not of the data: never committed.
UNVERSIONED = ("state/worker.json", "state/tracker.lock", "state/*.tmp")
STAGES = ("collect", "estimate", "refresh", "sync", "report", "commit")
log = logging.getLogger(__name__)


@dataclass
class Stage:
    name: str
    ok: bool = True
    seconds: float = 0.0
    summary: str = ""
    warnings: list[str] = field(default_factory=list)


@dataclass
class Handoff:
    """What a cycle's stages computed, for the stage after each (and written, unless
    ``dry_run``). Each is let go once the next stage has taken it."""

    dry_run: bool
    scraped: dict[Path, dict[str, Any]] = field(default_factory=dict)
    # Made by this cycle's estimate stage (checked as it made them); once refreshed, only
    # the report's fields are kept.
    estimates: list[dict[str, Any]] | None = None
    mirror: InHand = field(default_factory=InHand)
    tables: dict[str, CsvTable] = field(default_factory=dict)  # as the sync left them


@dataclass
class CycleReport:
    started: str
    finished: str = ""
    stages: list[Stage] = field(default_factory=list)
    mirror: MirrorReport | None = None
    failed: str = ""
    stopped: bool = False

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def result(self) -> str:
        """ok, failed, or stopped (a stop request ended it between stages)."""
        return "failed" if self.failed else "stopped" if self.stopped else "ok"

    def counts(self) -> dict[str, Any]:
        """Each stage's summary and the sheet totals (reviewer decisions, conflicts...)."""
        counts: dict[str, Any] = {stage.name: stage.summary for stage in self.stages}
        if self.mirror is not None:
            counts.update(self.mirror.totals())
        return counts


def run_cycle(
    settings: Settings,
    *,
    backend_name: str | None = None,
    skip_collect: bool = False,
    dry_run: bool = False,
    stop: threading.Event | None = None,
    on_stage: Callable[[str, str], None] | None = None,
    lock_wait: float = 0.0,
    on_locked: Callable[[], None] | None = None,
) -> CycleReport:
    """Run every stage in order, under the data lock (``on_locked`` runs once it is held).
    A stage that raises an unexpected error fails the cycle like any other failure."""
    report = CycleReport(utc_now())
    stop = stop or threading.Event()
    tell = on_stage or (lambda name, text: None)
    paths = DataPaths(settings.data_dir)
    handoff = Handoff(dry_run)
    steps: dict[str, Callable[[], Stage]] = {
        "collect": lambda: _collect(settings, handoff),
        "estimate": lambda: _estimate(settings, handoff),
        "refresh": lambda: _refresh(settings, handoff),
        "sync": lambda: _sync(settings, backend_name, handoff, report),
        "report": lambda: _report(settings, handoff),
        "commit": lambda: _commit(settings, report),
    }
    names = stage_names(settings, skip_collect=skip_collect, dry_run=dry_run)

    def waiting(holder: dict[str, Any]) -> None:
        tell("lock", f"waiting up to {lock_wait:.0f} s for {describe(holder)}")

    with data_lock(paths.state, "tracker run", wait=lock_wait, on_wait=waiting):
        if on_locked is not None:
            on_locked()
        for name in names:
            if stop.is_set():
                report.stopped = True
                tell(name, "skipped: stop requested")
                break
            tell(name, "started")
            began = time.perf_counter()
            try:
                stage = steps[name]()
            except TrackerError as exc:
                stage = Stage(name, ok=False, summary=str(exc))
            except OSError as exc:  # a full disk, a read-only folder: the cycle fails
                stage = Stage(name, ok=False, summary=os_error_message(exc))
            except Exception as exc:  # a defect: recorded as a failure, never as success
                if logging.getLogger().handlers:  # the worker's log keeps the traceback
                    log.exception("%s: unexpected error", name)
                stage = Stage(name, ok=False, summary=f"unexpected {type(exc).__name__}: {exc}")
            stage.seconds = time.perf_counter() - began
            report.stages.append(stage)
            tell(name, stage.summary if stage.ok else f"failed: {stage.summary}")
            if not stage.ok:
                report.failed = f"{name}: {stage.summary}"
                break
    report.finished = utc_now()
    return report


def stage_names(settings: Settings, *, skip_collect: bool, dry_run: bool) -> list[str]:
    """The stages a cycle runs, in order (commit only with ``worker.git_commit``)."""
    names = list(STAGES)
    if skip_collect:
        names.remove("collect")
    if dry_run or not settings.worker.git_commit:
        names.remove("commit")
    return names


def _collect(settings: Settings, handoff: Handoff) -> Stage:
    result = collect_all(settings, dry_run=handoff.dry_run)
    handoff.scraped = result.documents(settings)
    failed = [f"{r.name}: {r.error}" for r in result.failed]
    warnings = [*failed, *(w for r in result.results for w in r.warnings)]
    warnings += [
        f"{r.name}: failed file: {line}" for r in result.results for line in r.failed_files
    ]
    warnings += result.warnings
    if not result.succeeded:
        return Stage("collect", ok=False, summary="every source failed (" + "; ".join(failed) + ")")
    models = sum(r.models for r in result.succeeded)
    summary = f"{len(result.succeeded)}/{len(result.results)} sources, {models} models"
    return Stage("collect", summary=summary + collect_news(result.succeeded), warnings=warnings)


def collect_news(results: list[SourceResult], limit: int = 10) -> str:
    """``; 2 new models (a, b); new files: raw/lmarena/x.csv``: what a collection found
    (models new to a database of specs, such as Epoch's, are not counted)."""
    keys = sorted({key for r in results if r.lists_models for key in r.new_models})
    files = [name for r in results for name in r.new_files]
    if not keys and not files:
        return ""
    shown = ", ".join(keys[:limit]) + (
        f" and {len(keys) - limit} more" if len(keys) > limit else ""
    )
    news = f"; {len(keys)} new models" + (f" ({shown})" if keys else "")
    return news + (f"; new files: {', '.join(files)}" if files else "")


def _estimate(settings: Settings, handoff: Handoff) -> Stage:
    scraped, handoff.scraped = handoff.scraped, {}
    result = run_estimate(settings, dry_run=handoff.dry_run, unsaved=scraped)
    del scraped
    handoff.estimates, handoff.mirror.keys = result.models, result.keys
    return Stage(
        "estimate",
        summary=f"{len(result.models)} models ({result.new} new, "
        f"{result.reestimated} re-estimated)",
    )


def _refresh(settings: Settings, handoff: Handoff) -> Stage:
    with collector_paused():  # the records let go and the fields kept make no cycles
        result = run_refresh(
            settings, dry_run=handoff.dry_run, estimates=handoff.estimates, checked=True
        )
        handoff.estimates = reported(handoff.estimates)
    handoff.mirror.tables = result.tables
    if result.blocked:
        first = result.errors[0] if result.errors else result.plan.problems[0]
        return Stage("refresh", ok=False, summary=f"bad input, nothing written ({first})")
    counts, s = result.plan.counts(), result.summary
    summary = (
        f"{s['total candidates']} candidates ({s['uncertain, needing verification']} to "
        f"review), {s['below 1e25']} below; {counts['AddRow']} rows added, "
        f"{counts['MoveRow']} moved"
    )
    return Stage("refresh", summary=summary)


def reported(estimates: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    """Of each estimated record, only what the report reads: the whole records (the largest
    structure of a cycle) are let go before the sync reads the sheets."""
    if estimates is None:
        return None
    return [{f: record[f] for f in REPORTED_FIELDS if f in record} for record in estimates]


def _sync(settings: Settings, backend: str | None, handoff: Handoff, report: CycleReport) -> Stage:
    dry_run, in_hand, handoff.mirror = handoff.dry_run, handoff.mirror, InHand()
    result = mirror(settings, "sync", backend_name=backend, dry_run=dry_run, in_hand=in_hand)
    handoff.tables = result.tables
    report.mirror = result
    t = result.totals()
    written = "to write" if dry_run else "written"
    summary = (
        f"{result.backend}: {t['edits']} reviewer changes ({t['decisions']} decisions), "
        f"{t['cells']} cells {written}"
    )
    warnings = [f"push skipped: {result.skipped}"] if result.skipped else []
    return Stage("sync", summary=summary, warnings=warnings)


def _report(settings: Settings, handoff: Handoff) -> Stage:
    if handoff.dry_run:
        return Stage("report", summary="not written (dry run)")
    target, wrote = write_report(settings, handoff.tables or None, handoff.estimates)
    return Stage("report", summary=f"{target}" + ("" if wrote else " (unchanged)"))


def _commit(settings: Settings, report: CycleReport) -> Stage:
    """Commit changed data files in the data directory's git repository; a failure to
    commit is a warning (the data is already consistent)."""
    folder = settings.data_dir.resolve()
    env = {"GIT_AUTHOR_NAME": "tracker", "GIT_AUTHOR_EMAIL": "tracker@localhost",
           "GIT_COMMITTER_NAME": "tracker", "GIT_COMMITTER_EMAIL": "tracker@localhost",
           **os.environ}  # fmt: skip

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        command = ["git", "-c", f"safe.directory={folder}", "-C", str(folder), *args]
        try:
            return subprocess.run(command, capture_output=True, text=True, env=env)
        except OSError as exc:
            return subprocess.CompletedProcess(command, 127, "", f"cannot run git: {exc}")

    def failed(done: subprocess.CompletedProcess[str]) -> Stage:
        lines = (done.stderr or done.stdout).strip().splitlines()
        reason = " ".join(line.strip() for line in lines if not line.startswith("hint:"))
        return Stage("commit", summary="not committed", warnings=[reason or "git failed"])

    # Only the data directory's files, whatever else is staged in the repository.
    data = ["--", ".", *(f":(exclude){p}" for p in UNVERSIONED)]
    if (done := git("rev-parse", "--is-inside-work-tree")).returncode != 0:
        return failed(done)
    if (done := git("add", "-A", *data)).returncode:
        return failed(done)
    if git("diff", "--cached", "--quiet", *data).returncode == 0:
        return Stage("commit", summary="nothing changed")
    counts = report.counts()
    title = f"tracker cycle {report.started}: {counts.get('decisions', 0)} reviewer decisions"
    body = "\n".join(f"{stage.name}: {stage.summary}" for stage in report.stages)
    if (done := git("commit", "-q", "-m", f"{title}\n\n{body}", *data)).returncode != 0:
        return failed(done)
    return Stage("commit", summary=title)
