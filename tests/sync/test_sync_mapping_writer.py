"""Writing the name mapping (add_mappings): each entry at the end of its developer's section,
a new ``# <Developer> Models`` section when there is none, every other line untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.curate.mapping import NEW_FILE, MappingFile, add_mappings
from pipeline.errors import ConfigError

MAPPING = """\
# Top comment: keep me.
# OpenAI Models
gpt_4: "GPT-4"

# Anthropic Models
claude_3: "Claude 3"  # first Claude

# Meta Models
llama_3: "Llama 3 – ✓"
"""


def write(tmp_path: Path, text: str, *additions: tuple[str, str, str]) -> str:
    path = tmp_path / "model_name_mapping.yaml"
    path.write_bytes(text.encode("utf-8"))
    add_mappings(path, list(additions))
    return path.read_bytes().decode("utf-8")


def test_entries_go_to_the_end_of_their_developers_section(tmp_path: Path) -> None:
    text = write(
        tmp_path,
        MAPPING,
        ("claude_4", "Claude 4", "Anthropic"),
        ("gpt_5", "GPT-5", "OpenAI"),
        ("llama_4", "Llama 4", "Meta AI"),
    )

    assert text == (
        '# Top comment: keep me.\n# OpenAI Models\ngpt_4: "GPT-4"\ngpt_5: "GPT-5"\n\n'
        '# Anthropic Models\nclaude_3: "Claude 3"  # first Claude\nclaude_4: "Claude 4"\n\n'
        '# Meta Models\nllama_3: "Llama 3 – ✓"\nllama_4: "Llama 4"\n'
    )


def test_a_developer_without_a_section_gets_a_new_one(tmp_path: Path) -> None:
    text = write(tmp_path, MAPPING, ("kimi_k2", "Kimi K2", "Moonshot AI"))

    assert text == MAPPING + '\n# Moonshot AI Models\nkimi_k2: "Kimi K2"\n'


def test_no_developer_goes_to_other_models(tmp_path: Path) -> None:
    text = write(tmp_path, MAPPING, ("x_1", "X-1", ""), ("x_2", "X-2", ""))

    assert text == MAPPING + '\n# Other Models\nx_1: "X-1"\nx_2: "X-2"\n'


def test_trailing_comments_stay_at_the_end(tmp_path: Path) -> None:
    trailing = "\n# Add new mappings above this line.\n"

    text = write(tmp_path, MAPPING + trailing, ("kimi_k2", "Kimi K2", "Moonshot AI"))

    assert text == MAPPING + '\n# Moonshot AI Models\nkimi_k2: "Kimi K2"\n' + trailing


def test_a_file_of_comments_keeps_them(tmp_path: Path) -> None:
    text = write(tmp_path, "# Only comments so far.\n", ("gpt_5", "GPT-5", "OpenAI"))

    assert text == '# Only comments so far.\n\n# OpenAI Models\ngpt_5: "GPT-5"\n'


def test_a_missing_file_is_created(tmp_path: Path) -> None:
    path = tmp_path / "model_name_mapping.yaml"

    add_mappings(path, [("gpt_5", "GPT-5", "OpenAI"), ("gpt_6", "GPT-6", "OpenAI")])

    text = path.read_text(encoding="utf-8")
    assert text == NEW_FILE + '# OpenAI Models\ngpt_5: "GPT-5"\ngpt_6: "GPT-6"\n'


def test_a_key_already_mapped_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "model_name_mapping.yaml"
    path.write_text(MAPPING, encoding="utf-8")

    with pytest.raises(ConfigError, match="'gpt_4' is already mapped"):
        add_mappings(path, [("gpt_4", "GPT-4 again", "OpenAI")])
    assert path.read_text(encoding="utf-8") == MAPPING


def test_an_invalid_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "model_name_mapping.yaml"
    path.write_text('gpt_4: "GPT-4"\ngpt_4: "GPT-4"\n', encoding="utf-8")

    with pytest.raises(ConfigError, match=r"fix the mapping file first \(line 2: duplicate key"):
        add_mappings(path, [("gpt_5", "GPT-5", "OpenAI")])
    assert path.read_text(encoding="utf-8") == 'gpt_4: "GPT-4"\ngpt_4: "GPT-4"\n'


def test_names_with_quotes_and_unicode_read_back(tmp_path: Path) -> None:
    name = 'Qwen3 "Max" – 235B ✓'
    write(tmp_path, MAPPING, ("qwen3_max", name, "Alibaba"))

    assert MappingFile.load(tmp_path / "model_name_mapping.yaml").mapping["qwen3_max"] == name


def test_a_crlf_file_keeps_its_line_endings(tmp_path: Path) -> None:
    crlf = MAPPING.replace("\n", "\r\n")

    text = write(tmp_path, crlf, ("gpt_5", "GPT-5", "OpenAI"))

    assert text == crlf.replace('gpt_4: "GPT-4"\r\n', 'gpt_4: "GPT-4"\r\ngpt_5: "GPT-5"\r\n')
