"""Spreadsheet programs' lock files (LibreOffice's ``.~lock.<name>#``, Excel's
``~$<name>``): whether one still means the workbook is open.

A lock whose owner is gone is stale: LibreOffice writes the host it runs on and, in
recent versions, its process id (``user,host,login,date,profile,pid;``); a lock from this
host whose process no longer exists is stale. A lock older than the configured age is
stale whatever it says (a crash on another machine, a copied folder)."""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LockFile:
    path: Path
    stale: str | None  # why the lock no longer means the workbook is open, or None


def _owner_gone(text: str) -> bool:
    """Whether the lock names this host and a process id that no longer runs."""
    fields = [f.strip() for f in text.strip().rstrip(";").split(",")]
    if len(fields) < 2 or fields[1] != socket.gethostname():
        return False
    pids = [int(f) for f in fields[2:] if f.isdigit()]
    if not pids:
        return False
    try:
        os.kill(pids[-1], 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # it exists, under another user
    return False


def inspect_lock(path: Path, max_age_hours: float, now: float | None = None) -> LockFile:
    """The lock at ``path`` and whether it is stale."""
    try:
        age = (now if now is not None else time.time()) - path.stat().st_mtime
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return LockFile(path, None)
    if _owner_gone(text):
        return LockFile(path, "its program is no longer running")
    if age > max_age_hours * 3600:
        return LockFile(path, f"it is {age / 3600:.0f} hours old")
    return LockFile(path, None)
