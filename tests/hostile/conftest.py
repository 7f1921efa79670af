"""The hostile-input suite (ARCHITECTURE §9): bad input for every entry point, kept as data - a
list of cases per family, one parametrized test per family (helpers: hostile_support.py).

Families:

- CSV (test_hostile_csv.py): raw leaderboard exports (collect-all), the curated tables
  (validate, query, refresh-dataset, sync-datasets, bridge sync, run), decisions files
  (review-candidates --decisions);
- JSON (test_hostile_json.py): scraped documents, the estimates, the state files;
- YAML (test_hostile_yaml.py): tracker.yaml, aliases.yaml, scrapers/*.yaml, the name
  mapping, the schema map, known_models.yaml;
- sheet cells (test_hostile_sheet.py): reviewers' edits in the local workbook, and
  workbooks that cannot be read;
- HTML and HTTP for collection (test_hostile_collect_web.py): saved pages, the live page;
- sheet APIs (test_hostile_api.py): Airtable and Google Sheets on the stateful fakes.

A case that reveals a product bug is a strict xfail asserting what the contract requires,
with the bug in its reason.

Fixtures: the expensive set-up runs once per session and each test gets a private copy:
``home`` is the shipped samples after collect, estimate and refresh, three review
decisions (gpt_4o, claude_3.5_sonnet, o3 in staging) and a first ``bridge sync`` to the
local workbook, so every data file exists; ``collect_home`` is the shipped samples plus two
HTML sources (the live OpenLM Arena page, served by a fake transport, and a saved copy of
it), collected once.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import PIPELINE, make_home, run_steps
from hostile_support import (
    CREDENTIALS,
    STAGED,
    STAMP,
    Home,
    add_html_sources,
    serve_pages,
)
from project_paths import one_source_per_export


@pytest.fixture(scope="session")
def _home_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = make_home(tmp_path_factory.mktemp("hostile_home"))
    one_source_per_export(home / "configs")
    decisions = home / "staged.csv"
    decisions.write_text(
        "model,decision,reason\n" + "".join(f"{key},y,known model\n" for key in STAGED)
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("bridge.mirror.utc_now", lambda: STAMP)
        steps = [
            *PIPELINE,
            ("review-candidates", "--decisions", str(decisions)),
            ("bridge", "sync", "--backend", "local"),
        ]
        run_steps(home, steps, unset=CREDENTIALS)
    decisions.unlink()
    return home


@pytest.fixture(scope="session")
def _collect_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = make_home(tmp_path_factory.mktemp("hostile_collect"), offline=False)
    for other in ("epoch_models", "huggingface", "lmarena_live"):  # their own tests: tests/collect
        (home / "configs" / "scrapers" / f"{other}.yaml").unlink()
    one_source_per_export(home / "configs")
    add_html_sources(home)
    with pytest.MonkeyPatch.context() as patch:
        serve_pages(patch)
        run_steps(home, ["collect-all"], unset=CREDENTIALS)
    return home


@pytest.fixture(autouse=True)
def _quiet(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fixed sync stamps; no sheet credentials from the developer's environment."""
    monkeypatch.setattr("bridge.mirror.utc_now", lambda: STAMP)
    for name in CREDENTIALS:
        monkeypatch.delenv(name, raising=False)
    yield


@pytest.fixture
def home(tmp_path: Path, _home_template: Path) -> Home:
    shutil.copytree(_home_template, tmp_path / "p")
    return Home(tmp_path / "p")


@pytest.fixture
def collect_home(tmp_path: Path, _collect_template: Path) -> Home:
    shutil.copytree(_collect_template, tmp_path / "p")
    return Home(tmp_path / "p")
