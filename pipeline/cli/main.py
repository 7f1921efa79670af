"""The ``tracker`` group: global options and command registration."""

from __future__ import annotations

import gc
from importlib.metadata import entry_points

import click

from pipeline.cli import collect, curate, estimate, inspect, review, sync


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    envvar="TRACKER_DATA_DIR",
    help="Data directory (default: data_dir of configs/tracker.yaml, else ./data).",
)
@click.option(
    "--config-dir",
    type=click.Path(file_okay=False),
    envvar="TRACKER_CONFIG_DIR",
    help="Configuration folder (default ./configs).",
)
@click.version_option(package_name="tracker")
@click.pass_context
def cli(ctx: click.Context, data_dir: str | None, config_dir: str | None) -> None:
    """Track AI models trained with more than 1e25 FLOP: collect, estimate, curate."""
    ctx.ensure_object(dict).update(data_dir=data_dir, config_dir=config_dir)


for module in (collect, estimate, curate, review, sync, inspect):
    for command in module.COMMANDS:
        cli.add_command(command)


def with_plugins() -> click.Group:
    """The ``tracker`` group with the commands other packages of the distribution (the
    bridge) register under the ``tracker.commands`` entry point."""
    for entry in entry_points(group="tracker.commands"):
        command = entry.load()
        if command.name not in cli.commands:
            cli.add_command(command)
    return cli


def main() -> None:
    # Large runs build many long-lived objects and free few; with the default thresholds
    # the cyclic collector takes about a third of a 100,000-model estimate.
    gc.set_threshold(100_000, 50, 100)
    with_plugins()(prog_name="tracker")
