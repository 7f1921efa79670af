"""``tracker review-candidates``: decide new candidates at the terminal or from a file."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from pipeline.cli.common import console, locked, settings_from, user_errors
from pipeline.cli.prompts import (
    STOPPED_STATUS,
    NoInput,
    Stopped,
    ask,
    ask_text,
    input_closed,
    no_terminal,
)
from pipeline.curate.apply import apply_plan
from pipeline.curate.datasets import BELOW, CANDIDATES, STAGING, open_tables
from pipeline.curate.review import (
    DecisionErrors,
    apply_decisions,
    new_candidates,
    plan_decision,
    published_candidates,
    read_decisions,
)
from pipeline.errors import TrackerError
from pipeline.paths import DataPaths
from pipeline.settings import Settings
from pipeline.storage.csvtable import CsvTable
from pipeline.values import utc_now

DECISIONS_FLAG = "--decisions FILE.csv (columns model,decision,reason)"
SHOWN = [
    ("developer", "Developer"),
    ("names", "Leaderboard names"),
    ("date", "Date"),
    ("training_flop", "Training FLOP"),
    ("p_above_1e25", "P(above 1e25)"),
    ("confidence", "Confidence"),
    ("estimation_method", "Method"),
    ("threshold_classification", "Classification"),
    ("status", "Status"),
    ("published", "Published"),
    ("reasoning", "Reasoning"),
    ("sources", "Sources"),
    ("alternative_methods", "Alternatives"),
]
ANSWERS = {"yes": "y", "no": "n", "above": "y", "below": "n", "s": "skip", "q": "quit"}
NEXT = {"yes": "y", "no": "n", "q": "n", "quit": "n"}
MAX_LISTED = 8


def show_candidate(cells: dict[str, str], index: int, total: int) -> None:
    table = Table(title=f"[{index}/{total}] {cells['model']}", show_header=False, expand=False)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold", max_width=100)
    for field, label in SHOWN:
        table.add_row(label, cells.get(field, "") or "-")
    console().print(table)


def print_summary(counts: Counter[str]) -> None:
    click.echo(
        f"Reviewed {counts['y'] + counts['n'] + counts['skip']}: {counts['y']} added to staging, "
        f"{counts['n']} moved below, {counts['skip']} skipped."
    )


def shown_cells(
    cells: dict[str, str], record: dict[str, Any], published: str | None
) -> dict[str, str]:
    """A candidate's cells with what the estimate knows (the leaderboard names, the first
    date it was seen) and whether it is published."""
    date = cells.get("release_date") or ""
    if not date and record.get("first_seen"):
        date = f"{record['first_seen']} (first seen)"
    return {
        **cells,
        "names": ", ".join(record.get("raw_names") or [record.get("name") or ""]),
        "date": date,
        "published": f"yes, as {published!r}" if published else "no",
    }


def _estimates(settings: Settings) -> dict[str, dict[str, Any]]:
    """The saved estimates by key; none when they cannot be read (the review goes on)."""
    from pipeline.estimate.runner import load_previous

    try:
        return load_previous(DataPaths(settings.data_dir))
    except TrackerError:
        return {}


@click.command("review-candidates")
@click.option("--batch-size", type=click.IntRange(min=1), default=10, show_default=True,
              help="Ask whether to go on after this many candidates.")  # fmt: skip
@click.option(
    "--decisions",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Apply decisions from a CSV file (model,decision,reason) instead of asking.",
)
@click.pass_context
@user_errors
def review_command(ctx: click.Context, batch_size: int, decisions: Path | None) -> None:
    """Decide new candidates: y (above 1e25, to staging) or n (below), with a reason.

    Both mark the model verified, so automation never changes the decision. Models the
    published dataset already has are not offered. The data lock is held only while a
    decision is written, never while waiting for an answer.
    """
    settings = settings_from(ctx)
    if decisions is not None:
        with locked(ctx):
            _from_file(settings, decisions)
        return
    state = DataPaths(settings.data_dir).state
    with locked(ctx):  # opening the tables may finish an interrupted plan
        tables = open_tables(settings, [CANDIDATES, BELOW, STAGING])
    published = published_candidates(settings, tables[CANDIDATES])
    keys = new_candidates(tables[CANDIDATES], tables[STAGING], published)
    if not keys:
        click.echo("No new candidates to review.")
        return
    if input_closed():
        raise no_terminal("review-candidates", DECISIONS_FLAG)
    plural = "s" if len(keys) != 1 else ""
    click.echo(
        f"{len(keys)} new candidate{plural}. Answer y (above 1e25), n (below), skip or quit."
    )
    _say_published(tables[CANDIDATES], tables[STAGING], published)
    estimates = _estimates(settings)
    counts: Counter[str] = Counter()
    try:
        for index, key in enumerate(keys, start=1):
            cells = shown_cells(tables[CANDIDATES].get(key), estimates.get(key, {}), None)
            show_candidate(cells, index, len(keys))
            answer = ask("Decision (y/n/skip/quit)", ["y", "n", "skip", "quit"], ANSWERS)
            if answer == "quit":
                break
            if answer != "skip":
                reason = ask_text("Reason", "a reason (it is kept in the notes)")
                with locked(ctx):  # the files as they are now: others may have written
                    tables = open_tables(settings, [CANDIDATES, BELOW, STAGING])
                    if key not in new_candidates(tables[CANDIDATES], tables[STAGING]):
                        click.echo(f"{key}: decided elsewhere meanwhile; left as it is")
                        answer = "skip"
                    else:
                        stamp = utc_now()
                        plan = plan_decision(key, answer, reason, tables, stamp)
                        apply_plan(plan, tables, stamp, state)
                if answer != "skip":
                    target = "staging" if answer == "y" else "below_1e25_flop.csv"
                    click.echo(f"{key}: {'added to' if answer == 'y' else 'moved to'} {target}")
            counts[answer] += 1
            more = index < len(keys) and index % batch_size == 0
            if more and ask(f"Reviewed {index}. Next batch? (y/n)", ["y", "n"], NEXT) == "n":
                break
    except NoInput:
        print_summary(counts)
        raise no_terminal("review-candidates", DECISIONS_FLAG) from None
    except Stopped:
        print_summary(counts)
        click.echo("stopped")
        ctx.exit(STOPPED_STATUS)
    print_summary(counts)


def _say_published(candidates: CsvTable, staging: CsvTable, published: dict[str, str]) -> None:
    """Which unverified candidates are not offered because they are published (in the
    file's order: largest compute first)."""
    offered = set(new_candidates(candidates, staging))
    waiting = [k for k in candidates.rows if k in offered and k in published]
    if not waiting:
        return
    names = ", ".join(published[k] for k in waiting[:MAX_LISTED])
    more = f" and {len(waiting) - MAX_LISTED} more" if len(waiting) > MAX_LISTED else ""
    click.echo(f"Not offered: {len(waiting)} already published ({names}{more}).")


def _from_file(settings: Settings, path: Path) -> None:
    try:
        result = apply_decisions(settings, read_decisions(path), utc_now())
    except DecisionErrors as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        raise
    counts = Counter(item.decision for item in result.applied)
    click.echo(
        f"{len(result.applied)} decisions applied: {counts['y']} added to staging, "
        f"{counts['n']} moved below; {len(result.unchanged)} already in effect."
    )
