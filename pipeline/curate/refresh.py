"""``refresh-dataset``: candidates (above + not sure) and below, from the estimates.

Verified rows (in either file) are never changed, dropped, moved or deduplicated away.
Unverified rows follow their estimate: automated columns are updated, and a row whose
classification changed moves to the other file. Unverified rows without a current
estimate are kept, with legacy values translated, unless ``--reset`` drops them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from pipeline.curate.apply import apply_plan, preview
from pipeline.curate.datasets import BELOW, CANDIDATES, Table, open_tables
from pipeline.curate.desired import Rows, desired_rows, saved_rows
from pipeline.curate.pins import pinned_fields, with_pins
from pipeline.curate.plan import AddRow, DropRow, InvalidInput, MoveRow, Plan, UpdateField
from pipeline.curate.review import published_candidates
from pipeline.curate.validate import (
    Problem,
    cross_check,
    denoised,
    name_rules,
    validate_table,
)
from pipeline.errors import InputError
from pipeline.estimate.classify import status_for
from pipeline.estimate.records import estimates_by_key
from pipeline.paths import ConfigPaths, DataPaths
from pipeline.schema import (
    AUTOMATED,
    COLUMNS,
    KEY,
    VOCABULARIES,
    Classification,
    canonical,
    is_verified,
)
from pipeline.settings import Settings, Thresholds
from pipeline.storage.csvtable import CsvTable, Record
from pipeline.storage.jsondoc import collector_paused
from pipeline.values import utc_now

# Facts a newer estimate may lack: an empty value never erases them.
KEEP_WHEN_EMPTY = ("developer", "release_date")


def _new_row(row: dict[str, str]) -> AddRow:
    """The row of a model in neither file: its automated cells (``row``, made for this
    plan), not verified, no notes."""
    row["verified"] = row["notes"] = ""
    return AddRow(target_of(row["threshold_classification"]), row[KEY], row, "new model")


def target_of(classification: str) -> Table:
    return BELOW if classification == Classification.BELOW else CANDIDATES


def _legacy_updates(table: str, key: str, cells: dict[str, str], plan: Plan) -> None:
    """Translate an unverified row's legacy values; report what cannot be translated."""
    for column in VOCABULARIES:
        value = cells.get(column, "")
        try:
            meaning = canonical(column, value)
        except ValueError as exc:
            plan.add(InvalidInput(table, key, column, value, str(exc)))
            continue
        if meaning != value:
            plan.add(UpdateField(table, key, column, value, meaning, "legacy value"))
    for column in ("training_flop", "parameters"):
        clean = denoised(cells.get(column, ""))
        if clean is not None:
            plan.add(UpdateField(table, key, column, cells[column], clean, "float noise"))
    if not cells.get("status", "").strip():
        try:
            classification = canonical(
                "threshold_classification", cells.get("threshold_classification", "")
            )
            confidence = canonical("confidence", cells.get("confidence", ""))
        except ValueError:
            return
        if classification:
            status = status_for(classification, confidence)
            plan.add(
                UpdateField(table, key, "status", "", status, "derived from the classification")
            )


_AUTOMATED_CELLS = itemgetter(*AUTOMATED)


def _update_row(
    table: str, key: str, current: dict[str, str], desired: dict[str, str], plan: Plan
) -> None:
    try:
        if _AUTOMATED_CELLS(current) == _AUTOMATED_CELLS(desired):
            return  # the row as it was refreshed last time: one comparison, no change
    except KeyError:  # a column the file lacks: compared one by one
        pass
    for column in AUTOMATED:
        old, new = current.get(column, ""), desired.get(column, "")
        if new == "" and column in KEEP_WHEN_EMPTY:
            continue
        if old != new:
            plan.add(UpdateField(table, key, column, old, new, "new estimate"))


def _homes(
    key: str, tables: dict[str, CsvTable], in_cand: Record | None, in_below: Record | None
) -> dict[str, dict[str, str]]:
    """The cells of the model's rows by file, read only (a file's missing column reads as
    absent)."""
    if in_below is None and in_cand is not None:
        return {CANDIDATES: in_cand.cells}
    if in_cand is None and in_below is not None:
        return {BELOW: in_below.cells}
    return {name: t.rows[key].cells for name, t in tables.items() if key in t.rows}


def _verified(homes: dict[str, dict[str, str]]) -> list[str]:
    """The files whose row of the model is verified."""
    verified = []
    for name, cells in homes.items():
        if cells.get("verified") and is_verified(cells):
            verified.append(name)
    return verified


def plan_refresh(
    estimates: list[dict[str, Any]],
    tables: dict[str, CsvTable],
    *,
    reset: bool = False,
    thresholds: Thresholds | None = None,
) -> Plan:
    """The changes that bring candidates and below in line with the estimates. A reviewer's
    pinned fields (:mod:`pipeline.curate.pins`) are kept, and keep the row a candidate."""
    return plan_rows(desired_rows(estimates), tables, reset=reset, thresholds=thresholds)


def plan_rows(
    desired: Rows,
    tables: dict[str, CsvTable],
    *,
    reset: bool = False,
    thresholds: Thresholds | None = None,
) -> Plan:
    """:func:`plan_refresh` of the rows the estimates ask for (:mod:`.desired`, made for
    this plan: it takes them)."""
    plan = Plan()
    thresholds = thresholds or Thresholds()
    cand, below = tables[CANDIDATES], tables[BELOW]
    cand_rows, below_rows = cand.rows, below.rows
    add = plan.add
    for key in dict.fromkeys([*desired, *cand_rows, *below_rows]):
        in_cand, in_below = cand_rows.get(key), below_rows.get(key)
        if in_cand is None and in_below is None:  # a new model: a row in neither file
            add(_new_row(desired[key]))
            continue
        homes = _homes(key, tables, in_cand, in_below)
        verified = _verified(homes)
        if len(verified) == 2:
            plan.add(InvalidInput(BELOW, key, KEY, key, "verified in both files; resolve by hand"))
            continue
        if verified:
            for name in homes.keys() - set(verified):
                plan.add(DropRow(name, key, f"unverified copy of a row verified in {verified[0]}"))
            continue
        wanted = desired.get(key)
        if wanted is None:
            for name, cells in homes.items():
                if reset:
                    plan.add(DropRow(name, key, "no current estimate (--reset)"))
                else:
                    _legacy_updates(name, key, cells, plan)
            continue
        classification = wanted["threshold_classification"]
        target = target_of(classification)
        pins = pinned_fields(homes[CANDIDATES].get("notes", "")) if in_cand else None
        if pins:
            pinned = cand.get(key)  # every column present: a pinned cell the file lacks is ""
            wanted, target = with_pins(wanted, pinned, pins, thresholds), CANDIDATES
        other = BELOW if target == CANDIDATES else CANDIDATES
        if target in homes:
            _update_row(target, key, homes[target], wanted, plan)
            if other in homes:
                plan.add(DropRow(other, key, f"duplicate of the row in {target}"))
        elif other in homes:
            human = (c for c in COLUMNS if c not in AUTOMATED and c != "last_updated")
            kept = {c: homes[other].get(c, "") for c in human}
            for column in KEEP_WHEN_EMPTY:
                wanted[column] = wanted[column] or homes[other].get(column, "")
            plan.add(MoveRow(other, target, key, {**kept, **wanted}, f"now {classification}"))
        else:
            plan.add(AddRow(target, key, {**wanted, "verified": "", "notes": ""}, "new model"))
    return plan


@dataclass
class RefreshReport:
    plan: Plan
    problems: list[Problem]
    written: list[str] = field(default_factory=list)
    added_columns: dict[str, list[str]] = field(default_factory=dict)
    summary: dict[str, int] = field(default_factory=dict)
    tables: dict[str, CsvTable] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def blocked(self) -> bool:
        """Bad input stops the refresh before anything is written (ARCHITECTURE §9)."""
        return bool(self.errors or self.plan.problems)


def summarise(
    candidates: CsvTable, below: CsvTable, published: Collection[str] = ()
) -> dict[str, int]:
    """The seed's summary of the candidates table, and the size of below; ``published``
    candidates (already in the published dataset) do not need verification."""
    rows = [record.cells for record in candidates.rows.values()]  # read only: no copies
    classes = Counter(r.get("threshold_classification", "") for r in rows)
    below_rows = [record.cells for record in below.rows.values()]
    verified = _verified_values(rows, below_rows)
    return {
        "total candidates": len(rows),
        "manually verified": sum(r.get("verified", "") in verified for r in rows),
        "high-confidence above 1e25": classes[Classification.ABOVE],
        "uncertain, needing verification": sum(
            1
            for r in rows
            if r.get("threshold_classification") == Classification.NOT_SURE
            and r.get("verified", "") not in verified
            and r.get(KEY) not in published
        ),
        "already published": len(published),
        "below 1e25": len(below_rows),
        "verified below": sum(r.get("verified", "") in verified for r in below_rows),
    }


def _verified_values(*tables: list[dict[str, str]]) -> set[str]:
    """The values of ``verified`` among the rows of ``tables`` that mark a row verified
    (each distinct value judged once)."""
    values = {r.get("verified", "") for rows in tables for r in rows}
    return {value for value in values if is_verified({"verified": value})}


def run_refresh(
    settings: Settings,
    *,
    reset: bool = False,
    dry_run: bool = False,
    estimates: list[dict[str, Any]] | None = None,
    checked: bool = False,
) -> RefreshReport:
    """Plan the candidates and below tables from the estimates (given, as a cycle hands
    them on, or saved) and apply the plan; a dry run applies it in memory only
    (``report.tables``). Every record is checked, except given ones the estimate stage of
    this process made (``checked``: it checks what it reads and writes what it checked),
    and saved ones while the file is as it was written. Records, rows and plans hold no
    reference cycles: the cycle collector waits until the refresh is done rather than walk
    them again and again while they are made."""
    with collector_paused():
        return _refresh(
            settings, reset=reset, dry_run=dry_run, estimates=estimates, checked=checked
        )


def _refresh(
    settings: Settings,
    *,
    reset: bool,
    dry_run: bool,
    estimates: list[dict[str, Any]] | None,
    checked: bool,
) -> RefreshReport:
    paths, configs = DataPaths(settings.data_dir), ConfigPaths(settings.config_dir)
    if estimates is None:
        desired = saved_rows(paths)
    elif checked:
        desired = desired_rows(estimates)
    else:
        desired = desired_rows(estimates_by_key(estimates, paths.estimated).values())
    if not desired:
        raise InputError("no estimates; run `tracker estimate-flops` first", file=paths.estimated)
    tables = open_tables(settings, [CANDIDATES, BELOW])
    rules = name_rules(configs.aliases)
    problems = [p for t in tables.values() for p in validate_table(t, rules)]
    problems += cross_check(tables[CANDIDATES], tables[BELOW])
    plan = plan_rows(desired, tables, reset=reset, thresholds=settings.thresholds)
    del desired  # the plan holds what it needs
    report = RefreshReport(plan, problems)
    if not report.blocked:
        report.added_columns = {n: t.ensure_columns(COLUMNS) for n, t in tables.items()}
        if dry_run:
            preview(plan, tables, utc_now())
        else:
            report.written = apply_plan(plan, tables, utc_now(), paths.state, source="pipeline")
    report.tables = tables
    published = published_candidates(settings, tables[CANDIDATES])
    report.summary = summarise(tables[CANDIDATES], tables[BELOW], published)
    return report
