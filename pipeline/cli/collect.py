"""``tracker collect-all`` and ``tracker sources``."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from pipeline.cli.common import print_problems, settings_from, user_errors, writes_data
from pipeline.collect.history import age, read_outcomes
from pipeline.collect.runner import SourceResult, collect_all
from pipeline.collect.sources import load_sources
from pipeline.errors import InputError
from pipeline.paths import ConfigPaths, DataPaths
from pipeline.storage.jsondoc import read_document

MAX_LISTED = 20


def listing(names: list[str], limit: int = MAX_LISTED) -> str:
    """``a, b, c`` with at most ``limit`` names, then how many more."""
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def counts(result: SourceResult) -> str:
    """``, 3 new, 1 failed file``: what is new since the last run (said only when any)."""
    failed = len(result.failed_files)
    text = f", {len(result.new_models)} new" if result.new_models else ""
    return text + (f", {failed} failed file{'' if failed == 1 else 's'}" if failed else "")


def result_lines(result: SourceResult) -> list[str]:
    """What a successful source read: its new snapshot files, new models and changed
    known values, one line each (indented under the source's line)."""
    lines = []
    if result.saved_copy:
        lines.append(f"      saved the fetched table as {result.saved_copy}")
    for name in result.new_files:
        lines.append(f"      new file: {name}")
    if result.new_models:
        lines.append(f"      new models: {listing(result.new_models)}")
    if result.changes:
        lines.append(f"      known values changed: {listing(result.changes)}")
    return lines


@click.command("collect-all")
@click.option(
    "--source", "only", metavar="NAME", help="Collect only this source (even if disabled)."
)
@click.pass_context
@user_errors
@writes_data
def collect_all_command(ctx: click.Context, only: str | None) -> None:
    """Read every source in configs/scrapers into data/scraped/<source>_models.json.

    A source that fails keeps its previous output; the command fails only when every
    source fails. Per source: models read, and (when any) how many are new since the last
    run and which files failed.
    """
    settings = settings_from(ctx)
    report = collect_all(settings, only)
    paths = DataPaths(settings.data_dir)
    for result in report.results:
        if result.ok:
            folded = f", {result.folded} names folded into existing keys" if result.folded else ""
            state = "saved" if result.written else "unchanged"
            click.echo(
                f"ok    {result.name}: {result.models} models{counts(result)}{folded}"
                f" ({state}: {paths.scraped_file(result.name)})"
            )
            for line in result_lines(result):
                click.echo(line)
        else:
            kept = " (previous output kept)" if paths.scraped_file(result.name).exists() else ""
            click.echo(f"fail  {result.name}: {result.error}{kept}", err=True)
        problems = [f"warning: failed file: {line}" for line in result.failed_files]
        if not result.ok:
            problems = problems if len(result.failed_files) > 1 else []
        print_problems([*problems, *(f"warning: {line}" for line in result.warnings)])
    print_problems(f"warning: {line}" for line in report.warnings)
    if not report.succeeded:
        reasons = "; ".join(f"{r.name}: {r.error}" for r in report.failed) or "no sources enabled"
        raise click.ClickException(f"every source failed ({reasons})")
    click.echo(f"{len(report.succeeded)} of {len(report.results)} sources collected.")


@click.command("sources")
@click.pass_context
@user_errors
def sources_command(ctx: click.Context) -> None:
    """List the configured sources: type, input, last success and its age, last error."""
    settings = settings_from(ctx)
    paths = DataPaths(settings.data_dir)
    outcomes = read_outcomes(paths.state)
    today = datetime.now(UTC).date()
    for source in load_sources(ConfigPaths(settings.config_dir).scrapers):
        outcome = outcomes.get(source.name, {})
        where = source.url or ", ".join(source.patterns)
        success = outcome.get("last_success", "")
        when = f"last success {success} ({age(success, today)})" if success else "never collected"
        off = " (disabled)" if not source.enabled else ""
        click.echo(f"{source.name}{off}: {source.type}, {where}")
        line = f"    {when}"
        try:
            saved = read_document(paths.scraped_file(source.name))
        except InputError:
            saved = None
        if saved is not None:
            line += f"; {len(saved['models'])} models in {paths.scraped_file(source.name)}"
        click.echo(line)
        if outcome.get("last_error"):
            tried = outcome.get("last_attempt", "")
            click.echo(f"    last attempt {tried} failed: {outcome['last_error']}")
