"""Builders for the curate tests: estimates, candidates/below rows and tables, file snapshots."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from click.testing import Result
from project_paths import snapshot as snapshot

from pipeline.paths import DataPaths
from pipeline.schema import COLUMNS, KEY, Classification
from pipeline.storage.csvtable import CsvTable

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
LEGACY = FIXTURES / "legacy" / "above_1e25_flop.csv"
STAMP = "2030-01-02T03:04:05Z"
OLD_STAMP = "2025-01-01T00:00:00Z"


def make_estimate(key: str = "model_a", **overrides: Any) -> dict[str, Any]:
    """One record of estimated_models.json (the fields plan_refresh reads)."""
    estimate: dict[str, Any] = {
        "key": key,
        "developer": "Acme",
        "release_date": "2025-01-01",
        "parameters": 4e11,
        "parameter_source": "known",
        "training_flop": 1e26,
        "confidence": "high",
        "confidence_explanation": "Known model specification",
        "estimation_method": "known_specs",
        "alternatives": [
            {"method": "benchmark_interpolation", "training_flop": 8e25, "confidence": "low"}
        ],
        "threshold_classification": Classification.ABOVE,
        "p_above": 0.9996,
        "status": "confirmed_above_1e25",
        "reasoning": "Reported by the developer",
        "sources": ["https://example.com/a", "https://example.org/b"],
    }
    estimate.update(overrides)
    return estimate


def make_row(key: str = "model_a", **overrides: str) -> dict[str, str]:
    """A candidates row exactly as a refresh writes ``make_estimate(key)``."""
    row = {
        "model": key,
        "developer": "Acme",
        "release_date": "2025-01-01",
        "parameters": "400000000000",
        "parameter_source": "known",
        "training_flop": "1e+26",
        "confidence": "high",
        "confidence_explanation": "Known model specification",
        "estimation_method": "known_specs",
        "alternative_methods": "benchmark_interpolation: 8e+25 (low)",
        "threshold_classification": Classification.ABOVE,
        "p_above_1e25": "1",
        "status": "confirmed_above_1e25",
        "reasoning": "Reported by the developer",
        "sources": "https://example.com/a; https://example.org/b",
        "verified": "",
        "last_updated": OLD_STAMP,
        "notes": "",
    }
    unknown = set(overrides) - set(row)
    assert not unknown, f"not a column: {unknown}"
    row.update(overrides)
    return row


def csv_text(
    rows: Sequence[dict[str, str]], columns: list[str] | None = None, newline: str = "\n"
) -> str:
    columns = columns or COLUMNS
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    return buffer.getvalue()


def write_csv(
    path: Path,
    rows: Sequence[dict[str, str]],
    columns: list[str] | None = None,
    newline: str = "\n",
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(csv_text(rows, columns, newline).encode("utf-8"))
    return path


def make_table(path: Path, rows: Sequence[dict[str, str]], newline: str = "\n") -> CsvTable:
    """A table read back from a CSV file holding ``rows``."""
    return CsvTable.read(write_csv(path, rows, newline=newline), KEY, COLUMNS)


def make_tables(
    folder: Path,
    candidates: Sequence[dict[str, str]] = (),
    below: Sequence[dict[str, str]] = (),
    newline: str = "\n",
) -> dict[str, CsvTable]:
    """Candidates and below tables (``above_1e25_flop.csv``, ``below_1e25_flop.csv``)."""
    return {
        "candidates": make_table(folder / "above_1e25_flop.csv", candidates, newline),
        "below": make_table(folder / "below_1e25_flop.csv", below, newline),
    }


def read_rows(path: Path) -> dict[str, dict[str, str]]:
    """The rows of a CSV file by key (plain csv module, no project code)."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    by_key = {row[KEY]: row for row in rows}
    assert len(by_key) == len(rows), f"duplicate keys in {path}"
    return by_key


def restore(folder: Path, files: dict[str, bytes]) -> None:
    """Make ``folder`` hold exactly ``files`` again."""
    shutil.rmtree(folder)
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)


def set_cells(path: Path, key: str, **cells: str) -> None:
    """Edit one row of a curated CSV as a person would (other rows keep their bytes)."""
    table = CsvTable.read(path, KEY, COLUMNS)
    for column, value in cells.items():
        table.set_cell(key, column, value)
    table.save()


def edit_estimates(paths: DataPaths, key: str, **fields: Any) -> None:
    """Change one model's record in estimated_models.json."""
    document = json.loads(paths.estimated.read_text(encoding="utf-8"))
    (record,) = [m for m in document["models"] if m["key"] == key]
    record.update(fields)
    paths.estimated.write_text(json.dumps(document, indent=1), encoding="utf-8")


def one_line_error(result: Result) -> str:
    """The single ``Error: ...`` line a failing command prints."""
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: ")
    assert "Traceback" not in result.output
    return lines[0]
