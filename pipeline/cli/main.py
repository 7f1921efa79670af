"""The ``tracker`` group: global options and command registration."""

from __future__ import annotations

import gc
import os

import click

from pipeline.cli.ending import finish
from pipeline.cli.lazy import LazyCommand, LazyGroup

# The estimator's fits solve systems of a few dozen rows: numpy's BLAS needs no thread pool,
# whose start at import costs every estimating command CPU time (a user's setting wins).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# Each command's module and short help (the first sentence of its docstring; a test keeps
# them equal), so that building the group, or its help, imports no command module.
COMMANDS = {
    "collect-all": LazyCommand(
        "pipeline.cli.collect:collect_all_command",
        "Read every source in configs/scrapers into data/scraped/<source>_models.json.",
    ),
    "sources": LazyCommand(
        "pipeline.cli.collect:sources_command",
        "List the configured sources: type, input, last success and its age, last error.",
    ),
    "estimate-flops": LazyCommand(
        "pipeline.cli.estimate:estimate_command",
        "Estimate training compute for every collected model and classify it.",
    ),
    "evaluate": LazyCommand(
        "pipeline.cli.estimate:evaluate_command",
        "Leave-one-out accuracy of the estimates against Epoch AI's reference data.",
    ),
    "refresh-dataset": LazyCommand(
        "pipeline.cli.curate:refresh_command",
        "Refresh candidates (above + not sure) and below from the estimates.",
    ),
    "query": LazyCommand(
        "pipeline.cli.curate:query_command", "Filter, sort and export the curated tables."
    ),
    "validate": LazyCommand(
        "pipeline.cli.curate:validate_command",
        "Check candidates, below and staging: schema, vocabularies, FLOP, dates, URLs, keys.",
    ),
    "review-candidates": LazyCommand(
        "pipeline.cli.review:review_command",
        "Decide new candidates: y (above 1e25, to staging) or n (below), with a reason.",
    ),
    "sync-datasets": LazyCommand(
        "pipeline.cli.sync:sync_command",
        "Sync staging and published through the name mapping and the schema translation "
        "(configs/model_name_mapping.yaml, configs/schema_map.yaml).",
    ),
    "names": LazyCommand(
        "pipeline.cli.inspect:names_command",
        "Show the key each RAW_NAME normalises to, and the rules that applied.",
    ),
    "history": LazyCommand(
        "pipeline.cli.inspect:history_command",
        "Every change applied to MODEL (a raw name, staging key or published name): when, by "
        "whom (pipeline, cli, sheet), which table and field, old and new value.",
    ),
    "report": LazyCommand(
        "pipeline.cli.inspect:report_command",
        "Write data/reports/index.html (self-contained) and compute_over_time.png: training "
        "compute over time on a log axis with the 1e25 line, verified and estimated models.",
    ),
}
PLUGINS = "tracker.commands"


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
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


for _name, _command in COMMANDS.items():
    cli.add_lazy(_name, _command)
cli.add_entry_points(PLUGINS)  # read for a name not in COMMANDS, or to list every command


def with_plugins() -> LazyGroup:
    """The ``tracker`` group with the commands other packages of the distribution (the
    bridge) register under the ``tracker.commands`` entry point: each entry names a map of
    command name -> :class:`LazyCommand` in a light module; the commands load when used."""
    cli.read_entry_points()
    return cli


def main() -> None:
    # Large runs build many long-lived objects and free few; with the default thresholds
    # the cyclic collector takes about a third of a 100,000-model estimate.
    gc.set_threshold(100_000, 50, 100)
    try:
        cli(prog_name="tracker")
    except SystemExit as done:  # click ends every command with it
        finish(done.code)
