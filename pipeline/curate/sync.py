"""Staging <-> published sync plans (ARCHITECTURE §5 "Dataset sync").

Additive only: rows are added or updated, never deleted. A row without a name mapping is
blocked; a verified staging row is never overwritten from published: the cell merge rule
(:func:`pipeline.curate.plan.merge_cell`) reports a conflict, resolved with ``--diff``.
Each changed row gets one audit note, with a UTC timestamp, in the target's audit column;
re-planning after a sync finds nothing to do.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from pipeline.curate.datasets import PUBLISHED, STAGING
from pipeline.curate.mapping import MappingFile
from pipeline.curate.notes import excerpt, stamped
from pipeline.curate.plan import (
    AddRow,
    AppendNote,
    BlockedByUnmapped,
    Change,
    InvalidInput,
    Plan,
    UpdateField,
    merge_cell,
)
from pipeline.curate.protect import keeps_published
from pipeline.curate.schema_map import SchemaMap
from pipeline.schema import KEY, is_verified
from pipeline.storage.csvtable import CsvTable
from pipeline.values import format_number, parse_number

DIRECTIONS = ("staging-to-published", "published-to-staging", "both")
DIFF = "sync-datasets --diff"
VERIFIED = f"verified in staging: resolve with {DIFF}"


@dataclass(frozen=True)
class SyncContext:
    schema: SchemaMap
    mapping: MappingFile
    stamp: str
    origin: str = "by sync-datasets"  # what the audit notes name as the change's origin


def _summary(changes: Sequence[Change]) -> str:
    return "; ".join(
        f"{c.field} = {excerpt(c.new, 60)}" for c in changes if isinstance(c, UpdateField)
    )


def plan_to_published(
    staging: CsvTable, published: CsvTable, ctx: SyncContext, keys: list[str] | None = None
) -> Plan:
    """Staging rows (all, or ``keys``) into published: add missing models, update fields."""
    plan, schema, names = Plan(), ctx.schema, ctx.mapping.mapping
    audit = schema.audit.published
    for key in staging.rows if keys is None else [k for k in keys if k in staging]:
        name = names.get(key)
        if name is None:
            plan.add(BlockedByUnmapped(STAGING, key, "no published name in the name mapping"))
            continue
        cells, values = staging.get(key), {}
        for fm in schema.fields:
            try:
                values[fm.published] = schema.to_published(fm, cells.get(fm.staging, ""))
            except ValueError as exc:
                plan.add(
                    InvalidInput(STAGING, key, fm.staging, cells.get(fm.staging, ""), str(exc))
                )
        if name not in published:
            note = stamped(ctx.stamp, f"Added from staging ({key}) {ctx.origin}")
            row = {schema.key.published: name, **values, audit: note}
            plan.add(AddRow(PUBLISHED, name, row, f"new in staging as {key}"))
            continue
        current = published.get(name)
        updates: list[Change] = []
        for fm in schema.fields:
            new = values.get(fm.published, "")
            if keeps_published(fm, current[fm.published], cells.get(schema.audit.staging, "")):
                continue  # Epoch's text stays unless a reviewer edited this field
            if new and not schema.same(fm, cells.get(fm.staging, ""), current[fm.published]):
                why = f"staging {key} differs"
                updates.append(
                    UpdateField(PUBLISHED, name, fm.published, current[fm.published], new, why)
                )
        if updates:
            text = f"Updated from staging ({key}) {ctx.origin}: {_summary(updates)}"
            updates.append(AppendNote(PUBLISHED, name, audit, stamped(ctx.stamp, text), "audit"))
            plan.extend(updates)
    return plan


def staging_changes(
    schema: SchemaMap,
    name: str,
    cells: dict[str, str],
    key: str,
    current: dict[str, str],
    *,
    why: str,
    columns: Collection[str] | None = None,
) -> list[Change]:
    """The one published -> staging rule, for ``sync-datasets`` and the Published sheet:
    published row ``name``'s values (``columns`` only, when given) for the staging row
    ``key`` that holds ``current``. Empty and equivalent values change nothing; the others
    go through :func:`merge_cell` (an unverified row takes them, a verified one keeps its
    value and reports a conflict resolved with ``--diff``); an unreadable value is an
    InvalidInput and its staging cell stays as it is."""
    fields = [fm for fm in schema.fields if columns is None or fm.published in columns]
    invalid: list[Change] = []
    values = {}
    for fm in fields:
        try:
            values[fm.staging] = schema.staging_cell(
                fm, current.get(fm.staging, ""), cells[fm.published]
            )
        except ValueError as exc:
            value = cells[fm.published]
            invalid.append(InvalidInput(PUBLISHED, name, fm.published, value, str(exc)))
    verified, changes = is_verified(current), []
    for fm in fields:
        if fm.staging not in values:
            continue  # unreadable: reported above
        mine = current.get(fm.staging, "")
        if not cells[fm.published].strip() or schema.same(fm, mine, cells[fm.published]):
            continue
        change = merge_cell(
            STAGING, key, fm.staging, old=mine, theirs=values[fm.staging],
            base=None if verified else mine, verified=verified, conflict=VERIFIED, why=why,
        )  # fmt: skip
        if change is not None:
            changes.append(change)
    return [*invalid, *changes]


def plan_to_staging(staging: CsvTable, published: CsvTable, ctx: SyncContext) -> Plan:
    """Published rows into staging: add mapped models, update unverified rows' fields."""
    plan, schema, keys = Plan(), ctx.schema, ctx.mapping.reverse
    audit = schema.audit.staging
    for name in published.rows:
        key = keys.get(name)
        if key is None:
            plan.add(BlockedByUnmapped(PUBLISHED, name, "no staging key in the name mapping"))
            continue
        cells = published.get(name)
        if key not in staging:
            plan.extend(_new_staging_row(name, cells, key, ctx))
            continue
        why = f"published {name!r} differs"
        changes = staging_changes(schema, name, cells, key, staging.get(key), why=why)
        updates = [c for c in changes if isinstance(c, UpdateField)]
        plan.extend(changes)
        if updates:
            text = f"Updated from published ({name}) by sync-datasets: {_summary(updates)}"
            plan.add(AppendNote(STAGING, key, audit, stamped(ctx.stamp, text), "audit"))
    return plan


def _new_staging_row(name: str, cells: dict[str, str], key: str, ctx: SyncContext) -> list[Change]:
    """A mapped published model staging does not have yet: an unverified row with a note
    (a value that cannot be read is reported and left empty)."""
    schema, audit = ctx.schema, ctx.schema.audit.staging
    changes: list[Change] = []
    values = {}
    for fm in schema.fields:
        try:
            values[fm.staging] = schema.staging_cell(fm, "", cells[fm.published])
        except ValueError as exc:
            value = cells[fm.published]
            changes.append(InvalidInput(PUBLISHED, name, fm.published, value, str(exc)))
    note = stamped(ctx.stamp, f"Added from published ({name}) by sync-datasets")
    notes = values.get(audit, "")
    row = {KEY: key, **values, audit: f"{notes}\n{note}" if notes else note}
    changes.append(AddRow(STAGING, key, {**row, "verified": ""}, f"published as {name!r}"))
    return changes


def blocked(plan: Plan) -> list[BlockedByUnmapped]:
    return [c for c in plan.changes if isinstance(c, BlockedByUnmapped)]


def flop_text(value: str) -> str:
    """A FLOP cell for tables: numbers in short scientific form."""
    try:
        number = parse_number(value)
    except ValueError:
        return value
    return "" if number is None else format_number(float(f"{number:.3g}"))


@dataclass
class MappingCheck:
    """What stands between the datasets and a sync."""

    problems: list[str]
    unmapped_staging: list[str]
    unmapped_published: list[str]
    to_add_to_staging: list[tuple[str, str]]
    dangling: list[tuple[str, str, int]]

    @property
    def blocked(self) -> bool:
        return bool(self.problems or self.unmapped_staging or self.unmapped_published)


def check_mappings(staging: CsvTable, published: CsvTable, mapping: MappingFile) -> MappingCheck:
    names, keys = mapping.mapping, mapping.reverse
    return MappingCheck(
        problems=mapping.described_problems(),
        unmapped_staging=[k for k in staging.rows if k not in names],
        unmapped_published=[n for n in published.rows if n not in keys],
        to_add_to_staging=[
            (n, keys[n]) for n in published.rows if n in keys and keys[n] not in staging
        ],
        dangling=[
            (e.key, e.name, e.line)
            for e in mapping.entries
            if e.key not in staging and e.name not in published
        ],
    )
