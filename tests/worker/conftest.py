"""Fixtures for the worker tests (helpers: worker_support.py).

One ``tracker run`` on a fresh project is made once per session; each test that needs it
gets its own copy. Every test runs without TRACKER_* variables and without sheet
credentials from the developer's environment, and gets back the signal handlers and the
logging set-up that ``tracker run`` / ``tracker worker`` install in the process.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
# The helper modules reused here live in other test folders; pytest puts a folder on
# sys.path only when it collects tests from it, so ``pytest tests/worker`` needs this.
for _folder in (TESTS, TESTS / "bridge", TESTS / "airtable", TESTS / "curate"):
    if str(_folder) not in sys.path:
        sys.path.append(str(_folder))

from harness import invoke  # noqa: E402
from project_paths import leaderboards_only  # noqa: E402
from worker_support import CREDENTIAL_ENV, Home, make_home  # noqa: E402


def _quiet_environment() -> dict[str, str]:
    """Remove TRACKER_* and credential variables; what was removed."""
    names = [n for n in os.environ if n.startswith("TRACKER_") or n in CREDENTIAL_ENV]
    return {name: os.environ.pop(name) for name in names}


@pytest.fixture(scope="session")
def _cycled_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh project after one ``tracker run`` on the local workbook, built once."""
    home = make_home(tmp_path_factory.mktemp("worker_cycled"))
    saved = _quiet_environment()
    handlers = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        result = invoke(home / "data", home / "configs", "run")
        assert result.exit_code == 0, result.output
    finally:
        os.environ.update(saved)
        for number, handler in handlers.items():
            signal.signal(number, handler)
    return home


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No credentials from outside; git finds no repository above the test's folder and
    reads no user or system configuration; signal handlers and root logging restored."""
    for name in CREDENTIAL_ENV:
        monkeypatch.delenv(name, raising=False)
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME",
                 "GIT_COMMITTER_EMAIL", "GIT_DIR", "GIT_WORK_TREE"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    handlers = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    root = logging.getLogger()
    level = root.level
    yield
    for number, handler in handlers.items():
        signal.signal(number, handler)
    # ``tracker worker`` calls logging.basicConfig(force=True): drop its stream handler
    # (on the runner's closed stderr); pytest's own handlers are subclasses, left alone.
    for handler in [h for h in root.handlers if type(h) is logging.StreamHandler]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)


@pytest.fixture
def fresh(project: Path) -> Home:
    """A fresh project: configs and data/raw only (no cycle has run)."""
    leaderboards_only(project / "configs")
    return Home(project)


@pytest.fixture
def cycled(project: Path, _cycled_home: Path) -> Home:
    """A project after one ``tracker run`` (its own copy; files keep their times)."""
    leaderboards_only(project / "configs")
    shutil.copytree(_cycled_home / "data", project / "data", dirs_exist_ok=True)
    return Home(project)
