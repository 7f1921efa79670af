"""Looking at the data: ``tracker names``, ``tracker history`` and ``tracker report``."""

from __future__ import annotations

import click
from rich.table import Table

from pipeline.cli.common import console, settings_from, user_errors, writes_data
from pipeline.collect.names import NameRules, explain, normalise
from pipeline.curate import history
from pipeline.curate.mapping import load_mapping
from pipeline.curate.render import short
from pipeline.paths import ConfigPaths, DataPaths


@click.command("names")
@click.argument("raw_names", nargs=-1, required=True)
@click.pass_context
@user_errors
def names_command(ctx: click.Context, raw_names: tuple[str, ...]) -> None:
    """Show the key each RAW_NAME normalises to, and the rules that applied."""
    rules = NameRules.load(ConfigPaths(settings_from(ctx).config_dir).aliases)
    for raw in raw_names:
        key, steps = explain(raw, rules)
        click.echo(f"{raw} -> {key or '(no key)'}")
        for step in steps:
            click.echo(f"    {step}")


@click.command("history")
@click.argument("model")
@click.option("--limit", type=click.IntRange(min=1), default=200, show_default=True,
              help="Show the last N changes.")  # fmt: skip
@click.pass_context
@user_errors
def history_command(ctx: click.Context, model: str, limit: int) -> None:
    """Every change applied to MODEL (a raw name, staging key or published name): when, by
    whom (pipeline, cli, sheet), which table and field, old and new value."""
    settings = settings_from(ctx)
    configs = ConfigPaths(settings.config_dir)
    mapping = load_mapping(configs.name_mapping, DataPaths(settings.data_dir).mapping_overlay)
    key = normalise(model, NameRules.load(configs.aliases))
    names = {model, key, mapping.mapping.get(key, ""), mapping.reverse.get(model, "")} - {""}
    names |= {mapping.mapping[n] for n in list(names) if n in mapping.mapping}
    found = history.of_model(DataPaths(settings.data_dir).state, names)
    if not found:
        click.echo(f"No history for {model} (looked for {', '.join(sorted(names))}).")
        return
    table = Table("time", "source", "table", "key", "change", "field", "old", "new", "reason",
                  title=f"History of {model}")  # fmt: skip
    for e in found[-limit:]:
        table.add_row(*(short(str(e.get(c) or "")) for c in
                        ("time", "source", "table", "key", "change", "field", "old", "new",
                         "reason")))  # fmt: skip
    if len(found) > limit:
        table.caption = f"the last {limit} of {len(found)} changes"
    console().print(table)


@click.command("report")
@click.pass_context
@user_errors
@writes_data
def report_command(ctx: click.Context) -> None:
    """Write data/reports/index.html (self-contained) and compute_over_time.png: training
    compute over time on a log axis with the 1e25 line, verified and estimated models."""
    from pipeline.report import write_report  # matplotlib and the estimates: this command only

    target, wrote = write_report(settings_from(ctx))
    click.echo(f"{'Written' if wrote else 'Unchanged'}: {target}")
