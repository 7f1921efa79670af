"""A long-running worker refreshes again and again in one process: the keys it normalised
for the duplicate check are not worked out again while the aliases file is unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.collect import names
from pipeline.curate.refresh import run_refresh
from pipeline.paths import ConfigPaths
from pipeline.settings import Settings


@pytest.fixture
def explained(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every name worked out by the rules (``explain``), in order."""
    seen: list[str] = []
    original = names.explain

    def spy(raw: str, rules: names.NameRules) -> tuple[str, list[str]]:
        seen.append(raw)
        return original(raw, rules)

    monkeypatch.setattr(names, "explain", spy)
    return seen


def test_a_second_refresh_in_one_process_works_out_no_key_again(
    estimated: None, settings: Settings, explained: list[str]
) -> None:
    run_refresh(settings)  # builds the tables
    run_refresh(settings)  # checks them: every key worked out
    assert explained
    explained.clear()

    run_refresh(settings)

    assert explained == []


def test_changed_aliases_are_read_again_and_every_key_worked_out(
    estimated: None, settings: Settings, explained: list[str]
) -> None:
    run_refresh(settings)
    report = run_refresh(settings)
    keys = [*report.tables["candidates"].keys(), *report.tables["below"].keys()]
    aliases = Path(ConfigPaths(settings.config_dir).aliases)
    aliases.write_text(aliases.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    explained.clear()

    run_refresh(settings)

    assert sorted(explained) == sorted(keys)
