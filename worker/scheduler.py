"""``tracker worker``: APScheduler runs the cycle on a cron schedule, one at a time.

A scheduler with a cron trigger, ``max_instances=1`` (a slow cycle is never doubled),
``coalesce=True`` (missed runs collapse into one) and a misfire grace. SIGTERM and SIGINT
let the running cycle finish its current stage, then the worker exits 0. Each cycle writes
the heartbeat that ``tracker health`` reads.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_SUBMITTED, JobEvent
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger

from pipeline.errors import ConfigError, TrackerError, os_error_message
from pipeline.paths import DataPaths
from pipeline.settings import Settings
from pipeline.values import utc_now
from worker.cycle import CycleReport, run_cycle
from worker.heartbeat import write_heartbeat

JOB_ID = "cycle"
log = logging.getLogger("tracker.worker")


def trigger(schedule: str) -> CronTrigger:
    try:
        return CronTrigger.from_crontab(schedule, timezone=UTC)
    except ValueError as exc:
        raise ConfigError(f"worker schedule {schedule!r}: {exc}", field="worker.schedule") from None


def recorded_cycle(
    settings: Settings,
    stop: threading.Event,
    scheduler: BaseScheduler | None = None,
    on_stage: Callable[[str, str], None] | None = None,
    **options: Any,
) -> CycleReport:
    """One cycle with its heartbeat (none for a dry run), started once the cycle holds the
    data lock: a cycle refused by the lock leaves the heartbeat of the one that holds it
    alone. A cycle that fails once started is recorded as failed and its error raised."""
    state = DataPaths(settings.data_dir).state
    if options.get("dry_run"):
        return run_cycle(settings, stop=stop, on_stage=on_stage, **options)
    started = False

    def start() -> None:
        nonlocal started
        write_heartbeat(state, last_start=utc_now(), pid=os.getpid())
        started = True

    try:
        report = run_cycle(
            settings,
            stop=stop,
            on_stage=on_stage,
            lock_wait=settings.worker.lock_wait_seconds,
            on_locked=start,
            **options,
        )
    except Exception as exc:
        if started:
            message = str(exc) if isinstance(exc, TrackerError) else f"{type(exc).__name__}: {exc}"
            write_heartbeat(state, last_end=utc_now(), result="failed", message=message,
                            next_run=_next(scheduler))  # fmt: skip
        raise
    write_heartbeat(
        state,
        last_end=report.finished,
        result=report.result,
        message=report.failed,
        counts=report.counts(),
        next_run=_next(scheduler),
    )
    return report


def cycle_job(
    settings: Settings, stop: threading.Event, scheduler: BaseScheduler | None, **options: Any
) -> CycleReport | None:
    """The scheduled job: a recorded cycle, its outcome logged in one line, never raised."""
    try:
        report = recorded_cycle(settings, stop, scheduler, on_stage=_log_stage, **options)
    except TrackerError as exc:
        log.error("cycle not run: %s", exc)
        return None
    except OSError as exc:  # the heartbeat could not be written (a full disk)
        log.error("cycle not recorded: %s", os_error_message(exc))
        return None
    for stage in report.stages:
        for warning in stage.warnings:
            log.warning("%s: %s", stage.name, warning)
    stages = "; ".join(f"{s.name} {s.summary}" for s in report.stages)
    log.log(
        logging.INFO if report.ok else logging.ERROR,
        "cycle %s in %.1f s: %s",
        report.result,
        sum(s.seconds for s in report.stages),
        report.failed or stages,
    )
    return report


def _log_stage(name: str, text: str) -> None:
    log.info("%s: %s", name, text)


def _stamp(when: datetime | None) -> str:
    return (
        when.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        if when
        else ""
    )


def _next(scheduler: BaseScheduler | None) -> str:
    job = scheduler.get_job(JOB_ID) if scheduler is not None else None
    return _stamp(getattr(job, "next_run_time", None))


def make_scheduler(
    settings: Settings,
    stop: threading.Event,
    scheduler: BaseScheduler | None = None,
    **options: Any,
) -> BaseScheduler:
    scheduler = scheduler or BackgroundScheduler(timezone=UTC)
    scheduler.add_job(
        cycle_job,
        trigger(settings.worker.schedule),
        args=[settings, stop, scheduler],
        kwargs=options,
        id=JOB_ID,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=settings.worker.misfire_grace_seconds,
        replace_existing=True,
    )
    return scheduler


def stop_on_signals(stop: threading.Event) -> None:
    """SIGTERM and SIGINT set ``stop``: the cycle ends after its current stage."""

    def handler(signum: int, _frame: object) -> None:
        log.info("%s: finishing the current stage, then exiting", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


class InFlight:
    """Counts the cycles submitted and not yet ended, from the scheduler's job events."""

    def __init__(self, scheduler: BaseScheduler) -> None:
        self._count = 0
        self._changed = threading.Condition()
        events = EVENT_JOB_SUBMITTED | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR
        scheduler.add_listener(self._event, events)

    def _event(self, event: JobEvent) -> None:
        with self._changed:
            self._count += 1 if event.code == EVENT_JOB_SUBMITTED else -1
            self._changed.notify_all()

    def wait(self) -> None:
        """Until every submitted cycle has ended (its end event may come before its
        submission event, hence ``<= 0``)."""
        with self._changed:
            self._changed.wait_for(lambda: self._count <= 0)


def serve(settings: Settings, **options: Any) -> None:
    """Run the scheduler until SIGTERM or SIGINT; the running cycle ends its stage first.
    With ``worker.run_at_start`` the first cycle runs at once, then on the schedule.

    The scheduler runs in the background and this thread waits for the signal, so a signal
    that comes before the scheduler has started is not lost. On the signal the scheduler is
    paused (no new cycle) and the running cycle is waited for before it is shut down; it is
    not shut down with ``wait=True``, which holds the job store's lock that a cycle needs to
    read its next run time while it waits for that cycle."""
    stop = threading.Event()
    stop_on_signals(stop)
    scheduler = make_scheduler(settings, stop, **options)
    if settings.worker.run_at_start:
        scheduler.modify_job(JOB_ID, next_run_time=datetime.now(UTC))
    in_flight = InFlight(scheduler)
    state = DataPaths(settings.data_dir).state
    first = _stamp(trigger(settings.worker.schedule).get_next_fire_time(None, datetime.now(UTC)))
    write_heartbeat(state, next_run=first, schedule=settings.worker.schedule, pid=os.getpid())
    log.info("worker started: schedule %r, next scheduled run %s", settings.worker.schedule, first)
    scheduler.start()
    stop.wait()
    scheduler.pause()
    in_flight.wait()
    scheduler.shutdown(wait=False)
    log.info("worker stopped")
