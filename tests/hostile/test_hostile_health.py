"""Health that tells the truth: a cycle that dies on an unexpected error is recorded as
failed; a run refused by the lock leaves the heartbeat of the cycle that holds it; a damaged
estimates file does not block ``estimate-flops --update``, which rebuilds it; a write that
fails part-way through an apply says the journal finishes it, and the commands that only
read say a change is waiting."""

from __future__ import annotations

import errno
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hostile_support import (
    APPLY_JOURNAL,
    CANDIDATES,
    DECISIONS,
    ESTIMATED,
    HEARTBEAT,
    STAGING,
    Home,
    decisions,
    no_traceback,
    write,
)

from pipeline.storage.lock import data_lock

RUN = ("run", "--backend", "local", "--skip-collect")


def errors(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("Error:")]


@pytest.fixture
def ran(home: Home) -> Home:
    """The project after one good cycle: a healthy heartbeat."""
    result = home.cli(*RUN)
    assert result.exit_code == 0, result.output
    assert home.cli("health").exit_code == 0
    return home


def test_a_cycle_that_dies_on_an_unexpected_error_is_recorded_as_failed(
    ran: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("status")

    monkeypatch.setattr("worker.cycle.run_refresh", broken)
    result = ran.cli(*RUN)
    no_traceback(result)
    assert result.exit_code == 1
    assert errors(result.output) == [
        "Error: the cycle stopped at refresh: unexpected KeyError: 'status'"
    ]
    beat = json.loads(ran.path(HEARTBEAT).read_text())
    assert (beat["result"], beat["message"]) == ("failed", "refresh: unexpected KeyError: 'status'")
    health = ran.cli("health")
    assert health.exit_code == 1
    assert "the last cycle failed at" in health.output


@contextmanager
def lock_held(home: Home) -> Iterator[None]:
    """Another writer (a thread: the lock is per open file) holds the data lock."""
    held, done = threading.Event(), threading.Event()

    def hold() -> None:
        with data_lock(home.data / "state", "tracker worker"):
            held.set()
            done.wait(30)

    thread = threading.Thread(target=hold)
    thread.start()
    assert held.wait(30)
    try:
        yield
    finally:
        done.set()
        thread.join()


def test_a_run_refused_by_the_lock_leaves_the_heartbeat_alone(
    ran: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_WORKER__LOCK_WAIT_SECONDS", "0")
    before = ran.path(HEARTBEAT).read_bytes()
    with lock_held(ran):
        result = ran.cli(*RUN)
    no_traceback(result)
    assert result.exit_code == 1
    assert "another tracker process is writing the data" in errors(result.output)[0]
    assert ran.path(HEARTBEAT).read_bytes() == before
    assert ran.cli("health").exit_code == 0


def test_a_damaged_estimates_file_is_rebuilt_by_update(home: Home) -> None:
    write(home, ESTIMATED, '{"metadata": {}, "models": [')
    refused = home.cli("estimate-flops")
    no_traceback(refused)
    assert refused.exit_code == 1
    (line,) = errors(refused.output)
    assert line.endswith("; `tracker estimate-flops --update` rebuilds it from the collected data")
    result = home.cli("estimate-flops", "--update")
    no_traceback(result)
    assert result.exit_code == 0, result.output
    assert f"warning: {home.path(ESTIMATED)}" in result.output
    assert "rebuilt from the collected data" in result.output
    assert len(json.loads(home.path(ESTIMATED).read_text())["models"]) > 100
    assert home.cli("refresh-dataset").exit_code == 0


def test_a_write_failing_part_way_says_the_journal_finishes_it(
    home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = next(k for k, r in home.rows(CANDIDATES).items() if not r["verified"])
    decisions(f"model,decision,reason\n{key},y,reported by the developer\n")(home)
    real = os.replace
    candidates = str(home.path(CANDIDATES))

    def full(src: str, dst: str, *args: object, **kwargs: object) -> None:
        if str(dst) == candidates:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(dst))
        real(src, dst)

    with monkeypatch.context() as patch:
        patch.setattr("pipeline.storage.atomic.os.replace", full)
        result = home.cli("review-candidates", "--decisions", str(home.path(DECISIONS)))
    no_traceback(result)
    assert result.exit_code == 1
    assert errors(result.output) == [
        f"Error: {candidates}: No space left on device; the rest of this change waits in"
        f" {home.path(APPLY_JOURNAL)} and the next command that opens the datasets finishes it"
    ]
    assert not home.rows(CANDIDATES)[key]["verified"]  # that write did not land
    note = (
        f"note: {home.path(APPLY_JOURNAL)}: an interrupted change is waiting; the next"
        " command that writes data finishes it (shown here: the files as they are now)"
    )
    for command in (("validate",), ("query", "--top", "1")):
        shown = home.cli(*command)
        assert note in shown.output.splitlines(), shown.output
    assert home.cli("refresh-dataset").exit_code == 0
    assert home.rows(CANDIDATES)[key]["verified"] == "y" and key in home.rows(STAGING)
    assert not home.path(APPLY_JOURNAL).exists()
    assert note not in home.cli("validate").output
