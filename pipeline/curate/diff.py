"""Field-by-field differences between staging and published, and their resolutions.

A difference is a mapped field whose values differ after translation (numbers by value,
dates by date, words by meaning). Resolving one with ``p`` (keep published) or ``s`` (keep
staging) writes the kept value on the other side, marks the staging row verified and
appends an audit note to its notes; afterwards the field is no longer a difference.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.curate.datasets import PUBLISHED, STAGING
from pipeline.curate.notes import excerpt, stamped
from pipeline.curate.plan import AppendNote, Change, MarkVerified, UpdateField
from pipeline.curate.schema_map import FieldMap, SchemaMap
from pipeline.curate.sync import SyncContext
from pipeline.storage.csvtable import CsvTable


@dataclass(frozen=True)
class FieldDiff:
    key: str
    name: str
    field: FieldMap
    staging: str
    published: str


def differences(
    staging: CsvTable, published: CsvTable, ctx: SyncContext
) -> dict[str, list[FieldDiff]]:
    """Per staging key in both datasets, its differing fields (models without any omitted)."""
    out: dict[str, list[FieldDiff]] = {}
    for key, name in ctx.mapping.mapping.items():
        if key not in staging or name not in published:
            continue
        ours, theirs = staging.get(key), published.get(name)
        found = [
            FieldDiff(key, name, fm, ours[fm.staging], theirs[fm.published])
            for fm in ctx.schema.fields
            if not ctx.schema.same(fm, ours[fm.staging], theirs[fm.published])
        ]
        if found:
            out[key] = found
    return out


def models_in_both(staging: CsvTable, published: CsvTable, ctx: SyncContext) -> int:
    return sum(1 for k, n in ctx.mapping.mapping.items() if k in staging and n in published)


def resolve(diff: FieldDiff, keep: str, schema: SchemaMap, stamp: str) -> list[Change]:
    """The changes that make both sides hold the kept value (``p`` published, ``s`` staging).

    ValueError when the kept value cannot be written on the other side; an empty kept value
    is never copied over a filled one (nothing to resolve: [])."""
    fm = diff.field
    kept = diff.published if keep == "p" else schema.content(fm, diff.staging)
    if not kept.strip():
        return []
    if keep == "p":
        new = schema.staging_cell(fm, diff.staging, diff.published)
        change: Change = UpdateField(
            STAGING, diff.key, fm.staging, diff.staging, new, "diff: keep published"
        )
        shown = diff.published
    else:
        new = schema.to_published(fm, diff.staging)
        change = UpdateField(
            PUBLISHED, diff.name, fm.published, diff.published, new, "diff: keep staging"
        )
        shown = new
    side = "published" if keep == "p" else "staging"
    text = f"Diff resolution: {fm.staging} set to the {side} value {excerpt(shown)!r}"
    return [
        change,
        MarkVerified(STAGING, diff.key, "resolved by hand"),
        AppendNote(STAGING, diff.key, schema.audit.staging, stamped(stamp, text), "audit"),
    ]
