"""Mappings added at run time live in the data directory, read after configs/."""

from __future__ import annotations

from pathlib import Path

from pipeline.curate.mapping import load_mapping


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_overlay_adds_entries_after_the_configured_ones(tmp_path: Path) -> None:
    config = write(tmp_path / "configs/model_name_mapping.yaml", 'gpt_4o: "GPT-4o"\n')
    overlay = write(tmp_path / "data/state/model_name_mapping.yaml", 'o3: "OpenAI o3"\n')
    mapping = load_mapping(config, overlay)
    assert mapping.mapping == {"gpt_4o": "GPT-4o", "o3": "OpenAI o3"}
    assert not mapping.problems


def test_a_missing_overlay_is_the_configured_mapping(tmp_path: Path) -> None:
    config = write(tmp_path / "model_name_mapping.yaml", 'gpt_4o: "GPT-4o"\n')
    assert load_mapping(config, tmp_path / "missing.yaml").mapping == {"gpt_4o": "GPT-4o"}


def test_a_key_in_both_is_a_problem_of_the_overlay(tmp_path: Path) -> None:
    config = write(tmp_path / "configs/model_name_mapping.yaml", 'gpt_4o: "GPT-4o"\n')
    overlay = write(tmp_path / "state/model_name_mapping.yaml", 'x: "y"\ngpt_4o: "GPT 4o"\n')
    mapping = load_mapping(config, overlay)
    assert mapping.mapping == {"gpt_4o": "GPT-4o", "x": "y"}
    assert mapping.problems == [f"({overlay}) line 2: 'gpt_4o' is also in model_name_mapping.yaml"]
