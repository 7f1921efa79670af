"""The project's exceptions: one base, each subclass naming where the problem is."""

from __future__ import annotations

from pathlib import Path


class TrackerError(Exception):
    """Base of every error a user can cause; the CLI prints it as one line."""


class InputError(TrackerError, ValueError):
    """Bad input in a file or record: names the file, row/record and field where known."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        row: int | str | None = None,
        field: str | None = None,
    ) -> None:
        self.file = str(file) if file is not None else None
        self.row = row
        self.field = field
        self.detail = message
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.row is not None:
            where.append(f"row {self.row}" if isinstance(self.row, int) else f"record {self.row}")
        if self.field:
            where.append(f"field {self.field}")
        return f"{', '.join(where)}: {self.detail}" if where else self.detail


class ConfigError(InputError):
    """A configuration file under configs/ is missing or malformed."""


class WriteInterrupted(TrackerError):
    """A file write failed part-way through applying a plan; the journal finishes it."""


class SourceError(TrackerError):
    """A collection source could not be read (offline, layout changed, bad file)."""

    def __init__(self, source: str, message: str) -> None:
        self.source = source
        self.reason = message
        super().__init__(f"source {source}: {message}")


def source_failure(source: str, exc: TrackerError) -> str:
    """Why ``source`` failed, without naming it again: a SourceError's own reason, else the
    error's whole line."""
    if isinstance(exc, SourceError) and exc.source == source:
        return exc.reason
    return str(exc)


def os_error_message(exc: OSError) -> str:
    """One line for a failed file operation: the file, then the system's reason."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    if isinstance(exc, PermissionError):
        reason = "permission denied"
    return f"{exc.filename}: {reason}" if exc.filename else reason
