"""The worker's scheduler on a fake clock: the job ``make_scheduler`` adds, when it fires,
coalescing and the misfire grace, one instance at a time, and the heartbeat each run writes.

No real waiting and no real pipeline: apscheduler reads the time through ``datetime.now``
in ``apscheduler.schedulers.base`` (due jobs, first run times) and
``apscheduler.executors.base`` (the misfire check), both replaced by a clock the test moves;
jobs are looked for only when the test calls ``_process_jobs()`` (a scheduler without a
loop of its own); ``run_cycle`` is a stub that records its calls.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    JobEvent,
)
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from worker_ops_support import Project, make_project

from pipeline.settings import Settings, load_settings
from pipeline.storage.lock import LockBusy
from worker.cycle import CycleReport, Stage
from worker.heartbeat import read_heartbeat
from worker.scheduler import JOB_ID, cycle_job, make_scheduler

DAY1 = datetime(2031, 5, 6, tzinfo=UTC)


class Clock:
    """The time apscheduler sees."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def at(self, when: datetime) -> None:
        self.now = when

    def datetime(self) -> type[datetime]:
        clock = self

        class FakeDatetime(datetime):
            @classmethod
            def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
                return clock.now.astimezone(tz) if tz else clock.now.replace(tzinfo=None)

        return FakeDatetime


class ManualScheduler(BaseScheduler):
    """Looks for due jobs only when told (``_process_jobs()``); jobs run in apscheduler's
    default thread pool, as in the worker."""

    def shutdown(self, wait: bool = True) -> None:
        super().shutdown(wait)

    def wakeup(self) -> None:
        pass


class Cycles:
    """The stub of ``run_cycle``: records each call; ``hold()`` makes the next calls wait
    for ``release()``; ``fail`` makes them raise."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.entered = threading.Event()
        self.gate = threading.Event()
        self.gate.set()
        self.pinned = False
        self.fail: Exception | None = None

    def __call__(self, settings: Settings, **options: Any) -> CycleReport:
        self.calls.append({"settings": settings, **options})
        self.entered.set()
        assert self.gate.wait(10)
        if isinstance(self.fail, LockBusy):  # refused before the lock is held
            raise self.fail
        options["on_locked"]()
        if self.fail is not None:
            raise self.fail
        report = CycleReport("2031-05-06T06:00:01Z", "2031-05-06T06:00:09Z")
        report.stages = [Stage("collect", summary="2/2 sources, 334 models")]
        return report

    def hold(self) -> None:
        self.pinned = True
        self.gate.clear()

    def release(self) -> None:
        self.pinned = False
        self.gate.set()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock(DAY1.replace(hour=5))
    fake = clock.datetime()
    monkeypatch.setattr("apscheduler.schedulers.base.datetime", fake)
    monkeypatch.setattr("apscheduler.executors.base.datetime", fake)
    return clock


@pytest.fixture
def cycles(monkeypatch: pytest.MonkeyPatch) -> Cycles:
    stub = Cycles()
    monkeypatch.setattr("worker.scheduler.run_cycle", stub)
    return stub


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return make_project(tmp_path / "p")


def settings_for(project: Project, **worker: Any) -> Settings:
    settings = load_settings(project.configs, data_dir=project.data)
    return settings.model_copy(update={"worker": settings.worker.model_copy(update=worker)})


class Driven:
    """A started ManualScheduler with the worker's job, and the job events seen."""

    def __init__(self, settings: Settings, clock: Clock, cycles: Cycles, **options: Any) -> None:
        self.settings, self.clock, self.cycles = settings, clock, cycles
        self.stop = threading.Event()
        self.scheduler = make_scheduler(
            settings, self.stop, scheduler=ManualScheduler(timezone=UTC), **options
        )
        self.events: list[JobEvent] = []
        self.done = threading.Semaphore(0)
        self.scheduler.add_listener(self._event)
        self.scheduler.start()

    def _event(self, event: JobEvent) -> None:
        self.events.append(event)
        if event.code in (EVENT_JOB_EXECUTED, EVENT_JOB_ERROR, EVENT_JOB_MISSED):
            self.done.release()

    def tick(self, when: datetime) -> None:
        """Move the clock to ``when`` and let the scheduler look for due jobs. A cycle
        submitted meanwhile waits until the scheduler has set the job's next run time (in
        the worker a cycle takes seconds; the stub returns at once)."""
        self.clock.at(when)
        self.cycles.gate.clear()
        try:
            self.scheduler._process_jobs()
        finally:
            if not self.cycles.pinned:
                self.cycles.gate.set()

    def finished(self) -> None:
        """Wait until the job submitted last has ended (run, failed or missed)."""
        assert self.done.acquire(timeout=10), "the job did not end"

    def codes(self) -> list[int]:
        return [event.code for event in self.events]

    def next_run(self) -> datetime:
        return self.scheduler.get_job(JOB_ID).next_run_time

    def close(self) -> None:
        self.scheduler.shutdown(wait=True)


@pytest.fixture
def drive(clock: Clock, cycles: Cycles) -> Iterator[Any]:
    made: list[Driven] = []

    def start(settings: Settings, **options: Any) -> Driven:
        made.append(Driven(settings, clock, cycles, **options))
        return made[-1]

    yield start
    cycles.release()
    for driven in made:
        driven.close()


def test_the_job_is_the_cycle_one_at_a_time_coalesced_with_the_configured_grace(
    project: Project,
) -> None:
    settings = settings_for(project, schedule="30 4 * * 1", misfire_grace_seconds=123)
    stop = threading.Event()
    scheduler = make_scheduler(
        settings, stop, scheduler=ManualScheduler(timezone=UTC), backend_name="local"
    )
    (job,) = scheduler.get_jobs()
    assert job.id == JOB_ID
    assert job.func is cycle_job
    assert job.args == (settings, stop, scheduler)
    assert job.kwargs == {"backend_name": "local"}
    assert job.max_instances == 1
    assert job.coalesce is True
    assert job.misfire_grace_time == 123
    assert isinstance(job.trigger, CronTrigger)
    assert str(job.trigger) == str(CronTrigger.from_crontab("30 4 * * 1", timezone=UTC))
    assert job.trigger.timezone == UTC
    # Without a scheduler given: the worker's own, a BackgroundScheduler in UTC (not started).
    default = make_scheduler(settings, stop)
    assert isinstance(default, BackgroundScheduler) and default.timezone == UTC
    assert default.get_job(JOB_ID).max_instances == 1


def test_the_cycle_runs_at_the_cron_time_and_not_before(
    project: Project, cycles: Cycles, drive: Any
) -> None:
    settings = settings_for(project, schedule="0 6 * * *")
    worker = drive(settings, backend_name="local")
    assert worker.next_run() == DAY1.replace(hour=6)
    worker.tick(DAY1.replace(hour=5, minute=59, second=59))
    assert cycles.calls == []
    worker.tick(DAY1.replace(hour=6))
    worker.finished()
    (call,) = cycles.calls
    # The job is the recorded cycle with the worker's stop event, options and lock wait.
    assert call["stop"] is worker.stop
    assert call["backend_name"] == "local"
    assert call["lock_wait"] == settings.worker.lock_wait_seconds
    assert call["settings"] is settings
    assert worker.codes()[-1] == EVENT_JOB_EXECUTED
    beat = read_heartbeat(project.state)
    assert beat["result"] == "ok"
    assert beat["next_run"] == "2031-05-07T06:00:00Z"  # the job's next time, from the scheduler
    assert beat["last_end"] == "2031-05-06T06:00:09Z"
    assert beat["counts"] == {"collect": "2/2 sources, 334 models"}
    assert beat["pid"] > 0 and beat["last_start"]

    worker.tick(DAY1.replace(hour=6, minute=30))
    worker.tick(DAY1 + timedelta(hours=23, minutes=59))
    assert len(cycles.calls) == 1
    worker.tick(DAY1 + timedelta(days=1, hours=6))
    worker.finished()
    assert len(cycles.calls) == 2
    assert read_heartbeat(project.state)["next_run"] == "2031-05-08T06:00:00Z"


def test_a_cycle_missed_by_several_periods_runs_once(
    project: Project, cycles: Cycles, drive: Any
) -> None:
    """Down for two days and a half (06:00 on three days missed), back 30 min after the
    last of them, within the grace: one cycle, not three."""
    worker = drive(settings_for(project, schedule="0 6 * * *", misfire_grace_seconds=3600))
    worker.tick(DAY1 + timedelta(days=2, hours=6, minutes=30))
    worker.finished()
    assert len(cycles.calls) == 1
    assert worker.codes().count(EVENT_JOB_EXECUTED) == 1
    assert EVENT_JOB_MISSED not in worker.codes()
    assert worker.next_run() == DAY1 + timedelta(days=3, hours=6)
    assert read_heartbeat(project.state)["next_run"] == "2031-05-09T06:00:00Z"


def test_a_cycle_missed_beyond_the_grace_waits_for_the_next_time(
    project: Project, cycles: Cycles, drive: Any
) -> None:
    worker = drive(settings_for(project, schedule="0 6 * * *", misfire_grace_seconds=3600))
    # Back at 05:00 on day 3: the latest missed run (day 2, 06:00) is 23 h late.
    worker.tick(DAY1 + timedelta(days=2, hours=5))
    worker.finished()
    assert cycles.calls == []
    assert worker.codes().count(EVENT_JOB_MISSED) == 1  # coalesced: one miss, not two
    assert worker.next_run() == DAY1 + timedelta(days=2, hours=6)
    worker.tick(DAY1 + timedelta(days=2, hours=6, seconds=59))
    worker.finished()
    assert len(cycles.calls) == 1


def test_a_running_cycle_is_never_doubled(project: Project, cycles: Cycles, drive: Any) -> None:
    worker = drive(settings_for(project, schedule="0 * * * *"))
    cycles.hold()
    worker.tick(DAY1.replace(hour=6))
    assert cycles.entered.wait(10)
    worker.tick(DAY1.replace(hour=7))  # the 06:00 cycle still runs
    assert EVENT_JOB_MAX_INSTANCES in worker.codes()
    assert len(cycles.calls) == 1
    cycles.release()
    worker.finished()
    worker.tick(DAY1.replace(hour=8))
    worker.finished()
    assert len(cycles.calls) == 2


def test_a_cycle_refused_by_the_lock_leaves_the_heartbeat_and_the_worker_goes_on(
    project: Project, cycles: Cycles, drive: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """The lock's holder is doing the work: the heartbeat stays that of the last cycle."""
    worker = drive(settings_for(project, schedule="0 6 * * *"))
    worker.tick(DAY1.replace(hour=6))
    worker.finished()
    before = read_heartbeat(project.state)
    holder = {"pid": 4242, "command": "tracker bridge sync", "since": "2031-05-07T05:59:00Z"}
    cycles.fail = LockBusy(holder, project.lock_file)
    worker.tick(DAY1 + timedelta(days=1, hours=6))
    worker.finished()
    assert worker.codes()[-1] == EVENT_JOB_EXECUTED  # cycle_job does not raise
    assert read_heartbeat(project.state) == before
    assert any("cycle not run:" in r.getMessage() for r in caplog.records)
    cycles.fail = None
    worker.tick(DAY1 + timedelta(days=2, hours=6))
    worker.finished()
    assert read_heartbeat(project.state)["next_run"] == "2031-05-09T06:00:00Z"


def test_a_cycle_that_fails_once_started_is_recorded(
    project: Project, cycles: Cycles, drive: Any
) -> None:
    worker = drive(settings_for(project, schedule="0 6 * * *"))
    cycles.fail = KeyError("status")
    worker.tick(DAY1.replace(hour=6))
    worker.finished()
    beat = read_heartbeat(project.state)
    assert (beat["result"], beat["message"]) == ("failed", "KeyError: 'status'")


@pytest.mark.parametrize("schedule", ["bad cron", "61 * * * *", "* * * * * *"])
def test_a_bad_schedule_is_a_one_line_error(project: Project, schedule: str) -> None:
    result = project.invoke("worker", "--schedule", schedule)
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"Error: field worker.schedule: worker schedule {schedule!r}: ")
    assert not (project.state / "worker.json").exists()
