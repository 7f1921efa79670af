"""Helpers for the worker operations tests: project folders, ``tracker`` subprocesses read
line by line, a process holding the data lock, and checks of the files a run leaves.

Subprocesses run the installed ``tracker`` script (or ``gated_tracker.py``, the same CLI
with waiting hooks, see there) with an environment free of TRACKER_* and sheet credentials,
stdin from /dev/null, and a timeout on every wait so that a bug cannot hang the suite.
"""

from __future__ import annotations

import csv
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from click.testing import Result
from harness import FILES, KEYS, invoke, make_home
from openpyxl import load_workbook
from project_paths import ProjectPaths

ROOT = Path(__file__).resolve().parents[2]
TRACKER = Path(sys.executable).with_name("tracker")
GATED = Path(__file__).with_name("gated_tracker.py")
WAIT = 30.0  # seconds: the longest any test waits for a line or an exit
STAGES = ("collect", "estimate", "refresh", "sync", "report")
TITLES = {"candidates": "Candidates", "staging": "Staging", "published": "Published"}
# ISO 8601 UTC times as the project writes them (utc_now: to the second, with Z).
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z")
SECRETS = ("AIRTABLE_TOKEN", "AIRTABLE_TOKEN_FILE", "AIRTABLE_BASE_ID",
           "GSHEETS_SPREADSHEET_ID", "GOOGLE_APPLICATION_CREDENTIALS")  # fmt: skip
HOLDER = """
import sys
from pathlib import Path
from pipeline.storage.lock import data_lock
with data_lock(Path(sys.argv[1]), sys.argv[2]):
    print("locked", flush=True)
    sys.stdin.read()  # until the test closes our stdin (or dies)
print("released", flush=True)
"""


def clean_env(**settings: str) -> dict[str, str]:
    """The environment without TRACKER_* and credentials, plus ``settings`` as TRACKER_*
    variables (``worker__lock_wait_seconds="0"``)."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("TRACKER_") and name not in SECRETS
    }
    env["MPLBACKEND"] = "Agg"
    # One hash seed for every subprocess: the order of benchmarks in an estimate's
    # reasoning depends on it (see test_repeatability.py), and runs are compared.
    env["PYTHONHASHSEED"] = "0"
    env.update({f"TRACKER_{name.upper()}": value for name, value in settings.items()})
    return env


def make_project(root: Path) -> Project:
    """``configs/`` (the shipped ones, without the online source) and ``data/raw``."""
    return Project(make_home(root))


class Running:
    """A subprocess whose stdout and stderr lines are read as they come."""

    started: ClassVar[list[Running]] = []  # for the fixture that kills what is left

    def __init__(self, command: list[str], env: dict[str, str], stdin: Any) -> None:
        self.proc = subprocess.Popen(
            command, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=env, text=True, bufsize=1, start_new_session=True,
        )  # fmt: skip
        Running.started.append(self)
        self.lines: dict[str, list[str]] = {"stdout": [], "stderr": []}
        self._queue: queue.Queue[tuple[str, str | None]] = queue.Queue()
        self._readers = [
            threading.Thread(target=self._read, args=(name, stream), daemon=True)
            for name, stream in (("stdout", self.proc.stdout), ("stderr", self.proc.stderr))
        ]
        for reader in self._readers:
            reader.start()
        self._seen: list[tuple[str, str]] = []
        self._closed: set[str] = set()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _read(self, name: str, stream: Any) -> None:
        for line in stream:
            self.lines[name].append(line)
            self._queue.put((name, line))
        self._queue.put((name, None))

    def expect(self, pattern: str, stream: str = "stdout", timeout: float = WAIT) -> str:
        """The first line of ``stream`` matching ``pattern`` (a regex) not returned before;
        fails when the process ends or ``timeout`` passes first."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        for index, (name, line) in enumerate(self._seen):
            if name == stream and regex.search(line):
                del self._seen[index]
                return line
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or self._closed >= {"stdout", "stderr"}:
                raise AssertionError(
                    f"no line matching {pattern!r} on {stream} within {timeout} s; "
                    f"stdout: {''.join(self.lines['stdout'])!r} "
                    f"stderr: {''.join(self.lines['stderr'])!r}"
                )
            try:
                name, line = self._queue.get(timeout=min(left, 0.5))
            except queue.Empty:
                continue
            if line is None:
                self._closed.add(name)
            elif name == stream and regex.search(line):
                return line
            else:
                self._seen.append((name, line))

    def signal(self, number: int) -> None:
        self.proc.send_signal(number)

    def release(self) -> None:
        """Close our end of the process's stdin (the lock holder then lets go)."""
        assert self.proc.stdin is not None
        self.proc.stdin.close()

    def finish(self, timeout: float = WAIT) -> tuple[int, str, str]:
        """Wait for the exit: (status, stdout, stderr). Killed and failed after ``timeout``."""
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise AssertionError(
                f"still running after {timeout} s; stdout: {''.join(self.lines['stdout'])!r} "
                f"stderr: {''.join(self.lines['stderr'])!r}"
            ) from None
        for reader in self._readers:
            reader.join(WAIT)
        return code, "".join(self.lines["stdout"]), "".join(self.lines["stderr"])

    def stop(self) -> None:
        """SIGKILL this process (its own session) if it still runs."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(WAIT)


@dataclass(frozen=True)
class Project(ProjectPaths):
    """A project folder with ``configs/`` and ``data/``."""

    root: Path

    def options(self) -> list[str]:
        return ["--data-dir", str(self.data), "--config-dir", str(self.configs)]

    def invoke(self, *args: str) -> Result:
        """``tracker ARGS`` in this process (click's runner: stdout and stderr apart)."""
        return invoke(self.data, self.configs, *args, catch=True)

    def start(
        self,
        *args: str,
        env: dict[str, str] | None = None,
        hold: str | None = None,
        gate: Path | None = None,
        pause: str | None = None,
    ) -> Running:
        """``tracker ARGS`` in a subprocess; with ``hold`` or ``pause``, gated_tracker.py."""
        if hold is None and pause is None:
            command = [str(TRACKER)]
        else:
            command = [sys.executable, str(GATED)]
            command += ["--hold", hold] if hold else []
            command += ["--gate", str(gate)] if gate else []
            command += ["--pause", pause] if pause else []
            command += ["--"]
        return Running([*command, *self.options(), *args], env or clean_env(), subprocess.DEVNULL)

    def run(self, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
        """``tracker ARGS`` in a subprocess, to its end."""
        return self.start(*args, env=env).finish()

    def hold_lock(self, command: str = "test holder") -> Running:
        """A process holding the data lock (``command`` in its holder file) until
        ``release()``; it is returned once it holds the lock."""
        running = Running(
            [sys.executable, "-c", HOLDER, str(self.state), command], clean_env(), subprocess.PIPE
        )
        running.expect("^locked")
        return running

    def heartbeat(self) -> dict[str, Any]:
        return json.loads((self.state / "worker.json").read_text(encoding="utf-8"))

    def file(self, table: str) -> Path:
        return self.data / FILES[table]

    def rows(self, table: str) -> list[dict[str, str]]:
        path = self.file(table)
        if not path.exists():
            return []
        with path.open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    def keys(self, table: str) -> list[str]:
        return [row[KEYS.get(table, "model")] for row in self.rows(table)]

    def sheets(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every data sheet's cell values, header first (no workbook: no sheets); the Guide
        is not a data sheet."""
        if not self.workbook.exists():
            return {}
        book = load_workbook(self.workbook)
        return {
            sheet.title: list(sheet.iter_rows(values_only=True))
            for sheet in book
            if sheet.title != "Guide"
        }

    def sheet_rows(self, table: str) -> list[dict[str, Any]]:
        values = self.sheets()[TITLES[table]]
        names = [str(v) for v in values[0]]
        return [dict(zip(names, row, strict=False)) for row in values[1:]]

    def files(self) -> dict[str, bytes]:
        """Every file under ``data/`` by relative path."""
        return {
            str(path.relative_to(self.data)): path.read_bytes()
            for path in sorted(self.data.rglob("*"))
            if path.is_file()
        }


def untimed(value: Any) -> Any:
    """``value`` with every ISO time replaced by ``<time>``."""
    return TIME.sub("<time>", value) if isinstance(value, str) else value


def comparable(project: Project) -> dict[str, Any]:
    """What two runs on the same input must agree on: the rows of candidates, below,
    staging and published (in file order) and every sheet's cell values.

    Times are replaced by ``<time>``: ``last_updated`` and the stamps in notes and sheet
    statuses are the clock of the run that made the change, so an interrupted run followed
    by a second one may legitimately stamp a row a few seconds later than one uninterrupted
    run; everything else must be equal.
    """
    tables = {
        table: [{k: untimed(v) for k, v in row.items()} for row in project.rows(table)]
        for table in FILES
    }
    sheets = {
        title: [tuple(untimed(v) for v in row) for row in rows]
        for title, rows in project.sheets().items()
    }
    return {"tables": tables, "sheets": sheets}


def assert_files_sound(project: Project) -> None:
    """Every CSV parses with rows as wide as the header, every JSON and JSON-lines file
    parses, the workbook opens, no temporary file is left."""
    for path in project.data.rglob("*"):
        if not path.is_file():
            continue
        assert not path.name.endswith(".tmp"), f"temporary file left: {path}"
        if path.suffix == ".csv":
            with path.open(encoding="utf-8", newline="") as handle:
                rows = list(csv.reader(handle, strict=True))
            assert rows, f"{path} is empty"
            assert {len(row) for row in rows[1:]} <= {len(rows[0])}, f"ragged rows in {path}"
        elif path.suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))
        elif path.suffix == ".jsonl":
            for line in path.read_text(encoding="utf-8").splitlines():
                json.loads(line)
    if project.workbook.exists():
        project.sheets()


def assert_no_duplicates(project: Project) -> None:
    """Keys are unique in every table and every sheet, and no model is both a candidate
    and below."""
    for table in FILES:
        repeated = [k for k, n in Counter(project.keys(table)).items() if n > 1]
        assert not repeated, f"{table}: keys on several rows: {repeated}"
    both = set(project.keys("candidates")) & set(project.keys("below"))
    assert not both, f"both candidates and below: {sorted(both)}"
    for title, rows in project.sheets().items():
        keys = [row[0] for row in rows[1:] if row and row[0] not in (None, "")]
        repeated = [k for k, n in Counter(keys).items() if n > 1]
        assert not repeated, f"sheet {title}: keys on several rows: {repeated}"


def stage_lines(stdout: str) -> dict[str, list[str]]:
    """``tracker run``'s plain progress lines (``<time> <stage>: <text>``) by stage."""
    found: dict[str, list[str]] = {}
    for line in stdout.splitlines():
        match = re.match(rf"^{TIME.pattern} (\w+): (.*)$", line)
        if match:
            found.setdefault(match.group(1), []).append(match.group(2))
    return found


def differences(actual: dict[str, Any], expected: dict[str, Any], limit: int = 5) -> list[str]:
    """The first ``limit`` differences between two ``comparable()`` results, readable."""
    found = []
    for kind in sorted(actual.keys() | expected.keys()):
        mine, theirs = actual.get(kind, {}), expected.get(kind, {})
        for name in sorted(mine.keys() | theirs.keys()):
            rows, others = mine.get(name, []), theirs.get(name, [])
            if len(rows) != len(others):
                found.append(f"{kind} {name}: {len(rows)} rows, expected {len(others)}")
            for number, (row, other) in enumerate(zip(rows, others, strict=False), start=1):
                if row != other:
                    if isinstance(row, dict):
                        cells = {k: (row.get(k), other.get(k)) for k in row.keys() | other.keys()
                                 if row.get(k) != other.get(k)}  # fmt: skip
                    else:
                        cells = {i: (a, b) for i, (a, b) in enumerate(zip(row, other, strict=False))
                                 if a != b}  # fmt: skip
                    found.append(f"{kind} {name} row {number}: (actual, expected) {cells}")
    return found[:limit]
