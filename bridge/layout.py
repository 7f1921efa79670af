"""What each sheet holds (ARCHITECTURE §6): the table's columns, the reviewer columns, the
worker's ``sync_status``; which columns are numbers, dates or long text; the order reviewers
see them in (decision first) and how wide and in which number format each is shown."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TypedDict

from pipeline.curate.datasets import CANDIDATES, PUBLISHED, STAGING
from pipeline.curate.schema_map import SchemaMap
from pipeline.schema import KEY

STATUS = "sync_status"
REVIEWER_COLUMNS: dict[str, list[str]] = {
    CANDIDATES: ["decision", "reason"],
    STAGING: ["publish", "published_name"],
    PUBLISHED: [],
}
TABLES: tuple[str, ...] = (CANDIDATES, STAGING, PUBLISHED)
DEFAULT_TITLES: dict[str, str] = {
    CANDIDATES: "Candidates",
    STAGING: "Staging",
    PUBLISHED: "Published",
}
LONG_TEXT = {
    "reasoning", "sources", "notes", "alternative_methods", "confidence_explanation",
    "Training compute notes", "Abstract", "Authors", "Accessibility notes",
    "Parameters notes", "Training dataset notes", "Dataset size notes",
    "Training time notes", "Finetune compute notes", "Task", "Reference",
}  # fmt: skip
PROBABILITY = "p_above_1e25"
# The columns a decision needs, before the reviewer columns (in the staging schema's names;
# the published sheet shows their published names).
DECIDING = ("developer", "training_flop", PROBABILITY, "threshold_classification")
SCIENTIFIC = {"training_flop", "Training compute (FLOP)"}
# sync_status texts that report, rather than ask for action (Outcome.invalid agrees).
QUIET_STATUSES = ("applied:", "restored:", "waiting:", "published:")
# Widths (characters) of the columns reviewers fill in or read the worker's answer in,
# and the widest any other column is shown; text wraps within its width.
FIXED_WIDTH = {STATUS: 34, "reason": 26, "decision": 9, "publish": 9, "published_name": 22}
MAX_WIDTH = {"threshold_classification": 28}
WRAPPED: set[str] = set()  # short columns clip rather than wrap: rows keep one height
KEY_WIDTH, LONG_WIDTH, TEXT_WIDTH, MIN_WIDTH = 32, 60, 24, 7


@dataclass(frozen=True)
class SheetLayout:
    """One table as a sheet. ``columns`` are the data columns, in the local file's order.
    The rest are the backend's limits: the longest text a cell holds, whether control
    characters (other than tab and newline) are refused, the significant digits and the
    decimals a number keeps, and whether number columns refuse text."""

    table: str
    title: str
    key: str
    columns: tuple[str, ...]
    reviewer: tuple[str, ...]
    numbers: frozenset[str] = field(default_factory=frozenset)
    dates: dict[str, str] = field(default_factory=dict)
    max_text: int | None = None
    plain_text: bool = False
    number_digits: int | None = None
    number_decimals: int | None = None
    typed_numbers: bool = False
    deletes_rows: bool = False
    front: tuple[str, ...] = ()

    @cached_property
    def header(self) -> list[str]:
        """Decision first: the key and the ``front`` columns, the reviewer columns and
        ``sync_status``, then the evidence columns in the local file's order."""
        first = [self.key, *(c for c in self.front if c in self.columns and c != self.key)]
        rest = [c for c in self.columns if c not in first]
        return [*first, *self.reviewer, STATUS, *rest]

    @property
    def worker_only(self) -> frozenset[str]:
        """Cells reviewers may not change: the key, ``sync_status``, ``last_updated``."""
        return frozenset({self.key, STATUS, "last_updated"})

    def is_long(self, column: str) -> bool:
        return column in LONG_TEXT

    def wraps(self, column: str) -> bool:
        """Whether a text cell wraps within its column's width."""
        return column in LONG_TEXT or column in WRAPPED

    def number_format(self, column: str) -> str | None:
        """How a number column is shown: ``scientific`` (1.2e+25), ``probability``
        (0.873) or ``grouped`` (405,000,000,000); None for other columns."""
        if column not in self.numbers:
            return None
        if column in SCIENTIFIC:
            return "scientific"
        return "probability" if column == PROBABILITY else "grouped"

    def widths(self, rows: list[dict[str, str]]) -> dict[str, int]:
        """Each column's width in characters: its longest line among ``rows`` (canonical
        cells), at least a short header's, capped; long text wraps within its cap."""
        widths = {}
        for column in self.header:
            kind = self.number_format(column)
            if column in FIXED_WIDTH:
                widths[column] = FIXED_WIDTH[column]
                continue
            if kind is not None:
                widths[column] = {"scientific": 13, "probability": 13}.get(kind, 17)
                continue
            cap = MAX_WIDTH.get(column) or (
                KEY_WIDTH if column == self.key else LONG_WIDTH if self.is_long(column)
                else TEXT_WIDTH
            )  # fmt: skip
            longest = _longest_line(rows, column, cap - 2)
            want = max(longest, min(len(column), 12), MIN_WIDTH) + 2
            widths[column] = min(cap, want)
        return widths


def _longest_line(rows: list[dict[str, str]], column: str, enough: int) -> int:
    """The length of the longest line of ``column`` among ``rows``, looked for until one
    reaches ``enough`` (a width is capped: longer changes nothing)."""
    longest = 0
    for row in rows:
        text = row.get(column, "")
        if len(text) > longest:
            size = max(map(len, text.split("\n"))) if "\n" in text else len(text)
            if size > longest:
                longest = size
                if longest >= enough:
                    break
    return longest


def asks_for_action(status: str) -> bool:
    """A ``sync_status`` a reviewer should act on (highlighted in the sheets)."""
    return bool(status) and not status.startswith(QUIET_STATUSES)


def action_formula(column: str) -> str:
    """A spreadsheet formula, for the first data row, true when ``column``'s status asks
    for action (conditional formatting follows sorting; the row number moves with it)."""
    cell = f"${column}2"
    quiet = ",".join(f'LEFT({cell},{len(p)})<>"{p}"' for p in QUIET_STATUSES)
    return f'AND({cell}<>"",{quiet})'


class _Side(TypedDict):
    """What a layout takes from its side of the schema map (staging or published names)."""

    numbers: frozenset[str]
    dates: dict[str, str]
    front: tuple[str, ...]


def layouts(
    schema: SchemaMap, columns: dict[str, list[str]], titles: dict[str, str] | None = None
) -> dict[str, SheetLayout]:
    """Layouts of the three sheets; ``columns`` are each local file's columns."""
    titles = {**DEFAULT_TITLES, **(titles or {})}
    number_fields = [f for f in schema.fields if f.kind == "number"]
    date_fields = [f for f in schema.fields if f.kind == "date"]
    published = {f.staging: f.published for f in schema.fields}
    ours: _Side = {
        "numbers": frozenset([*(f.staging for f in number_fields), PROBABILITY]),
        "dates": {f.staging: "iso" for f in date_fields},
        "front": DECIDING,
    }
    theirs: _Side = {
        "numbers": frozenset(f.published for f in number_fields),
        "dates": {f.published: "published" for f in date_fields},
        "front": tuple(published[c] for c in DECIDING if c in published),
    }
    return {
        name: SheetLayout(
            table=name,
            title=titles[name],
            key=schema.key.published if name == PUBLISHED else KEY,
            columns=tuple(columns[name]),
            reviewer=tuple(REVIEWER_COLUMNS[name]),
            **(theirs if name == PUBLISHED else ours),
        )
        for name in TABLES
    }
