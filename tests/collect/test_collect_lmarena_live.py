"""The live LMArena page: its table written as a dated export into the folder that
lmarena_text reads. The page is tests/fixtures/html/lmarena_text.html (see its README)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fakes.network import unresolved_host
from project_paths import leaderboards_only

from pipeline.collect.runner import collect_all
from pipeline.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
PAGE = (ROOT / "tests" / "fixtures" / "html" / "lmarena_text.html").read_text(encoding="utf-8")
URL = "https://lmarena.ai/leaderboard/text"
Reply = Callable[[httpx.Request], httpx.Response]


@pytest.fixture
def live(project: Path) -> Path:
    config = ROOT / "configs" / "scrapers" / "lmarena_live.yaml"
    target = project / "configs" / "scrapers" / "lmarena_live.yaml"
    target.write_text(config.read_text(encoding="utf-8"), encoding="utf-8")
    leaderboards_only(project / "configs")
    return project


def collect(settings: Settings, reply: Reply):
    with httpx.Client(transport=httpx.MockTransport(reply)) as client:
        return collect_all(settings, client=client)


def page(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, text=PAGE) if str(request.url) == URL else httpx.Response(404)


def export(project: Path) -> Path:
    today = datetime.now(UTC).date().isoformat()
    return project / "data" / "raw" / "lmarena" / "text" / f"lmarena_text_{today}.csv"


def test_the_fetched_table_is_a_new_export_the_folder_source_reads(
    live: Path, settings: Settings
) -> None:
    report = collect(settings, page)
    fetched, folder = report.results
    assert (fetched.name, fetched.ok, fetched.models) == ("lmarena_live", True, 30)
    assert fetched.saved_copy == export(live).relative_to(live / "data").as_posix()
    lines = export(live).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "Rank (UB),Model,Votes,Organization,License,Score"
    assert lines[1] == '1,gemini-2.5-pro-preview-05-06,"4,500",Google,Proprietary,1446'
    assert len(lines) == 31
    assert not (live / "data" / "scraped" / "lmarena_live_models.json").exists()
    assert folder.ok and fetched.saved_copy in folder.new_files
    doc = json.loads((live / "data/scraped/lmarena_text_models.json").read_text("utf-8"))
    assert doc["metadata"]["snapshots"][-1]["file"] == fetched.saved_copy
    assert not report.warnings  # the export is in a folder a source reads


def test_the_same_table_again_writes_no_export(live: Path, settings: Settings) -> None:
    collect(settings, page)
    before = export(live).stat().st_mtime_ns
    fetched, _ = collect(settings, page).results
    assert (fetched.ok, fetched.saved_copy) == (True, "")
    assert export(live).stat().st_mtime_ns == before


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (
            lambda r: (_ for _ in ()).throw(unresolved_host("Name or service not known")),
            f"cannot resolve host of {URL} (offline?)",
        ),
        (
            lambda r: httpx.Response(429, headers={"Retry-After": "0"}),
            f"HTTP 429 Too Many Requests from {URL} (3 attempts)",
        ),
        (
            lambda r: httpx.Response(200, text=""),
            f"no leaderboard table in {URL} (tables: no tables)",
        ),
        (
            lambda r: httpx.Response(200, text=PAGE.replace("<th>Model</th>", "<th>Name</th>")),
            f"no leaderboard table in {URL} (tables: Rank (UB) | Rank Spread | Name | Score",
        ),
    ],
    ids=["offline", "rate_limited", "empty", "changed_layout"],
)
def test_a_failure_is_one_line_and_the_folder_is_still_read(
    live: Path, settings: Settings, reply: Reply, error: str
) -> None:
    fetched, folder = collect(settings, reply).results
    assert not fetched.ok and fetched.error.startswith(error)
    assert "\n" not in fetched.error
    assert (folder.ok, folder.models) == (True, 182)
    assert not export(live).exists()
