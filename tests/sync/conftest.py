"""Fixtures for the ``sync-datasets`` tests (builders live in sync_support.py): the test
project's files and the CLI with a fixed audit timestamp."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from sync_support import MAPPING, STAMP, Files


@pytest.fixture
def files(project: Path) -> Files:
    """The test project with the small MAPPING and empty staging and published files."""
    found = Files(project)
    found.write_mapping(MAPPING)
    found.write_staging()
    found.write_published()
    return found


@pytest.fixture
def sync(run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """``tracker sync-datasets ...`` with audit notes stamped STAMP."""
    monkeypatch.setattr("pipeline.cli.sync_session.utc_now", lambda: STAMP)

    def invoke(*args: str, input: str | None = None) -> Result:
        return run("sync-datasets", *args, input=input)

    return invoke
