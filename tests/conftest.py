"""Shared fixtures: a private copy of the shipped configs and sample data per test."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from project_paths import exports_and_epoch_only

from pipeline.cli import with_plugins
from pipeline.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the developer's TRACKER_* variables."""
    import os

    for name in list(os.environ):
        if name.startswith("TRACKER_"):
            monkeypatch.delenv(name)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A folder with ``configs/`` (the shipped ones) and ``data/raw`` (the shipped samples).

    The sources that fetch from the network (a ``url``) are removed so no test can reach it,
    and the sample's model cards and saved benchmark pages (``SAMPLE_SOURCES``): the suites'
    scenarios are written on the LMArena exports and Epoch's data (the estimator's own tests
    and the README's figures use every shipped source).
    """
    shutil.copytree(ROOT / "configs", tmp_path / "configs")
    for config in (tmp_path / "configs" / "scrapers").glob("*.yaml"):
        if "\nurl:" in "\n" + config.read_text(encoding="utf-8"):
            config.unlink()
    exports_and_epoch_only(tmp_path / "configs")
    shutil.copytree(ROOT / "data" / "raw", tmp_path / "data" / "raw")
    return tmp_path


@pytest.fixture
def settings(project: Path) -> Settings:
    return load_settings(project / "configs", data_dir=project / "data")


@pytest.fixture
def run(project: Path) -> Callable[..., Result]:
    """Invoke ``tracker`` on the project folder: ``run("collect-all")``."""

    def invoke(*args: str, input: str | None = None) -> Result:
        runner = CliRunner()
        return runner.invoke(
            with_plugins(),
            ["--data-dir", str(project / "data"), "--config-dir", str(project / "configs"), *args],
            input=input,
            catch_exceptions=False,
        )

    return invoke


@pytest.fixture
def pipeline_run(run: Callable[..., Result]) -> Callable[..., Result]:
    """Collect, estimate and refresh on the sample data; asserts each step succeeded."""

    def go() -> Result:
        for step in ("collect-all", "estimate-flops", "refresh-dataset"):
            result = run(step)
            assert result.exit_code == 0, result.output
        return result

    return go
