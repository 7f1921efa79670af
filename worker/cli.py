"""``tracker run``, ``tracker worker``, ``tracker health`` and ``tracker config``."""

from __future__ import annotations

import logging
import os
import sys
import threading
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any

import click
import yaml
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from bridge.backends import NAMES, choose
from pipeline.cli.common import console, settings_from, user_errors
from pipeline.paths import DataPaths
from pipeline.settings import Settings
from pipeline.values import utc_now
from worker.cycle import CycleReport, stage_names
from worker.heartbeat import judge
from worker.scheduler import cycle_job, recorded_cycle, serve, stop_on_signals, trigger

SECRETS = ("AIRTABLE_TOKEN", "AIRTABLE_TOKEN_FILE", "GOOGLE_APPLICATION_CREDENTIALS")
SHOWN = ("AIRTABLE_BASE_ID", "GSHEETS_SPREADSHEET_ID", "GSHEETS_ENDPOINT_URL")


class _Display(AbstractContextManager["_Display"]):
    """Stage progress: a rich progress display on a terminal, plain log lines otherwise."""

    def __init__(self, stages: list[str]) -> None:
        self.live = sys.stdout.isatty()
        self.progress: Progress | None = None
        self.tasks: dict[str, Any] = {}
        if self.live:
            self.progress = Progress(
                SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                console=console(),
            )  # fmt: skip
            for name in stages:
                self.tasks[name] = self.progress.add_task(name, total=1, start=False)

    def __enter__(self) -> _Display:
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    def __call__(self, name: str, text: str) -> None:
        if self.progress is None or name not in self.tasks:
            click.echo(f"{utc_now()} {name}: {text}")
            return
        task = self.tasks[name]
        if text == "started":
            self.progress.start_task(task)
            self.progress.update(task, description=f"{name} ...")
        else:
            self.progress.update(task, description=f"{name}: {text}", completed=1)


def _summary(report: CycleReport, settings: Settings) -> None:
    table = Table("stage", "result", "seconds", title="tracker run")
    for stage in report.stages:
        result = stage.summary if stage.ok else f"[red]failed: {stage.summary}[/red]"
        table.add_row(stage.name, result, f"{stage.seconds:.1f}")
    console().print(table)
    for stage in report.stages:
        for warning in stage.warnings:
            click.echo(f"warning: {stage.name}: {warning}", err=True)
    if report.mirror is not None:
        for notice in report.mirror.notices:
            click.echo(notice)
        t = report.mirror.totals()
        verb = "to apply" if report.mirror.dry_run else "applied"
        click.echo(
            f"Reviewer decisions {verb}: {t['decisions']} ({t['edits']} reviewer changes in "
            f"all); waiting in the sheet: {t['conflicts']} conflicts, {t['invalid']} problems."
        )
        click.echo(f"Sheets: {report.mirror.backend}, {report.mirror.location}")
    if report.stopped:
        click.echo("Stopped at your request after the last stage shown; run again to finish.")


@click.command("run")
@click.option(
    "--backend",
    type=click.Choice(NAMES),
    help="Where the sheets live (default: settings and credentials).",
)
@click.option("--skip-collect", is_flag=True, help="Start from the collected tables on disk.")
@click.option("--dry-run", is_flag=True, help="Show what each stage would do; write nothing.")
@click.pass_context
@user_errors
def run_command(ctx: click.Context, backend: str | None, skip_collect: bool,
                dry_run: bool) -> None:  # fmt: skip
    """One cycle, the main job: collect -> estimate -> refresh -> sync the sheets (pull
    reviewers' decisions, apply, push) -> report. SIGTERM or Ctrl-C ends it after the
    current stage."""
    settings = settings_from(ctx)
    stop = threading.Event()
    stop_on_signals(stop)
    stages = stage_names(settings, skip_collect=skip_collect, dry_run=dry_run)
    with _Display(stages) as display:
        report = recorded_cycle(settings, stop, on_stage=display, backend_name=backend,
                                skip_collect=skip_collect, dry_run=dry_run)  # fmt: skip
    _summary(report, settings)
    if not report.ok:
        raise click.ClickException(f"the cycle stopped at {report.failed}")
    if dry_run:
        click.echo("Dry run: nothing was written.")


@click.command("worker")
@click.option(
    "--schedule",
    metavar="CRON",
    help="Cron schedule (minute hour day month weekday, UTC); default: settings.",
)
@click.option("--once", is_flag=True, help="Run one recorded cycle now and exit.")
@click.option("--backend", type=click.Choice(NAMES), help="Where the sheets live.")
@click.pass_context
@user_errors
def worker_command(ctx: click.Context, schedule: str | None, once: bool,
                   backend: str | None) -> None:  # fmt: skip
    """Run the cycle on a schedule, one at a time, until SIGTERM or Ctrl-C (the Docker
    service). Logs one line per stage; the heartbeat is data/state/worker.json."""
    settings = settings_from(ctx)
    if schedule:
        trigger(schedule)
        settings = settings.model_copy(
            update={"worker": settings.worker.model_copy(update={"schedule": schedule})}
        )
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr, force=True,
    )  # fmt: skip
    if not once:
        serve(settings, backend_name=backend)
        return
    stop = threading.Event()
    stop_on_signals(stop)
    report = cycle_job(settings, stop, None, backend_name=backend)
    if report is None or not report.ok:
        sys.exit(1)


@click.command("health")
@click.pass_context
@user_errors
def health_command(ctx: click.Context) -> None:
    """Exit 0 when the last cycle succeeded within worker.health_max_age_hours, else 1 with
    the reason (the container's healthcheck)."""
    settings = settings_from(ctx)
    window = timedelta(hours=settings.worker.health_max_age_hours)
    health = judge(DataPaths(settings.data_dir).state, window)
    click.echo(health.reason, err=not health.ok)
    if not health.ok:
        sys.exit(1)


def _masked(name: str, value: str) -> str:
    if name.endswith("_FILE") or name == "GOOGLE_APPLICATION_CREDENTIALS":
        return f"{value} (file)"
    return f"set, {len(value)} characters (hidden)"


@click.command("config")
@click.pass_context
@user_errors
def config_command(ctx: click.Context) -> None:
    """Print the effective settings (configs/tracker.yaml, then TRACKER_* variables) and
    which credentials are set; secrets are never shown."""
    settings = settings_from(ctx)
    data = settings.model_dump(mode="json")
    in_use = data["bridge"]["backend in use"] = choose(settings, None)
    data["credentials"] = {
        **{n: _masked(n, os.environ[n]) for n in SECRETS if os.environ.get(n)},
        **{n: os.environ[n] for n in SHOWN if os.environ.get(n)},
    } or ("none set (the local workbook is used)" if in_use == "local" else "none set")
    click.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True).rstrip())
