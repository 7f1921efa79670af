"""A write-ahead journal for applying plans that touch several files.

Before the first write, the plan and the files it touches are saved to
``data/state/apply_journal.json``; after the last write the journal is removed. If a run
dies in between, the next command that opens the datasets replays the journal first.
Applying is idempotent, so the replay converges: no duplicate rows, no duplicate notes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.curate.plan import Plan, from_json, json_view
from pipeline.errors import InputError
from pipeline.storage.atomic import atomic_write_parts
from pipeline.storage.csvtable import CsvTable
from pipeline.storage.jsontext import encode

JOURNAL = "apply_journal.json"


def journal_path(state_dir: Path) -> Path:
    return state_dir / JOURNAL


def pending_note(state_dir: Path) -> str | None:
    """For commands that only read: a line saying an interrupted change is waiting."""
    path = journal_path(state_dir)
    if not path.exists():
        return None
    return (
        f"note: {path}: an interrupted change is waiting; the next command that writes data"
        " finishes it (shown here: the files as they are now)"
    )


@dataclass
class Pending:
    """An interrupted apply: its plan, tables, time, and the history lines it will add."""

    plan: Plan
    tables: dict[str, CsvTable]
    stamp: str
    history: list[dict[str, Any]] = field(default_factory=list)
    id: str = ""


def changes_json(plan: Plan) -> bytes:
    """The plan's writes as a JSON array: serialised once per apply, for its identity and
    its journal."""
    return encode([json_view(change) for change in plan.writes])


def write_journal(
    state_dir: Path,
    plan: Plan,
    tables: dict[str, CsvTable],
    stamp: str,
    history: list[dict[str, Any]] | None = None,
    apply_id: str = "",
    changes: bytes | None = None,
) -> None:
    """Save the plan (``changes``: its :func:`changes_json`, when already made) and the
    tables it touches."""
    entry = {
        "id": apply_id,
        "history": history or [],
        "stamp": stamp,
        "tables": {
            name: {"path": str(t.path.resolve()), "key": t.key_column, "columns": t.columns}
            for name, t in tables.items()
        },
    }
    changes = changes_json(plan) if changes is None else changes
    head = encode(entry)[:-1]  # the object without its closing brace: "changes" comes last
    atomic_write_parts(journal_path(state_dir), [head, b',"changes":', changes, b"}\n"])


def clear_journal(state_dir: Path) -> None:
    journal_path(state_dir).unlink(missing_ok=True)


DAMAGED = "damaged journal of an interrupted run; inspect and delete it"


def pending(state_dir: Path) -> Pending | None:
    """The interrupted apply, or None."""
    path = journal_path(state_dir)
    try:
        entry: Any = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InputError(DAMAGED, file=path) from None
    try:
        plan = Plan([from_json(change) for change in entry["changes"]])
        specs = {
            name: (spec["path"], spec["key"], spec["columns"])
            for name, spec in entry["tables"].items()
        }
        stamp = str(entry["stamp"])
        lines, apply_id = list(entry.get("history", [])), str(entry.get("id", ""))
    except (KeyError, TypeError, ValueError, AttributeError):
        raise InputError(DAMAGED, file=path) from None
    tables = {name: CsvTable.read(p, key, columns) for name, (p, key, columns) in specs.items()}
    return Pending(plan, tables, stamp, lines, apply_id)
