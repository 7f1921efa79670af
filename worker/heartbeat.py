"""``data/state/worker.json``: the last cycle's start, end, result and counts, and the next
run; ``tracker health`` judges it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pipeline.storage.atomic import atomic_write_text
from pipeline.values import parse_timestamp

HEARTBEAT = "worker.json"


def heartbeat_path(state_dir: Path) -> Path:
    return state_dir / HEARTBEAT


def read_heartbeat(state_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads(heartbeat_path(state_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_heartbeat(state_dir: Path, **fields: Any) -> None:
    """Merge ``fields`` into the heartbeat (atomically)."""
    data = {**read_heartbeat(state_dir), **fields}
    atomic_write_text(heartbeat_path(state_dir), json.dumps(data, indent=2, sort_keys=True) + "\n")


@dataclass(frozen=True)
class Health:
    ok: bool
    reason: str


def judge(state_dir: Path, max_age: timedelta, now: datetime | None = None) -> Health:
    """Healthy when the last cycle succeeded and ended within ``max_age``."""
    beat = read_heartbeat(state_dir)
    now = now or datetime.now(UTC)
    path = heartbeat_path(state_dir)
    if not beat and path.exists():
        return Health(False, f"{path} cannot be read (damaged); the next cycle rewrites it")
    if not beat.get("last_end"):
        started = beat.get("last_start")
        if started:
            return Health(False, f"the first cycle, started {started}, has not finished")
        return Health(False, f"no cycle has run yet ({path} is missing)")
    try:
        ended = parse_timestamp(str(beat["last_end"]))
    except ValueError:
        return Health(False, f"unreadable heartbeat time {beat['last_end']!r}")
    assert ended is not None
    if beat.get("result") == "stopped":
        return Health(False, f"the last cycle was stopped before its end, at {beat['last_end']}")
    if beat.get("result") != "ok":
        return Health(
            False,
            f"the last cycle failed at {beat['last_end']}: {beat.get('message', '')}".rstrip(": "),
        )
    age = now - ended
    if age > max_age:
        hours = age.total_seconds() / 3600
        return Health(
            False, f"the last successful cycle ended {hours:.1f} h ago, at {beat['last_end']}"
        )
    return Health(True, f"ok: last cycle ended {beat['last_end']}")
