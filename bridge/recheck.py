"""Just before a push writes: read again the sheets it updates or removes rows from (one
read per sync that writes; ARCHITECTURE §7). Neither API offers a conditional write, so a
cell a reviewer typed after the sync's read is found here: it is not written over, and
its base stays as it was, so the next sync reads it as a reviewer's edit (applied, or a
conflict). A row the push would remove that changed since the read stays. A workbook that
still holds exactly the bytes read (compared by digest) is not read again."""

from __future__ import annotations

from bridge.analysis import Analysis, Rows
from bridge.backends.base import Backend
from bridge.codec import same
from bridge.layout import STATUS
from bridge.model import SheetChanges, SheetData, SheetRow

MOVED = "rows of the {title} sheet moved or were deleted while the sync ran; the next sync writes"


def recheck(
    backend: Backend,
    changes: dict[str, SheetChanges],
    analyses: dict[str, Analysis],
    intended: dict[str, Rows],
) -> str | None:
    """Drop from ``changes`` every cell and removal a reviewer changed since the read, with
    ``intended`` (the base after the push) kept at the old base there. Why the push must
    wait instead (rows moved: the writes would land on other rows), or None."""
    tables = [t for t, c in changes.items() if c.updates or c.removals]
    if not tables:
        return None
    unchanged = getattr(backend, "unchanged_since_read", None)
    if unchanged is not None and unchanged():
        return None  # the same bytes as read (the workbook): no one typed since
    fresh = _read_again(backend, {t: changes[t] for t in tables})
    for table in tables:
        change, analysis = changes[table], analyses[table]
        now = {_where(row): row for row in fresh[table].rows}
        late: dict[str, set[str]] = {}
        updates = []
        for row, cells in change.updates:
            current = now.get(_where(row))
            if current is None or current.key != row.key:
                return MOVED.format(title=change.layout.title)
            typed = {c for c in cells if c != STATUS and _changed(change, c, row, current)}
            if row.key and typed:
                late.setdefault(row.key, set()).update(typed)
            kept = {c: v for c, v in cells.items() if c not in typed}
            if kept:
                updates.append((row, kept))
        change.updates = updates
        removals = []
        for row in change.removals:
            current = now.get(_where(row))
            if current is not None and any(
                _changed(change, c, row, current) for c in change.layout.header if c != STATUS
            ):
                if row.key in analysis.base:
                    intended[table][row.key] = analysis.base[row.key]
                continue
            removals.append(row)
        change.removals = removals
        _keep_bases(analysis, intended[table], late)
    return None


def _read_again(backend: Backend, changes: dict[str, SheetChanges]) -> dict[str, SheetData]:
    """The sheets again; a backend that reads records by id (Airtable) reads only the rows
    about to be written or removed."""
    read_rows = getattr(backend, "read_rows", None)
    if read_rows is None:
        return backend.read([c.layout for c in changes.values()])
    return {
        t: read_rows(c.layout, [row for row, _ in c.updates] + list(c.removals))
        for t, c in changes.items()
    }


def _where(row: SheetRow) -> object:
    """A row's address: the backend's reference where stable, else its position."""
    return row.ref if row.ref is not None else row.position


def _changed(change: SheetChanges, column: str, row: SheetRow, current: SheetRow) -> bool:
    return not same(change.layout, column, current.cells.get(column, ""), row.cells.get(column, ""))


def _keep_bases(analysis: Analysis, intended: Rows, late: dict[str, set[str]]) -> None:
    """A late-typed cell keeps its old base (or none), so the next sync sees the edit."""
    for key, columns in late.items():
        row = intended.get(key)
        if row is None:
            continue
        for column in columns:
            if analysis.has_base(key, column) and column in analysis.base.get(key, {}):
                row[column] = analysis.base[key][column]
            else:
                row.pop(column, None)
