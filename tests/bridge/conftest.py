"""Fixtures for the sheet bridge tests (helpers: bridge_support.py).

The pipeline (collect, estimate, refresh on the shipped samples) runs once per session;
each test gets its own copy of the result in the shared ``project`` folder.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from bridge_support import STAGED, STAMP, Project
from harness import invoke, make_home, run_steps
from project_paths import one_source_per_export


@pytest.fixture(scope="session")
def _pipeline_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project folder after collect/estimate/refresh, built once: ~100 candidates, no
    staging, no workbook (the published dataset starts from its seed on the first sync)."""
    home = make_home(tmp_path_factory.mktemp("bridge_sample"))
    one_source_per_export(home / "configs")  # the estimates the suite pins
    run_steps(home)
    return home


@pytest.fixture(scope="session")
def _synced_home(tmp_path_factory: pytest.TempPathFactory, _pipeline_home: Path) -> Path:
    """The pipeline's output plus three reviewed models in staging (STAGED), then one
    ``bridge sync``: the workbook and the sync state exist."""
    home = tmp_path_factory.mktemp("bridge_synced")
    shutil.copytree(_pipeline_home, home, dirs_exist_ok=True)
    decisions = home / "decisions.csv"
    decisions.write_text(
        "model,decision,reason\n" + "".join(f"{key},y,known model\n" for key in STAGED)
    )
    data, configs = home / "data", home / "configs"
    saved = {name: os.environ.pop(name) for name in list(os.environ) if name.startswith("TRACKER_")}
    try:
        result = invoke(data, configs, "review-candidates", "--decisions", str(decisions))
        assert result.exit_code == 0, result.output
        result = invoke(data, configs, "bridge", "sync", "--backend", "local")
        assert result.exit_code == 0, result.output
    finally:
        os.environ.update(saved)
    return home


@pytest.fixture(autouse=True)
def _frozen_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every sync is stamped STAMP, so notes and files compare exactly; the backend is
    the local workbook whatever the environment says."""
    monkeypatch.setattr("bridge.mirror.utc_now", lambda: STAMP)
    for name in ("AIRTABLE_TOKEN", "AIRTABLE_BASE_ID", "GSHEETS_SPREADSHEET_ID"):
        monkeypatch.delenv(name, raising=False)
    yield


@pytest.fixture
def fresh(project: Path, _pipeline_home: Path) -> Project:
    """After the pipeline, before any sync: no workbook, no staging."""
    shutil.copytree(_pipeline_home / "data", project / "data", dirs_exist_ok=True)
    return Project(project)


@pytest.fixture
def synced(project: Path, _synced_home: Path) -> Project:
    """After the pipeline, three review decisions and a first sync."""
    shutil.copytree(_synced_home / "data", project / "data", dirs_exist_ok=True)
    return Project(project)
