"""``collect-all``: every source into data/scraped/<source>_models.json; failures are isolated."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from click.testing import Result
from project_paths import leaderboards_only

from pipeline.collect.runner import collect_all
from pipeline.settings import Settings

LM = "lmarena_text"
JAN, MAY = "lmarena_text_2025-01-23.csv", "lmarena_text_2025-05-18.csv"
URL = "https://openlm.test/chatbot-arena/"
Run = Callable[..., Result]


@pytest.fixture(autouse=True)
def _leaderboards_only(project: Path) -> None:
    """These tests are about leaderboard sources (manual entries: test_collect_manual.py)."""
    leaderboards_only(project / "configs")


def scraped(project: Path, source: str) -> Path:
    return project / "data" / "scraped" / f"{source}_models.json"


def set_path(project: Path, source: str, path: str) -> None:
    config = project / "configs" / "scrapers" / f"{source}.yaml"
    text = re.sub(r"(?m)^path: .*$", f"path: {path}", config.read_text(encoding="utf-8"))
    config.write_text(text, encoding="utf-8")


def add_source(project: Path, name: str, head: str) -> None:
    openlm = Path(__file__).resolve().parents[2] / "configs" / "scrapers" / "openlm_arena.yaml"
    body = re.sub(r"(?m)^(type|url): .*\n", "", openlm.read_text(encoding="utf-8"))
    (project / "configs" / "scrapers" / f"{name}.yaml").write_text(head + body, encoding="utf-8")


def add_file_source(project: Path, name: str, path: str) -> None:
    """A source reading one file (the layout before folder sources), next to the folder."""
    shipped = project / "configs" / "scrapers" / f"{LM}.yaml"
    text = re.sub(
        r"(?ms)^glob:.*?(?=^snapshot_date)", f"path: {path}\n", shipped.read_text("utf-8")
    )
    (project / "configs" / "scrapers" / f"{name}.yaml").write_text(text, encoding="utf-8")


def collected_page(run: Run, project: Path, page: str) -> tuple[Path, bytes]:
    """``page`` saved as the html file of source ``openlm_saved`` and collected once: the
    saved file and the source's output."""
    saved = project / "data" / "raw" / "pages" / "openlm_arena.html"
    saved.parent.mkdir(parents=True)
    saved.write_text(page, encoding="utf-8")
    add_source(project, "openlm_saved", "type: html_file\npath: raw/pages/openlm_arena.html\n")
    assert run("collect-all", "--source", "openlm_saved").exit_code == 0
    return saved, scraped(project, "openlm_saved").read_bytes()


def lines(result: Result) -> list[str]:
    assert "Traceback" not in result.output
    return result.output.splitlines()


def test_collects_every_snapshot_of_the_folder(run: Run, project: Path) -> None:
    result = run("collect-all")
    assert result.exit_code == 0
    out = lines(result)
    assert out[0] == (
        f"ok    {LM}: 182 models, 182 new, 14 names folded into existing keys"
        f" (saved: {scraped(project, LM)})"
    )
    assert out[1:3] == [f"      new file: raw/lmarena/{JAN}", f"      new file: raw/lmarena/{MAY}"]
    assert out[3].startswith("      new models: alpaca_13b, ") and out[3].endswith(" more")
    assert out[-1] == "1 of 1 sources collected."


def test_scraped_document(run: Run, project: Path) -> None:
    run("collect-all")
    doc = json.loads(scraped(project, LM).read_text(encoding="utf-8"))
    metadata = doc["metadata"]
    assert (metadata["source"], metadata["model_count"]) == (LM, 182)
    assert metadata["snapshots"] == [
        {"file": f"raw/lmarena/{JAN}", "date": "2025-01-23", "models": 163},
        {"file": f"raw/lmarena/{MAY}", "date": "2025-05-18", "models": 194},
    ]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", metadata["saved_at"])
    for model in doc["models"]:
        assert {"key", "name", "raw_names", "developer", "benchmarks", "sources"} <= set(model)
        assert all(isinstance(score, float) for score in model["benchmarks"].values())
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", model["last_updated"])
        assert model["first_seen"] <= model["last_seen"]
    by_key = {model["key"]: model for model in doc["models"]}
    gpt_4o = by_key["gpt_4o"]
    # The newest snapshot gives the scores; the earliest is when it was first seen.
    assert (gpt_4o["name"], gpt_4o["developer"]) == ("gpt-4o-2024-05-13", "OpenAI")
    assert gpt_4o["benchmarks"] == {"arena_score": 1285.0}
    assert (gpt_4o["first_seen"], gpt_4o["last_seen"]) == ("2025-01-23", "2025-05-18")
    assert "GPT-4o-2024-05-13" in gpt_4o["raw_names"]
    assert gpt_4o["sources"] == [
        "https://lmarena.ai/leaderboard/text (LMArena text leaderboard export)"
    ]
    # Only in May: first seen then. Only in January: its January scores are kept.
    assert by_key["gemini_2.5_pro"]["first_seen"] == "2025-05-18"
    only_january = [m for m in doc["models"] if m["last_seen"] == "2025-01-23"]
    assert only_january and all(m["first_seen"] == "2025-01-23" for m in only_january)


def test_second_run_changes_nothing(run: Run, project: Path) -> None:
    run("collect-all")
    before = scraped(project, LM).read_bytes()
    result = run("collect-all")
    assert result.exit_code == 0
    assert lines(result) == [
        f"ok    {LM}: 182 models, 14 names folded into existing keys"
        f" (unchanged: {scraped(project, LM)})",
        "1 of 1 sources collected.",
    ]
    assert scraped(project, LM).read_bytes() == before


def test_a_new_export_in_the_folder_is_read_with_no_config_change(run: Run, project: Path) -> None:
    folder = project / "data" / "raw" / "lmarena"
    run("collect-all")
    export = (folder / MAY).read_text(encoding="utf-8").rstrip("\n").split("\n")
    export.append("1,Frontier-X-2026,1501,+5/-5,1200,Example Lab,Proprietary")
    (folder / "text").mkdir()
    (folder / "text" / "lmarena_text_2026-12-01.csv").write_text(
        "\n".join(export) + "\n", encoding="utf-8"
    )
    out = lines(run("collect-all"))
    assert out[:3] == [
        f"ok    {LM}: 183 models, 1 new, 14 names folded into existing keys"
        f" (saved: {scraped(project, LM)})",
        "      new file: raw/lmarena/text/lmarena_text_2026-12-01.csv",
        "      new models: frontier_x_2026",
    ]
    doc = json.loads(scraped(project, LM).read_text(encoding="utf-8"))
    new = next(m for m in doc["models"] if m["key"] == "frontier_x_2026")
    assert (new["first_seen"], new["developer"], new["benchmarks"]) == (
        "2026-12-01",
        "Example Lab",
        {"arena_score": 1501.0},
    )


def test_a_file_without_a_date_in_its_name_is_dated_by_its_modification_time(
    run: Run, project: Path
) -> None:
    folder = project / "data" / "raw" / "lmarena"
    (folder / "latest.csv").write_text(
        "Model,Score,Votes\nUndated-Model,1200,10\n", encoding="utf-8"
    )
    stamp = datetime(2026, 3, 4, 12, tzinfo=UTC).timestamp()
    os.utime(folder / "latest.csv", (stamp, stamp))
    run("collect-all")
    doc = json.loads(scraped(project, LM).read_text(encoding="utf-8"))
    assert {"file": "raw/lmarena/latest.csv", "date": "2026-03-04", "models": 1} in doc["metadata"][
        "snapshots"
    ]
    model = next(m for m in doc["models"] if m["key"] == "undated_model")
    assert model["first_seen"] == "2026-03-04"


def test_a_bad_file_is_named_and_the_others_are_read(run: Run, project: Path) -> None:
    bad = project / "data" / "raw" / "lmarena" / "lmarena_text_2025-03-01.csv"
    bad.write_text("Rank,Name,Points\n1,x,2\n", encoding="utf-8")
    result = run("collect-all")
    assert result.exit_code == 0
    assert lines(result)[0].startswith(f"ok    {LM}: 182 models, 182 new, 1 failed file,")
    assert f"warning: failed file: {bad}, row 1: no model column" in result.output


def test_a_file_no_source_reads_is_a_warning(run: Run, project: Path) -> None:
    stray = project / "data" / "raw" / "lmarena" / "arena_export.xlsx"
    stray.write_bytes(b"PK")
    (project / "data" / "raw" / "lmarena" / "README.md").write_text("notes", encoding="utf-8")
    result = run("collect-all")
    assert result.exit_code == 0
    assert (
        f"warning: {stray}: no source in {project / 'configs' / 'scrapers'} reads this file"
        " (add it to a source's path or glob, or move it out of the folder)"
    ) in lines(result)
    assert "README" not in result.output


def test_a_source_reading_one_file_still_works(run: Run, project: Path) -> None:
    add_file_source(project, "jan", f"raw/lmarena/{JAN}")
    (project / "configs" / "scrapers" / f"{LM}.yaml").unlink()
    result = run("collect-all")
    assert lines(result)[0].startswith("ok    jan: 154 models, 154 new, 9 names")
    # the May export is in the folder, and no source reads it now
    assert f"warning: {project / 'data' / 'raw' / 'lmarena' / MAY}: no source" in result.output
    doc = json.loads(scraped(project, "jan").read_text(encoding="utf-8"))
    assert {m["first_seen"] for m in doc["models"]} == {"2025-01-23"}


def test_failing_csv_source_keeps_its_output(run: Run, project: Path) -> None:
    add_file_source(project, "jan", f"raw/lmarena/{JAN}")
    run("collect-all")
    before = scraped(project, "jan").read_bytes()
    set_path(project, "jan", "raw/lmarena/missing.csv")
    result = run("collect-all")
    assert result.exit_code == 0
    missing = project / "data" / "raw" / "lmarena" / "missing.csv"
    fails = [line for line in lines(result) if line.startswith("fail")]
    assert fails == [f"fail  jan: {missing}: file not found (previous output kept)"]
    assert lines(result)[-1] == "1 of 2 sources collected."
    assert scraped(project, "jan").read_bytes() == before


def test_failing_html_file_keeps_its_output(run: Run, project: Path, page: str) -> None:
    saved, before = collected_page(run, project, page)
    saved.write_text("<html><body><p>Down for maintenance</p></body></html>", encoding="utf-8")
    result = run("collect-all")
    assert result.exit_code == 0
    assert [line for line in lines(result) if line.startswith("fail")] == [
        f"fail  openlm_saved: no leaderboard table in {saved} (tables: no tables)"
        " (previous output kept)"
    ]
    assert lines(result)[-1] == "1 of 2 sources collected."
    assert scraped(project, "openlm_saved").read_bytes() == before


def test_every_source_failing_is_an_error(run: Run, project: Path) -> None:
    for export in (project / "data" / "raw" / "lmarena").glob("*.csv"):
        export.unlink()
    result = run("collect-all")
    assert result.exit_code == 1
    data = project / "data"
    assert lines(result)[-1] == (
        f"Error: every source failed ({LM}: no file matches {data / 'raw/lmarena/*.csv'},"
        f" {data / 'raw/lmarena/text/*.csv'})"
    )
    assert not (data / "scraped").exists()


def test_one_source(run: Run, project: Path) -> None:
    add_file_source(project, "jan", f"raw/lmarena/{JAN}")
    result = run("collect-all", "--source", LM)
    assert result.exit_code == 0
    assert lines(result)[0].startswith(f"ok    {LM}: 182 models")
    assert lines(result)[-1] == "1 of 1 sources collected."
    assert not scraped(project, "jan").exists()


def test_disabled_source_runs_only_when_named(run: Run, project: Path) -> None:
    add_file_source(project, "jan", f"raw/lmarena/{JAN}")
    config = project / "configs" / "scrapers" / "jan.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "enabled: false\n", encoding="utf-8")
    assert lines(run("collect-all"))[-1] == "1 of 1 sources collected."
    assert not scraped(project, "jan").exists()
    assert run("collect-all", "--source", "jan").exit_code == 0
    assert scraped(project, "jan").exists()


def test_unknown_source(run: Run, project: Path) -> None:
    result = run("collect-all", "--source", "openlm")
    assert result.exit_code != 0
    assert lines(result) == [
        f"Error: {project / 'configs' / 'scrapers'}: unknown source 'openlm'; sources: {LM}"
    ]


def test_sources_lists_last_success_and_failure(run: Run, project: Path) -> None:
    assert lines(run("sources")) == [
        f"{LM}: csv_file, raw/lmarena/*.csv, raw/lmarena/text/*.csv",
        "    never collected",
    ]
    add_file_source(project, "jan", f"raw/lmarena/{JAN}")
    run("collect-all")
    set_path(project, "jan", "raw/lmarena/missing.csv")
    run("collect-all")
    today = datetime.now(UTC).date().isoformat()
    missing = project / "data" / "raw" / "lmarena" / "missing.csv"
    assert lines(run("sources")) == [
        "jan: csv_file, raw/lmarena/missing.csv",
        f"    last success {today} (today); 154 models in {scraped(project, 'jan')}",
        f"    last attempt {today} failed: {missing}: file not found",
        f"{LM}: csv_file, raw/lmarena/*.csv, raw/lmarena/text/*.csv",
        f"    last success {today} (today); 182 models in {scraped(project, LM)}",
    ]


def test_a_collection_where_every_source_fails_records_nothing(run: Run, project: Path) -> None:
    run("collect-all")
    state = project / "data" / "state" / "sources.json"
    before = state.read_bytes()
    for export in (project / "data" / "raw" / "lmarena").glob("*.csv"):
        export.unlink()
    assert run("collect-all").exit_code == 1
    assert state.read_bytes() == before


def test_html_table_source_through_a_client(settings: Settings, project: Path, page: str) -> None:
    add_source(project, "openlm_arena", f"type: html_table\nurl: {URL}\n")
    requests: list[str] = []

    def serve(request: httpx.Request) -> httpx.Response:
        requests.append(str(request.url))
        return httpx.Response(200, text=page) if str(request.url) == URL else httpx.Response(404)

    with httpx.Client(transport=httpx.MockTransport(serve)) as client:
        report = collect_all(settings, client=client)
    assert [(r.name, r.ok, r.models) for r in report.results] == [
        (LM, True, 182),
        ("openlm_arena", True, 27),
    ]
    assert (report.results[1].folded, report.results[1].warnings) == (3, [])
    assert requests == [URL]
    doc = json.loads(scraped(project, "openlm_arena").read_text(encoding="utf-8"))
    assert (doc["metadata"]["type"], doc["metadata"]["input"]) == ("html_table", URL)
    first = doc["models"][0]
    assert (first["key"], first["name"]) == (
        "gemini_2.0_flash_thinking_exp",
        "Gemini-2.0-Flash-Thinking-Exp-01-21",
    )
    assert first["details"] == {"votes": 6437}
    assert first["benchmarks"] == {
        "arena_elo": 1382.0,
        "coding_elo": 1376.0,
        "arena_hard": 90.0,
        "mmlu": 88.5,
    }


def test_a_sudden_drop_in_models_is_a_layout_change(run: Run, project: Path, page: str) -> None:
    saved, before = collected_page(run, project, page)
    # Only the full leaderboard's headers change: the small "Best Open LM" table still matches.
    renamed = page.replace("<th>🤖 Model</th><th>⭐ Arena Elo</th>", "<th>Name</th><th>Rating</th>")
    saved.write_text(renamed, encoding="utf-8")
    result = run("collect-all", "--source", "openlm_saved")
    assert result.exit_code == 1
    assert "only 4 models where the previous output has 27: a changed layout?" in result.output
    assert scraped(project, "openlm_saved").read_bytes() == before
