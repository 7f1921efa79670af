"""Reading the name mapping (MappingFile.load): entries, duplicate keys, names claimed twice,
values that are not text and YAML syntax errors, each reported on one line with its line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sync_support import LEGACY_MAPPING

from pipeline.curate.mapping import Entry, MappingFile
from pipeline.errors import ConfigError


def load(tmp_path: Path, text: str) -> MappingFile:
    path = tmp_path / "model_name_mapping.yaml"
    path.write_text(text, encoding="utf-8")
    return MappingFile.load(path)


def legacy_duplicates() -> list[str]:
    """The legacy fixture's duplicate keys, found by reading its lines."""
    first: dict[str, int] = {}
    found = []
    lines = LEGACY_MAPPING.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        match = re.match(r"^([^#\s][^:]*):", line)
        if not match:
            continue
        key = match[1]
        if key in first:
            found.append(f"line {number}: duplicate key {key!r} (first on line {first[key]})")
        else:
            first[key] = number
    return found


def test_legacy_fixture_reports_every_duplicate_key_with_both_lines() -> None:
    mapping = MappingFile.load(LEGACY_MAPPING)

    assert mapping.problems == legacy_duplicates()
    assert len(mapping.problems) == 18
    assert mapping.problems[0] == "line 69: duplicate key 'claude_opus_4' (first on line 19)"
    assert mapping.problems[-1] == "line 86: duplicate key 'deepseek_v2_api' (first on line 48)"


def test_legacy_fixture_keeps_the_first_occurrence_of_each_key() -> None:
    mapping = MappingFile.load(LEGACY_MAPPING)

    assert len(mapping.entries) == 60 - 18
    assert Entry("gpt_4.5_preview", "GPT-4.5", 10) in mapping.entries
    assert Entry("kimi_k2_preview", "Kimi K2 (preview)", 87) in mapping.entries
    assert mapping.mapping["grok_4"] == "Grok 4"
    assert mapping.reverse["GPT-4.5"] == "gpt_4.5_preview"


def test_described_problems_name_the_file(tmp_path: Path) -> None:
    mapping = load(tmp_path, 'gpt_4: "GPT-4"\ngpt_4: "GPT-4"\n')

    assert mapping.described_problems() == [
        f"{tmp_path / 'model_name_mapping.yaml'}: line 2: duplicate key 'gpt_4' (first on line 1)"
    ]


def test_two_keys_mapped_to_one_name_are_reported_with_both_lines(tmp_path: Path) -> None:
    mapping = load(
        tmp_path, '# OpenAI Models\ngpt_4: "GPT-4"\ngrok_3: "Grok-3"\ngpt_4_0314: "GPT-4"\n'
    )

    assert mapping.problems == ["line 4: 'gpt_4_0314' and 'gpt_4' (line 2) both map to 'GPT-4'"]
    assert mapping.reverse["GPT-4"] == "gpt_4"


@pytest.mark.parametrize("value", ["3", "", "true", '["Grok-3"]', "{name: Grok-3}", "1.5"])
def test_a_value_that_is_not_text_is_one_problem_with_its_line(tmp_path: Path, value: str) -> None:
    mapping = load(tmp_path, f'# xAI Models\ngrok_2: "Grok-2"\ngrok_3: {value}\ngrok_4: "Grok 4"\n')

    assert mapping.problems == ["line 3: 'grok_3' must map to a published name (text)"]
    assert mapping.mapping == {"grok_2": "Grok-2", "grok_4": "Grok 4"}


def test_unquoted_and_explicitly_tagged_text_are_names(tmp_path: Path) -> None:
    mapping = load(tmp_path, "gpt_4: GPT-4\no3: !!str 3\n")

    assert mapping.problems == []
    assert mapping.mapping == {"gpt_4": "GPT-4", "o3": "3"}


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('gpt_4: "GPT-4"\n  grok_3: "Grok-3"\n', 2),
        ('# OpenAI Models\ngpt_4: "GPT-4"\n\tgpt_4o: "GPT-4o"\n', 3),
    ],
)
def test_a_yaml_syntax_error_is_one_line_with_its_line_number(
    tmp_path: Path, text: str, line: int
) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text)

    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{tmp_path / 'model_name_mapping.yaml'}: line {line}: ")


def test_a_key_without_colon_is_reported_on_its_own_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, 'gpt_4: "GPT-4"\ngrok_3 "Grok-3"\ngpt_4o: "GPT-4o"\n')

    assert ": line 2: " in str(caught.value)


def test_a_file_that_is_not_a_mapping_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r'model_name_mapping.yaml: expected key: "Published'):
        load(tmp_path, "- gpt_4\n- grok_3\n")


def test_a_missing_or_empty_file_has_no_entries_and_no_problems(tmp_path: Path) -> None:
    missing = MappingFile.load(tmp_path / "absent.yaml")
    empty = load(tmp_path, "# nothing mapped yet\n")

    assert (missing.entries, missing.problems) == ([], [])
    assert (empty.entries, empty.problems) == ([], [])


def test_a_key_that_is_not_a_staging_key_is_a_problem(tmp_path: Path) -> None:
    mapping = load(tmp_path, 'gpt_4: "GPT-4"\nGrok 3: "Grok-3"\n')

    assert mapping.problems == ["line 2: 'Grok 3' is not a staging key"]
