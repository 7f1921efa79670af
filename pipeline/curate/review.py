"""Review decisions (ARCHITECTURE §5): y -> staging + verified; n -> below, verified.

The same plans serve the terminal review, a decisions file and, later, the reviewers'
``decision`` column in the shared sheet.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from pipeline.curate.apply import apply_plan
from pipeline.curate.datasets import (
    BELOW,
    CANDIDATES,
    PUBLISHED,
    STAGING,
    open_tables,
    published_seed,
)
from pipeline.curate.mapping import MappingFile, load_mapping
from pipeline.curate.notes import appended, stamped
from pipeline.curate.plan import (
    AddRow,
    AppendNote,
    InvalidInput,
    MarkVerified,
    MoveRow,
    Plan,
    UpdateField,
)
from pipeline.errors import InputError
from pipeline.paths import ConfigPaths, DataPaths
from pipeline.schema import KEY, VERIFIED, Classification, is_verified
from pipeline.settings import Settings
from pipeline.storage.csvtable import CsvTable, read_raw

YES = {"y", "yes", "above"}
NO = {"n", "no", "below"}
ABOVE_NOTE = "Manual review: confirmed above 1e25 FLOP. Reason: {reason}"
BELOW_NOTE = "Manual review: confirmed below 1e25 FLOP. Reason: {reason}"
CONFIRMED = {
    "y": {"status": "confirmed_above_1e25", "threshold_classification": Classification.ABOVE.value},
    "n": {"status": "confirmed_below_1e25", "threshold_classification": Classification.BELOW.value},
}


def parse_decision(text: str) -> str | None:
    """``y`` or ``n`` for y/yes/above and n/no/below in any case; None otherwise."""
    word = text.strip().lower()
    return "y" if word in YES else "n" if word in NO else None


def new_candidates(
    candidates: CsvTable, staging: CsvTable, published: Collection[str] = ()
) -> list[str]:
    """Candidates waiting for a decision: not in staging, not verified, not ``published``
    (models the published dataset already has need no review), in the order a decision is
    worth most (``by_decision_value``)."""
    waiting = [
        key
        for key, record in candidates.rows.items()
        if key not in staging and not is_verified(record.cells) and key not in published
    ]
    return by_decision_value(waiting, candidates)


def by_decision_value(keys: list[str], candidates: CsvTable) -> list[str]:
    """``keys`` with ``p_above_1e25`` closest to 0.5 first: left to the estimate, a model is
    misclassified with probability min(p, 1 - p), largest at 0.5, so that is where a
    reviewer's decision is worth most. Models without a probability come last; ties keep
    the file's order (largest compute first)."""

    def worth(key: str) -> tuple[int, float]:
        text = candidates.rows[key].cells.get("p_above_1e25", "").strip()
        try:
            return 0, abs(float(text) - 0.5)
        except ValueError:
            return 1, 0.0

    return sorted(keys, key=worth)


def already_published(
    candidates: CsvTable, mapping: MappingFile, published: CsvTable
) -> dict[str, str]:
    """Candidates whose mapped name is in the published dataset -> that name."""
    names = mapping.mapping
    return {key: names[key] for key in candidates.rows if names.get(key, "") in published}


def published_candidates(settings: Settings, candidates: CsvTable) -> dict[str, str]:
    """:func:`already_published` with the project's mapping and published dataset (its
    seed, Epoch's data, while there is none yet)."""
    paths, configs = DataPaths(settings.data_dir), ConfigPaths(settings.config_dir)
    mapping = load_mapping(configs.name_mapping, paths.mapping_overlay)
    published = open_tables(settings, [PUBLISHED])[PUBLISHED]
    seed = published_seed(settings)
    if seed is not None:
        published = CsvTable.read(seed, published.key_column, published.columns)
    return already_published(candidates, mapping, published)


def plan_decision(
    key: str, decision: str, reason: str, tables: dict[str, CsvTable], stamp: str
) -> Plan:
    """The changes one decision makes. Re-planning a decision already applied yields no
    change that alters a file (rows are upserted, notes appended once)."""
    plan = Plan()
    candidates, staging = tables[CANDIDATES], tables[STAGING]
    reason = reason.strip()
    if not reason:
        plan.add(InvalidInput(CANDIDATES, key, "reason", reason, "a decision needs a reason"))
        return plan
    if key not in candidates:
        plan.add(InvalidInput(CANDIDATES, key, KEY, key, "not a candidate"))
        return plan
    cells = candidates.get(key)
    note = stamped(stamp, (ABOVE_NOTE if decision == "y" else BELOW_NOTE).format(reason=reason))
    confirmed = {**CONFIRMED[decision], "verified": VERIFIED}
    if decision == "n" and key in staging:
        message = "already in staging (confirmed above); remove it from staging by hand first"
        plan.add(InvalidInput(STAGING, key, "decision", decision, message))
        return plan
    if decision == "n":
        row = {**cells, **confirmed, "notes": appended(cells["notes"], note)}
        plan.add(MoveRow(CANDIDATES, BELOW, key, row, f"reviewed: below 1e25 ({reason})"))
        return plan
    why = f"reviewed: above 1e25 ({reason})"
    if key in staging:
        current = staging.get(key)
        for field, value in CONFIRMED[decision].items():
            if current.get(field) != value:
                plan.add(UpdateField(STAGING, key, field, current.get(field, ""), value, why))
        plan.add(MarkVerified(STAGING, key, why))
        plan.add(AppendNote(STAGING, key, "notes", note, why))
    else:
        row = {**cells, **confirmed, "notes": appended(cells["notes"], note)}
        plan.add(AddRow(STAGING, key, row, why))
    for field, value in CONFIRMED[decision].items():
        if cells.get(field) != value:
            plan.add(UpdateField(CANDIDATES, key, field, cells.get(field, ""), value, why))
    plan.add(MarkVerified(CANDIDATES, key, why))
    plan.add(AppendNote(CANDIDATES, key, "notes", note, why))
    return plan


@dataclass(frozen=True)
class Decision:
    key: str
    decision: str
    reason: str
    row: int


@dataclass
class DecisionsFile:
    path: Path
    decisions: list[Decision]
    problems: list[InputError]


def read_decisions(path: Path) -> DecisionsFile:
    """A ``model,decision,reason`` CSV: its well-formed rows and a problem per bad row."""
    raw = read_raw(path)
    columns: dict[str, str] = {}
    for name in raw.columns:
        other = columns.setdefault(name.strip().lower(), name)
        if other != name:
            message = f"columns {other!r} and {name!r} are the same column; keep one"
            raise InputError(message, file=path, row=1)
    missing = [c for c in ("model", "decision", "reason") if c not in columns]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)}", file=path, row=1)
    decisions, problems = [], []
    seen: dict[str, int] = {}
    for record in raw.records:
        cells = {c: record.cells[columns[c]].strip() for c in ("model", "decision", "reason")}
        decision = parse_decision(cells["decision"])
        where = partial(InputError, file=path, row=record.number)
        if not cells["model"]:
            problems.append(where("empty model", field="model"))
        elif cells["model"] in seen:
            message = f"{cells['model']!r} is decided twice (also row {seen[cells['model']]})"
            problems.append(where(message, field="model"))
        elif decision is None:
            message = f"{cells['decision']!r} is not a decision: use y or n"
            problems.append(where(message, field="decision"))
        elif not cells["reason"]:
            problems.append(where("a decision needs a reason", field="reason"))
        else:
            decisions.append(Decision(cells["model"], decision, cells["reason"], record.number))
        seen.setdefault(cells["model"], record.number)
    return DecisionsFile(path, decisions, problems)


class DecisionErrors(InputError):
    """Bad rows in a decisions file: one line each in ``problems``; nothing is applied."""

    def __init__(self, path: Path, problems: list[InputError]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} bad row(s); nothing was applied", file=path)


def earlier_decision(key: str, tables: dict[str, CsvTable]) -> str | None:
    """``y`` or ``n`` when a model that is no longer a new candidate was decided before."""
    if key in tables[STAGING]:
        return "y"
    if key in tables[BELOW] and is_verified(tables[BELOW].get(key)):
        return "n"
    return None


@dataclass
class DecisionsResult:
    plan: Plan
    applied: list[Decision]
    unchanged: list[Decision]
    written: list[str]


def apply_decisions(settings: Settings, source: DecisionsFile, stamp: str) -> DecisionsResult:
    """Apply a decisions file as one plan: all of it, or (on any bad row) none of it."""
    tables = open_tables(settings, [CANDIDATES, BELOW, STAGING])
    path = source.path
    plan, applied, unchanged, problems = Plan(), [], [], list(source.problems)
    for item in source.decisions:
        cells = tables[CANDIDATES].get(item.key) if item.key in tables[CANDIDATES] else None
        earlier = None if cells and not is_verified(cells) else earlier_decision(item.key, tables)
        if earlier == item.decision:
            unchanged.append(item)
            continue
        if earlier is not None:
            word = "above" if earlier == "y" else "below"
            message = f"{item.key!r} was confirmed {word} earlier; change it in its file by hand"
            problems.append(InputError(message, file=path, row=item.row, field="decision"))
            continue
        step = plan_decision(item.key, item.decision, item.reason, tables, stamp)
        for problem in step.problems:
            problems.append(InputError(problem.reason, file=path, row=item.row, field="model"))
        plan.extend(step.changes)
        applied.append(item)
    if problems:
        problems.sort(key=lambda problem: problem.row if isinstance(problem.row, int) else 0)
        raise DecisionErrors(path, problems)
    written = apply_plan(plan, tables, stamp, DataPaths(settings.data_dir).state)
    return DecisionsResult(plan, applied, unchanged, written)
