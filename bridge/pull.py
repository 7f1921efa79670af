"""Step 3-4 of the three-way merge: reviewers' edits become local changes through the same
plans as the command line (ARCHITECTURE §6-7).

- Candidates: ``decision`` y/n with a ``reason`` is the review decision; other cells are
  corrections: of an unverified row, pinned fields (kept against re-estimation, the row
  still waits for a decision); of a verified row, corrections with an audit note.
- Staging: edited cells are corrections; ``publish`` = y syncs the row to published
  (``published_name`` adds its mapping first).
- Published: edited cells update published and flow to staging through the mapping.
A cell changed on both sides to different values on a verified row is a conflict: neither
side is overwritten. On an unverified row the reviewer's edit wins.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bridge.analysis import Analysis, Edit
from bridge.codec import normal
from bridge.layout import SheetLayout
from bridge.manual_rows import ADDED, CANDIDATES_NOTE, ManualEntries, append_entry, entry_from_row
from bridge.outcome import Outcome
from pipeline.collect.names import KEY_PATTERN, normalise
from pipeline.curate.datasets import BELOW, CANDIDATES, PUBLISHED, STAGING
from pipeline.curate.mapping import MappingFile, add_mappings
from pipeline.curate.notes import excerpt, split, stamped, with_audit
from pipeline.curate.pins import pin_suffix, pinned_fields, with_pins
from pipeline.curate.plan import (
    AddRow,
    AppendNote,
    Change,
    Conflict,
    MarkVerified,
    Plan,
    UpdateField,
    merge_cell,
)
from pipeline.curate.protect import REVIEWER_EDIT
from pipeline.curate.review import earlier_decision, parse_decision, plan_decision
from pipeline.curate.schema_map import SchemaMap
from pipeline.curate.sync import DIFF, SyncContext, plan_to_published, staging_changes
from pipeline.errors import TrackerError
from pipeline.schema import VOCABULARIES, canonical, is_verified
from pipeline.settings import Thresholds
from pipeline.storage.csvtable import CsvTable
from pipeline.values import parse_date, parse_flop, parse_number

RESTORED = "restored: rows are not deleted from the sheet (filter it instead)"
EDIT_NOTE = REVIEWER_EDIT
ADDED_NOTE = "Added in the {title} sheet by a reviewer"
REPLACED_NOTE = "Sheet value replaced by the local one (bridge sync --prefer local):"
RESOLVE = "tracker bridge sync --prefer sheet|local"
GUARDED = ("verified", "status")  # of a verified row: never undone from a sheet


@dataclass
class PullContext:
    tables: dict[str, CsvTable]
    schema: SchemaMap
    mapping: MappingFile
    mapping_path: Path
    stamp: str
    apply: Callable[[Plan], None]
    dry_run: bool = False
    prefer: str | None = None
    thresholds: Thresholds = field(default_factory=Thresholds)
    manual: ManualEntries | None = None  # where rows added in Candidates go


def check(layout: SheetLayout, column: str, value: str, schema: SchemaMap) -> str | None:
    """Why a reviewer's value cannot go into ``column``, or None."""
    if not value.strip():
        return None
    try:
        if column in ("training_flop", "Training compute (FLOP)"):
            parse_flop(value)
        elif column in layout.numbers:
            number = parse_number(value)
            if number is not None and number < 0:
                return f"{column}: {value!r} is not positive"
        elif column in layout.dates:
            parse_date(value)
        elif layout.table != PUBLISHED and column in VOCABULARIES:
            canonical(column, value)
        elif layout.table == PUBLISHED:
            fm = next((f for f in schema.fields if f.published == column), None)
            if fm is not None and fm.kind == "vocabulary":
                schema.to_staging(fm, value)
    except ValueError as exc:
        return f"{column}: {exc}"
    return None


def _structure(analysis: Analysis, table: CsvTable, out: Outcome) -> None:
    """Rows the merge cannot use, rows deleted or added, worker-only cells edited."""
    for key, rows in analysis.duplicates.items():
        for row in rows:
            others = ", ".join(str(r.position) for r in rows if r is not row)
            out.row_statuses.append((row, f"duplicate key: also on row {others}"))
        if key in table:
            out.keep.add(key)
    for row in analysis.keyless:
        out.row_statuses.append((row, "no key: fill in the model key, or delete the row"))
    for key in analysis.deleted:
        if key in table:
            out.say(key, RESTORED)
    for key, columns in analysis.reverted.items():
        for column in columns:
            if column == analysis.layout.key:
                out.say(key, f"restored: the key cannot be changed ({key!r})")
            elif column != "sync_status":
                out.say(key, f"restored: {column} is kept by the worker")


def _value_problems(
    analysis: Analysis, key: str, schema: SchemaMap, out: Outcome
) -> dict[str, Edit]:
    """The data edits of a row that are valid; the others get a status and wait."""
    layout, valid = analysis.layout, {}
    for column, edit in analysis.edits.get(key, {}).items():
        if column not in layout.columns:
            continue
        problem = check(layout, column, edit.new, schema)
        if problem:
            out.say(key, problem)
            out.hold(key, column)
        else:
            valid[column] = edit
    return valid


def _noted(notes: str, column: str, value: str) -> bool:
    """Whether an audit note says a sheet edit set ``column`` to ``value``: a pull that
    applied it and was cut off before its push (the next pull reports it again)."""
    said = f"{column} = {excerpt(value, 40)}"
    return any(
        EDIT_NOTE in line and (f": {said}" in line or f"; {said}" in line)
        for line in notes.splitlines()
    )


def _applied(key: str, columns: list[str], out: Outcome) -> None:
    if columns:
        out.say(key, f"applied: {', '.join(columns)}")


def conflict_status(column: str, local: str, known: bool) -> str:
    """The ``sync_status`` of a cell changed on both sides, naming how to resolve it."""
    shown = excerpt(local, 40)
    why = (
        f"changed locally to {shown} since your edit"
        if known
        else (f"is {shown} locally, and no sync base says which side changed it")
    )
    return f"conflict: {column} {why}; both kept, resolve with {RESOLVE}"


@dataclass
class _Merged:
    """What the merge rule made of one row's edits."""

    changes: list[Change]
    overruled: list[str]
    replaced: list[str]
    earlier: list[str]
    conflicts: list[Change]


def _merge_row(name: str, key: str, cells: dict[str, str], edits: dict[str, Edit],
               analysis: Analysis, ctx: PullContext, out: Outcome, *,
               verified: bool, audit: str) -> _Merged:  # fmt: skip
    """One row's valid edits through :func:`merge_cell`: taken, already in effect, or a
    conflict (held, or settled by ``--prefer``)."""
    layout, merged = analysis.layout, _Merged([], [], [], [], [])
    for column, edit in _guarded(key, cells, edits, audit, out).items():
        local = normal(layout, column, cells.get(column, ""))
        if local == edit.new:
            out.took(key, column)
            if _noted(cells.get(audit, ""), column, edit.new):
                merged.earlier.append(column)
            continue
        known = analysis.has_base(key, column)
        change = merge_cell(
            name, key, column, old=cells.get(column, ""), local=local, theirs=edit.new,
            base=edit.old if known else None, verified=verified,
            conflict=conflict_status(column, local, known), why="sheet edit",
        )  # fmt: skip
        if isinstance(change, Conflict) and ctx.prefer == "local":
            merged.replaced.append(f"{column} = {excerpt(edit.new, 40)}")
            continue  # not held: the push writes the local value over the sheet's
        if isinstance(change, Conflict) and ctx.prefer != "sheet":
            merged.conflicts.append(change)
            out.say(key, change.reason)
            out.hold(key, column)
            continue
        if change is None or isinstance(change, Conflict):
            change = UpdateField(name, key, column, cells.get(column, ""), edit.new, "sheet edit")
        if local != edit.old or not known:
            merged.overruled.append(f"{column} {excerpt(local, 40)}")
        merged.changes.append(change)
        out.took(key, column)
    return merged


def _guarded(key: str, cells: dict[str, str], edits: dict[str, Edit], audit: str,
             out: Outcome) -> dict[str, Edit]:  # fmt: skip
    """Edits that cannot undo history: ``verified`` and ``status`` of a verified row are not
    changed from a sheet, and the audit lines of the notes stay (text may be added). What
    is refused gets a ``restored:`` status; the push writes the local value back."""
    kept = dict(edits)
    for column in GUARDED:
        if column in kept and is_verified(cells):
            del kept[column]
            out.say(key, f"restored: {column} of a verified row is not changed from the sheet "
                         "(change it in the files)")  # fmt: skip
    edit = kept.get(audit)
    lines = split(cells.get(audit, ""))[1]
    if edit is not None and lines:
        content, added = split(edit.new)
        if any(line not in added for line in lines):
            out.say(key, f"restored: audit lines in {audit} are kept (add text, never remove it)")
            value = with_audit(content, [*lines, *(a for a in added if a not in lines)])
            if value == cells.get(audit, ""):
                del kept[audit]
            else:
                kept[audit] = Edit(key, audit, edit.old, value)
    return kept


def _kept(name: str, key: str, audit: str, merged: _Merged, ctx: PullContext) -> list[Change]:
    """The conflicts, and the audit line keeping the sheet values ``--prefer local`` wrote
    over."""
    if not merged.replaced:
        return merged.conflicts
    text = f"{REPLACED_NOTE} {'; '.join(merged.replaced)}"
    note = AppendNote(name, key, audit, stamped(ctx.stamp, text), "--prefer local")
    return [*merged.conflicts, note]


def _corrections(
    name: str, analysis: Analysis, ctx: PullContext, out: Outcome, skip: set[str] | None = None
) -> Plan:
    """Edits of data cells in Candidates or Staging: corrections of the local row (rows in
    ``skip`` aside)."""
    table, plan = ctx.tables[name], Plan()
    for key in analysis.edits:
        if key not in table or key not in analysis.base or key in (skip or ()):
            continue
        cells = table.get(key)
        valid = _value_problems(analysis, key, ctx.schema, out)
        merged = _merge_row(name, key, cells, valid, analysis, ctx, out,
                            verified=is_verified(cells), audit="notes")  # fmt: skip
        changes = merged.changes
        plan.extend(_kept(name, key, "notes", merged, ctx))
        pinning = name == CANDIDATES and not is_verified(cells)
        if changes:
            edited = "; ".join(f"{c.field} = {excerpt(c.new, 40)}" for c in changes)
            had = "local had" if ctx.prefer == "sheet" else "automation had"
            automated = f" ({had} {'; '.join(merged.overruled)})" if merged.overruled else ""
            pinned = pin_suffix() if pinning else ""
            note = stamped(ctx.stamp, f"{EDIT_NOTE} {edited}{automated}{pinned}")
            if pinning:
                verify: list[Change] = _following_pins(name, key, cells, changes, ctx)
            else:
                verify = [MarkVerified(name, key, "sheet edit")]
            plan.extend([*changes, *verify, AppendNote(name, key, "notes", note, "sheet edit")])
            out.events.append(f"{name} {key}: {edited}")
        columns = [c.field for c in changes] or merged.earlier
        if pinning and columns:
            out.say(key, f"applied: {', '.join(columns)} pinned; the row still needs a decision")
        else:
            _applied(key, columns, out)
    return plan


def _following_pins(
    name: str, key: str, cells: dict[str, str], changes: list[Change], ctx: PullContext
) -> list[Change]:
    """What a pinned correction changes besides itself: a corrected ``training_flop``
    recomputes the classification, status, ``p_above_1e25`` and the reasoning's opening."""
    edited = {c.field: c.new for c in changes if isinstance(c, UpdateField)}
    after = {**cells, **edited}
    pins = pinned_fields(cells.get("notes", "")) | edited.keys()
    desired = with_pins(after, after, pins, ctx.thresholds)
    return [
        UpdateField(name, key, column, after.get(column, ""), value, "reviewer correction")
        for column, value in desired.items()
        if column not in edited and column in cells and value != after.get(column, "")
    ]


def _moved_below(key: str, analysis: Analysis, ctx: PullContext) -> bool:
    """Whether a row gone from candidates left by this row's own "n" decision (a pull cut
    off before its push moved it)."""
    cells = analysis.rows[key].cells if key in analysis.rows else {}
    decided = parse_decision(cells.get("decision", "").strip())
    return decided == "n" and earlier_decision(key, ctx.tables) == "n"


def pull_candidates(analysis: Analysis, ctx: PullContext, out: Outcome) -> None:
    """Corrections first, then decisions: a decision is the review decision of the command
    line; one already in effect is answered as applied, a different one waits."""
    table = ctx.tables[CANDIDATES]
    _structure(analysis, table, out)
    _added_candidates(analysis, ctx, out)
    gone = {k for k in analysis.edits if k not in table and not _moved_below(k, analysis, ctx)}
    gone |= _confirmed_edits(analysis, ctx)
    for key in gone:
        _cleared(key, analysis, ctx, out)
    ctx.apply(_corrections(CANDIDATES, analysis, ctx, out, skip=gone))
    for key, row in analysis.rows.items():
        edits = analysis.edits.get(key, {})
        if key in gone or not ({"decision", "reason"} & edits.keys()):
            continue
        word, reason = row.cells.get("decision", "").strip(), row.cells.get("reason", "").strip()
        decision = parse_decision(word)
        earlier = earlier_decision(key, ctx.tables)
        if not word:
            out.took(key, "decision", "reason")
        elif decision is None:
            out.say(key, f'decision "{word}" not understood: use y or n')
            out.hold(key, "decision")
        elif not reason:
            out.say(key, "decision needs a reason: fill in reason")
            out.hold(key, "decision", "reason")
        elif earlier not in (None, decision):
            side = "above" if earlier == "y" else "below"
            out.say(key, f"already decided: confirmed {side} earlier; change it in the files")
            out.hold(key, "decision")
        else:
            where = "added to staging" if decision == "y" else "moved to below_1e25_flop.csv"
            if key not in table:  # moved by a pull cut off before its push
                out.took(key, *edits)
            else:
                if earlier is None or not is_verified(table.get(key)):
                    out.events.append(f"decision {decision} for {key}: {where}")
                ctx.apply(plan_decision(key, decision, reason, ctx.tables, ctx.stamp))
            out.took(key, "decision", "reason")
            out.say(key, f"applied: {where}")


def _added_candidates(analysis: Analysis, ctx: PullContext, out: Outcome) -> None:
    """Rows reviewers added to the Candidates sheet: valid ones with a new key become
    manual entries, candidates on the next cycle; every added row stays in the sheet."""
    for key in analysis.added:
        out.keep.add(key)
        if ctx.manual is None:
            out.say(key, "not pulled: candidates come from the pipeline's sources")
            continue
        try:
            entries = ctx.manual.entries()
        except TrackerError as exc:
            out.say(key, f"not pulled: fix the manual models file first ({exc})")
            continue
        if key in entries:  # added by a pull cut off before its push, or a clash
            if CANDIDATES_NOTE in str(entries[key].get("notes", "")):
                out.took(key, *analysis.layout.columns)
                out.say(key, ADDED)
            else:
                out.say(key, f"not pulled: {key} is already in {ctx.manual.path.name}")
            continue
        if not KEY_PATTERN.match(key):
            out.say(key, f"not pulled: {key!r} is not a model key (lower case, digits, . and _)")
            continue
        read_as = normalise(key, ctx.manual.rules)
        if read_as != key:
            out.say(key, f"not pulled: the sources would read {key!r} as {read_as!r}; use that")
            continue
        where = _known_as(key, ctx)
        if where:
            out.say(key, f"not pulled: {key} is already {where}")
            continue
        if _invalid_row(key, analysis.rows[key].cells, analysis.layout, ctx, out):
            continue
        note = stamped(ctx.stamp, CANDIDATES_NOTE)
        if not ctx.dry_run:
            append_entry(ctx.manual.path, entry_from_row(key, analysis.rows[key].cells, note))
        out.took(key, *analysis.layout.columns)
        out.say(key, ADDED)
        out.events.append(f"added {key} as a manual entry")


def _known_as(key: str, ctx: PullContext) -> str:
    """Where a key already exists, in a few words, or ''."""
    for table, words in ((CANDIDATES, "a candidate"), (STAGING, "in staging"),
                         (BELOW, "in below_1e25_flop.csv")):  # fmt: skip
        if key in ctx.tables[table]:
            return words
    if key in ctx.mapping.mapping:
        return "published"
    if ctx.manual is not None and key in ctx.manual.recorded:
        return "among the collected models"
    return ""


def _confirmed_edits(analysis: Analysis, ctx: PullContext) -> set[str]:
    """Rows of confirmed models (in staging) edited in Candidates, other than by repeating
    their y: the model lives in Staging now."""
    staging, edited = ctx.tables[STAGING], set()
    for key, edits in analysis.edits.items():
        if key not in staging or key not in ctx.tables[CANDIDATES]:
            continue
        cells = analysis.rows[key].cells if key in analysis.rows else {}
        if set(edits) <= {"decision", "reason"} and parse_decision(
            cells.get("decision", "").strip()
        ) in ("y", None):
            continue  # its own y, seen again (a pull cut off before its push), or cleared
        edited.add(key)
    return edited


def whereabouts(key: str, tables: dict[str, CsvTable]) -> str:
    """Where a model that is no longer a candidate went, in a few words."""
    if key in tables[STAGING]:
        return "it was confirmed above 1e25 and lives in Staging; edit it there"
    below = tables[BELOW]
    if key in below:
        if is_verified(below.get(key)):
            return "it was confirmed below 1e25"
        return "its estimate is now below 1e25 (below_1e25_flop.csv)"
    return "it is no longer among the estimated models"


def _cleared(key: str, analysis: Analysis, ctx: PullContext, out: Outcome) -> None:
    """An edit of a row that is no longer a candidate: the cells go back to what the
    worker last wrote and the status says what happened instead; the row leaves the sheet
    on the next sync."""
    edits = analysis.edits[key]
    what = "decision" if "decision" in edits else "edit"
    out.say(key, f"cleared: {key} is no longer a candidate, {whereabouts(key, ctx.tables)}; "
                 f"your {what} was not applied")  # fmt: skip
    out.overrides.setdefault(key, {}).update({c: e.old for c, e in edits.items()})
    out.keep.add(key)


def pull_staging(analysis: Analysis, ctx: PullContext, out: Outcome) -> None:
    table = ctx.tables[STAGING]
    _structure(analysis, table, out)
    _added_staging(analysis, ctx, out)
    ctx.apply(_corrections(STAGING, analysis, ctx, out))
    for key, row in analysis.rows.items():
        if key not in table or "publish" not in analysis.edits.get(key, {}):
            continue
        word = row.cells.get("publish", "").strip().lower()
        if not word:
            out.took(key, "publish")
        elif word not in ("y", "yes"):
            out.say(key, f'publish "{word}" not understood: use y')
            out.hold(key, "publish")
        else:
            _publish(key, row.cells.get("published_name", "").strip(), ctx, out)


def _publish(key: str, wanted: str, ctx: PullContext, out: Outcome) -> None:
    if ctx.mapping.problems:  # as sync-datasets: no sync until the mapping is fixed
        problem = f"{ctx.mapping.path.name} {ctx.mapping.problems[0]}"
        out.say(key, f"publish: waits until the name mapping is fixed ({problem})")
        out.hold(key, "publish", "published_name")
        return
    name = ctx.mapping.mapping.get(key)
    if name is None:
        if not wanted:
            out.say(key, "publish: this model has no published name; fill in published_name")
            out.hold(key, "publish")
            return
        if wanted in ctx.mapping.reverse:
            out.say(
                key, f"publish: {wanted!r} is already the name of {ctx.mapping.reverse[wanted]}"
            )
            out.hold(key, "publish", "published_name")
            return
        if not ctx.dry_run:
            developer = ctx.tables[STAGING].cell(key, "developer")
            add_mappings(ctx.mapping_path, [(key, wanted, developer)])
        ctx.mapping = ctx.mapping.with_entry(key, wanted)
        name = wanted
        out.events.append(f"mapping {key} -> {wanted!r} added")
    sync = SyncContext(ctx.schema, ctx.mapping, ctx.stamp, origin="from the Staging sheet")
    ctx.apply(plan_to_published(ctx.tables[STAGING], ctx.tables[PUBLISHED], sync, [key]))
    out.took(key, "publish", "published_name")
    out.overrides.setdefault(key, {})["publish"] = ""
    out.say(key, f"applied: published as {name!r}")
    out.events.append(f"published {key} as {name!r}")


def _invalid_row(
    key: str, cells: dict[str, str], layout: SheetLayout, ctx: PullContext, out: Outcome
) -> bool:
    """The validation of a row a reviewer added, whichever sheet: the same :func:`check` as
    an edited cell, for every column; a bad row stays in the sheet with its problems."""
    problems = [p for c in layout.columns if (p := check(layout, c, cells.get(c, ""), ctx.schema))]
    for problem in problems:
        out.say(key, problem)
    if problems:
        out.keep.add(key)
    return bool(problems)


def _added_staging(analysis: Analysis, ctx: PullContext, out: Outcome) -> None:
    """Rows reviewers added to the Staging sheet: new confirmed models, if valid."""
    layout, table, plan = analysis.layout, ctx.tables[STAGING], Plan()
    for key in analysis.added:
        row = analysis.rows[key]
        if key in table:  # added by a pull cut off before its push, or a clash
            if ADDED_NOTE.format(title="Staging") in table.cell(key, "notes"):
                out.took(key, *layout.columns)
                out.say(key, "applied: added to staging")
            else:
                out.say(key, f"not pulled: {key} is already in staging; edit that row instead")
                out.keep.add(key)
            continue
        if not KEY_PATTERN.match(key):
            out.say(key, f"not pulled: {key!r} is not a model key (lower case, digits, . and _)")
            out.keep.add(key)
            continue
        if _invalid_row(key, row.cells, layout, ctx, out):
            continue
        note = stamped(ctx.stamp, ADDED_NOTE.format(title="Staging"))
        cells = {c: row.cells.get(c, "") for c in layout.columns}
        notes = f"{cells['notes']}\n{note}" if cells.get("notes") else note
        plan.add(
            AddRow(STAGING, key, {**cells, "verified": "y", "notes": notes}, "added in the sheet")
        )
        out.took(key, *layout.columns)
        out.say(key, "applied: added to staging")
        out.events.append(f"added {key} to staging")
    ctx.apply(plan)


def pull_published(analysis: Analysis, ctx: PullContext, out: Outcome) -> None:
    table, layout, schema = ctx.tables[PUBLISHED], analysis.layout, ctx.schema
    _structure(analysis, table, out)
    plan = Plan()
    for key in analysis.added:
        row = analysis.rows[key]
        if _invalid_row(key, row.cells, layout, ctx, out):
            continue
        cells = {c: row.cells.get(c, "") for c in layout.columns}
        note = stamped(ctx.stamp, ADDED_NOTE.format(title="Published"))
        audit = schema.audit.published
        cells[audit] = f"{cells[audit]}\n{note}" if cells.get(audit) else note
        plan.add(AddRow(PUBLISHED, key, cells, "added in the sheet"))
        out.took(key, *layout.columns)
        out.say(key, "applied: added to published_data.csv")
        out.events.append(f"added {key} to published")
    reverse, audit = ctx.mapping.reverse, schema.audit.published
    for name in analysis.edits:
        if name not in table or name not in analysis.base:
            continue
        valid = _value_problems(analysis, name, schema, out)
        merged = _merge_row(PUBLISHED, name, table.get(name), valid, analysis, ctx, out,
                            verified=True, audit=audit)  # fmt: skip
        changes = merged.changes
        plan.extend(_kept(PUBLISHED, name, audit, merged, ctx))
        flows = _flows(name, changes, ctx, out)
        if changes:
            edited = "; ".join(f"{c.field} = {excerpt(c.new, 40)}" for c in changes)
            plan.extend(changes)
            plan.add(
                AppendNote(
                    PUBLISHED,
                    name,
                    audit,
                    stamped(ctx.stamp, f"{EDIT_NOTE} {edited}"),
                    "sheet edit",
                )
            )
            out.events.append(f"published {name}: {edited}")
        _applied(name, [c.field for c in changes] or merged.earlier, out)
        updates = [c for c in flows if isinstance(c, UpdateField)]
        plan.extend(flows)
        if updates:
            key = reverse[name]
            text = "; ".join(f"{c.field} = {excerpt(c.new, 40)}" for c in updates)
            plan.extend(
                [
                    MarkVerified(STAGING, key, "from the Published sheet"),
                    AppendNote(
                        STAGING,
                        key,
                        schema.audit.staging,
                        stamped(ctx.stamp, f"From the Published sheet ({name}): {text}"),
                        "from the Published sheet",
                    ),
                ]
            )
    ctx.apply(plan)
    for name in analysis.rows:
        _apart(name, ctx, out)


def _apart(name: str, ctx: PullContext, out: Outcome) -> None:
    """A published value a sheet edit set that its verified staging row does not share: a
    conflict reported on every sync until ``sync-datasets --diff`` resolves it (the same
    status every time: it replaces the row's ``applied:``)."""
    published, staging, schema = ctx.tables[PUBLISHED], ctx.tables[STAGING], ctx.schema
    key = ctx.mapping.reverse.get(name)
    if name not in published or key is None or key not in staging:
        return
    if not is_verified(staging.get(key)):
        return
    theirs, ours = published.get(name), staging.get(key)
    for fm in schema.fields:
        value = theirs.get(fm.published, "")
        if not value.strip() or schema.same(fm, ours.get(fm.staging, ""), value):
            continue
        if _noted(theirs.get(schema.audit.published, ""), fm.published, value):
            shown = excerpt(schema.content(fm, ours.get(fm.staging, "")), 40) or "(empty)"
            said = out.statuses.get(name, [])
            said[:] = [m for m in said if not m.startswith("applied:")]
            out.say(
                name,
                f"conflict: verified staging row {key} has {fm.staging} {shown}; published "
                f"keeps your value, resolve with {DIFF}",
            )


def _flows(name: str, changes: list[Change], ctx: PullContext, out: Outcome) -> list[Change]:
    """Published edits on their way to the mapped staging row, by the same rule as
    ``sync-datasets`` (:func:`staging_changes`): a verified staging row is never
    overwritten (a conflict)."""
    staging, key = ctx.tables[STAGING], ctx.mapping.reverse.get(name)
    if key is None or key not in staging:
        return []
    edited = {c.field: c.new for c in changes if isinstance(c, UpdateField)}
    cells = {**ctx.tables[PUBLISHED].get(name), **edited}
    return staging_changes(ctx.schema, name, cells, key, staging.get(key),
                           why="from the Published sheet", columns=edited)  # fmt: skip


CONFIRMED_HERE = "applied: confirmed above 1e25 in Candidates"
PUBLISHED_AS = "published: as {name!r}; no review needed"


def published_statuses(out: Outcome, published: dict[str, str]) -> None:
    """Candidates the published dataset already has say so (and are not counted as
    waiting for review)."""
    for key, name in published.items():
        out.quiet[key] = PUBLISHED_AS.format(name=name)


def confirmed_in_staging(outcomes: dict[str, Outcome]) -> None:
    """A y decision takes its row out of Candidates; the model's Staging row says so."""
    if CANDIDATES not in outcomes or STAGING not in outcomes:
        return
    candidates = outcomes[CANDIDATES]
    for key in candidates.statuses:
        if candidates.status_of(key) == "applied: added to staging":
            outcomes[STAGING].say(key, CONFIRMED_HERE)


PULLS = {PUBLISHED: pull_published, STAGING: pull_staging, CANDIDATES: pull_candidates}
ORDER = (PUBLISHED, STAGING, CANDIDATES)
TABLES_NEEDED: list[str] = [CANDIDATES, BELOW, STAGING, PUBLISHED]
