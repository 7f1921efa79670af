"""``tracker refresh-dataset``, ``tracker query`` and ``tracker validate``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.table import Table

from pipeline.cli.common import console, print_problems, settings_from, user_errors, writes_data
from pipeline.cli.ending import leave_to_exit
from pipeline.collect.names import NameRules
from pipeline.curate import query as q
from pipeline.curate.datasets import BELOW, CANDIDATES, STAGING, read_dataset
from pipeline.curate.journal import pending_note
from pipeline.curate.plan import UpdateField
from pipeline.curate.refresh import run_refresh
from pipeline.curate.render import render_plan
from pipeline.curate.validate import cross_check, grouped, validate_table
from pipeline.errors import InputError
from pipeline.paths import ConfigPaths, DataPaths
from pipeline.storage.atomic import atomic_write_text

if TYPE_CHECKING:
    import pandas as pd

DATASETS = ("candidates", "below", "staging", "all")
MAX_WARNING_LINES = 30
TABLE_COLUMNS = (
    "model",
    "developer",
    "training_flop",
    "p_above_1e25",
    "confidence",
    "threshold_classification",
    "status",
    "verified",
)


@click.command("refresh-dataset")
@click.option("--reset", is_flag=True, help="Rebuild unverified rows from the estimates only.")
@click.option("--dry-run", is_flag=True, help="Show the plan; write nothing.")
@click.pass_context
@user_errors
@writes_data
def refresh_command(ctx: click.Context, reset: bool, dry_run: bool) -> None:
    """Refresh candidates (above + not sure) and below from the estimates.

    Verified rows are never changed, dropped or moved.
    """
    settings = settings_from(ctx)
    report = run_refresh(settings, reset=reset, dry_run=dry_run)
    out = console()
    print_problems(grouped(report.problems), limit=MAX_WARNING_LINES)
    if dry_run:
        render_plan(report.plan, out, "Refresh plan (dry run)")
    if report.blocked:
        count = len(report.errors) or len(report.plan.problems)
        raise InputError(f"refresh stopped: {count} error(s) in the input; nothing was written")
    if reset:
        kept = report.summary["manually verified"] + report.summary["verified below"]
        out.print(
            f"--reset: unverified rows rebuilt from the estimates; {kept} verified rows kept."
        )
    if dry_run:
        out.print("Dry run: nothing written.")
    else:
        counts = report.plan.counts()
        out.print(
            f"{counts['AddRow']} added, {len(report.plan.rows_touched(UpdateField))} updated, "
            f"{counts['MoveRow']} moved, {counts['DropRow']} dropped"
        )
        for name, columns in report.added_columns.items():
            if columns:
                out.print(f"{name}: added missing columns {', '.join(columns)}")
        paths = DataPaths(settings.data_dir)
        files: dict[str, Path] = {CANDIDATES: paths.candidates, BELOW: paths.below}
        written = ", ".join(str(files[n]) for n in report.written)
        out.print(f"Written: {written or 'nothing (no changes)'}")
    summary = Table("summary", "models", title="Candidates")
    for label, value in report.summary.items():
        summary.add_row(label, str(value))
    out.print(summary)
    leave_to_exit(report)


@click.command("query")
@click.option(
    "--dataset",
    type=click.Choice(DATASETS),
    default="candidates",
    show_default=True,
    help="Which table to query; all = candidates, below and staging.",
)
@click.option(
    "--above", type=float, metavar="FLOP", help="Training compute at least FLOP (e.g. 1e25)."
)
@click.option(
    "--min-p-above",
    type=click.FloatRange(0, 1),
    metavar="P",
    help="P(above 1e25) at least P (rows without one are left out).",
)
@click.option(
    "--max-p-above",
    type=click.FloatRange(0, 1),
    metavar="P",
    help="P(above 1e25) at most P (rows without one are left out).",
)
@click.option("--developer", help="Developer contains this text (any case).")
@click.option(
    "--confidence",
    multiple=True,
    type=click.Choice(["high", "medium", "low", "speculative"]),
    help="Keep these confidences (repeatable).",
)
@click.option(
    "--verified/--unverified", default=None, help="Only verified, or only unverified, rows."
)
@click.option("--name-contains", metavar="TEXT", help="Key contains TEXT (any case).")
@click.option(
    "--sort-by",
    default="training_flop",
    show_default=True,
    metavar="COLUMN",
    help="Column to sort by (numbers sort by value).",
)
@click.option("--ascending", is_flag=True, help="Sort ascending (default descending).")
@click.option("--top", type=click.IntRange(min=1), metavar="N", help="Only the first N rows.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@click.option("--save", is_flag=True, help="Also save to data/query_results/ (timestamped).")
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="Save to this file."
)
@click.option("--check-duplicates", is_flag=True, help="List duplicate models; exit 1 if any.")
@click.option("--stats", is_flag=True, help="Counts by classification, confidence and developer.")
@click.pass_context
@user_errors
def query_command(
    ctx: click.Context,
    dataset: str,
    fmt: str,
    save: bool,
    output: Path | None,
    check_duplicates: bool,
    stats: bool,
    **filters: Any,
) -> None:
    """Filter, sort and export the curated tables."""
    settings = settings_from(ctx)
    paths = DataPaths(settings.data_dir)
    datasets: list[str] = [CANDIDATES, BELOW, STAGING] if dataset == "all" else [dataset]
    if note := pending_note(paths.state):
        click.echo(note, err=True)
    if output is not None:
        workbook = (settings.data_dir / settings.bridge.workbook).parent
        q.check_output(output, [*q.protected_folders(paths), workbook, settings.config_dir])
    if check_duplicates:
        rules = NameRules.load(ConfigPaths(settings.config_dir).aliases)
        lines = q.duplicate_report(paths, datasets, rules)
        for line in lines:
            click.echo(line)
        if lines:
            raise click.ClickException(f"{len(lines)} duplicate(s) found")
        click.echo("No duplicates.")
        return
    frame = q.load_frame(paths, datasets)
    if stats:
        _print_stats(q.statistics(frame))
        return
    result = q.run_query(frame, q.QueryOptions(**filters))
    if len(datasets) == 1:
        result = result.drop(columns="dataset")
    text = _render(result, fmt)
    if text is not None:
        click.echo(text, nl=False)
    if save or output:
        target = output or q.default_output(paths, datasets, "json" if fmt == "json" else "csv")
        atomic_write_text(target, _render(result, "json" if fmt == "json" else "csv") or "")
        click.echo(f"Saved {len(result)} rows to {target}", err=True)


def _render(result: pd.DataFrame, fmt: str) -> str | None:
    """CSV or JSON text; a table is printed directly and gives None."""
    if fmt == "csv":
        return result.to_csv(index=False, lineterminator="\n")
    if fmt == "json":
        return json.dumps(result.to_dict(orient="records"), indent=2, ensure_ascii=False) + "\n"
    columns = [c for c in ("dataset", *TABLE_COLUMNS) if c in result.columns]
    table = Table(*columns, title=f"{len(result)} models")
    for values in result[columns].itertuples(index=False):
        table.add_row(*map(str, values))
    console().print(table)
    return None


def _print_stats(stats: dict) -> None:
    out = console()
    for title in ("by classification", "by confidence", "by developer"):
        table = Table(title, "models")
        for value, count in stats[title].items():
            table.add_row(str(value), str(count))
        out.print(table)
    out.print(f"verification rate (verified / candidates): {stats['verification rate']:.1%}")


@click.command("validate")
@click.pass_context
@user_errors
def validate_command(ctx: click.Context) -> None:
    """Check candidates, below and staging: schema, vocabularies, FLOP, dates, URLs, keys."""
    settings = settings_from(ctx)
    paths = DataPaths(settings.data_dir)
    rules = NameRules.load(ConfigPaths(settings.config_dir).aliases)
    tables = {name: read_dataset(path) for name, path in q.dataset_paths(paths).items()}
    if note := pending_note(paths.state):
        click.echo(note, err=True)
    problems = [p for t in tables.values() for p in validate_table(t, rules)]
    problems += cross_check(tables[CANDIDATES], tables[BELOW])
    for problem in problems:
        click.echo(str(problem))
    errors = sum(p.level == "error" for p in problems)
    click.echo(
        f"{sum(len(t) for t in tables.values())} rows checked: {errors} errors, "
        f"{len(problems) - errors} warnings"
    )
    if errors:
        raise InputError(f"{errors} errors in the datasets")
