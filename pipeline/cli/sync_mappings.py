"""``sync-datasets --check-mappings`` and ``--suggest-mappings``."""

from __future__ import annotations

import click

from pipeline.cli.prompts import NoInput, ask, ask_text, input_closed, no_terminal
from pipeline.cli.sync_session import ANSWERS, Session
from pipeline.curate.mapping import add_mappings
from pipeline.curate.suggest import Suggestion, suggest
from pipeline.curate.sync import check_mappings
from pipeline.errors import InputError

SUGGEST_FLAG = "--yes, or edit the mapping file"


def check(session: Session) -> None:
    report = check_mappings(session.staging, session.published, session.mapping)
    click.echo("Checking name mappings...")
    for problem in report.problems:
        click.echo(f"error: {problem}")
    sections = [
        ("Staging models without a published name:", report.unmapped_staging),
        ("Published models without a staging key:", report.unmapped_published),
        ("Published models that published-to-staging would add to staging:",
         [f"{name!r} -> {key}" for name, key in report.to_add_to_staging]),
        ("Mappings that point to nothing (key not in staging, name not in published):",
         [f"line {line}: {key} -> {name!r}" for key, name, line in report.dangling]),
    ]  # fmt: skip
    for title, items in sections:
        if items:
            click.echo(title)
            for item in items:
                click.echo(f"  - {item}")
    if report.blocked:
        unmapped = len(report.unmapped_staging) + len(report.unmapped_published)
        raise InputError(
            f"a sync would be blocked: {unmapped} unmapped models and {len(report.problems)} "
            "problems in the mapping file; add mappings with --suggest-mappings",
            file=session.mapping_path,
        )
    click.echo("Every model is mapped: a sync would not be blocked.")


def _review(item: Suggestion, number: int, total: int, taken: dict[str, str]) -> str | None:
    """Ask about one suggestion; the approved name, None to skip; raises StopIteration."""
    click.echo(f"[{number}/{total}] Model: {item.key}")
    click.echo(f"Developer: {item.developer or '-'}")
    origin = f"a published model, score {item.score:g}" if item.existing else "a new name"
    click.echo(f"Suggested mapping: {item.name!r} ({origin})")
    answer = ask("Options: (a)ccept, (e)dit, (s)kip, (q)uit", ["a", "e", "s", "q"])
    if answer == "q":
        raise StopIteration
    if answer == "s":
        return None
    name = item.name if answer == "a" else ask_text("Published name", "a name")
    while name in taken:
        click.echo(f"{name!r} is already the name of {taken[name]}; choose another.")
        name = ask_text("Published name", "a name")
    click.echo(f"Approved: {item.key} -> {name!r}")
    return name


def suggest_mappings(session: Session, yes: bool) -> None:
    session.require_valid_mapping()
    found = suggest(session.staging, session.published, session.mapping, session.schema)
    if not found:
        click.echo("Every staging model has a mapping.")
        return
    if not yes and input_closed():
        raise no_terminal("sync-datasets --suggest-mappings", SUGGEST_FLAG)
    click.echo(f"Found {len(found)} unmapped staging models.")
    taken = dict(session.mapping.reverse)
    approved: list[tuple[str, str, str]] = []
    try:
        for number, item in enumerate(found, start=1):
            if yes:
                name = item.name if item.existing else None
            else:
                try:
                    name = _review(item, number, len(found), taken)
                except StopIteration:
                    break
            if name is not None:
                taken[name] = item.key
                approved.append((item.key, name, item.developer))
        if not approved:
            click.echo("No mappings to add.")
            return
        question = f"Add {len(approved)} mappings to {session.mapping_path}? (y/n)"
        if not yes and ask(question, ["y", "n"], ANSWERS) == "n":
            click.echo("Nothing written.")
            return
    except NoInput:
        raise no_terminal("sync-datasets --suggest-mappings", SUGGEST_FLAG) from None
    add_mappings(session.mapping_path, approved)
    click.echo(f"Added {len(approved)} mappings to {session.mapping_path}.")
