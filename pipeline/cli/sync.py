"""``tracker sync-datasets``: mappings, dry runs, syncs and diffs of staging and published."""

from __future__ import annotations

import click
from click.core import ParameterSource

from pipeline.cli import sync_diff, sync_mappings
from pipeline.cli.common import console, settings_from, user_errors, writes_data
from pipeline.cli.prompts import NoInput, ask, input_closed, no_terminal
from pipeline.cli.sync_session import ANSWERS, TARGETS, Session
from pipeline.curate.plan import AddRow, Plan, UpdateField
from pipeline.curate.render import describe_row, held_back, render_held, render_sync
from pipeline.curate.sync import DIRECTIONS, blocked
from pipeline.errors import InputError

OPTION_MODES = {
    "direction": ("--dry-run", "--sync"),
    "yes": ("--sync", "--suggest-mappings"),
    "allow_unmapped": ("--dry-run", "--sync"),
    "prefer": ("--diff",),
}


@click.command("sync-datasets")
@click.option("--check-mappings", is_flag=True, help="Report unmapped models and mapping problems.")
@click.option("--suggest-mappings", is_flag=True, help="Suggest names for unmapped staging models.")
@click.option("--dry-run", is_flag=True, help="Show what a sync would change; write nothing.")
@click.option("--sync", "do_sync", is_flag=True, help="Sync, approving each model's changes.")
@click.option("--diff", "do_diff", is_flag=True, help="Resolve differences of models in both.")
@click.option(
    "--direction",
    type=click.Choice(DIRECTIONS),
    default="staging-to-published",
    show_default=True,
    help="Which way --dry-run and --sync go.",
)
@click.option(
    "--yes",
    is_flag=True,
    help="Approve every change (--sync); accept every suggestion that names an "
    "existing published model (--suggest-mappings).",
)
@click.option("--allow-unmapped", is_flag=True, help="Sync the mapped models, skip the rest.")
@click.option(
    "--prefer",
    type=click.Choice(["published", "staging"]),
    help="With --diff: keep this side's value in every difference, without asking.",
)
@click.pass_context
@user_errors
@writes_data
def sync_command(ctx: click.Context, check_mappings: bool, suggest_mappings: bool, dry_run: bool,
                 do_sync: bool, do_diff: bool, direction: str, yes: bool, allow_unmapped: bool,
                 prefer: str | None) -> None:  # fmt: skip
    """Sync staging and published through the name mapping and the schema translation
    (configs/model_name_mapping.yaml, configs/schema_map.yaml).

    Additive only: rows are added or updated, never deleted, and verified staging rows are
    never overwritten from published.
    """
    modes = {"--check-mappings": check_mappings, "--suggest-mappings": suggest_mappings,
             "--dry-run": dry_run, "--sync": do_sync, "--diff": do_diff}  # fmt: skip
    if sum(modes.values()) != 1:
        raise click.UsageError(f"choose one of {', '.join(modes)}")
    mode = next(flag for flag, on in modes.items() if on)
    for option, allowed in OPTION_MODES.items():
        source = ctx.get_parameter_source(option)
        if source is ParameterSource.COMMANDLINE and mode not in allowed:
            flag = "--" + option.replace("_", "-")
            raise click.UsageError(f"{flag} goes with {' or '.join(allowed)}, not {mode}")
    session = Session(settings_from(ctx), read_only=check_mappings or dry_run)
    if check_mappings:
        sync_mappings.check(session)
    elif suggest_mappings:
        sync_mappings.suggest_mappings(session, yes)
    elif do_diff:
        sync_diff.diff(session, prefer)
    else:
        sync(session, direction, dry_run=dry_run, yes=yes, allow_unmapped=allow_unmapped)


def _check_unmapped(session: Session, steps: list[str]) -> None:
    """Unmapped models block a sync before anything is written, in every direction asked."""
    for step in steps:
        plan = session.plan(step)
        unmapped = blocked(plan)
        if unmapped:
            render_sync(plan, TARGETS[step], session.mapping.mapping, console())
            raise InputError(
                f"{len(unmapped)} unmapped models block {step}: add mappings "
                "(sync-datasets --suggest-mappings) or use --allow-unmapped"
            )


def sync(
    session: Session, direction: str, *, dry_run: bool, yes: bool, allow_unmapped: bool
) -> None:
    session.require_valid_mapping()
    steps = list(TARGETS) if direction == "both" else [direction]
    if not allow_unmapped:
        _check_unmapped(session, steps)
    for step in steps:
        plan, target = session.plan(step), TARGETS[step]
        arrow = "Staging → Published" if target == "published" else "Published → Staging"
        if dry_run:
            click.echo(f"DRY RUN: {arrow}")
            render_sync(plan, target, session.mapping.mapping, console())
            session.simulate(plan)  # the next direction plans on what this one would leave
            continue
        if plan.writes and not yes and input_closed():
            raise no_terminal("sync-datasets --sync", "--yes")
        click.echo(f"{arrow} sync")
        approved, ended = _approve(plan, session, yes)
        written = session.apply(approved)
        held = held_back(plan)
        if held:
            render_held(held, console())
        additions = len(approved.rows_touched(AddRow))
        updates = len(approved.rows_touched(UpdateField))
        files = ", ".join(str(session.tables[name].path) for name in written) or "nothing"
        click.echo(
            f"Sync completed: {additions} additions, {updates} updates, "
            f"{len({c.key for c in held})} held back. Written: {files}"
        )
        if ended:
            raise no_terminal("sync-datasets --sync", "--yes")
    if dry_run:
        click.echo("Dry run: nothing written.")


def _approve(plan: Plan, session: Session, yes: bool) -> tuple[Plan, bool]:
    """Each model's changes shown and approved (y), left out (n), or the rest left (quit).
    Also whether input ended early: what was approved until then still counts."""
    approved = Plan([c for c in plan.changes if c not in plan.writes])
    writes = set(map(id, plan.writes))
    try:
        for changes in plan.by_row().values():
            mine = [c for c in changes if id(c) in writes]
            if not mine:
                continue
            if not yes:
                for line in describe_row(mine, session.mapping.mapping):
                    click.echo(line)
                answer = ask("Approve? (y/n/quit)", ["y", "n", "quit"], ANSWERS)
                if answer == "quit":
                    break
                if answer == "n":
                    continue
            approved.extend(mine)
    except NoInput:
        return approved, True
    return approved, False
