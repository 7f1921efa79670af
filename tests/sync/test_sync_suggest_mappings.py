"""``sync-datasets --suggest-mappings``: rapidfuzz suggestions reviewed with accept / edit /
skip / quit and a final confirmation, written into the developer's commented section of
the name mapping with every other line kept byte for byte."""

from __future__ import annotations

import difflib
import shutil
from collections.abc import Callable

import pytest
from click.testing import Result
from sync_support import (
    EPOCH,
    LEGACY_MAPPING,
    SHIPPED_MAPPING,
    Files,
    error_line,
    published_row,
    staging_row,
)

from pipeline.curate.mapping import MappingFile
from pipeline.curate.schema_map import SchemaMap
from pipeline.curate.suggest import Suggestion, display_name, suggest
from pipeline.storage.csvtable import CsvTable

MAPPING = """\
# Name mapping: staging key -> published name.
# Keep one key per published name.

# OpenAI Models
gpt_4: "GPT-4"
gpt_4o: "GPT-4o"  # the omni model

# Anthropic Models
claude_3_opus: "Claude 3 Opus"
# Sonnet keys follow LMArena's spelling.
claude_3.5_sonnet: "Claude 3.5 Sonnet"

# xAI Models
grok_3: "Grok-3"

# Other Models
inflection_2: "Inflection-2"

# Add new mappings above this line.
"""

ALL_ACCEPTED = """\
# Name mapping: staging key -> published name.
# Keep one key per published name.

# OpenAI Models
gpt_4: "GPT-4"
gpt_4o: "GPT-4o"  # the omni model

# Anthropic Models
claude_3_opus: "Claude 3 Opus"
# Sonnet keys follow LMArena's spelling.
claude_3.5_sonnet: "Claude 3.5 Sonnet"
claude_opus_4: "Claude Opus 4"

# xAI Models
grok_3: "Grok-3"
grok_4: "Grok 4"

# Other Models
inflection_2: "Inflection-2"

# Moonshot AI Models
kimi_k2: "Kimi K2"

# Add new mappings above this line.
"""


@pytest.fixture
def unmapped(files: Files) -> Files:
    """Three unmapped staging models: two with a published twin, one new (kimi_k2)."""
    files.write_mapping(MAPPING)
    files.write_staging(
        staging_row("grok_3", developer="xAI"),
        staging_row("claude_opus_4", developer="Anthropic"),
        staging_row("kimi_k2", developer="Moonshot AI"),
        staging_row("grok_4", developer="xAI"),
    )
    files.write_published(
        published_row("Grok-3", organization="xAI"),
        published_row("Claude Opus 4", organization="Anthropic"),
        published_row("Grok 4", organization="xAI"),
    )
    return files


def added_lines(before: str, after: str) -> list[str]:
    """The lines inserted into ``before`` to make ``after``, checking that nothing else
    changed: every old line kept its bytes and its order."""
    old = before.splitlines(keepends=True)
    new = after.splitlines(keepends=True)
    ops = difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes()
    assert {tag for tag, *_ in ops} <= {"equal", "insert"}, after
    return [line for tag, _, _, j1, j2 in ops if tag == "insert" for line in new[j1:j2]]


def test_accepting_every_suggestion_writes_each_into_its_developers_section(
    unmapped: Files, sync: Callable[..., Result]
) -> None:
    result = sync("--suggest-mappings", input="a\na\na\ny\n")

    assert result.exit_code == 0, result.output
    assert "Suggested mapping: 'Claude Opus 4' (a published model, score 100)" in result.output
    assert "Suggested mapping: 'Kimi K2' (a new name)" in result.output
    assert unmapped.mapping_path.read_text(encoding="utf-8") == ALL_ACCEPTED
    assert result.output.splitlines()[-1] == f"Added 3 mappings to {unmapped.mapping_path}."


def test_unrelated_comments_and_order_survive_byte_for_byte(
    unmapped: Files, sync: Callable[..., Result]
) -> None:
    sync("--suggest-mappings", input="a\na\na\ny\n")

    after = unmapped.mapping_path.read_text(encoding="utf-8")
    assert added_lines(MAPPING, after) == [
        'claude_opus_4: "Claude Opus 4"\n',
        'grok_4: "Grok 4"\n',
        "# Moonshot AI Models\n",
        'kimi_k2: "Kimi K2"\n',
        "\n",
    ]
    assert "# Sonnet keys follow LMArena's spelling.\n" in after
    assert 'gpt_4o: "GPT-4o"  # the omni model\n' in after


def test_written_mappings_make_the_check_pass(unmapped: Files, sync: Callable[..., Result]) -> None:
    sync("--suggest-mappings", input="a\na\na\ny\n")

    mapping = MappingFile.load(unmapped.mapping_path)
    assert mapping.problems == []
    assert mapping.mapping["kimi_k2"] == "Kimi K2"
    assert "Staging models without a published name:" not in sync("--check-mappings").output


def test_edit_writes_the_custom_name(unmapped: Files, sync: Callable[..., Result]) -> None:
    result = sync("--suggest-mappings", input="s\ne\nKimi K2 (Moonshot)\ns\ny\n")

    assert "Approved: kimi_k2 -> 'Kimi K2 (Moonshot)'" in result.output
    after = unmapped.mapping_path.read_text(encoding="utf-8")
    assert added_lines(MAPPING, after) == [
        "# Moonshot AI Models\n",
        'kimi_k2: "Kimi K2 (Moonshot)"\n',
        "\n",
    ]


def test_edit_refuses_a_name_already_taken_and_asks_again(
    unmapped: Files, sync: Callable[..., Result]
) -> None:
    result = sync("--suggest-mappings", input="s\ne\nGrok-3\nGPT-4\nKimi K2\ns\ny\n")

    assert "'Grok-3' is already the name of grok_3; choose another." in result.output
    assert "'GPT-4' is already the name of gpt_4; choose another." in result.output
    assert result.output.count("Published name:") == 3
    assert MappingFile.load(unmapped.mapping_path).mapping["kimi_k2"] == "Kimi K2"


def test_edit_refuses_a_name_approved_earlier_in_the_session(
    unmapped: Files, sync: Callable[..., Result]
) -> None:
    result = sync("--suggest-mappings", input="a\ne\nClaude Opus 4\nKimi K2\ns\ny\n")

    assert "'Claude Opus 4' is already the name of claude_opus_4; choose another." in result.output
    assert MappingFile.load(unmapped.mapping_path).problems == []


def test_accept_refuses_a_suggestion_whose_name_an_earlier_edit_took(
    unmapped: Files, sync: Callable[..., Result]
) -> None:
    sync("--suggest-mappings", input="e\nGrok 4\ns\na\nGrok 4 (new)\ny\n")

    mapping = MappingFile.load(unmapped.mapping_path)
    assert mapping.problems == []


def test_a_quoted_unicode_name_is_written_so_it_reads_back(
    unmapped: Files, sync: Callable[..., Result]
) -> None:
    name = 'Kimi K2 "Instruct" – 1T ✓'
    sync("--suggest-mappings", input=f"s\ne\n{name}\ns\ny\n")

    assert MappingFile.load(unmapped.mapping_path).mapping["kimi_k2"] == name


def test_skipping_every_suggestion_writes_nothing(
    unmapped: Files, sync: Callable[..., Result]
) -> None:
    result = sync("--suggest-mappings", input="s\ns\ns\n")

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "No mappings to add."
    assert unmapped.mapping_path.read_text(encoding="utf-8") == MAPPING


def test_quit_stops_asking_and_confirms_what_was_approved(
    unmapped: Files, sync: Callable[..., Result]
) -> None:
    result = sync("--suggest-mappings", input="a\nq\ny\n")

    assert "[3/3]" not in result.output
    assert f"Add 1 mappings to {unmapped.mapping_path}? (y/n)" in result.output
    after = unmapped.mapping_path.read_text(encoding="utf-8")
    assert added_lines(MAPPING, after) == ['claude_opus_4: "Claude Opus 4"\n']


def test_answering_n_to_the_confirmation_writes_nothing(
    unmapped: Files, sync: Callable[..., Result]
) -> None:
    result = sync("--suggest-mappings", input="a\na\na\nn\n")

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "Nothing written."
    assert unmapped.mapping_path.read_text(encoding="utf-8") == MAPPING


def test_an_unknown_answer_is_asked_again(unmapped: Files, sync: Callable[..., Result]) -> None:
    result = sync("--suggest-mappings", input="maybe\ns\ns\ns\n")

    assert "Please answer a, e, s or q." in result.output
    assert result.output.count("[1/3] Model: claude_opus_4") == 1


def test_yes_accepts_only_suggestions_naming_a_published_model(
    unmapped: Files, sync: Callable[..., Result]
) -> None:
    result = sync("--suggest-mappings", "--yes", input="")

    assert result.exit_code == 0, result.output
    after = unmapped.mapping_path.read_text(encoding="utf-8")
    assert added_lines(MAPPING, after) == ['claude_opus_4: "Claude Opus 4"\n', 'grok_4: "Grok 4"\n']
    assert "kimi_k2" not in after


def test_closed_stdin_exits_2_with_one_line_naming_yes(
    unmapped: Files, sync: Callable[..., Result]
) -> None:
    result = sync("--suggest-mappings", input="")

    line = error_line(result, exit_code=2)
    assert "--suggest-mappings is interactive and standard input is closed" in line
    assert "use --yes" in line
    assert unmapped.mapping_path.read_text(encoding="utf-8") == MAPPING


def test_input_ending_during_the_review_writes_nothing(
    unmapped: Files, sync: Callable[..., Result]
) -> None:
    result = sync("--suggest-mappings", input="a\na\n")

    assert "use --yes" in error_line(result, exit_code=2)
    assert unmapped.mapping_path.read_text(encoding="utf-8") == MAPPING


def test_nothing_unmapped_needs_no_input(files: Files, sync: Callable[..., Result]) -> None:
    files.write_staging(staging_row("grok_3"))

    result = sync("--suggest-mappings", input="")

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Every staging model has a mapping."


def test_an_invalid_mapping_file_is_refused_and_left_alone(
    unmapped: Files, sync: Callable[..., Result]
) -> None:
    shutil.copyfile(LEGACY_MAPPING, unmapped.mapping_path)

    result = sync("--suggest-mappings", "--yes")

    line = error_line(result)
    assert line == f"Error: {unmapped.mapping_path}: fix the name mapping first"
    assert unmapped.mapping_path.read_bytes() == LEGACY_MAPPING.read_bytes()


def test_a_missing_mapping_file_is_created_with_a_section(
    unmapped: Files, sync: Callable[..., Result]
) -> None:
    unmapped.mapping_path.unlink()

    result = sync("--suggest-mappings", "--yes")

    assert result.exit_code == 0, result.output
    text = unmapped.mapping_path.read_text(encoding="utf-8")
    assert "# xAI Models\n" in text
    assert "# Anthropic Models\n" in text
    assert MappingFile.load(unmapped.mapping_path).mapping == {
        "grok_3": "Grok-3",
        "claude_opus_4": "Claude Opus 4",
        "grok_4": "Grok 4",
    }


def test_the_real_export_maps_a_google_deepmind_model_into_the_google_section(
    files: Files, sync: Callable[..., Result]
) -> None:
    shipped = SHIPPED_MAPPING.read_text(encoding="utf-8")
    without = shipped.replace('gemini_1.5_pro: "Gemini 1.5 Pro"\n', "")
    files.write_mapping(without)
    shutil.copyfile(EPOCH, files.published_path)
    files.write_staging(staging_row("gemini_1.5_pro", developer="Google DeepMind"))

    result = sync("--suggest-mappings", "--yes")

    assert result.exit_code == 0, result.output
    after = files.mapping_path.read_text(encoding="utf-8")
    assert after == without.replace(
        'gemini_2.5_pro: "Gemini 2.5 Pro"\n',
        'gemini_2.5_pro: "Gemini 2.5 Pro"\ngemini_1.5_pro: "Gemini 1.5 Pro"\n',
    )


# -- the suggestions themselves ------------------------------------------------------------


def tables(files: Files) -> tuple[CsvTable, CsvTable, MappingFile, SchemaMap]:
    schema = SchemaMap.load(files.project / "configs" / "schema_map.yaml")
    staging = CsvTable.read(files.staging_path, "model")
    published = CsvTable.read(files.published_path, "Model")
    return staging, published, MappingFile.load(files.mapping_path), schema


def test_suggestions_never_give_one_name_to_two_keys(files: Files) -> None:
    files.write_staging(
        staging_row("claude_opus_4", developer="Anthropic"),
        staging_row("claude_opus_4_thinking", developer="Anthropic"),
    )
    files.write_published(published_row("Claude Opus 4", organization="Anthropic"))

    found = suggest(*tables(files))

    assert found[0] == Suggestion("claude_opus_4", "Anthropic", "Claude Opus 4", 100.0, True)
    assert found[1] == Suggestion(
        "claude_opus_4_thinking", "Anthropic", "Claude Opus 4 Thinking", 0.0, False
    )


def test_names_already_mapped_are_never_suggested(files: Files) -> None:
    files.write_staging(staging_row("grok_3_mini", developer="xAI"))
    files.write_published(published_row("Grok-3", organization="xAI"))

    (found,) = suggest(*tables(files))

    assert (found.name, found.existing) == ("Grok 3 Mini", False)


@pytest.mark.parametrize(
    ("key", "name"),
    [
        ("claude_3.5_sonnet", "Claude 3.5 Sonnet"),
        ("gpt_4o", "GPT 4o"),
        ("llama_3.1_405b", "Llama 3.1 405B"),
        ("o1", "o1"),
    ],
)
def test_display_name_of_a_key(key: str, name: str) -> None:
    assert display_name(key) == name
