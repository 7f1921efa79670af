"""``tracker collect-all``."""

from __future__ import annotations

import click

from pipeline.cli.common import print_problems, settings_from, user_errors, writes_data
from pipeline.collect.runner import collect_all
from pipeline.paths import DataPaths


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
    source fails.
    """
    settings = settings_from(ctx)
    report = collect_all(settings, only)
    paths = DataPaths(settings.data_dir)
    for result in report.results:
        if result.ok:
            folded = f", {result.folded} names folded into existing keys" if result.folded else ""
            state = "saved" if result.written else "unchanged"
            click.echo(
                f"ok    {result.name}: {result.models} models{folded} ({state}: "
                f"{paths.scraped_file(result.name)})"
            )
        else:
            kept = " (previous output kept)" if paths.scraped_file(result.name).exists() else ""
            click.echo(f"fail  {result.name}: {result.error}{kept}", err=True)
        print_problems(f"warning: {line}" for line in result.warnings)
    if not report.succeeded:
        reasons = "; ".join(f"{r.name}: {r.error}" for r in report.failed) or "no sources enabled"
        raise click.ClickException(f"every source failed ({reasons})")
    click.echo(f"{len(report.succeeded)} of {len(report.results)} sources collected.")


COMMANDS = [collect_all_command]
