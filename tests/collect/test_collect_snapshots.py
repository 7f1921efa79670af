"""Dated snapshots: the date of a file, the files of a folder source, unclaimed files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pipeline.collect.snapshots import date_in_name, snapshots, unclaimed_files
from pipeline.collect.sources import SourceConfig


@pytest.mark.parametrize(
    ("name", "day"),
    [
        ("lmarena_text_2025-05-18.csv", date(2025, 5, 18)),
        ("arena_20250518.csv", date(2025, 5, 18)),
        ("export_2025_01_23_v2.csv", date(2025, 1, 23)),
        ("notable_ai_models_2024.csv", date(2024, 12, 31)),
        ("latest.csv", None),
        ("qwen2024.csv", None),
        ("arena_2025-13-40.csv", date(2025, 12, 31)),
    ],
)
def test_date_in_name(name: str, day: date | None) -> None:
    assert date_in_name(name) == day


def source(**fields: object) -> SourceConfig:
    base: dict[str, object] = {
        "name": "arena", "type": "csv_file", "columns": {"model": ["Model"]},
        "benchmarks": {"score": ["Score"]},
    }  # fmt: skip
    return SourceConfig(**{**base, **fields})


def test_snapshots_oldest_first_and_not_data_files_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "raw" / "arena"
    folder.mkdir(parents=True)
    for name in ("b_2025-05-18.csv", "a_2025-06-01.csv", ".~lock.b_2025-05-18.csv#", "x.tmp"):
        (folder / name).write_text("Model,Score\n", encoding="utf-8")
    found = snapshots(source(glob="raw/arena/*"), tmp_path)
    assert [(s.path.name, s.day) for s in found] == [
        ("b_2025-05-18.csv", "2025-05-18"),
        ("a_2025-06-01.csv", "2025-06-01"),
    ]


def test_unclaimed_files_of_a_source_folder(tmp_path: Path) -> None:
    folder = tmp_path / "raw" / "arena"
    folder.mkdir(parents=True)
    for name in ("a.csv", "b.csv", "notes.md", "c.json"):
        (folder / name).write_text("x", encoding="utf-8")
    (tmp_path / "raw" / "elsewhere.csv").write_text("x", encoding="utf-8")
    sources = [source(path="raw/arena/a.csv"), source(name="other", glob="raw/arena/b*")]
    assert unclaimed_files(sources, tmp_path) == [folder / "c.json"]
    assert unclaimed_files(sources, tmp_path, [folder / "c.json"]) == []
