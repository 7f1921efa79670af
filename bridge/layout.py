"""What each sheet holds (ARCHITECTURE §6): the table's columns, the reviewer columns, the
worker's ``sync_status``; which columns are numbers, dates or long text."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.curate.datasets import CANDIDATES, PUBLISHED, STAGING
from pipeline.curate.schema_map import SchemaMap
from pipeline.schema import KEY

STATUS = "sync_status"
REVIEWER_COLUMNS = {
    CANDIDATES: ["decision", "reason"],
    STAGING: ["publish", "published_name"],
    PUBLISHED: [],
}
TABLES = (CANDIDATES, STAGING, PUBLISHED)
DEFAULT_TITLES = {CANDIDATES: "Candidates", STAGING: "Staging", PUBLISHED: "Published"}
LONG_TEXT = {
    "reasoning", "sources", "notes", "alternative_methods", "confidence_explanation",
    "Training compute notes", "Abstract", "Authors", "Accessibility notes",
    "Parameters notes", "Training dataset notes", "Dataset size notes",
    "Training time notes", "Finetune compute notes", "Task", "Reference",
}  # fmt: skip


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

    @property
    def header(self) -> list[str]:
        return [*self.columns, *self.reviewer, STATUS]

    @property
    def worker_only(self) -> frozenset[str]:
        """Cells reviewers may not change: the key, ``sync_status``, ``last_updated``."""
        return frozenset({self.key, STATUS, "last_updated"})

    def is_long(self, column: str) -> bool:
        return column in LONG_TEXT


def layouts(
    schema: SchemaMap, columns: dict[str, list[str]], titles: dict[str, str] | None = None
) -> dict[str, SheetLayout]:
    """Layouts of the three sheets; ``columns`` are each local file's columns."""
    titles = {**DEFAULT_TITLES, **(titles or {})}
    number_fields = [f for f in schema.fields if f.kind == "number"]
    date_fields = [f for f in schema.fields if f.kind == "date"]
    ours = {
        "numbers": frozenset(f.staging for f in number_fields),
        "dates": {f.staging: "iso" for f in date_fields},
    }
    theirs = {
        "numbers": frozenset(f.published for f in number_fields),
        "dates": {f.published: "published" for f in date_fields},
    }
    return {
        name: SheetLayout(
            table=name,
            title=titles[name],
            key=schema.key.published if name == PUBLISHED else KEY,
            columns=tuple(columns[name]),
            reviewer=tuple(REVIEWER_COLUMNS[name]),
            **(theirs if name == PUBLISHED else ours),  # type: ignore[arg-type]
        )
        for name in TABLES
    }
