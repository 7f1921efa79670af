"""Fixtures for the curate tests (builders live in curate_support.py)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from curate_support import LEGACY, STAMP

from pipeline.paths import DataPaths


@pytest.fixture
def paths(project: Path) -> DataPaths:
    return DataPaths(project / "data")


@pytest.fixture
def fixed_stamp(monkeypatch: pytest.MonkeyPatch) -> str:
    """Refreshes stamp ``last_updated`` with STAMP, so two runs can be compared byte for byte."""
    monkeypatch.setattr("pipeline.curate.refresh.utc_now", lambda: STAMP)
    return STAMP


@pytest.fixture
def estimated(run: Callable[..., Result]) -> None:
    """Collect and estimate the sample data (no refresh yet)."""
    for step in ("collect-all", "estimate-flops"):
        result = run(step)
        assert result.exit_code == 0, result.output


@pytest.fixture
def legacy_project(paths: DataPaths, estimated: None) -> DataPaths:
    """Sample data estimated, with the earlier tool's candidates file in data/clean/."""
    paths.candidates.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(LEGACY, paths.candidates)
    return paths
