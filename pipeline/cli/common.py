"""Shared CLI pieces: settings from the context, one-line errors, output helpers."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import click

from pipeline.errors import TrackerError, os_error_message
from pipeline.paths import DataPaths
from pipeline.settings import Settings, load_settings
from pipeline.storage.lock import data_lock, describe

if TYPE_CHECKING:
    from rich.console import Console

P = ParamSpec("P")
R = TypeVar("R")
MAX_WARNINGS = 10


def settings_from(ctx: click.Context) -> Settings:
    """Settings for this invocation (group options override environment and YAML)."""
    obj = ctx.ensure_object(dict)
    if "settings" not in obj:
        obj["settings"] = load_settings(obj.get("config_dir"), data_dir=obj.get("data_dir"))
    return obj["settings"]


PIPE_WIDTH = 200


def console() -> Console:
    """A console on the current stdout (so tests capture it); wide and plain when piped.
    Lines of text are never wrapped (file paths stay whole); tables fit the width. For
    tables and styled text (plain lines go out with ``click.echo``): rich is imported here,
    only by a command that prints a table."""
    from rich.console import Console

    tty = sys.stdout.isatty()
    width = None if tty else PIPE_WIDTH
    return Console(file=sys.stdout, highlight=False, width=width, soft_wrap=True)


def user_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn project errors into ``Error: <one line>`` and exit status 1."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except TrackerError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            raise click.ClickException(os_error_message(exc)) from None

    return wrapper


def locked(ctx: click.Context) -> AbstractContextManager[Any]:
    """The data lock (ARCHITECTURE §8) for this command: wait up to
    ``worker.lock_wait_seconds`` for another writer, saying whom we wait for."""
    settings = settings_from(ctx)

    def waiting(holder: dict[str, Any]) -> None:
        click.echo(f"Waiting for the data lock: {describe(holder)} is writing ...", err=True)

    return data_lock(
        DataPaths(settings.data_dir).state,
        ctx.command_path,
        wait=settings.worker.lock_wait_seconds,
        on_wait=waiting,
    )


def writes_data(func: Callable[P, R]) -> Callable[P, R]:
    """Run the command under the data lock (:func:`locked`)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with locked(click.get_current_context()):
            return func(*args, **kwargs)

    return wrapper


def print_problems(lines: Iterable[str], *, limit: int = MAX_WARNINGS, hint: str = "") -> None:
    """Errors in full; warnings up to ``limit``, then a count."""
    lines = list(lines)
    errors = [line for line in lines if line.startswith("error")]
    warnings = [line for line in lines if not line.startswith("error")]
    for line in errors + warnings[:limit]:
        click.echo(line, err=True)
    if len(warnings) > limit:
        click.echo(f"... and {len(warnings) - limit} more warnings{hint}", err=True)
