"""``tracker estimate-flops`` and ``tracker evaluate``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pipeline.cli.common import console, settings_from, user_errors, writes_data
from pipeline.cli.ending import leave_to_exit
from pipeline.estimate.runner import EstimateReport, run_estimate
from pipeline.paths import DataPaths
from pipeline.settings import Settings
from pipeline.storage.jsondoc import collector_paused

if TYPE_CHECKING:
    from rich.table import Table

    from pipeline.estimate.evaluate import Evaluation

SHOW_RECLASSIFIED = 20


@click.command("estimate-flops")
@click.option(
    "--update", is_flag=True, help="Re-estimate every model, not only new or changed evidence."
)
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.pass_context
@user_errors
@writes_data
def estimate_command(ctx: click.Context, update: bool, dry_run: bool) -> None:
    """Estimate training compute for every collected model and classify it."""
    settings = settings_from(ctx)
    with collector_paused():  # the report holds no cycles
        report = run_estimate(settings, update=update, dry_run=dry_run, records=False)
        _show(report, settings, dry_run)
    leave_to_exit(report)


def _show(report: EstimateReport, settings: Settings, dry_run: bool) -> None:
    """What ``estimate-flops`` did."""
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(
        f"{report.model_count} models: {report.new} new, {report.reestimated} re-estimated, "
        f"{report.kept} kept (evidence unchanged), {len(report.removed)} no longer collected"
    )
    for fit in report.fits:
        click.echo(
            f"  fit {fit['benchmark']}: {fit['reference_models']} reference models, "
            f"residual {fit['residual_dex']} dex"
        )
    click.echo(
        "  by method: "
        + ", ".join(f"{k} {v}" for k, v in sorted(report.counts("estimation_method").items()))
    )
    click.echo(
        "  by class:  "
        + ", ".join(
            f"{k} {v}" for k, v in sorted(report.counts("threshold_classification").items())
        )
    )
    for key, old, new in report.reclassified[:SHOW_RECLASSIFIED]:
        click.echo(f"  reclassified {key}: {old} -> {new}")
    if len(report.reclassified) > SHOW_RECLASSIFIED:
        click.echo(f"  ... and {len(report.reclassified) - SHOW_RECLASSIFIED} more reclassified")
    target = DataPaths(settings.data_dir).estimated
    if dry_run:
        click.echo("Dry run: nothing written.")
    else:
        click.echo(f"{'Saved' if report.written else 'Unchanged'}: {target}")


@click.command("evaluate")
@click.option(
    "--reference",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Folder of Epoch AI CSV files (default: <data>/raw/epoch).",
)
@click.option("--details", is_flag=True, help="One line per model.")
@click.option("--json", "as_json", is_flag=True, help="Every figure as JSON, for machines.")
@click.pass_context
@user_errors
def evaluate_command(
    ctx: click.Context, reference: Path | None, details: bool, as_json: bool
) -> None:
    """Leave-one-out accuracy of the estimates against Epoch AI's reference data."""
    from rich.table import Table  # the tables of this command only

    from pipeline.estimate.evaluate import evaluate

    result = evaluate(settings_from(ctx), reference)
    if as_json:
        click.echo(json.dumps(result.as_json(), indent=2))
        return
    out = console()
    if details:
        table = Table("model", "Epoch FLOP", "estimate", "80% interval", "log10 error",
                      "P(above)", "method", "class")  # fmt: skip
        for case in sorted(result.cases, key=lambda c: -c.truth):
            table.add_row(
                case.key, f"{case.truth:.3g}", f"{case.estimate:.3g}",
                f"{case.low:.2g} - {case.high:.2g}", f"{case.error:+.2f}",
                f"{case.p_above:.3f}", case.method, case.classification,
            )  # fmt: skip
        out.print(table)
    for line in summary_lines(result):
        out.print(line)
    for table in figure_tables(result):
        out.print(table)


def summary_lines(result: Evaluation) -> list[str]:
    n = len(result.cases)
    above = sum(c.truth >= result.threshold for c in result.cases)
    missed = result.above_called_below()
    return [
        f"models matched: {n} ({above} above {result.threshold:.0e}, {n - above} below)",
        f"median |log10 error|: {result.median_abs_error:.2f} dex; "
        f"within 0.5 dex: {result.within(0.5):.0%}; within 1 dex: {result.within(1.0):.0%}",
        f"not_sure: {result.not_sure()} of {n} evaluated models; "
        f"{result.candidates_not_sure} of {result.candidates} candidates on this data",
        "above 1e25 by Epoch but called high-confidence below: "
        + (", ".join(missed) if missed else "none"),
    ]


def figure_tables(result: Evaluation) -> list[Table]:
    from rich.table import Table

    figures = Table("method", "models", "median |err|", "mean |err|", "within 0.5 dex",
                    "80% coverage", "Brier")  # fmt: skip
    rows = [("overall (the estimate)", result.overall()), *result.by_method().items()]
    for label, f in rows:
        figures.add_row(
            label, str(f.n), f"{f.median_abs_error:.2f}", f"{f.mean_abs_error:.2f}",
            f"{f.within_half_dex:.0%}", f"{f.coverage:.2f}", f"{f.brier:.3f}",
        )  # fmt: skip
    reliability = Table("stated P(above)", "models", "mean stated", "observed above")
    for label, n, stated, observed in result.reliability():
        reliability.add_row(
            label, str(n), "" if n == 0 else f"{stated:.2f}", "" if n == 0 else f"{observed:.2f}"
        )
    judged = Table("'above 1e25' judged by", "precision", "recall")
    rows_pr = [
        ("point estimate >= threshold", result.point()),
        ("candidate (above or not sure)", result.flagged()),
        ("high-confidence above", result.confident()),
        ("high-confidence below (of 'below')", result.confident_below()),
        ("baseline: every model above", result.everything_above()),
    ]
    for label, (precision, recall) in rows_pr:
        judged.add_row(label, f"{precision:.2f}", f"{recall:.2f}")
    return [figures, reliability, judged]
