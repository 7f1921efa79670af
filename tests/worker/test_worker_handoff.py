"""A real cycle hands each stage's result to the next one in memory: no stage reads back a
file an earlier stage of the same cycle wrote (collect -> estimate -> refresh -> mirror ->
report), and each of those files is read at most once, by the stage that writes it."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from worker_support import Home

from pipeline.estimate import records

HANDED_ON = ("scraped", "estimated", "clean")


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Every file read through pathlib (how the readers of data files read), by path."""
    seen: Counter[str] = Counter()
    inside: list[Path] = []  # read_bytes and read_text open the file themselves
    for name in ("read_bytes", "read_text", "open"):
        original = getattr(Path, name)

        def spy(
            self: Path, *args: Any, _original: Any = original, _name: str = name, **kwargs: Any
        ) -> Any:
            mode = (args[0] if args else kwargs.get("mode", "r")) if _name == "open" else "r"
            reading = set(mode) <= set("rbt")  # opened to read, not to write
            if not inside and reading and self.exists():  # a missing file reads nothing
                seen[str(self)] += 1
            inside.append(self)
            try:
                return _original(self, *args, **kwargs)
            finally:
                inside.pop()

        monkeypatch.setattr(Path, name, spy)
    return seen


def handed_on(home: Home, reads: Counter[str]) -> dict[str, int]:
    """Reads of the files one stage writes for the next, by path under the data folder."""
    found = {}
    for name, count in reads.items():
        path = Path(name)
        if path.is_relative_to(home.data) and path.relative_to(home.data).parts[0] in HANDED_ON:
            found[path.relative_to(home.data).as_posix()] = count
    return found


def test_a_first_cycle_reads_none_of_the_files_its_stages_write(
    fresh: Home, reads: Counter[str]
) -> None:
    reads.clear()

    fresh.run()

    assert handed_on(fresh, reads) == {}
    assert (fresh.data / "estimated" / "estimated_models.json").exists()
    assert (fresh.data / "clean" / "above_1e25_flop.csv").exists()


def test_a_later_cycle_reads_each_file_once_for_its_previous_content(
    cycled: Home, reads: Counter[str]
) -> None:
    reads.clear()

    cycled.run()

    found = handed_on(cycled, reads)
    assert set(found) >= {
        "estimated/estimated_models.json",
        "clean/above_1e25_flop.csv",
        "clean/below_1e25_flop.csv",
    }
    assert any(name.startswith("scraped/") for name in found)
    assert set(found.values()) == {1}


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The key of every estimate record checked before refresh reads it."""
    checked: list[str] = []
    original = records._plainly_valid

    def spy(record: dict[str, Any]) -> bool:
        checked.append(record.get("key", ""))
        return original(record)

    monkeypatch.setattr(records, "_plainly_valid", spy)
    return checked


def test_a_cycle_does_not_check_again_the_estimates_its_estimate_stage_made(
    fresh: Home, checks: list[str]
) -> None:
    fresh.run()

    assert checks == []
    assert (fresh.data / "clean" / "above_1e25_flop.csv").exists()


def test_refresh_checks_an_estimates_file_changed_since_it_was_written(
    cycled: Home, checks: list[str]
) -> None:
    estimated = cycled.data / "estimated" / "estimated_models.json"
    estimated.write_bytes(estimated.read_bytes())  # the same text, not as recorded
    models = json.loads(estimated.read_text(encoding="utf-8"))["models"]

    result = cycled.cli("refresh-dataset")

    assert result.exit_code == 0, result.output
    assert checks == [model["key"] for model in models]
