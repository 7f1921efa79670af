"""Each source's last outcome (``state/sources.json``): the day it last succeeded, the
day it was last tried, and why it failed, for ``tracker sources``. Days, not times, so a
second collection on the same day with the same outcome leaves the file untouched."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from pipeline.storage.atomic import write_if_changed

FILE = "sources.json"


class Outcome(Protocol):
    name: str
    ok: bool
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


def record_outcomes(state_dir: Path, results: Iterable[Outcome], today: str) -> None:
    """Add this collection's outcomes (on ``today``, YYYY-MM-DD) to the file, atomically
    and only if they change it."""
    outcomes = read_outcomes(state_dir)
    now = today
    for result in results:
        entry = outcomes.setdefault(result.name, {})
        entry["last_attempt"] = now
        if result.ok:
            entry.update(last_success=now, last_error="")
        else:
            entry["last_error"] = result.error
    state_dir.mkdir(parents=True, exist_ok=True)
    text = json.dumps(outcomes, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    write_if_changed(state_dir / FILE, text.encode("utf-8"))


def age(day: str, today: date) -> str:
    """``today``, ``1 day ago``, ``12 days ago`` (empty when ``day`` is not a date)."""
    try:
        when = date.fromisoformat(day)
    except ValueError:
        return ""
    days = (today - when).days
    return "today" if days <= 0 else f"{days} day{'' if days == 1 else 's'} ago"
