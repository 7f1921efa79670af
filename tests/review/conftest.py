"""Fixtures for the ``tracker review-candidates`` tests (helpers: review_support.py)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from project_paths import exports_and_epoch_only, remove_online_sources
from review_support import ROOT, STAMP, Data, Review, invoke


@pytest.fixture(scope="session")
def _sample_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The data directory collect/estimate/refresh make from the samples, built once.

    The same steps as the shared ``pipeline_run`` fixture, on the same copy of the shipped
    configs and raw samples; each test gets its own copy of the result (see ``data``).
    """
    home = tmp_path_factory.mktemp("review_sample")
    shutil.copytree(ROOT / "configs", home / "configs")
    remove_online_sources(home / "configs")
    exports_and_epoch_only(home / "configs")
    shutil.copytree(ROOT / "data" / "raw", home / "data" / "raw")
    saved = {name: os.environ.pop(name) for name in list(os.environ) if name.startswith("TRACKER_")}
    try:
        for step in ("collect-all", "estimate-flops", "refresh-dataset"):
            result = invoke(home / "data", home / "configs", step)
            assert result.exit_code == 0, result.output
    finally:
        os.environ.update(saved)
    return home / "data"


@pytest.fixture
def data(project: Path, _sample_output: Path) -> Data:
    """The ``project`` fixture after ``pipeline_run``: ~100 unverified candidates."""
    shutil.copytree(_sample_output, project / "data", dirs_exist_ok=True)
    data = Data(project / "data")
    assert len(data.new_candidates()) > 50
    return data


@pytest.fixture
def review(run: Callable[..., Result]) -> Review:
    """``review("--batch-size", "2", input="y\\nreason\\n")``."""

    def go(*args: str, input: str | None = None) -> Result:
        return run("review-candidates", *args, input=input)

    return go


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> str:
    """Decisions are stamped with STAMP, so notes and files can be compared exactly."""
    monkeypatch.setattr("pipeline.cli.review.utc_now", lambda: STAMP)
    return STAMP
