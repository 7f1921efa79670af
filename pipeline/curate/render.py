"""Showing plans: a rich table of changes for dry runs, the sync view of additions and
updates, and one model's changes at a time for approval."""

from __future__ import annotations

from collections import defaultdict

from rich.console import Console
from rich.table import Table

from pipeline.curate.datasets import PUBLISHED
from pipeline.curate.plan import (
    AddRow,
    AppendNote,
    BlockedByUnmapped,
    BlockedByVerified,
    Change,
    Conflict,
    DropRow,
    InvalidInput,
    MarkVerified,
    MoveRow,
    Plan,
    UpdateField,
)

WIDTH = 40
LABELS: dict[type, str] = {
    AddRow: "add",
    UpdateField: "update",
    MoveRow: "move",
    DropRow: "drop",
    AppendNote: "note",
    MarkVerified: "verify",
    Conflict: "conflict",
    BlockedByVerified: "blocked: verified",
    BlockedByUnmapped: "blocked: unmapped",
    InvalidInput: "invalid",
}
HELD = (BlockedByUnmapped, BlockedByVerified, InvalidInput, Conflict)


def short(value: str, width: int = WIDTH) -> str:
    value = value.replace("\n", " ")
    return value if len(value) <= width else value[: width - 1] + "…"


def describe(change: Change) -> tuple[str, str]:
    """(what, detail) of one change."""
    label = LABELS[type(change)]
    if isinstance(change, AddRow):
        flop = change.row.get("training_flop", "")
        return label, f"{flop} {change.row.get('threshold_classification', '')}".strip()
    if isinstance(change, MoveRow):
        return f"move {change.source} -> {change.table}", change.reason
    if isinstance(change, AppendNote):
        return label, f"{change.field}: + {short(change.note, 60)}"
    if change.field and (change.old or change.new):
        detail = f"{change.field}: {short(change.old) or '∅'} -> {short(change.new) or '∅'}"
        return label, f"{detail} ({change.reason})" if isinstance(change, HELD) else detail
    return label, change.reason


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


def names_of(change: Change, mapping: dict[str, str]) -> tuple[str, str]:
    """(staging key, published name) of a sync change, whichever side it touches."""
    if change.table == PUBLISHED:
        reverse = {name: key for key, name in mapping.items()}
        return reverse.get(change.key, ""), change.key
    return change.key, mapping.get(change.key, "")


def render_sync(plan: Plan, target: str, mapping: dict[str, str], out: Console) -> None:
    """The seed's dry-run view: additions, updates, what is held back, and the totals."""
    additions = [c for c in plan.changes if isinstance(c, AddRow)]
    if additions:
        table = Table("Staging name", "Published name", "Training FLOP",
                      title=f"New models to add to {target}")  # fmt: skip
        for addition in additions:
            row = addition.row
            flop = row.get("training_flop") or row.get("Training compute (FLOP)", "")
            table.add_row(*names_of(addition, mapping), flop)
        out.print(table)
    updates: dict[str, list[UpdateField]] = {}
    for change in plan.changes:
        if isinstance(change, UpdateField):
            updates.setdefault(change.key, []).append(change)
    if updates:
        table = Table("Staging name", "Published name", "Changes",
                      title=f"Models to update in {target}")  # fmt: skip
        for changes in updates.values():
            lines = [f"{c.field}: {short(c.old) or '∅'} → {short(c.new) or '∅'}" for c in changes]
            table.add_row(*names_of(changes[0], mapping), "\n".join(lines))
        out.print(table)
    held = held_back(plan)
    if held:
        render_held(held, out)
    models = len({c.key for c in held})
    out.print(f"Total: {len(additions)} additions, {len(updates)} updates, {models} held back")


def held_back(plan: Plan) -> list[Change]:
    """What a plan reports but does not do: unmapped, verified, unreadable, conflicting."""
    return [c for c in plan.changes if isinstance(c, HELD)]


def render_held(held: list[Change], out: Console) -> None:
    table = Table("Model", "Field", "Held back because", title="Not synced")
    for change in held:
        table.add_row(change.key, change.field, change.reason)
    out.print(table)


def describe_row(changes: list[Change], mapping: dict[str, str]) -> list[str]:
    """The approval view of one model's changes, as plain lines."""
    first = changes[0]
    key, name = names_of(first, mapping)
    rule = "=" * 80
    if isinstance(first, AddRow):
        lines = [rule, f"ADD: {key} → {name!r}", rule]
        return lines + [
            f"{field}: {short(value, 100)}" for field, value in first.row.items() if value
        ]
    lines = [rule, f"UPDATE: {key} → {name!r}", rule, "Changes:"]
    for change in changes:
        if isinstance(change, UpdateField):
            lines.append(
                f"  {change.field}: {short(change.old) or '∅'} → {short(change.new) or '∅'}"
            )
        elif isinstance(change, AppendNote):
            lines.append(f"  {change.field}: + {short(change.note, 100)}")
    return lines
