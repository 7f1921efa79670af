"""Step 1-2 of the three-way merge (ARCHITECTURE §7): read the sheet against its base.

Reviewer edits are cells where the sheet (R) differs from the base (B). A cell that equals
the journal of an unfinished push is the worker's own write, not an edit. A cell without a
base (the state was lost, or a conflict on it waits) that differs from the local file is
not an edit: it is *unknown*, a conflict for the pull, or the local value where the
pipeline owns it. Rows without a key and keys on two rows are set aside; rows added or
deleted in the sheet are listed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bridge.codec import normal, same_normal
from bridge.layout import STATUS, SheetLayout
from bridge.model import SheetData, SheetRow
from pipeline.curate.datasets import PUBLISHED
from pipeline.schema import is_verified

Rows = dict[str, dict[str, str]]


@dataclass(frozen=True)
class Edit:
    key: str
    column: str
    old: str
    new: str


@dataclass
class Analysis:
    layout: SheetLayout
    sheet: SheetData
    rows: dict[str, SheetRow] = field(default_factory=dict)
    base: Rows = field(default_factory=dict)
    edits: dict[str, dict[str, Edit]] = field(default_factory=dict)
    reverted: dict[str, list[str]] = field(default_factory=dict)
    duplicates: dict[str, list[SheetRow]] = field(default_factory=dict)
    keyless: list[SheetRow] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    leaving: list[str] = field(default_factory=list)
    intended: Rows = field(default_factory=dict)
    first_sync: bool = False
    unknown: dict[str, set[str]] = field(default_factory=dict)
    baseless: list[str] = field(default_factory=list)

    def edited(self, key: str, column: str) -> Edit | None:
        return self.edits.get(key, {}).get(column)

    def has_base(self, key: str, column: str) -> bool:
        """Whether a base tells which side changed this cell (else: a conflict)."""
        return column not in self.unknown.get(key, ())


def pipeline_owned(layout: SheetLayout, local: dict[str, str]) -> bool:
    """A row whose cells the pipeline writes: an unverified candidate or staging row. Where
    the base is unknown, its local values win (nothing a reviewer confirmed is at stake)."""
    return layout.table != PUBLISHED and not is_verified(local)


def effective_base(layout: SheetLayout, row: SheetRow | None, base: dict[str, str] | None,
                   intended: dict[str, str] | None) -> dict[str, str] | None:  # fmt: skip
    """The base of one row: a cell that equals the journal is our own write."""
    if base is None and intended is None:
        return None
    merged = dict(base or {})
    if intended is not None:
        for column, value in intended.items():
            if row is None or row.cells.get(column, "") == value or column not in merged:
                merged[column] = value
    return merged


def _renamed(layout: SheetLayout, row: SheetRow, base: dict[str, str], refs: dict[str, object],
             old_key: str) -> bool:  # fmt: skip
    """A row whose key a reviewer changed: same record, or the same data under a new key."""
    if refs.get(old_key) is not None and refs.get(old_key) == row.ref:
        return True
    data = [c for c in layout.columns if c != layout.key]
    return bool(base) and all(
        normal(layout, c, row.cells.get(c, "")) == normal(layout, c, base.get(c, "")) for c in data
    )


def analyse(
    layout: SheetLayout,
    sheet: SheetData,
    base: Rows,
    journal: Rows | None = None,
    refs: dict[str, object] | None = None,
    local: Rows | None = None,
) -> Analysis:
    """Compare the sheet with its base; ``journal`` is an unfinished push's intended rows,
    ``refs`` the backend's row references (Airtable record ids) by key, where known.

    A row that is in the sheet and in the local table but has no base (the state was lost,
    or a duplicate key was just resolved) has unknown data cells: a cell that differs from
    the local one is never read as a reviewer's edit (see :func:`_unknown`)."""
    intended = journal or {}
    known = _Known(base, intended, refs or {}, local or {}, header=frozenset(layout.header))
    result = Analysis(layout, sheet, intended=intended, first_sync=not base and not intended)
    by_key, keyless = _rows_by_key(sheet)
    known.gone = [k for k in base if k not in by_key and (journal is None or k in intended)]
    for row in keyless:  # a cleared key: find whose row it is, and restore the key in place
        old = known.renamed_from(layout, row)
        if old is None:
            result.keyless.append(row)
        else:
            by_key[old] = [row]
    for key, rows in by_key.items():
        if len(rows) > 1:
            result.duplicates[key] = rows
        elif journal is not None and key in base and key not in intended:
            _leaving(result, key, rows[0])
        else:
            _row(result, key, rows[0], known)
    for key in known.gone:
        result.deleted.append(key)
        result.base[key] = base[key]
    return result


@dataclass
class _Known:
    """What a sheet is read against: the base, an unfinished push's rows, the backend's
    row references, the local rows, and the base's keys no sheet row has (yet)."""

    base: Rows
    intended: Rows
    refs: dict[str, object]
    local: Rows
    gone: list[str] = field(default_factory=list)
    header: frozenset[str] = frozenset()  # the layout's columns

    def renamed_from(self, layout: SheetLayout, row: SheetRow) -> str | None:
        """The gone key whose row this is (its key cleared or changed), taken off
        ``gone``; or None."""
        mine = (k for k in self.gone if _renamed(layout, row, self.base[k], self.refs, k))
        old = next(mine, None)
        if old is not None:
            self.gone.remove(old)
        return old


def _rows_by_key(sheet: SheetData) -> tuple[dict[str, list[SheetRow]], list[SheetRow]]:
    """The sheet's rows by key, and the rows without a key that hold something."""
    by_key: dict[str, list[SheetRow]] = {}
    keyless = []
    for row in sheet.rows:
        if not row.key.strip():
            if any(v.strip() for c, v in row.cells.items() if c != STATUS):
                keyless.append(row)
            continue
        by_key.setdefault(row.key, []).append(row)
    return by_key, keyless


def _leaving(result: Analysis, key: str, row: SheetRow) -> None:
    """A row the interrupted push was removing: it is ours, not an edit."""
    result.rows[key] = row
    result.base[key] = {c: normal(result.layout, c, v) for c, v in row.cells.items()}
    result.leaving.append(key)


def _row(result: Analysis, key: str, row: SheetRow, known: _Known) -> None:
    """One sheet row against its base: added, renamed, without a base, or compared."""
    layout = result.layout
    row_base = effective_base(layout, row, known.base.get(key), known.intended.get(key))
    if row_base is None and key in known.local:
        row_base = {c: "" for c in layout.reviewer}  # no base: data cells are unknown
        result.baseless.append(key)
    if row_base is None:
        old = known.renamed_from(layout, row)
        if old is None:
            result.rows[key] = row
            result.added.append(key)
            return
        key, row_base = old, known.base[old]  # a renamed key: the row is the old key's
    result.rows[key] = row
    result.base[key] = row_base
    if row.cells == row_base and row_base.keys() >= known.header:
        return  # every cell as its base (an idle sync's rows): nothing to compare
    for column in layout.header:
        if column == STATUS or (result.sheet.exists and column not in result.sheet.header):
            continue  # a column missing from the sheet is put back by the push, not cleared
        raw, old_value = row.cells.get(column, ""), row_base.get(column)
        if old_value is None and column in layout.columns and key in known.local:
            _unknown(result, key, column, raw, known.local[key])
        else:
            _compare(result, key, column, raw, old_value or "")


def _compare(result: Analysis, key: str, column: str, raw: str, old: str) -> None:
    """A cell against its base: unchanged, a worker-only cell to restore, or an edit."""
    if raw == old:
        return  # a base is in normal form, and normal() keeps it so
    layout = result.layout
    new, old = normal(layout, column, raw), normal(layout, column, old)
    if same_normal(layout, column, new, old):
        return
    if column in layout.worker_only:
        result.reverted.setdefault(key, []).append(column)
    else:
        result.edits.setdefault(key, {})[column] = Edit(key, column, old, new)


def _unknown(result: Analysis, key: str, column: str, raw: str, local: dict[str, str]) -> None:
    """A cell no base covers: equal to the local value, nothing to do; the local value where
    the pipeline owns it or the worker does (the push writes it); else an unknown edit."""
    layout = result.layout
    new, mine = normal(layout, column, raw), normal(layout, column, local.get(column, ""))
    if same_normal(layout, column, new, mine):
        return
    if column in layout.worker_only or pipeline_owned(layout, local):
        return
    result.edits.setdefault(key, {})[column] = Edit(key, column, mine, new)
    result.unknown.setdefault(key, set()).add(column)
