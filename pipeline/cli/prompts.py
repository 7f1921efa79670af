"""Prompts that end cleanly when input runs out (a closed stdin, no terminal)."""

from __future__ import annotations

import sys

import click


class NoInput(Exception):
    """Standard input ended before the question was answered."""


class Stopped(Exception):
    """The person stopped the command at a prompt (Ctrl-C)."""


STOPPED_STATUS = 130  # what a shell reports for a command ended by Ctrl-C


def _ended() -> Exception:
    """Why a prompt was cut short: input ran out, or (input still open) Ctrl-C."""
    click.echo()
    return NoInput() if input_closed() else Stopped()


def ask(question: str, choices: list[str], aliases: dict[str, str] | None = None) -> str:
    """One of ``choices`` (any case; ``aliases`` map extra answers); asks again on garbage."""
    aliases = aliases or {}
    while True:
        try:
            answer = click.prompt(question, default="", show_default=False)
        except click.Abort:
            raise _ended() from None
        word = answer.strip().lower()
        word = aliases.get(word, word)
        if word in choices:
            return word
        click.echo(f"Please answer {', '.join(choices[:-1])} or {choices[-1]}.")


def ask_text(question: str, what: str = "an answer") -> str:
    """Non-empty text; asks again on an empty answer."""
    while True:
        try:
            answer = click.prompt(question, default="", show_default=False).strip()
        except click.Abort:
            raise _ended() from None
        if answer:
            return answer
        click.echo(f"Please give {what}.")


class NoTerminal(click.ClickException):
    """An interactive command with nothing to read: a usage error (exit status 2)."""

    exit_code = 2


def no_terminal(command: str, flag: str) -> click.ClickException:
    """The one-line message for an interactive command with nothing to read."""
    return NoTerminal(
        f"{command} is interactive and standard input is closed or not a terminal; "
        f"use {flag} instead"
    )


def input_closed() -> bool:
    """True when standard input is closed or at its end (so a prompt could not be answered),
    without consuming anything. A terminal is never closed."""
    stream = sys.stdin
    if stream is None or stream.closed:
        return True
    try:
        if stream.isatty():
            return False
    except ValueError:
        return True
    buffer = getattr(stream, "buffer", None)
    peek = getattr(buffer, "peek", None)
    try:
        if peek is not None:
            return peek(1) == b""
        if buffer is not None and buffer.seekable():
            position = buffer.tell()
            empty = buffer.read(1) == b""
            buffer.seek(position)
            return empty
    except (OSError, ValueError):
        return False
    return False
