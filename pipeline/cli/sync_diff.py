"""``sync-datasets --diff``: resolve field differences of models in both datasets."""

from __future__ import annotations

from dataclasses import replace

import click

from pipeline.cli.prompts import NoInput, ask, input_closed, no_terminal
from pipeline.cli.sync_session import Session
from pipeline.curate.diff import FieldDiff, differences, models_in_both, resolve
from pipeline.curate.plan import Plan, UpdateField
from pipeline.schema import is_verified

DIFF_FLAG = "--prefer published|staging"
CHOICES = {"published": "p", "staging": "s"}


def _header(session: Session, key: str, diffs: list[FieldDiff], number: int, total: int) -> None:
    verified = is_verified(session.staging.get(key))
    click.echo("=" * 80)
    click.echo(f"MODEL {number}/{total}: {key} ↔ {diffs[0].name}")
    click.echo("=" * 80)
    click.echo(f"Status: {'verified' if verified else 'unverified'}; p or s marks it verified.")


def _ask(session: Session, item: FieldDiff, index: int, total: int) -> str:
    click.echo(f"[DIFF {index}/{total}] {item.field.staging} ↔ {item.field.published}")
    click.echo(f"  Staging:   {session.schema.content(item.field, item.staging) or '(empty)'}")
    click.echo(f"  Published: {item.published or '(empty)'}")
    return ask("Resolution (p/s/skip/quit)", ["p", "s", "skip", "quit"], {"q": "quit"})


def _settle(session: Session, item: FieldDiff, answer: str, stamp: str) -> int:
    """Resolve one difference from the cells as they are now and write both files at once;
    the number of fields resolved (0 when there was nothing to copy or it cannot be)."""
    current = replace(item, staging=session.staging.cell(item.key, item.field.staging))
    where = f"{item.key} / {item.name}, {item.field.staging} / {item.field.published}"
    try:
        changes = resolve(current, answer, session.schema, stamp)
    except ValueError as exc:
        side = "published" if answer == "p" else "staging"
        click.echo(f"  not resolved: {where}: the {side} value cannot be kept ({exc})")
        return 0
    if not changes:
        click.echo(f"  not resolved: {where}: the kept value is empty; nothing to copy")
        return 0
    session.apply(Plan(changes))
    return sum(isinstance(c, UpdateField) for c in changes)


def diff(session: Session, prefer: str | None) -> None:
    session.require_valid_mapping()
    ctx = session.context()
    found = differences(session.staging, session.published, ctx)
    both = models_in_both(session.staging, session.published, ctx)
    if found and prefer is None and input_closed():
        raise no_terminal("sync-datasets --diff", DIFF_FLAG)
    click.echo(f"Found {both} models in both datasets, {len(found)} with differences.")
    if found and prefer is None:
        click.echo("p keeps the published value (updates staging), s keeps the staging value "
                   "(updates published); skip; quit.")  # fmt: skip
    resolved, quitting = 0, False
    try:
        for number, (key, diffs) in enumerate(found.items(), start=1):
            if prefer is None:
                _header(session, key, diffs, number, len(found))
            for index, item in enumerate(diffs, start=1):
                answer = CHOICES[prefer] if prefer else _ask(session, item, index, len(diffs))
                if answer == "quit":
                    quitting = True
                    break
                if answer in ("p", "s"):
                    resolved += _settle(session, item, answer, ctx.stamp)
            if quitting:
                break
    except NoInput:
        raise no_terminal("sync-datasets --diff", DIFF_FLAG) from None
    click.echo(f"Diff resolution complete: {resolved} fields resolved.")
