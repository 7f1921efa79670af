"""A write-ahead journal for applying plans that touch several files.

Before the first write, the plan and the files it touches are saved to
``data/state/apply_journal.json``; after the last write the journal is removed. If a run
dies in between, the next command that opens the datasets replays the journal first.
Applying is idempotent, so the replay converges: no duplicate rows, no duplicate notes.

Rows new to their tables (a build from nothing adds every row) are saved compactly: each
table's new rows as the CSV text its file will hold (rendered once, for the journal and
the file alike), their AddRows without their cells; and the history lines as the indices
of the writes that changed something, made again from the plan on replay. A journal of the
earlier layout (every AddRow with its cells, the history lines in full) is read as well.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.curate import history
from pipeline.curate.plan import AddRow, Change, Plan, from_json, json_view
from pipeline.errors import InputError
from pipeline.storage.atomic import atomic_write_parts
from pipeline.storage.csvtable import CsvTable, parse_text
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


def changes_json(plan: Plan, fresh: Collection[int] = ()) -> bytes:
    """The plan's writes as a JSON array: serialised once per apply, for its identity and
    its journal. The AddRows at the indices ``fresh`` (of rows new to their tables, whose
    text the journal's ``rows`` holds) name their row without its cells."""
    return encode(
        [
            {"kind": "AddRow", "table": c.table, "key": c.key, "reason": c.reason}
            if index in fresh and isinstance(c, AddRow)
            else json_view(c)
            for index, c in enumerate(plan.writes)
        ]
    )


@dataclass
class Compact:
    """What an apply saves in place of the new rows' cells and of its history lines: each
    table's new rows as CSV text, header first (``rows``: a JSON object, encoded), and which
    writes changed something (``done``, indices into the plan's writes) from ``source``."""

    rows: bytes
    done: list[int]
    source: str


def write_journal(
    state_dir: Path,
    plan: Plan,
    tables: dict[str, CsvTable],
    stamp: str,
    history: list[dict[str, Any]] | None = None,
    apply_id: str = "",
    changes: bytes | None = None,
    compact: Compact | None = None,
) -> None:
    """Save the plan (``changes``: its :func:`changes_json`, when already made) and the
    tables it touches; with ``compact``, the new rows and the history as it says (then
    ``changes`` leaves out the cells of those rows)."""
    entry: dict[str, Any] = {"id": apply_id, "stamp": stamp}
    if compact is None:
        entry["history"] = history or []
    else:
        entry |= {"source": compact.source, "done": compact.done}
    entry["tables"] = {
        name: {"path": str(t.path.resolve()), "key": t.key_column, "columns": t.columns}
        for name, t in tables.items()
    }
    changes = changes_json(plan) if changes is None else changes
    head = encode(entry)[:-1]  # the object without its closing brace: the rest comes last
    rows = [b',"rows":', compact.rows] if compact is not None else []
    parts = [head, *rows, b',"changes":', changes, b"}\n"]
    atomic_write_parts(journal_path(state_dir), parts)


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
        specs = {
            name: (spec["path"], spec["key"], spec["columns"])
            for name, spec in entry["tables"].items()
        }
        rows = _new_rows(path, entry.get("rows", {}), {n: s[1] for n, s in specs.items()})
        plan = Plan([_change(change, rows) for change in entry["changes"]])
        stamp = str(entry["stamp"])
        apply_id = str(entry.get("id", ""))
        if "done" in entry:
            writes = plan.writes
            done = [writes[index] for index in entry["done"]]
            lines = history.entries(done, stamp, str(entry["source"]), apply_id)
        else:
            lines = list(entry.get("history", []))
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, InputError):
        raise InputError(DAMAGED, file=path) from None
    tables = {name: CsvTable.read(p, key, columns) for name, (p, key, columns) in specs.items()}
    return Pending(plan, tables, stamp, lines, apply_id)


def _new_rows(
    path: Path, texts: dict[str, str], keys: dict[str, str]
) -> dict[str, dict[str, dict[str, str]]]:
    """The new rows the journal holds as CSV text: by table, then by key."""
    rows: dict[str, dict[str, dict[str, str]]] = {}
    for name, text in texts.items():
        key = keys[name]
        rows[name] = {record.cells[key]: record.cells for record in parse_text(path, text).records}
    return rows


def _change(data: dict[str, Any], rows: dict[str, dict[str, dict[str, str]]]) -> Change:
    """A change as the journal holds it; an AddRow without cells takes its row's."""
    if data.get("kind") == "AddRow" and "row" not in data:
        return AddRow(data["table"], data["key"], rows[data["table"]][data["key"]], data["reason"])
    return from_json(data)
