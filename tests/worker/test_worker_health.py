"""The heartbeat (data/state/worker.json) and ``tracker health``, the container's
healthcheck: unhealthy before any cycle, after a stopped cycle, after a cycle that could
not start (another writer holds the lock), and when the last good cycle is too old."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from worker_support import HEARTBEAT, Home, changed, error_lines

from pipeline.settings import load_settings
from worker.scheduler import recorded_cycle

HOLD_LOCK = """
import pathlib, sys
from pipeline.storage.lock import data_lock
with data_lock(pathlib.Path(sys.argv[1]), "tracker worker"):
    print("held", flush=True)
    sys.stdin.read()
"""


@contextmanager
def lock_held_elsewhere(state: Path) -> Iterator[int]:
    """Another process holds the data lock while the block runs; its pid."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(state)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield holder.pid
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)


def test_no_cycle_yet_is_unhealthy(fresh: Home) -> None:
    result = fresh.cli("health")
    assert result.exit_code == 1
    assert result.output.startswith("no cycle has run yet (")


def test_a_good_cycle_that_is_too_old_is_unhealthy(
    cycled: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cycled.cli("health").exit_code == 0
    monkeypatch.setenv("TRACKER_WORKER__HEALTH_MAX_AGE_HOURS", "1e-9")

    result = cycled.cli("health")

    assert result.exit_code == 1
    assert result.output.startswith("the last successful cycle ended ")
    assert cycled.heartbeat()["last_end"] in result.output


def test_a_stop_request_ends_the_cycle_between_stages(cycled: Home) -> None:
    cycled.decide({"o3": {"decision": "y", "reason": "reported"}})
    before = cycled.snapshot(skip=(HEARTBEAT,))
    stop = threading.Event()
    told: list[tuple[str, str]] = []

    def on_stage(name: str, text: str) -> None:
        told.append((name, text))
        if name == "estimate" and text != "started":
            stop.set()  # SIGTERM arrives while estimate runs

    settings = load_settings(cycled.configs, data_dir=cycled.data)
    report = recorded_cycle(settings, stop, on_stage=on_stage)

    assert report.result == "stopped" and report.ok
    assert [stage.name for stage in report.stages] == ["collect", "estimate"]
    assert ("refresh", "skipped: stop requested") in told
    assert changed(before, cycled.snapshot(skip=(HEARTBEAT,))) == []  # decision not applied
    assert cycled.heartbeat()["result"] == "stopped"
    health = cycled.cli("health")
    assert health.exit_code == 1
    assert health.output.startswith("the last cycle was stopped before its end")


def test_a_cycle_that_cannot_take_the_lock_fails_in_one_line(
    cycled: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_WORKER__LOCK_WAIT_SECONDS", "0")
    cycled.decide({"o3": {"decision": "y", "reason": "reported"}})
    before = cycled.snapshot()

    with lock_held_elsewhere(cycled.data / "state") as pid:
        result = cycled.cli("run")

    assert result.exit_code == 1
    (line,) = error_lines(result)
    assert "another tracker process is writing the data" in line
    assert f"pid {pid} (tracker worker)" in line
    assert "Traceback" not in result.output
    assert changed(before, cycled.snapshot()) == []
    assert cycled.heartbeat()["result"] == "ok"  # the last cycle's, not the refused one's
    assert cycled.cli("health").exit_code == 0
