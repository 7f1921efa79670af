"""Showing a plan: a rich table of its changes, one line per row touched."""

from __future__ import annotations

from collections import defaultdict

from rich.console import Console
from rich.table import Table

from pipeline.curate.plan import AddRow, Change, DropRow, InvalidInput, MoveRow, Plan, UpdateField

WIDTH = 40


def short(value: str, width: int = WIDTH) -> str:
    value = value.replace("\n", " ")
    return value if len(value) <= width else value[: width - 1] + "…"


def describe(change: Change) -> tuple[str, str]:
    """(what, detail) of one change."""
    if isinstance(change, AddRow):
        flop = change.row.get("training_flop", "")
        return "add", f"{flop} {change.row.get('threshold_classification', '')}".strip()
    if isinstance(change, MoveRow):
        return f"move {change.source} -> {change.table}", change.reason
    if isinstance(change, DropRow):
        return "drop", change.reason
    if isinstance(change, UpdateField):
        return "update", f"{change.field}: {short(change.old) or '∅'} -> {short(change.new) or '∅'}"
    assert isinstance(change, InvalidInput)
    return "invalid", f"{change.field}: {short(change.value)}: {change.reason}"


def render_plan(plan: Plan, out: Console, title: str = "Plan") -> None:
    if not plan.changes:
        out.print("No changes.")
        return
    grouped: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for change in plan.changes:
        what, detail = describe(change)
        grouped[(change.table, change.key, what)].append(detail)
    table = Table(title=title, show_lines=False)
    for column in ("table", "model", "change", "detail"):
        table.add_column(column, overflow="fold")
    for (name, key, what), details in grouped.items():
        table.add_row(name, key, what, "\n".join(details))
    out.print(table)
    counts = plan.counts()
    out.print(", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())))
