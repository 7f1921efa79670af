"""``tracker names``: how raw names become keys."""

from __future__ import annotations

import click

from pipeline.cli.common import settings_from, user_errors
from pipeline.collect.names import NameRules, explain
from pipeline.paths import ConfigPaths


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


COMMANDS = [names_command]
