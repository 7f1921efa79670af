"""One writer at a time: the data lock between processes (a holder, two cycles, commands
that wait), stale and damaged holder files, and re-entrancy within a process."""

from __future__ import annotations

import fcntl
import os
import re
import signal
import threading
from pathlib import Path

import pytest
from worker_ops_support import (
    STAGES,
    Project,
    assert_files_sound,
    assert_no_duplicates,
    clean_env,
    comparable,
    differences,
    stage_lines,
)

from pipeline.storage.lock import LOCK_FILE, LockBusy, data_lock

BUSY = (
    r"Error: (?P<path>\S+): another tracker process is writing the data: "
    r"pid (?P<pid>\d+) \((?P<command>[^)]*)\) since \S+; try again when it has finished"
)
# Every command that writes data, with arguments that get it past click to the lock.
WRITERS = [
    ["collect-all"],
    ["estimate-flops"],
    ["refresh-dataset"],
    ["review-candidates", "--decisions", "DECISIONS"],
    ["sync-datasets", "--sync", "--yes"],
    ["bridge", "pull"],
    ["bridge", "push"],
    ["bridge", "sync"],
    ["report"],
]


def is_locked(state_dir: Path) -> bool:
    """Whether someone holds the data lock (an flock on the state folder; a new open file
    description conflicts even with a lock held by this process)."""
    handle = os.open(state_dir, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False
    finally:
        os.close(handle)


def busy_line(text: str, project: Project, pid: int, command: str) -> None:
    """``text`` is exactly one line: the LockBusy error naming the holder."""
    lines = text.splitlines()
    assert len(lines) == 1, text
    match = re.fullmatch(BUSY, lines[0])
    assert match, lines[0]
    assert Path(match["path"]) == project.lock_file.resolve()
    assert (int(match["pid"]), match["command"]) == (pid, command)


# --- two processes ----------------------------------------------------------------------


def test_run_is_refused_at_once_while_another_process_writes(ran: Project) -> None:
    holder = ran.hold_lock("tracker refresh-dataset")
    before = ran.files()
    code, out, err = ran.run("run", env=clean_env(worker__lock_wait_seconds="0"))
    assert code == 1
    busy_line(err, ran, holder.pid, "tracker refresh-dataset")
    assert out == ""  # no stage started
    # Nothing changed, not even the heartbeat: it stays that of the last cycle that ran
    # (the holder's work is not a failure of the worker).
    after = ran.files()
    assert {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)} == set()
    holder.release()
    assert holder.finish()[0] == 0


@pytest.mark.parametrize("args", WRITERS, ids=lambda a: " ".join(a[:2]))
def test_every_writing_command_is_refused_and_writes_nothing(
    ran: Project, args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """In this process (fast): the holder is another process all the same."""
    decisions = ran.root / "decisions.csv"
    decisions.write_text("model,decision,reason\ngrok_3,y,reported\n")
    args = [str(decisions) if a == "DECISIONS" else a for a in args]
    holder = ran.hold_lock("tracker run")
    before = ran.files()
    monkeypatch.setenv("TRACKER_WORKER__LOCK_WAIT_SECONDS", "0")
    result = ran.invoke(*args)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    busy_line(result.stderr, ran, holder.pid, "tracker run")
    assert "Waiting for the data lock" not in result.stderr
    assert ran.files() == before


def test_a_writing_command_is_refused_in_a_subprocess(ran: Project) -> None:
    holder = ran.hold_lock("tracker run")
    before = ran.files()
    code, out, err = ran.run("refresh-dataset", env=clean_env(worker__lock_wait_seconds="0"))
    assert code == 1
    busy_line(err, ran, holder.pid, "tracker run")
    assert out == ""
    assert ran.files() == before


def test_a_command_that_waits_in_vain_says_so_once_then_gives_up(
    ran: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    holder = ran.hold_lock("tracker run")
    before = ran.files()
    monkeypatch.setenv("TRACKER_WORKER__LOCK_WAIT_SECONDS", "0.6")
    result = ran.invoke("refresh-dataset")
    assert result.exit_code == 1
    waiting, error = result.stderr.splitlines()
    assert re.fullmatch(
        rf"Waiting for the data lock: pid {holder.pid} \(tracker run\) since \S+ is writing \.\.\.",
        waiting,
    )
    busy_line(error, ran, holder.pid, "tracker run")
    assert ran.files() == before


# (arguments, stream and pattern of the waiting line)
WAITERS = [
    (["refresh-dataset"], "stderr", r"^Waiting for the data lock: pid {pid} \(test holder\) since"),
    # The cycle reports the wait as a stage line of its own (not writes_data's message).
    (["run"], "stdout", r" lock: waiting up to 20 s for pid {pid} \(test holder\) since"),
]


@pytest.mark.parametrize(("args", "stream", "pattern"), WAITERS, ids=["refresh-dataset", "run"])
def test_a_command_waits_for_the_holder_then_succeeds(
    ran: Project, args: list[str], stream: str, pattern: str
) -> None:
    holder = ran.hold_lock()
    command = ran.start(*args, env=clean_env(worker__lock_wait_seconds="20"))
    command.expect(pattern.format(pid=holder.pid), stream)
    holder.release()
    assert holder.finish()[0] == 0
    code, out, err = command.finish()
    assert code == 0, out + err
    assert (out + err).count(f"pid {holder.pid}") == 1  # told once, not at every poll
    assert not ran.lock_file.exists()
    assert_files_sound(ran)


def test_two_cycles_at_once_run_one_after_the_other(
    fresh: Project, fresh_reference: dict[str, object]
) -> None:
    """Deterministic overlap: the first cycle is held in its estimate stage (gate file)
    until the second has said it waits for it."""
    env = clean_env(worker__lock_wait_seconds="60")
    gate = fresh.root / "go"
    first = fresh.start("run", env=env, hold="estimate", gate=gate)
    first.expect(r" estimate: started$")
    second = fresh.start("run", env=env)
    second.expect(rf" lock: waiting up to 60 s for pid {first.pid} \(tracker run\) since")
    assert set(stage_lines("".join(second.lines["stdout"]))) == {"lock"}  # nothing started
    gate.touch()
    code, out, err = first.finish()
    assert code == 0, out + err
    assert "lock:" not in out
    code, out2, err2 = second.finish()
    assert code == 0, out2 + err2
    assert list(stage_lines(out2)) == ["lock", *STAGES]
    assert fresh.heartbeat()["result"] == "ok"
    assert not fresh.lock_file.exists()
    assert_files_sound(fresh)
    assert_no_duplicates(fresh)
    # The second cycle found nothing new: the result is that of one cycle.
    assert not differences(comparable(fresh), fresh_reference)


# --- stale and damaged holder files -----------------------------------------------------


def test_a_holder_killed_with_sigkill_does_not_block(
    ran: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The next cycle runs in this process (fast; its signal handlers are not installed
    here); the SIGKILL tests of test_signals.py do the same with the binary."""
    holder = ran.hold_lock("tracker run")
    holder.signal(signal.SIGKILL)
    assert holder.finish()[0] == -signal.SIGKILL
    assert str(holder.pid) in ran.lock_file.read_text()  # its holder file stays behind
    monkeypatch.setattr("worker.cli.stop_on_signals", lambda *a, **k: None)
    monkeypatch.setenv("TRACKER_WORKER__LOCK_WAIT_SECONDS", "0")
    result = ran.invoke("run")
    assert result.exit_code == 0, result.output
    assert "lock:" not in result.stdout  # taken at once, no waiting
    assert ran.heartbeat()["result"] == "ok"
    assert not ran.lock_file.exists()


GARBAGE = [b"", b"not json\n", b"\xff\xfe\x00\x01binary", b"[1, 2]\n", b'{"pid": {"x": 1}}']


@pytest.mark.parametrize("content", GARBAGE, ids=repr)
def test_a_garbage_holder_file_without_holder_is_ignored(ran: Project, content: bytes) -> None:
    ran.lock_file.write_bytes(content)
    result = ran.invoke("refresh-dataset")
    assert result.exit_code == 0, result.output
    assert not ran.lock_file.exists()


@pytest.mark.parametrize("content", GARBAGE, ids=repr)
def test_a_garbage_holder_file_of_a_live_holder_still_gives_one_line(
    ran: Project, content: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran.hold_lock()
    ran.lock_file.write_bytes(content)
    monkeypatch.setenv("TRACKER_WORKER__LOCK_WAIT_SECONDS", "0")
    result = ran.invoke("bridge", "sync")
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: ")
    assert "another tracker process is writing the data: pid " in line


# --- within one process -----------------------------------------------------------------


def test_nested_locks_on_the_same_folder_are_reentrant(tmp_path: Path) -> None:
    state = tmp_path / "data" / "state"
    with data_lock(state, "outer"):
        assert is_locked(state)
        # Another spelling of the same folder is the same lock.
        with data_lock(tmp_path / "data" / ".." / "data" / "state", "inner", wait=0):
            assert is_locked(state)
            assert '"command": "outer"' in (state / LOCK_FILE).read_text()
        assert is_locked(state)  # the inner block did not release the outer one
        assert (state / LOCK_FILE).exists()
        with pytest.raises(RuntimeError), data_lock(state, "inner again"):
            raise RuntimeError("a stage failed")
        assert is_locked(state)
    assert not is_locked(state)
    assert not (state / LOCK_FILE).exists()


def test_the_lock_of_another_data_folder_is_independent(tmp_path: Path) -> None:
    one, two = tmp_path / "one" / "state", tmp_path / "two" / "state"
    two.mkdir(parents=True)
    with data_lock(one, "one"):
        assert not is_locked(two)
        with data_lock(two, "two", wait=0):
            assert is_locked(one) and is_locked(two)
            assert '"command": "two"' in (two / LOCK_FILE).read_text()
        assert is_locked(one) and not is_locked(two)
        assert not (two / LOCK_FILE).exists()
    assert not is_locked(one)


def test_lock_busy_names_the_holder_and_on_wait_is_called_once(ran: Project) -> None:
    holder = ran.hold_lock("tracker bridge sync")
    told: list[dict[str, object]] = []
    with pytest.raises(LockBusy) as caught, data_lock(ran.state, wait=0.5, on_wait=told.append):
        pass
    assert caught.value.holder["pid"] == holder.pid
    assert caught.value.holder["command"] == "tracker bridge sync"
    assert [t["pid"] for t in told] == [holder.pid]
    holder.release()
    holder.finish()
    with data_lock(ran.state, wait=0):  # free again
        pass


def test_a_second_thread_does_not_lose_the_lock_when_the_first_leaves(tmp_path: Path) -> None:
    state = tmp_path / "state"
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: list[object] = []

    def first() -> None:
        with data_lock(state, "first"):
            first_in.set()
            # The second thread waits for us (the lock is re-entrant per thread only),
            # and holds the lock once inside.
            second_in.wait(0.5)
        first_out.set()

    def second() -> None:
        first_in.wait(10)
        try:
            with data_lock(state, "second", wait=5):
                second_in.set()
                first_out.wait(10)
                seen.append(is_locked(state))
        except Exception as exc:  # the KeyError of the bug
            seen.append(exc)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert seen == [True]
    assert not is_locked(state)
