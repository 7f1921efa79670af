"""Each source's last outcome (``state/sources.json``): when it last succeeded, when it
was last tried, and why it failed, for ``tracker sources``."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from pipeline.storage.atomic import atomic_write_text
from pipeline.values import parse_timestamp, utc_now

FILE = "sources.json"


class Outcome(Protocol):
    name: str
    ok: bool
    models: int
    error: str


def read_outcomes(state_dir: Path) -> dict[str, dict[str, Any]]:
    """The recorded outcomes by source; empty when none (or the file is damaged)."""
    try:
        data = json.loads((state_dir / FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, dict)}


def record_outcomes(state_dir: Path, results: Iterable[Outcome]) -> None:
    """Add this collection's outcomes to the file (atomically)."""
    outcomes = read_outcomes(state_dir)
    now = utc_now()
    for result in results:
        entry = outcomes.setdefault(result.name, {})
        entry["last_attempt"] = now
        if result.ok:
            entry.update(last_success=now, models=result.models, last_error="")
        else:
            entry["last_error"] = result.error
    state_dir.mkdir(parents=True, exist_ok=True)
    text = json.dumps(outcomes, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    atomic_write_text(state_dir / FILE, text)


def age(stamp: str, now: datetime) -> str:
    """``3 h``, ``2 d``: how long ago ``stamp`` was (empty when it is not a time)."""
    try:
        when = parse_timestamp(stamp) if stamp else None
    except ValueError:
        return ""
    if when is None:
        return ""
    seconds = max((now - when).total_seconds(), 0.0)
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} d"
