"""Builders for the ``sync-datasets`` tests: staging and published rows, the name mapping,
snapshots of the project's files and the rich tables of the output. (A module of its own,
not conftest.py: ``from conftest import`` picks another folder's conftest when pytest is
given several test folders.)

Rows are built so that ``staging_row(key)`` and ``published_row(name)`` describe the same
model: the published defaults are the staging defaults written the published way.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from click.testing import Result
from harness import csv_text as csv_text
from project_paths import snapshot

from pipeline.paths import ConfigPaths, DataPaths
from pipeline.schema import COLUMNS, KEY, Classification

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EPOCH = FIXTURES / "epoch" / "published_data.csv"
LEGACY_MAPPING = FIXTURES / "legacy" / "model_name_mapping.yaml"
SHIPPED_MAPPING = Path(__file__).resolve().parents[2] / "configs" / "model_name_mapping.yaml"
STAMP = "2030-01-02T03:04:05Z"
OLD_STAMP = "2025-01-01T00:00:00Z"
STAMP_PATTERN = r"\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\]"

with EPOCH.open(newline="", encoding="utf-8") as _handle:
    PUBLISHED_COLUMNS: list[str] = next(csv.reader(_handle))

# Keyword names for the published columns the sync reads and writes.
PUBLISHED_ALIASES = {
    "organization": "Organization",
    "flop": "Training compute (FLOP)",
    "parameters": "Parameters",
    "confidence": "Confidence",
    "compute_notes": "Training compute notes",
    "date": "Publication date",
    "abstract": "Abstract",
    "access_notes": "Accessibility notes",
    "country": "Country (of organization)",
    "domain": "Domain",
}

MAPPING = """\
# Name mapping for the sync tests: staging key -> published name.

# OpenAI Models
gpt_4: "GPT-4"
gpt_4o: "GPT-4o"

# xAI Models
grok_3: "Grok-3"
grok_4: "Grok 4"

# Other Models
inflection_2: "Inflection-2"
"""


def staging_row(key: str, **cells: str) -> dict[str, str]:
    """A full staging row (our 18 columns); ``cells`` override the defaults."""
    row = {
        "model": key,
        "developer": "Acme",
        "release_date": "2025-07-09",
        "parameters": "",
        "parameter_source": "",
        "training_flop": "1e+26",
        "confidence": "high",
        "confidence_explanation": "Known model specification",
        "estimation_method": "known_specs",
        "alternative_methods": "",
        "threshold_classification": Classification.ABOVE,
        "p_above_1e25": "",
        "status": "confirmed_above_1e25",
        "reasoning": "Reported by the developer",
        "sources": "https://example.com/a",
        "verified": "",
        "last_updated": OLD_STAMP,
        "notes": "",
    }
    unknown = set(cells) - set(row)
    assert not unknown, f"not a staging column: {unknown}"
    return {**row, **cells}


def published_row(name: str, **cells: str) -> dict[str, str]:
    """A full published row (Epoch's 31 columns) matching ``staging_row``'s defaults;
    ``cells`` use the keyword names of PUBLISHED_ALIASES."""
    unknown = set(cells) - set(PUBLISHED_ALIASES)
    assert not unknown, f"not a published alias: {unknown}"
    row = dict.fromkeys(PUBLISHED_COLUMNS, "")
    defaults = {
        "organization": "Acme",
        "date": "7/9/2025",
        "flop": "1e+26",
        "confidence": "Confident",
        "compute_notes": "Reported by the developer",
    }
    for alias, value in {**defaults, **cells}.items():
        row[PUBLISHED_ALIASES[alias]] = value
    row["Model"] = name
    return row


def read_csv(path: Path, key: str) -> dict[str, dict[str, str]]:
    """A CSV file's rows by key (plain csv module, no project code)."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    by_key = {row[key]: row for row in rows}
    assert len(by_key) == len(rows), f"duplicate keys in {path}"
    return by_key


@dataclass
class Files:
    """The files one sync-datasets run reads and writes, in a temporary project."""

    project: Path

    @property
    def data(self) -> Path:
        return self.project / "data"

    @property
    def staging_path(self) -> Path:
        return DataPaths(self.data).staging

    @property
    def published_path(self) -> Path:
        return DataPaths(self.data).published

    @property
    def mapping_path(self) -> Path:
        return ConfigPaths(self.project / "configs").name_mapping

    def write_staging(self, *rows: dict[str, str]) -> None:
        self.staging_path.parent.mkdir(parents=True, exist_ok=True)
        self.staging_path.write_text(csv_text(COLUMNS, rows), encoding="utf-8")

    def write_published(self, *rows: dict[str, str]) -> None:
        self.published_path.parent.mkdir(parents=True, exist_ok=True)
        self.published_path.write_text(csv_text(PUBLISHED_COLUMNS, rows), encoding="utf-8")

    def write_mapping(self, text: str) -> None:
        self.mapping_path.write_text(text, encoding="utf-8")

    def staging(self) -> dict[str, dict[str, str]]:
        return read_csv(self.staging_path, KEY)

    def published(self) -> dict[str, dict[str, str]]:
        return read_csv(self.published_path, "Model")

    def snapshot(self) -> dict[str, bytes]:
        """Every file under data/ and configs/ (relative path -> bytes)."""
        return snapshot(self.project, self.data, self.project / "configs")


# -- reading the output --------------------------------------------------------------------


def error_line(result: Result, exit_code: int = 1) -> str:
    """The one ``Error: ...`` line of a failed run (checked to be a single line)."""
    assert result.exit_code == exit_code, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.output
    return errors[0]


def sections(output: str) -> dict[str, str]:
    """A dry run's output by direction: ``{"Staging → Published": "...", ...}``."""
    parts = re.split(r"^DRY RUN: (.+)$", output, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def tables(output: str) -> dict[str, list[list[str]]]:
    """The rich tables of ``output`` by title: body rows as lists of cells, a cell's
    continuation lines joined to it with newlines."""
    found: dict[str, list[list[str]]] = {}
    lines = output.splitlines()
    current: list[list[str]] | None = None
    for index, line in enumerate(lines):
        if index + 1 < len(lines) and lines[index + 1].startswith("┏"):
            current = found.setdefault(line.strip(), [])
        elif line.startswith("│") and current is not None:
            cells = [cell.strip() for cell in line.strip().strip("│").split("│")]
            if current and not cells[0]:
                current[-1] = [
                    f"{old}\n{new}".strip() for old, new in zip(current[-1], cells, strict=True)
                ]
            else:
                current.append(cells)
        elif line.startswith("└"):
            current = None
    return found


def totals(output: str) -> list[tuple[int, int, int]]:
    """Every ``Total: a additions, b updates, c held back`` line, as numbers."""
    found = re.findall(r"^Total: (\d+) additions, (\d+) updates, (\d+) held back$", output, re.M)
    return [(int(a), int(b), int(c)) for a, b, c in found]
