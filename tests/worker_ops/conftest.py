"""Fixtures for the worker operations tests (helpers: worker_ops_support.py).

Project folders are built from the shipped configs and samples (without the online
source). Two are built once per session with real ``tracker run`` subprocesses and copied
per test: ``ran`` (after one cycle on the samples) and ``reviewed`` (that, plus a reviewer's
decisions and a correction typed into the workbook, not synced yet); each has the files an
uninterrupted cycle from it leaves, for comparisons.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from worker_ops_support import SECRETS, Project, Running, comparable, make_project

# The reviewer's input in the ``reviewed`` project: two decisions above, one below, and a
# correction of an unverified candidate.
DECISIONS = {
    "grok_3": {"decision": "y", "reason": "reported 3.5e26 FLOP"},
    "gpt_4.5": {"decision": "y", "reason": "reported 2.1e26 FLOP"},
    "hunyuan_turbos": {"decision": "n", "reason": "small model"},
    "gemini_2.5_flash": {"developer": "Google DeepMind"},
}


@pytest.fixture(autouse=True)
def _no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process commands use the local workbook whatever the environment says."""
    for name in SECRETS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _no_process_left() -> Iterator[None]:
    """Every subprocess a test started is gone when it ends (SIGKILL if still running)."""
    before = len(Running.started)
    yield
    for running in Running.started[before:]:
        running.stop()
    del Running.started[before:]


def _copy(source: Path, target: Path) -> Project:
    shutil.copytree(source, target, dirs_exist_ok=True)
    return Project(target)


def _review(project: Project, decisions: dict[str, dict[str, Any]]) -> None:
    book = load_workbook(project.workbook)
    sheet = book["Candidates"]
    header = [cell.value for cell in sheet[1]]
    rows = {row[0].value: row[0].row for row in sheet.iter_rows(min_row=2)}
    for key, cells in decisions.items():
        for column, value in cells.items():
            sheet.cell(rows[key], header.index(column) + 1).value = value
    book.save(project.workbook)


@pytest.fixture(scope="session")
def _ran_home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """A project after one uninterrupted ``tracker run`` on the samples, and its files."""
    project = make_project(tmp_path_factory.mktemp("ran") / "p")
    code, out, err = project.run("run")
    assert code == 0, out + err
    return project.root, comparable(project)


@pytest.fixture(scope="session")
def _reviewed_home(
    tmp_path_factory: pytest.TempPathFactory, _ran_home: tuple[Path, dict[str, Any]]
) -> tuple[Path, dict[str, Any]]:
    """``ran`` plus the reviewer's DECISIONS in the workbook; and the files one
    uninterrupted cycle from there leaves."""
    project = _copy(_ran_home[0], tmp_path_factory.mktemp("reviewed") / "p")
    _review(project, DECISIONS)
    after = _copy(project.root, tmp_path_factory.mktemp("reviewed_after") / "p")
    code, out, err = after.run("run")
    assert code == 0, out + err
    return project.root, comparable(after)


@pytest.fixture
def fresh(tmp_path: Path) -> Project:
    """Configs and raw samples only: nothing collected, no workbook, no state."""
    return make_project(tmp_path / "fresh")


@pytest.fixture(scope="session")
def fresh_reference(_ran_home: tuple[Path, dict[str, Any]]) -> dict[str, Any]:
    """``comparable()`` after one uninterrupted cycle on a fresh project."""
    return _ran_home[1]


@pytest.fixture
def ran(tmp_path: Path, _ran_home: tuple[Path, dict[str, Any]]) -> Project:
    return _copy(_ran_home[0], tmp_path / "ran")


@pytest.fixture
def reviewed(tmp_path: Path, _reviewed_home: tuple[Path, dict[str, Any]]) -> Project:
    return _copy(_reviewed_home[0], tmp_path / "reviewed")


@pytest.fixture(scope="session")
def reviewed_reference(_reviewed_home: tuple[Path, dict[str, Any]]) -> dict[str, Any]:
    """``comparable()`` after one uninterrupted cycle on the ``reviewed`` project."""
    return _reviewed_home[1]
