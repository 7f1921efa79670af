"""Applying a plan: in memory, then atomic writes in two phases, under a journal.

Phase 1 makes every addition, update, note and verification, including the arriving half
of each move, and saves every changed file. Phase 2 removes moved and dropped rows and saves
again. A crash between two writes therefore leaves a moved row in both files, never in
neither; with a journal (``state_dir``), the next command replays the plan and converges.
Applying the same plan twice changes nothing the second time: ``last_updated`` is stamped
only on rows whose cells changed, and a note whose text is already there is not added.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from pipeline.curate import history
from pipeline.curate.journal import (
    Compact,
    Pending,
    changes_json,
    clear_journal,
    journal_path,
    pending,
    write_journal,
)
from pipeline.curate.notes import appended
from pipeline.curate.plan import (
    AddRow,
    AppendNote,
    Change,
    DropRow,
    MarkVerified,
    MoveRow,
    Plan,
    UpdateField,
)
from pipeline.errors import WriteInterrupted, os_error_message
from pipeline.schema import VERIFIED
from pipeline.storage.csvtable import CsvTable
from pipeline.storage.jsontext import encode
from pipeline.storage.lock import LockBusy, data_lock


def _upsert(table: CsvTable, key: str, row: dict[str, str]) -> bool:
    """Add the row, or set its cells; whether anything changed."""
    if key not in table:
        columns = set(table.columns)
        table.add_row({column: value for column, value in row.items() if column in columns})
        return True
    changed = [table.set_cell(key, c, v) for c, v in row.items() if c in table.columns]
    return any(changed)


def _arrive(change: MoveRow, tables: dict[str, CsvTable]) -> bool:
    """The moved row in its target, keeping cells of columns only the source has."""
    source, target = tables[change.source], tables[change.table]
    row = dict(change.row)
    if change.key in source:
        target.add_columns([c for c in source.columns if c not in target.columns])
        row = {**source.get(change.key), **row}
    return _upsert(target, change.key, row)


def _apply_one(change: Change, tables: dict[str, CsvTable]) -> bool:
    table = tables[change.table]
    if isinstance(change, AddRow):
        table.add_columns([column for column in change.row if column not in table.columns])
        return _upsert(table, change.key, change.row)
    if isinstance(change, MoveRow):
        return _arrive(change, tables)
    if change.key not in table:
        return False
    if isinstance(change, UpdateField):
        return table.set_cell(change.key, change.field, change.new)
    if isinstance(change, AppendNote):
        note = appended(table.cell(change.key, change.field), change.note)
        return table.set_cell(change.key, change.field, note)
    if isinstance(change, MarkVerified):
        return table.set_cell(change.key, "verified", VERIFIED)
    return False


def _save_all(tables: dict[str, CsvTable], writes: list[Change]) -> list[str]:
    """Save what changed; a table with no file, no rows and no change stays unwritten."""
    touched = {c.table for c in writes} | {c.source for c in writes if isinstance(c, MoveRow)}
    return [
        name
        for name, table in tables.items()
        if (name in touched or table.rows or table.original is not None) and table.save()
    ]


def _added(change: AddRow, table: CsvTable, stamp: str) -> None:
    """A row new to its table, added in one step (its columns, then its cells, stamped)."""
    cells = table.add_row(change.row, widen=True)
    if "last_updated" in cells:
        cells["last_updated"] = stamp


def _arrivals(
    writes: list[Change], tables: dict[str, CsvTable], stamp: str, fresh: list[int] | None = None
) -> list[Change]:
    """Phase 1 in memory: everything but the removals; the changes that changed a cell
    (``fresh``, when given, gets the indices of the AddRows of rows new to their table)."""
    done: list[Change] = []
    for index, change in enumerate(writes):
        if isinstance(change, DropRow):
            continue
        table = tables[change.table]
        if isinstance(change, AddRow) and change.key not in table.rows:
            _added(change, table, stamp)
            done.append(change)
            if fresh is not None:
                fresh.append(index)
        elif _apply_one(change, tables):
            done.append(change)
            if "last_updated" in table.columns:
                table.set_cell(change.key, "last_updated", stamp)
    return done


def _departures(writes: list[Change], tables: dict[str, CsvTable]) -> set[str]:
    """Phase 2 in memory: the leaving half of moves, and drops; the tables they changed."""
    changed: set[str] = set()
    for change in writes:
        if isinstance(change, MoveRow | DropRow):
            name = change.source if isinstance(change, MoveRow) else change.table
            if change.key in tables[name]:
                tables[name].remove_row(change.key)
                changed.add(name)
    return changed


def _identity(stamp: str, *parts: bytes) -> str:
    """Names one apply (its history lines), the same for the same plan (``parts``, what its
    journal holds of it) at the same time."""
    digest = hashlib.sha1(f"{stamp}\n".encode())
    for part in parts:
        digest.update(part)
    return digest.hexdigest()[:16]


def _compact(
    writes: list[Change],
    fresh: list[int],
    tables: dict[str, CsvTable],
    done: list[Change],
    source: str,
) -> tuple[Compact, set[int]]:
    """The journal's new rows (each table's as CSV text, rendered for its file too) and its
    history (the indices of ``done``); the indices of the AddRows whose rows it holds."""
    keys: dict[str, list[str]] = {}
    for index in fresh:
        keys.setdefault(writes[index].table, []).append(writes[index].key)
    texts = {name: tables[name].text_of(names) for name, names in keys.items()}
    rows = {name: text for name, text in texts.items() if text is not None}
    held = {index for index in fresh if writes[index].table in rows}
    position = {id(change): index for index, change in enumerate(writes)}
    done_at = [position[id(change)] for change in done]
    return Compact(encode(rows), done_at, source), held


def preview(plan: Plan, tables: dict[str, CsvTable], stamp: str) -> None:
    """Apply ``plan`` to the tables in memory only (for dry runs that plan in steps)."""
    writes = plan.writes
    _arrivals(writes, tables, stamp)
    _departures(writes, tables)


def apply_plan(
    plan: Plan,
    tables: dict[str, CsvTable],
    stamp: str,
    state_dir: Path | None = None,
    source: str = "cli",
    replay: Pending | None = None,
) -> list[str]:
    """Apply ``plan`` and write the tables; the names of the files written. With a
    ``state_dir``, under the journal; every change that changed something goes to the
    history with its ``source`` (pipeline, cli, sheet), once, after the last write."""
    writes = plan.writes
    if not writes:
        return _save_all(tables, writes)
    fresh: list[int] = []
    done = _arrivals(writes, tables, stamp, fresh)
    done += [c for c in writes if isinstance(c, DropRow) and c.key in tables[c.table]]
    lines: list[dict[str, str]] = []
    if replay is not None:  # its journal, already there, says it all
        lines = replay.history
    elif state_dir is not None:
        compact, held = _compact(writes, fresh, tables, done, source)
        changes = changes_json(plan, held)
        apply_id = _identity(stamp, changes, compact.rows)
        write_journal(state_dir, plan, tables, stamp, None, apply_id, changes, compact)
        del changes, compact  # as large as the plan: not held while the tables are written
        lines = history.entries(done, stamp, source, apply_id)
    try:
        written = _save_all(tables, writes)
        departed = _departures(writes, tables)
        written += _save_all({n: t for n, t in tables.items() if n in departed}, writes)
    except OSError as exc:
        if state_dir is None:
            raise
        raise WriteInterrupted(
            f"{os_error_message(exc)}; the rest of this change waits in"
            f" {journal_path(state_dir)} and the next command that opens the datasets"
            " finishes it"
        ) from exc
    if state_dir is not None:
        history.record(state_dir, lines, unless_recorded=replay.id if replay else None)
        clear_journal(state_dir)
    return list(dict.fromkeys(written))


def recover(state_dir: Path) -> list[str]:
    """Finish the plan of an interrupted run, if any; the names of the files written.

    A journal is only interrupted when nobody holds the data lock: while another process
    holds it, the plan is that process's own, still being applied, and is left to it."""
    if pending(state_dir) is None:
        return []
    try:
        with data_lock(state_dir, "recover an interrupted change"):
            entry = pending(state_dir)
            if entry is None:
                return []
            return apply_plan(entry.plan, entry.tables, entry.stamp, state_dir, replay=entry)
    except LockBusy:
        return []
