"""``collect-all``: every source into data/scraped/<source>_models.json; failures are isolated."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import httpx
from click.testing import Result

from pipeline.collect.runner import collect_all
from pipeline.settings import Settings

JAN, MAY = "lmarena_text_2025_01_23", "lmarena_text_2025_05_18"
URL = "https://openlm.test/chatbot-arena/"
Run = Callable[..., Result]


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


def lines(result: Result) -> list[str]:
    assert "Traceback" not in result.output
    return result.output.splitlines()


def test_collects_both_samples(run: Run, project: Path) -> None:
    result = run("collect-all")
    assert result.exit_code == 0
    assert lines(result) == [
        f"ok    {JAN}: 154 models, 9 names folded into existing keys"
        f" (saved: {scraped(project, JAN)})",
        f"ok    {MAY}: 180 models, 14 names folded into existing keys"
        f" (saved: {scraped(project, MAY)})",
        "2 of 2 sources collected.",
    ]


def test_scraped_document(run: Run, project: Path) -> None:
    run("collect-all")
    doc = json.loads(scraped(project, JAN).read_text(encoding="utf-8"))
    metadata = doc["metadata"]
    assert (metadata["source"], metadata["model_count"]) == (JAN, 154)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", metadata["saved_at"])
    assert len(doc["models"]) == 154
    for model in doc["models"]:
        assert {"key", "name", "raw_names", "developer", "benchmarks", "sources"} <= set(model)
        assert all(isinstance(score, float) for score in model["benchmarks"].values())
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", model["last_updated"])
    gpt_4o = next(model for model in doc["models"] if model["key"] == "gpt_4o")
    assert (gpt_4o["name"], gpt_4o["developer"]) == ("GPT-4o-2024-05-13", "OpenAI")
    assert gpt_4o["benchmarks"] == {"arena_score": 1285.0}
    assert gpt_4o["sources"] == [
        "https://lmarena.ai/leaderboard/text (LMArena text leaderboard export, 2025-01-23)"
    ]


def test_second_run_changes_nothing(run: Run, project: Path) -> None:
    run("collect-all")
    before = {s: scraped(project, s).read_bytes() for s in (JAN, MAY)}
    result = run("collect-all")
    assert result.exit_code == 0
    assert lines(result) == [
        f"ok    {JAN}: 154 models, 9 names folded into existing keys"
        f" (unchanged: {scraped(project, JAN)})",
        f"ok    {MAY}: 180 models, 14 names folded into existing keys"
        f" (unchanged: {scraped(project, MAY)})",
        "2 of 2 sources collected.",
    ]
    assert {s: scraped(project, s).read_bytes() for s in (JAN, MAY)} == before


def test_failing_csv_source_keeps_its_output(run: Run, project: Path) -> None:
    run("collect-all")
    before = scraped(project, JAN).read_bytes()
    set_path(project, JAN, "raw/lmarena/missing.csv")
    result = run("collect-all")
    assert result.exit_code == 0
    missing = project / "data" / "raw" / "lmarena" / "missing.csv"
    fails = [line for line in lines(result) if line.startswith("fail")]
    assert fails == [f"fail  {JAN}: {missing}: file not found (previous output kept)"]
    assert lines(result)[-1] == "1 of 2 sources collected."
    assert scraped(project, JAN).read_bytes() == before


def test_failing_html_file_keeps_its_output(run: Run, project: Path, page: str) -> None:
    saved = project / "data" / "raw" / "pages" / "openlm_arena.html"
    saved.parent.mkdir(parents=True)
    saved.write_text(page, encoding="utf-8")
    add_source(project, "openlm_saved", "type: html_file\npath: raw/pages/openlm_arena.html\n")
    assert run("collect-all", "--source", "openlm_saved").exit_code == 0
    before = scraped(project, "openlm_saved").read_bytes()
    saved.write_text("<html><body><p>Down for maintenance</p></body></html>", encoding="utf-8")
    result = run("collect-all")
    assert result.exit_code == 0
    assert [line for line in lines(result) if line.startswith("fail")] == [
        f"fail  openlm_saved: no leaderboard table in {saved} (tables: no tables)"
        " (previous output kept)"
    ]
    assert lines(result)[-1] == "2 of 3 sources collected."
    assert scraped(project, "openlm_saved").read_bytes() == before


def test_every_source_failing_is_an_error(run: Run, project: Path) -> None:
    set_path(project, JAN, "raw/jan.csv")
    set_path(project, MAY, "raw/may.csv")
    result = run("collect-all")
    assert result.exit_code == 1
    data = project / "data"
    assert lines(result)[-1] == (
        f"Error: every source failed ({JAN}: {data / 'raw/jan.csv'}: file not found;"
        f" {MAY}: {data / 'raw/may.csv'}: file not found)"
    )
    assert not (data / "scraped").exists()


def test_one_source(run: Run, project: Path) -> None:
    result = run("collect-all", "--source", MAY)
    assert result.exit_code == 0
    assert lines(result)[0].startswith(f"ok    {MAY}: 180 models")
    assert lines(result)[-1] == "1 of 1 sources collected."
    assert not scraped(project, JAN).exists()


def test_disabled_source_runs_only_when_named(run: Run, project: Path) -> None:
    config = project / "configs" / "scrapers" / f"{JAN}.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "enabled: false\n", encoding="utf-8")
    assert lines(run("collect-all"))[-1] == "1 of 1 sources collected."
    assert not scraped(project, JAN).exists()
    assert run("collect-all", "--source", JAN).exit_code == 0
    assert scraped(project, JAN).exists()


def test_unknown_source(run: Run, project: Path) -> None:
    result = run("collect-all", "--source", "openlm")
    assert result.exit_code != 0
    assert lines(result) == [
        f"Error: {project / 'configs' / 'scrapers'}: unknown source 'openlm'; sources: {JAN}, {MAY}"
    ]


def test_html_table_source_through_a_client(settings: Settings, project: Path, page: str) -> None:
    add_source(project, "openlm_arena", f"type: html_table\nurl: {URL}\n")
    requests: list[str] = []

    def serve(request: httpx.Request) -> httpx.Response:
        requests.append(str(request.url))
        return httpx.Response(200, text=page) if str(request.url) == URL else httpx.Response(404)

    with httpx.Client(transport=httpx.MockTransport(serve)) as client:
        report = collect_all(settings, client=client)
    assert [(r.name, r.ok, r.models) for r in report.results] == [
        (JAN, True, 154),
        (MAY, True, 180),
        ("openlm_arena", True, 27),
    ]
    assert (report.results[2].folded, report.results[2].warnings) == (3, [])
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
    saved = project / "data" / "raw" / "pages" / "openlm_arena.html"
    saved.parent.mkdir(parents=True)
    saved.write_text(page, encoding="utf-8")
    add_source(project, "openlm_saved", "type: html_file\npath: raw/pages/openlm_arena.html\n")
    assert run("collect-all", "--source", "openlm_saved").exit_code == 0
    before = scraped(project, "openlm_saved").read_bytes()
    # Only the full leaderboard's headers change: the small "Best Open LM" table still matches.
    renamed = page.replace("<th>🤖 Model</th><th>⭐ Arena Elo</th>", "<th>Name</th><th>Rating</th>")
    saved.write_text(renamed, encoding="utf-8")
    result = run("collect-all", "--source", "openlm_saved")
    assert result.exit_code == 1
    assert "only 4 models where the previous output has 27: a changed layout?" in result.output
    assert scraped(project, "openlm_saved").read_bytes() == before
