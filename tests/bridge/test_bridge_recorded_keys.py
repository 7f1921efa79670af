"""The keys of the collected records, which a row added in Candidates is checked against
(bridge/manual_rows.py): every record's key, from every scraped and estimated document."""

from __future__ import annotations

import json
from pathlib import Path

from bridge_support import Project, column_number

from bridge.manual_rows import recorded_keys
from pipeline.paths import DataPaths
from pipeline.storage.jsondoc import write_document


def test_every_records_key_and_nothing_else(tmp_path: Path) -> None:
    paths = DataPaths(tmp_path)
    paths.scraped.mkdir(parents=True)
    estimated = [
        {"key": "gpt_4o", "details": {"key": "not a record"}, "benchmarks": {}},
        {"name": "no key"},
        {"key": 7},
    ]
    paths.estimated.parent.mkdir(parents=True)
    write_document(paths.estimated, {"metadata": {"key": "meta"}, "models": estimated})
    scraped = {"metadata": {}, "models": [{"key": "中文_模型", "raw_names": ["x"]}]}
    paths.scraped_file("superclue").write_text(json.dumps(scraped), encoding="utf-8")
    paths.scraped_file("broken").write_text('{"models": [{"key": "lost"', encoding="utf-8")
    paths.scraped_file("latin1").write_bytes(b'{"models": [{"key": "caf\xe9"}]}')
    assert recorded_keys(paths) == {"gpt_4o", "中文_模型"}


def test_no_files_no_keys(tmp_path: Path) -> None:
    paths = DataPaths(tmp_path)
    paths.scraped.mkdir(parents=True)
    assert recorded_keys(paths) == frozenset()


def test_a_row_added_for_a_collected_model_is_not_a_manual_entry(synced: Project) -> None:
    paths = DataPaths(synced.data)
    scraped = {"metadata": {}, "models": [{"key": "mystery_model_9", "name": "Mystery 9"}]}
    paths.scraped_file("extra").write_text(json.dumps(scraped), encoding="utf-8")
    with synced.editing() as book:
        sheet = book["Candidates"]
        number = sheet.max_row + 1
        for column, value in {"model": "mystery_model_9", "developer": "Acme"}.items():
            sheet.cell(number, column_number(sheet, column)).value = value
    synced.mirror()
    assert synced.status("candidates", "mystery_model_9") == (
        "not pulled: mystery_model_9 is already among the collected models"
    )
