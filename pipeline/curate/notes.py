"""Audit notes: ``[2026-11-22T10:00:00Z] text``, appended to a notes cell once."""

from __future__ import annotations

import re

_STAMP = re.compile(r"^\[\d{4}-\d\d-\d\dT[^\]]*\]\s*")


def stamped(stamp: str, text: str) -> str:
    """An audit note: one line, so notes can be told apart line by line."""
    return f"[{stamp}] {' '.join(text.split())}"


def body(note: str) -> str:
    """A note without its timestamp: what makes two notes the same note."""
    return _STAMP.sub("", note, count=1)


def appended(existing: str, note: str) -> str:
    """``existing`` with ``note`` on a new line, unless a line already holds the note's text."""
    if body(note) in {body(line) for line in existing.splitlines()}:
        return existing
    return f"{existing}\n{note}" if existing.strip() else note


def split(text: str) -> tuple[str, list[str]]:
    """(content, audit lines): the lines that start with a ``[timestamp]`` are audit notes."""
    content: list[str] = []
    audit: list[str] = []
    for line in text.splitlines():
        (audit if _STAMP.match(line) else content).append(line)
    return "\n".join(content).strip(), audit


def with_audit(content: str, audit: list[str]) -> str:
    """``content`` followed by the audit lines, the inverse of :func:`split`."""
    return "\n".join(part for part in [content, *audit] if part)


def excerpt(text: str, width: int = 80) -> str:
    """One line of at most ``width`` characters, for notes that quote a value."""
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"
