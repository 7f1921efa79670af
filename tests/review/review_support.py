"""Helpers for the ``tracker review-candidates`` tests: files, notes, expected lines.

They live here rather than in conftest.py so test modules import them by a name no other
test folder uses (``from conftest import`` picks whichever conftest.py pytest loaded last
when several test folders are given on the command line). The fixtures are in conftest.py."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from click.testing import CliRunner, Result
from project_paths import snapshot as snapshot

from pipeline.cli import cli
from pipeline.paths import DataPaths

ROOT = Path(__file__).resolve().parents[2]
STAMP = "2031-05-06T07:08:09Z"
ABOVE_NOTE = "Manual review: confirmed above 1e25 FLOP. Reason: {}"
BELOW_NOTE = "Manual review: confirmed below 1e25 FLOP. Reason: {}"
NO_TERMINAL = (
    "Error: review-candidates is interactive and standard input is closed or not a terminal; "
    "use --decisions FILE.csv (columns model,decision,reason) instead"
)
# The columns a decision sets; every other column of the candidate is carried over as it was.
DECIDED = {"verified", "status", "threshold_classification", "notes", "last_updated"}
STAMPED_NOTE = re.compile(r"\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)\] (Manual review: .*)")

Review = Callable[..., Result]


@dataclass(frozen=True)
class Data(DataPaths):
    """A data directory (its files where the product puts them) and its curated rows."""

    def rows(self, name: str) -> dict[str, dict[str, str]]:
        return read_rows(getattr(self, name))

    def new_candidates(self) -> list[str]:
        """Unverified candidates in the order the review asks about them (p_above_1e25
        closest to 0.5 first, then file order), but those the published dataset (here
        Epoch's seed) already has."""
        published = self.published_candidates()
        rows = self.rows("candidates")
        waiting = [key for key, row in rows.items() if not row["verified"] and key not in published]

        def worth(key: str) -> tuple[bool, float]:
            p = rows[key].get("p_above_1e25", "")
            return (p == "", abs(float(p) - 0.5) if p else 0.0)

        return sorted(waiting, key=worth)

    def published_candidates(self) -> dict[str, str]:
        """Candidates mapped (configs/model_name_mapping.yaml) to a model of Epoch's data."""
        names = yaml.safe_load((self.root.parent / "configs/model_name_mapping.yaml").read_text())
        epoch = read_rows(self.root / "raw/epoch/published_data.csv", "Model")
        return {
            key: names[key]
            for key in self.rows("candidates")
            if key in names and names[key] in epoch
        }


def note(reason: str, decision: str = "y", stamp: str = STAMP) -> str:
    """The audit note a decision appends."""
    text = ABOVE_NOTE if decision == "y" else BELOW_NOTE
    return f"[{stamp}] {text.format(reason)}"


def read_rows(path: Path, key: str = "model") -> dict[str, dict[str, str]]:
    """The rows of a curated CSV by model (plain csv module); missing file -> no rows."""
    if not path.exists():
        return {}
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    by_key = {row[key]: row for row in rows}
    assert len(by_key) == len(rows), f"duplicate models in {path}"
    return by_key


def read_header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return next(csv.reader(handle))


def rewrite_rows(path: Path, rows: Sequence[dict[str, str]], columns: list[str]) -> None:
    """Rewrite a curated CSV as a person would in a spreadsheet program."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def edit_candidate(data: Data, key: str, **cells: str) -> dict[str, str]:
    """Change cells of one candidate (new columns are added); the row as it is now."""
    columns = read_header(data.candidates)
    columns += [column for column in cells if column not in columns]
    rows = list(data.rows("candidates").values())
    (row,) = [row for row in rows if row["model"] == key]
    row.update(cells)
    rewrite_rows(data.candidates, rows, columns)
    return row


def write_decisions(
    path: Path,
    rows: Sequence[Sequence[str]],
    header: Sequence[str] = ("model", "decision", "reason"),
    encoding: str = "utf-8",
) -> Path:
    """A decisions file: ``header`` then ``rows`` (row 2 is the first decision)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def summary(added: int = 0, below: int = 0, skipped: int = 0) -> str:
    """The last line of an interactive review."""
    reviewed = added + below + skipped
    return f"Reviewed {reviewed}: {added} added to staging, {below} moved below, {skipped} skipped."


def applied(added: int = 0, below: int = 0, unchanged: int = 0) -> str:
    """The line a decisions file prints."""
    return (
        f"{added + below} decisions applied: {added} added to staging, {below} moved below; "
        f"{unchanged} already in effect."
    )


def shown_fields(output: str) -> dict[str, str]:
    """Label -> value of the first candidate table in ``output`` (wrapped lines joined)."""
    fields: dict[str, str] = {}
    label = ""
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.split("│")]
        if len(cells) != 4:
            if fields and line.startswith("└"):
                break
            continue
        label = cells[1] or label
        fields[label] = f"{fields[label]} {cells[2]}" if cells[1] == "" else cells[2]
    return fields


def assert_clean_exit(result: Result, code: int = 0) -> None:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output


def invoke(data_dir: Path, config_dir: Path, *args: str, input: str | None = None) -> Result:
    """``tracker --data-dir .. --config-dir .. ARGS`` in process."""
    options = ["--data-dir", str(data_dir), "--config-dir", str(config_dir)]
    return CliRunner().invoke(cli, [*options, *args], input=input, catch_exceptions=False)
