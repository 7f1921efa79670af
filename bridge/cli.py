"""``tracker bridge status|pull|push|sync``: the sheets from the command line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click
from rich.table import Table

from bridge.backends import NAMES
from bridge.layout import TABLES
from bridge.mirror import MirrorReport, Mode, mirror, rebase
from bridge.model import SheetChanges
from pipeline.cli.common import console, settings_from, user_errors, writes_data
from pipeline.cli.ending import leave_to_exit
from pipeline.curate.render import render_plan, short

SHOW = 30


F = TypeVar("F", bound=Callable[..., Any])


def backend_options(func: F) -> F:
    """--backend, --table and --dry-run, shared by every bridge command."""
    options = [
        click.option("--backend", type=click.Choice(NAMES),
                     help="local, airtable or gsheets (default: settings and credentials)."),
        # By value: click takes enum members by their names.
        click.option("--table", "tables", multiple=True, type=click.Choice(list(map(str, TABLES))),
                     help="Only this sheet (repeatable; default all three)."),
        click.option("--dry-run", is_flag=True,
                     help="Show the plan both ways; change nothing anywhere."),
    ]  # fmt: skip
    for option in reversed(options):
        func = option(func)
    return func


@click.group("bridge")
def bridge_group() -> None:
    """Mirror candidates, staging and published to the shared sheets, and pull reviewers'
    decisions and corrections back (local workbook, Airtable or Google Sheets)."""


def _run(
    ctx: click.Context,
    mode: Mode,
    backend: str | None,
    tables: tuple[str, ...],
    dry_run: bool,
    prefer: str | None = None,
) -> MirrorReport:
    report = mirror(
        settings_from(ctx), mode, backend_name=backend, tables=list(tables) or None,
        dry_run=dry_run, prefer=prefer,
    )  # fmt: skip
    for notice in report.notices:
        click.echo(notice)
    return report


def _sheet_table(changes: dict[str, SheetChanges]) -> None:
    table = Table("sheet", "row", "change", "cells", title="Sheet changes")
    shown = 0
    for change in changes.values():
        if change.create:
            table.add_row(
                change.layout.title, "", "create sheet", ", ".join(change.header[:6]) + " ..."
            )
        if change.add_columns:
            table.add_row(change.layout.title, "", "add columns", ", ".join(change.add_columns))
        for row, cells in change.updates:
            if shown < SHOW:
                detail = "; ".join(f"{c} = {short(v) or '∅'}" for c, v in cells.items())
                table.add_row(
                    change.layout.title, row.key or f"row {row.position}", "update", detail
                )
            shown += 1
        for cells in change.appends:
            if shown < SHOW:
                table.add_row(change.layout.title, cells.get(change.layout.key, ""), "append",
                              f"{len([v for v in cells.values() if v])} cells")  # fmt: skip
            shown += 1
        for row in change.removals:
            if shown < SHOW:
                table.add_row(change.layout.title, row.key, "remove", "left the local table")
            shown += 1
    if shown > SHOW:
        table.caption = f"... and {shown - SHOW} more"
    console().print(table)


def _summary(report: MirrorReport) -> None:
    for name, outcome in report.outcomes.items():
        messages = [
            (k, m) for k, ms in outcome.statuses.items() for m in ms if not m.startswith("applied")
        ]
        for key, message in messages[:SHOW]:
            click.echo(f"{name} {key}: {message}")
        for row, message in outcome.row_statuses[:SHOW]:
            click.echo(f"{name} row {row.position}: {message}")
    t = report.totals()
    click.echo(
        f"{report.backend} ({report.location}): {t['edits']} reviewer changes applied "
        f"({t['decisions']} decisions), {t['conflicts']} conflicts and {t['invalid']} problems "
        f"waiting in the sheet; {t['cells']} cells to write"
    )


@bridge_group.command("status")
@backend_options
@click.pass_context
@user_errors
def status_command(
    ctx: click.Context, backend: str | None, tables: tuple[str, ...], dry_run: bool
) -> None:
    """Local changes since the last sync and, when the sheet can be read, reviewer edits,
    conflicts and invalid rows. Changes nothing."""
    report = _run(ctx, "status", backend, tables, dry_run=True)
    for name, count in report.local_changes.items():
        click.echo(f"{name}: {count} rows changed locally since the last sync")
    if report.skipped:
        click.echo(report.skipped)
        return
    _summary(report)


def _report(report: MirrorReport) -> None:
    if report.dry_run:
        render_plan(report.local, console(), "Local changes from the sheets (dry run)")
        _sheet_table({n: c for n, c in report.changes.items() if c})
    _summary(report)
    if report.written:
        click.echo("Written: " + ", ".join(dict.fromkeys(report.written)))
    if report.skipped:
        click.echo(f"Push skipped: {report.skipped}")
    elif report.dry_run:
        click.echo("Dry run: nothing changed.")


@bridge_group.command("pull")
@backend_options
@click.pass_context
@user_errors
@writes_data
def pull_command(
    ctx: click.Context, backend: str | None, tables: tuple[str, ...], dry_run: bool
) -> None:
    """Read the sheets and apply reviewers' decisions and edits to the local files."""
    _report(_run(ctx, "pull", backend, tables, dry_run))


@bridge_group.command("push")
@backend_options
@click.pass_context
@user_errors
@writes_data
def push_command(
    ctx: click.Context, backend: str | None, tables: tuple[str, ...], dry_run: bool
) -> None:
    """Write local changes to the sheets; reviewers' unpulled edits are kept."""
    report = _run(ctx, "push", backend, tables, dry_run)
    _report(report)
    leave_to_exit(report)


@bridge_group.command("sync")
@backend_options
@click.option(
    "--prefer",
    type=click.Choice(["sheet", "local"]),
    help="Settle every conflict: take the sheet's value, or write the local one over it "
    "(the sheet's value is kept in the row's notes).",
)
@click.pass_context
@user_errors
@writes_data
def sync_command(
    ctx: click.Context,
    backend: str | None,
    tables: tuple[str, ...],
    dry_run: bool,
    prefer: str | None,
) -> None:
    """Pull, then push: what the worker runs."""
    report = _run(ctx, "sync", backend, tables, dry_run, prefer)
    _report(report)
    leave_to_exit(report)


@bridge_group.command("rebase")
@click.option("--backend", type=click.Choice(NAMES), help="Sheet backend (default: settings).")
@click.pass_context
@user_errors
@writes_data
def rebase_command(ctx: click.Context, backend: str | None) -> None:
    """Adopt the sheets as they are now as the sync base (after the sync state was lost):
    the next sync writes the local values that differ over the sheets'."""
    taken = rebase(settings_from(ctx), backend_name=backend)
    counts = ", ".join(f"{table} {rows} rows" for table, rows in taken.items())
    click.echo(f"Sync base taken from the sheets: {counts}; the next sync writes local values.")
