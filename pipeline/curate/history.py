"""History: every change applied to the datasets, one JSON line each, in
``data/state/history.jsonl`` (time, source — pipeline, cli or sheet —, table, key, field,
old, new). ``tracker history MODEL`` reads it back."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline.storage.jsontext import encode

HISTORY = "history.jsonl"


def record(
    state_dir: Path, entries: list[dict[str, Any]], unless_recorded: str | None = None
) -> None:
    """Append entries; each line is written whole (O_APPEND), so readers never see half.
    ``unless_recorded``: skip if the history already holds that apply's lines (a replay)."""
    if not entries:
        return
    if unless_recorded and any(e.get("apply") == unless_recorded for e in read(state_dir)):
        return
    state_dir.mkdir(parents=True, exist_ok=True)
    data = _lines(entries)
    handle = os.open(state_dir / HISTORY, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o666)
    try:
        os.write(handle, data)
    finally:
        os.close(handle)


def entries(changes: list[Any], stamp: str, source: str, apply_id: str) -> list[dict[str, str]]:
    """The history lines of the changes one apply (``apply_id``) made at ``stamp``."""
    return [
        {"time": stamp, "source": source, "change": type(c).__name__, "table": c.table,
         "key": c.key, "field": c.field, "old": c.old, "new": c.new, "reason": c.reason,
         "apply": apply_id}
        for c in changes
    ]  # fmt: skip


def _lines(entries: list[dict[str, Any]]) -> bytes:
    """One JSON line per entry. Entries that all begin with their time, as an apply writes
    them, are encoded in one step as an array whose separators become line ends: a ``"``
    inside a text is escaped, so ``},{"time":`` is found only between two entries (were it
    found anywhere else, there would be more than one fewer than the entries)."""
    array = encode(entries)
    if all(next(iter(entry), None) == "time" for entry in entries):
        lines = array[1:-1].replace(b'},{"time":', b'}\n{"time":')
        if lines.count(b"\n") == len(entries) - 1:
            return lines + b"\n"
    return b"".join(encode(entry) + b"\n" for entry in entries)


def read(state_dir: Path) -> Iterator[dict[str, Any]]:
    """Every entry, skipping a line a crash may have cut short."""
    try:
        lines = (state_dir / HISTORY).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict):
            yield entry


def of_model(state_dir: Path, names: set[str]) -> list[dict[str, Any]]:
    return [e for e in read(state_dir) if e.get("key") in names]
