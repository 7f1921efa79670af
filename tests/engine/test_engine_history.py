"""The history file: one JSON line per applied change, whatever its texts hold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.curate import history

TRICKY = ["plain", 'a "quote" and },{"time":"x"}', "line\nbreak", "back\\slash", "ünïcode"]


def entry(n: int, text: str) -> dict[str, str]:
    return {"time": f"2026-01-0{n + 1}T00:00:00Z", "source": "cli", "key": f"m{n}", "new": text}


@pytest.mark.parametrize("first", ["time", "key"])
def test_each_entry_is_one_line_read_back_whole(tmp_path: Path, first: str) -> None:
    entries = [entry(n, text) for n, text in enumerate(TRICKY)]
    if first == "key":  # entries that do not begin with their time
        entries = [{"key": e["key"], **e} for e in entries]
    history.record(tmp_path, entries)
    lines = (tmp_path / history.HISTORY).read_bytes().splitlines()
    assert [json.loads(line) for line in lines] == entries
    assert list(history.read(tmp_path)) == entries


def test_a_nested_value_that_looks_like_a_boundary_stays_in_its_line(tmp_path: Path) -> None:
    entries = [
        {"time": "t1", "new": [{"a": "1"}, {"time": "t9"}]},  # type: ignore[dict-item]
        {"time": "t2", "new": "x"},
    ]
    history.record(tmp_path, entries)
    lines = (tmp_path / history.HISTORY).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == entries


def test_appends_after_what_is_there(tmp_path: Path) -> None:
    history.record(tmp_path, [entry(0, "a")])
    history.record(tmp_path, [entry(1, "b"), entry(2, "c")])
    assert [e["new"] for e in history.read(tmp_path)] == ["a", "b", "c"]
