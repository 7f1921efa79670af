"""Helpers for the change-engine tests: small tables, file snapshots, simulated crashes."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

import pytest
from project_paths import snapshot as snapshot

from pipeline.storage import csvtable
from pipeline.storage.csvtable import CsvTable

STAMP = "2030-01-02T03:04:05Z"
LATER = "2031-06-07T08:09:10Z"
COLS = ["model", "value", "verified", "last_updated", "notes"]


def csv_bytes(rows: Sequence[dict[str, str]], columns: Sequence[str] = COLS) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    return buffer.getvalue().encode("utf-8")


def table(
    path: Path, rows: Sequence[dict[str, str]] = (), columns: Sequence[str] = COLS
) -> CsvTable:
    """A table read back from a CSV file holding ``rows``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(csv_bytes(rows, columns))
    return CsvTable.read(path, "model")


def row(key: str, **cells: str) -> dict[str, str]:
    return {"model": key, "value": "1", "verified": "", "last_updated": "old", "notes": "", **cells}


def rows_of(path: Path) -> list[dict[str, str]]:
    """A CSV file's rows in order (plain csv module, no project code)."""
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def by_key(path: Path, key: str = "model") -> dict[str, dict[str, str]]:
    """Rows by key; fails if a key appears twice."""
    rows = rows_of(path)
    keyed = {r[key]: r for r in rows}
    assert len(keyed) == len(rows), f"duplicate keys in {path}"
    return keyed


def restore(folder: Path, files: dict[str, bytes]) -> None:
    """Make ``folder`` hold exactly ``files``."""
    for path in sorted(folder.rglob("*"), reverse=True):
        if path.is_file():
            path.unlink()
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)


class Crash(Exception):
    """A simulated power cut."""


def crash_on_write(monkeypatch: pytest.MonkeyPatch, k: int) -> list[Path]:
    """The k-th table write (1-based; 0: none) dies before anything of it lands; the paths tried."""
    real_write, calls = csvtable.atomic_write_text, []

    def write(path: Path, text: str) -> None:
        calls.append(Path(path))
        if len(calls) == k:
            raise Crash
        real_write(path, text)

    monkeypatch.setattr(csvtable, "atomic_write_text", write)
    return calls
