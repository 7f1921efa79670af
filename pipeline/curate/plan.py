"""Plans: typed changes computed by pure functions, rendered, approved, then applied.

A change names its table (``candidates``, ``below``, ...), the row key, and why. Nothing
here touches a file; :mod:`pipeline.curate.apply` does.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class AddRow:
    table: str
    key: str
    row: dict[str, str]
    reason: str


@dataclass(frozen=True)
class UpdateField:
    table: str
    key: str
    field: str
    old: str
    new: str
    reason: str


@dataclass(frozen=True)
class MoveRow:
    """Move a row between files; ``row`` is its content in the target."""

    source: str
    table: str
    key: str
    row: dict[str, str]
    reason: str


@dataclass(frozen=True)
class DropRow:
    table: str
    key: str
    reason: str


@dataclass(frozen=True)
class InvalidInput:
    """A problem found while planning: reported, never applied."""

    table: str
    key: str
    field: str
    value: str
    reason: str


Change = AddRow | UpdateField | MoveRow | DropRow | InvalidInput
WRITES = (AddRow, UpdateField, MoveRow, DropRow)


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)

    def add(self, change: Change) -> None:
        self.changes.append(change)

    @property
    def writes(self) -> list[Change]:
        return [c for c in self.changes if isinstance(c, WRITES)]

    @property
    def problems(self) -> list[InvalidInput]:
        return [c for c in self.changes if isinstance(c, InvalidInput)]

    def counts(self) -> Counter[str]:
        return Counter(type(c).__name__ for c in self.changes)

    def rows_touched(self, kind: type) -> set[str]:
        return {c.key for c in self.changes if isinstance(c, kind)}

    def __bool__(self) -> bool:
        return bool(self.writes)
