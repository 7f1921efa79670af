"""Plans: typed changes computed by pure functions, rendered, approved, then applied.

Every change names its table (``candidates``, ``below``, ``staging``, ``published``), the
row key and why; ``field``, ``old`` and ``new`` say what it does to a cell where that
applies. Nothing here touches a file: :mod:`pipeline.curate.apply` does.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar


@dataclass(frozen=True)
class AddRow:
    table: str
    key: str
    row: dict[str, str]
    reason: str
    field: ClassVar[str] = ""
    old: ClassVar[str] = ""

    @property
    def new(self) -> str:
        return "(new row)"


@dataclass(frozen=True)
class _CellChange:
    """A change that names one cell: what it holds (``old``) and what it would hold."""

    table: str
    key: str
    field: str
    old: str
    new: str
    reason: str


@dataclass(frozen=True)
class _RowChange:
    """A change to a whole row: it names no cell."""

    table: str
    key: str
    reason: str
    field: ClassVar[str] = ""
    old: ClassVar[str] = ""
    new: ClassVar[str] = ""


@dataclass(frozen=True)
class UpdateField(_CellChange):
    """Set one cell of a row."""


@dataclass(frozen=True)
class MoveRow:
    """Move a row between files; ``row`` is its content in the target."""

    source: str
    table: str
    key: str
    row: dict[str, str]
    reason: str
    field: ClassVar[str] = ""

    @property
    def old(self) -> str:
        return self.source

    @property
    def new(self) -> str:
        return self.table


@dataclass(frozen=True)
class DropRow(_RowChange):
    """Remove a row from its file."""


@dataclass(frozen=True)
class AppendNote:
    """Append ``note`` (``[timestamp] text``) to a notes cell, unless its text is there."""

    table: str
    key: str
    field: str
    note: str
    reason: str
    old: ClassVar[str] = ""

    @property
    def new(self) -> str:
        return self.note


@dataclass(frozen=True)
class MarkVerified(_RowChange):
    field: ClassVar[str] = "verified"
    new: ClassVar[str] = "y"


@dataclass(frozen=True)
class Conflict(_CellChange):
    """Both sides changed one cell to different values: neither is overwritten."""


@dataclass(frozen=True)
class BlockedByVerified(_CellChange):
    """Automation wanted to change a verified row."""


@dataclass(frozen=True)
class BlockedByUnmapped(_RowChange):
    """A row that needs a name mapping to go further."""


@dataclass(frozen=True)
class InvalidInput:
    """A problem found while planning: reported, never applied."""

    table: str
    key: str
    field: str
    value: str
    reason: str
    new: ClassVar[str] = ""

    @property
    def old(self) -> str:
        return self.value


Change = (
    AddRow | UpdateField | MoveRow | DropRow | AppendNote | MarkVerified | Conflict
    | BlockedByVerified | BlockedByUnmapped | InvalidInput
)  # fmt: skip
WRITES = (AddRow, UpdateField, MoveRow, DropRow, AppendNote, MarkVerified)
KINDS: dict[str, type] = {
    cls.__name__: cls
    for cls in (AddRow, UpdateField, MoveRow, DropRow, AppendNote, MarkVerified, Conflict,
                BlockedByVerified, BlockedByUnmapped, InvalidInput)
}  # fmt: skip


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(kind: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(kind)
    if names is None:
        names = _FIELD_NAMES[kind] = tuple(spec.name for spec in fields(kind))
    return names


def to_json(change: Change) -> dict[str, Any]:
    """The change as JSON data. Fields hold only text and flat dicts of text, so a shallow
    copy is exact (``dataclasses.asdict`` deep-copies and costs ~30x more)."""
    data: dict[str, Any] = {"kind": type(change).__name__}
    for name in _field_names(type(change)):
        value = getattr(change, name)
        data[name] = dict(value) if isinstance(value, dict) else value
    return data


def json_view(change: Change) -> dict[str, Any]:
    """:func:`to_json` without its copies, for a change encoded at once: its kind, then its
    fields as the change holds them (a frozen dataclass keeps exactly its fields, in order,
    in its ``__dict__``)."""
    return {"kind": type(change).__name__, **vars(change)}


def from_json(data: dict[str, Any]) -> Change:
    values = dict(data)
    return KINDS[values.pop("kind")](**values)


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)

    def add(self, change: Change) -> None:
        self.changes.append(change)

    def extend(self, changes: list[Change]) -> None:
        self.changes.extend(changes)

    @property
    def writes(self) -> list[Change]:
        return [c for c in self.changes if isinstance(c, WRITES)]

    @property
    def problems(self) -> list[InvalidInput]:
        return [c for c in self.changes if isinstance(c, InvalidInput)]

    def of(self, *kinds: type) -> list[Change]:
        return [c for c in self.changes if isinstance(c, kinds)]

    def counts(self) -> Counter[str]:
        return Counter(type(c).__name__ for c in self.changes)

    def rows_touched(self, kind: type) -> set[str]:
        return {c.key for c in self.changes if isinstance(c, kind)}

    def by_row(self) -> dict[tuple[str, str], list[Change]]:
        """Changes grouped by (table, key), in plan order: the unit of approval."""
        groups: dict[tuple[str, str], list[Change]] = {}
        for change in self.changes:
            groups.setdefault((change.table, change.key), []).append(change)
        return groups

    def __bool__(self) -> bool:
        return bool(self.writes)


def merge_cell(
    table: str,
    key: str,
    column: str,
    *,
    old: str,
    theirs: str,
    base: str | None,
    verified: bool,
    conflict: str,
    why: str,
    local: str | None = None,
) -> UpdateField | Conflict | None:
    """The one merge rule for a cell another side (a sheet, the other dataset) holds as
    ``theirs``, where the local cell is ``old`` (``local``: its normal form, when values
    are compared in one).

    None when the local cell already holds their value. Their value is taken
    (UpdateField) when only they changed the cell (the local value is the ``base``), or
    when the row is unverified and a base is known (a human's value wins over
    automation's). Otherwise a Conflict whose reason (``conflict``) names the command that
    resolves it: both sides changed a verified row, or no base tells which side changed."""
    mine = old if local is None else local
    if mine == theirs:
        return None
    if base is not None and (mine == base or not verified):
        return UpdateField(table, key, column, old, theirs, why)
    return Conflict(table, key, column, mine, theirs, conflict)
