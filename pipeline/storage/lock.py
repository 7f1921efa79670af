"""One writer at a time: a lock file shared by the worker and every command that writes.

The lock is an ``flock`` on the ``data/state`` directory itself; while it is held,
``data/state/tracker.lock`` records the holder (pid, host, command, since) for messages.
The kernel releases an ``flock`` when its process dies, so a lock left by a killed process
is simply taken over (its stale holder file is overwritten). A command that held the lock
leaves no file behind. The lock is re-entrant within a thread: a cycle holds it and the
stages it runs take it again for free; another thread of the same process waits for it
like another process (each holder has its own open file, and ``flock`` locks belong to
open files).
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pipeline.errors import TrackerError
from pipeline.values import utc_now

LOCK_FILE = "tracker.lock"
POLL = 0.2
_local = threading.local()  # .held: {lock path: depth} of the locks this thread holds


class LockBusy(TrackerError):
    """Another process is writing the data."""

    def __init__(self, holder: dict[str, Any], path: Path) -> None:
        self.holder = holder
        super().__init__(
            f"{path}: another tracker process is writing the data: {describe(holder)}; "
            "try again when it has finished"
        )


def describe(holder: dict[str, Any]) -> str:
    """``pid 12 (tracker run) since ...`` for messages."""
    since = f" since {holder['since']}" if holder.get("since") else ""
    return f"pid {holder.get('pid', '?')} ({holder.get('command', 'tracker')}){since}"


def holder_of(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


@contextmanager
def data_lock(
    state_dir: Path,
    command: str | None = None,
    wait: float = 0.0,
    on_wait: Callable[[dict[str, Any]], None] | None = None,
) -> Iterator[Path]:
    """Hold the data lock for the block; wait up to ``wait`` seconds for it (calling
    ``on_wait`` once with the holder), else raise LockBusy."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = (state_dir / LOCK_FILE).resolve()
    held: dict[Path, int] = _local.__dict__.setdefault("held", {})
    if held.get(path):
        held[path] += 1
        try:
            yield path
        finally:
            held[path] -= 1
        return
    handle = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        _acquire(handle, path, wait, on_wait)
        info = {"pid": os.getpid(), "host": socket.gethostname(), "since": utc_now(),
                "command": command or " ".join(Path(a).name for a in sys.argv[:3])}  # fmt: skip
        path.write_text(json.dumps(info) + "\n", encoding="utf-8")
        held[path] = 1
        try:
            yield path
        finally:
            held.pop(path, None)
            path.unlink(missing_ok=True)
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        os.close(handle)


def _acquire(
    handle: int, path: Path, wait: float, on_wait: Callable[[dict[str, Any]], None] | None
) -> None:
    deadline = time.monotonic() + wait
    told = False
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise LockBusy(holder_of(path), path) from None
            if on_wait is not None and not told:
                on_wait(holder_of(path))
                told = True
            time.sleep(POLL)
