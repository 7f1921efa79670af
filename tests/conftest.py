"""Shared fixtures: a private copy of the shipped configs and sample data per test."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import harness
import pytest
from click.testing import Result
from harness import make_home

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
    return make_home(tmp_path)


@pytest.fixture
def settings(project: Path) -> Settings:
    return load_settings(project / "configs", data_dir=project / "data")


@pytest.fixture
def run(project: Path) -> Callable[..., Result]:
    """Invoke ``tracker`` on the project folder: ``run("collect-all")``."""

    def invoke(*args: str, input: str | None = None) -> Result:
        return harness.invoke(project / "data", project / "configs", *args, input=input)

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


@pytest.fixture
def child_answers(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Forking allowed (the test runner's own threads only wait on sockets, and a child
    only computes); whether each child's answer was whole, and so used."""
    from pipeline import twocores

    monkeypatch.setattr(twocores, "may_fork", lambda: True)
    whole: list[bool] = []
    read = twocores._read

    def recorded(answer: Any, unpack: Any) -> Any:
        found = read(answer, unpack)
        whole.append(found is not None)
        return found

    monkeypatch.setattr(twocores, "_read", recorded)
    return whole
