"""Two parts of one job on two cores: a forked child does the second part while this
process does the first, and hands its result back packed as bytes (through a file in
memory), which this process unpacks.

The child inherits everything as it is in memory, so only its result crosses back. It is
used only where forking is safe (:func:`may_fork`: POSIX, and no other thread, which could
hold a lock the child would wait for; the worker's scheduler runs threads, so its cycles
keep to one process). Whatever goes wrong in the child (an error, a signal, an answer that
does not unpack), this process does the second part itself: the result never depends on
the child. If the first part fails, the child is stopped before the error goes on.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import signal
import tempfile
import threading
from collections.abc import Callable, Iterable
from typing import BinaryIO, TypeVar

First = TypeVar("First")
Second = TypeVar("Second")

BUFFER = 1 << 20  # the child writes its answer a megabyte at a time


def may_fork() -> bool:
    """Whether this process may fork to share its work: POSIX, and no other thread."""
    return hasattr(os, "fork") and threading.active_count() == 1


def in_two(
    first: Callable[[], First],
    second: Callable[[], Second],
    pack: Callable[[Second], Iterable[bytes | memoryview]],
    unpack: Callable[[memoryview], Second | None],
) -> tuple[First, Second]:
    """``first()`` here and ``second()`` in a child at the same time (one after the other
    where forking is not safe); ``pack`` writes the child's result as bytes, ``unpack``
    reads it back (None: not whole, so ``second`` is run here)."""
    if not may_fork():
        return first(), second()
    parent = os.getpid()
    with _answer_file() as answer:
        pid = os.fork()
        if pid == 0:  # the child: never returns
            _child(second, pack, answer, parent)
        done = False
        try:
            mine = first()
            done = True
        finally:
            if not done:  # the first part failed: the second is not wanted
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
        theirs = None
        if os.waitstatus_to_exitcode(status) == 0:
            theirs = _read(answer, unpack)
    return mine, second() if theirs is None else theirs


def _answer_file() -> BinaryIO:
    """Where the child writes its answer: a file in memory where there are such (Linux),
    else a temporary file (never named)."""
    if hasattr(os, "memfd_create"):
        return os.fdopen(os.memfd_create("tracker-answer"), "w+b", buffering=0)
    return tempfile.TemporaryFile(buffering=0)


def _child(
    second: Callable[[], Second],
    pack: Callable[[Second], Iterable[bytes | memoryview]],
    answer: BinaryIO,
    parent: int,
) -> None:
    """Do ``second``, write its packed result to ``answer`` and exit at once, successfully
    only once it is all written: nothing of the parent's is run or flushed."""
    code = 1
    try:
        _die_with(parent)
        result = second()
        with open(answer.fileno(), "wb", buffering=BUFFER, closefd=False) as out:
            for part in pack(result):
                out.write(part)
        code = 0
    finally:
        os._exit(code)


PR_SET_PDEATHSIG = 1  # prctl(2)


def _die_with(parent: int) -> None:
    """Where the system can (Linux), this child is killed when its parent dies: it holds
    the parent's open files, the data lock's among them, and would keep the lock until it
    ended. A parent gone already ends it here."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def _read(answer: BinaryIO, unpack: Callable[[memoryview], Second | None]) -> Second | None:
    size = os.fstat(answer.fileno()).st_size
    if size == 0:
        return unpack(memoryview(b""))
    return unpack(memoryview(mmap.mmap(answer.fileno(), size, access=mmap.ACCESS_READ)))
