"""``tracker review-candidates``: decide new candidates at the terminal or from a file."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click
from rich.table import Table

from pipeline.cli.common import console, settings_from, user_errors, writes_data
from pipeline.cli.prompts import NoInput, ask, ask_text, input_closed, no_terminal
from pipeline.curate.apply import apply_plan
from pipeline.curate.datasets import BELOW, CANDIDATES, STAGING, open_tables
from pipeline.curate.review import (
    DecisionErrors,
    apply_decisions,
    new_candidates,
    plan_decision,
    read_decisions,
)
from pipeline.paths import DataPaths
from pipeline.values import utc_now

DECISIONS_FLAG = "--decisions FILE.csv (columns model,decision,reason)"
SHOWN = [
    ("developer", "Developer"),
    ("training_flop", "Training FLOP"),
    ("confidence", "Confidence"),
    ("estimation_method", "Method"),
    ("threshold_classification", "Classification"),
    ("p_above_1e25", "P(above 1e25)"),
    ("status", "Status"),
    ("reasoning", "Reasoning"),
    ("sources", "Sources"),
    ("alternative_methods", "Alternatives"),
]
ANSWERS = {"yes": "y", "no": "n", "above": "y", "below": "n", "s": "skip", "q": "quit"}
NEXT = {"yes": "y", "no": "n", "q": "n", "quit": "n"}


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
@writes_data
def review_command(ctx: click.Context, batch_size: int, decisions: Path | None) -> None:
    """Decide new candidates: y (above 1e25, to staging) or n (below), with a reason.

    Both mark the model verified, so automation never changes the decision.
    """
    settings = settings_from(ctx)
    if decisions is not None:
        _from_file(settings, decisions)
        return
    state = DataPaths(settings.data_dir).state
    tables = open_tables(settings, [CANDIDATES, BELOW, STAGING])
    keys = new_candidates(tables[CANDIDATES], tables[STAGING])
    if not keys:
        click.echo("No new candidates to review.")
        return
    if input_closed():
        raise no_terminal("review-candidates", DECISIONS_FLAG)
    plural = "s" if len(keys) != 1 else ""
    click.echo(
        f"{len(keys)} new candidate{plural}. Answer y (above 1e25), n (below), skip or quit."
    )
    counts: Counter[str] = Counter()
    try:
        for index, key in enumerate(keys, start=1):
            show_candidate(tables[CANDIDATES].get(key), index, len(keys))
            answer = ask("Decision (y/n/skip/quit)", ["y", "n", "skip", "quit"], ANSWERS)
            if answer == "quit":
                break
            if answer != "skip":
                reason = ask_text("Reason", "a reason (it is kept in the notes)")
                stamp = utc_now()
                apply_plan(plan_decision(key, answer, reason, tables, stamp), tables, stamp, state)
                target = "staging" if answer == "y" else "below_1e25_flop.csv"
                click.echo(f"{key}: {'added to' if answer == 'y' else 'moved to'} {target}")
            counts[answer] += 1
            more = index < len(keys) and index % batch_size == 0
            if more and ask(f"Reviewed {index}. Next batch? (y/n)", ["y", "n"], NEXT) == "n":
                break
    except NoInput:
        print_summary(counts)
        raise no_terminal("review-candidates", DECISIONS_FLAG) from None
    print_summary(counts)


def _from_file(settings: object, path: Path) -> None:
    try:
        result = apply_decisions(settings, read_decisions(path), utc_now())  # type: ignore[arg-type]
    except DecisionErrors as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        raise
    counts = Counter(item.decision for item in result.applied)
    click.echo(
        f"{len(result.applied)} decisions applied: {counts['y']} added to staging, "
        f"{counts['n']} moved below; {len(result.unchanged)} already in effect."
    )


COMMANDS = [review_command]
