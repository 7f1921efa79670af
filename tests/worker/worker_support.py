"""Helpers for the worker tests (``tracker run``, ``worker``, ``health``, ``config``,
``report``): a project folder, snapshots of its data with modification times, the stages
of a run's summary table, and an Airtable fake to run a whole cycle against.

The CLI runner, CSV reader, file names and workbook editing come from the bridge tests
(bridge_support); the Airtable fake and its request router from the Airtable tests
(airtable_support, tests/fakes). conftest.py puts their folders on ``sys.path``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import harness
import pytest
from airtable_support import serving
from bridge_support import TITLES, editing, put, sheet_rows
from click.testing import Result
from fakes.airtable_fake import FakeAirtable, FakeClock
from harness import FILES, KEYS
from project_paths import leaderboards_only

ROOT = Path(__file__).resolve().parents[2]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
HEARTBEAT = "state/worker.json"
CYCLE_STAGES = ("collect", "estimate", "refresh", "sync", "report")
# A token no other text in the project contains: any occurrence of it is a leak.
SECRET_TOKEN = "patW0RKER7ok3n.zq9x8c7v6b5n4m3l2k1j0h9g8f7d6s5a4"
AIRTABLE_ENV = ("AIRTABLE_TOKEN", "AIRTABLE_TOKEN_FILE", "AIRTABLE_BASE_ID")
CREDENTIAL_ENV = (*AIRTABLE_ENV, "AIRTABLE_ENDPOINT_URL", "GSHEETS_SPREADSHEET_ID",
                  "GSHEETS_ENDPOINT_URL", "GOOGLE_APPLICATION_CREDENTIALS")  # fmt: skip
# One row of the run's summary table: │ stage │ result │ seconds │
_STAGE_ROW = re.compile(r"^│\s*(\w+)\s*│(.*)│\s*(\d+\.\d)\s*│\s*$")

__all__ = [
    "AIRTABLE_ENV",
    "CREDENTIAL_ENV",
    "CYCLE_STAGES",
    "FILES",
    "HEARTBEAT",
    "KEYS",
    "PNG_SIGNATURE",
    "ROOT",
    "SECRET_TOKEN",
    "TITLES",
    "Airtable",
    "Home",
    "changed",
    "error_lines",
    "make_home",
    "snapshot",
    "stages",
    "warning_lines",
]


def make_home(root: Path) -> Path:
    """``root`` as a fresh project: the shipped configs (without the online source) and
    ``data/raw`` only."""
    leaderboards_only(harness.make_home(root) / "configs")
    return root


def snapshot(folder: Path, skip: tuple[str, ...] = ()) -> dict[str, tuple[bytes, int]]:
    """Every file under ``folder`` (relative path -> bytes and modification time in ns),
    except the relative paths in ``skip``."""
    return {
        rel: (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and (rel := path.relative_to(folder).as_posix()) not in skip
    }


def changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Relative paths added, removed or different between two snapshots."""
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def stages(output: str) -> dict[str, tuple[str, float]]:
    """The run's summary table: stage -> (result text, seconds)."""
    found = {}
    for line in output.splitlines():
        if match := _STAGE_ROW.match(line):
            found[match.group(1)] = (match.group(2).strip(), float(match.group(3)))
    return found


def error_lines(result: Result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("Error:")]


def warning_lines(result: Result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("warning:")]


@dataclass(frozen=True)
class Home(harness.Home):
    """A project folder: ``configs/`` and ``data/``."""

    def run(self, *args: str) -> Result:
        """One ``tracker run``, which must succeed."""
        result = self.cli("run", *args)
        assert result.exit_code == 0, result.output
        return result

    def sheet_keys(self, table: str) -> list[str]:
        key = KEYS.get(table, "model")
        return [row[key] for row in sheet_rows(self.workbook, TITLES[table])]

    def decide(self, decisions: dict[str, dict[str, str]]) -> None:
        """A reviewer fills in Candidates cells (``{key: {column: value}}``) and saves."""
        with editing(self.workbook) as book:
            for key, cells in decisions.items():
                put(book[TITLES["candidates"]], key, cells)

    def heartbeat(self) -> dict[str, Any]:
        return json.loads((self.data / HEARTBEAT).read_text(encoding="utf-8"))

    def snapshot(self, skip: tuple[str, ...] = ()) -> dict[str, tuple[bytes, int]]:
        return snapshot(self.data, skip)

    def add_source(self, name: str, path: str) -> None:
        """A scraper config reading the CSV file ``path`` (relative to the data dir)."""
        (self.configs / "scrapers" / f"{name}.yaml").write_text(
            "type: csv_file\n"
            f"description: {name}\n"
            f"path: {path}\n"
            "columns:\n  model: [Model]\n  developer: [Organization]\n  votes: [Votes]\n"
            "benchmarks:\n  arena_score: [Score]\n",
            encoding="utf-8",
        )


@dataclass
class Airtable:
    """A fake Airtable base that accepts only SECRET_TOKEN, on a simulated clock that the
    project's Airtable backend also uses (pacing and back-off take no real time)."""

    fake: FakeAirtable
    clock: FakeClock

    @classmethod
    def install(cls, monkeypatch: pytest.MonkeyPatch) -> Airtable:
        """A new empty base; the environment points the ``airtable`` backend at it."""
        clock = FakeClock()
        fake = FakeAirtable(clock=clock, token=SECRET_TOKEN)
        monkeypatch.setattr("bridge.backends.airtable.Clock", lambda: clock)
        monkeypatch.setenv("AIRTABLE_TOKEN", SECRET_TOKEN)
        monkeypatch.setenv("AIRTABLE_BASE_ID", fake.base_id)
        monkeypatch.setenv("AIRTABLE_ENDPOINT_URL", fake.endpoint)
        return cls(fake, clock)

    @contextmanager
    def serving(self, pause: float = 60.0) -> Iterator[None]:
        """Requests go to the fake while the block runs, ``pause`` simulated seconds after
        the last block (the rate window is clear again); the counts restart at zero."""
        self.clock.advance(pause)
        self.fake.reset_counts()
        with serving(self.fake):
            yield

    def counts(self) -> dict[str, int]:
        return {kind: self.fake.count(kind) for kind in ("read", "write", "schema", "other")}

    def keys(self, table: str) -> list[str]:
        key = KEYS.get(table, "model")
        return [r["fields"].get(key, "") for r in self.fake.records(TITLES[table])]
