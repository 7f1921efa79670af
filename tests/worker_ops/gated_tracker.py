"""``tracker`` with test hooks, for the subprocess tests of tests/worker_ops.

Usage: ``python gated_tracker.py [--hold STAGE [--gate FILE]] [--pause STAGE:POINT] --
TRACKER ARGS...``

The hooks only add waiting; the code under test runs unchanged:

- ``--hold STAGE``: the cycle stage STAGE (collect, estimate, refresh, sync, report), after
  its ``STAGE: started`` line, waits until the cycle's stop event is set (that is, until the
  SIGTERM or SIGINT the test sends on that line has been handled), then does its real work.
  A stage of a few milliseconds can so be interrupted deterministically: the signal always
  arrives while the stage runs, never after it. With ``--gate FILE`` the wait also ends
  when FILE exists (to keep a cycle, and its lock, in a stage as long as a test needs).
- ``--pause STAGE:POINT[@N]``: while the stage STAGE runs, at POINT (its Nth time there,
  default the first) the process prints ``PAUSED POINT`` and sleeps, for the test to kill
  it there with SIGKILL. Points:
  ``applying`` (an apply_plan between its two phases: phase 1 saved, apply journal on disk),
  ``pulled`` (after an apply_plan of the pull returned: local files written),
  ``journaled`` (push journal saved, workbook not written yet),
  ``saving`` (the new workbook is in its temporary file, not renamed over the old one yet),
  ``written`` (workbook replaced, sync state not updated yet: the journal is still there).
- ``--pause serve:signals``: ``tracker worker`` pauses right after installing its signal
  handlers, before starting the scheduler, until a signal has been handled.

Every wait ends after TIMEOUT seconds so that a broken test cannot leave a process behind.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

TIMEOUT = 60.0


def say(text: str) -> None:
    print(text, flush=True)


def pause(point: str) -> None:
    say(f"PAUSED {point}")
    time.sleep(TIMEOUT)
    os._exit(3)


def main() -> None:
    argv = sys.argv[1:]
    split = argv.index("--")
    options, args = argv[:split], argv[split + 1 :]
    hold = gate = None
    pause_at: tuple[str, ...] | None = None
    pause_count = 1
    for name, value in zip(options[::2], options[1::2], strict=True):
        if name == "--hold":
            hold = value
        elif name == "--gate":
            gate = Path(value)
        elif name == "--pause":
            value, _, count = value.partition("@")
            pause_at, pause_count = tuple(value.split(":", 1)), int(count or 1)
        else:
            raise SystemExit(f"unknown option {name}")

    import bridge.backends.local as local
    import bridge.mirror as mirror
    import bridge.state as state
    import pipeline.curate.apply as apply
    import worker.cycle as cycle
    import worker.scheduler as scheduler

    stops: list[threading.Event] = []
    running: list[str] = []
    real_run_cycle = scheduler.run_cycle

    def run_cycle(settings: Any, **options: Any) -> Any:
        stops.append(options["stop"])
        return real_run_cycle(settings, **options)

    scheduler.run_cycle = run_cycle

    for stage in ("collect", "estimate", "refresh", "sync", "report"):
        real_stage = getattr(cycle, f"_{stage}")

        def staged(*a: Any, _stage: str = stage, _real: Any = real_stage) -> Any:
            if _stage == hold:
                deadline = time.monotonic() + TIMEOUT
                while time.monotonic() < deadline and not (gate and gate.exists()):
                    if stops[-1].wait(0.02):
                        break
            running.append(_stage)
            try:
                return _real(*a)
            finally:
                running.pop()

        setattr(cycle, f"_{stage}", staged)

    passed: dict[str, int] = {}

    def at(point: str) -> None:
        if pause_at is not None and running and pause_at == (running[-1], point):
            passed[point] = passed.get(point, 0) + 1
            if passed[point] == pause_count:
                pause(point)

    real_departures = apply._departures

    def departures(*a: Any) -> Any:
        at("applying")
        return real_departures(*a)

    apply._departures = departures

    real_apply_plan = mirror.apply_plan

    def apply_plan(*a: Any, **k: Any) -> Any:
        result = real_apply_plan(*a, **k)
        at("pulled")
        return result

    mirror.apply_plan = apply_plan

    real_begin_push = state.BridgeState.begin_push

    def begin_push(self: Any, intended: Any) -> None:
        real_begin_push(self, intended)
        at("journaled")

    state.BridgeState.begin_push = begin_push  # type: ignore[method-assign]

    real_write = local.LocalBackend.write

    def write(self: Any, changes: Any) -> None:
        real_write(self, changes)
        at("written")

    local.LocalBackend.write = write  # type: ignore[method-assign]

    real_atomic = local.atomic_write_bytes

    def atomic_write_bytes(path: Path, data: bytes) -> None:
        if pause_at is not None and running and pause_at == (running[-1], "saving"):
            # the new workbook half written to its temporary file, then the kill
            fd, _ = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data[: len(data) // 2])
            pause("saving")
        real_atomic(path, data)

    local.atomic_write_bytes = atomic_write_bytes

    if pause_at == ("serve", "signals"):
        real_stop_on_signals = scheduler.stop_on_signals

        def stop_on_signals(stop: threading.Event) -> None:
            real_stop_on_signals(stop)  # serve: handlers installed, scheduler not started yet
            say("PAUSED signals")
            stop.wait(TIMEOUT)

        scheduler.stop_on_signals = stop_on_signals

    from pipeline.cli import main as tracker_main

    sys.argv = ["tracker", *args]
    tracker_main()


if __name__ == "__main__":
    main()
