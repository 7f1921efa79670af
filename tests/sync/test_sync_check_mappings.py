"""``sync-datasets --check-mappings``: what stands between the datasets and a sync.

Exit status 1 only when a sync would be blocked (unmapped models, an invalid mapping file);
mappings that point to nothing are listed with their lines but block nothing.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable

from click.testing import Result
from sync_support import LEGACY_MAPPING, Files, error_line, published_row, staging_row

UNMAPPED_STAGING = "Staging models without a published name:"
UNMAPPED_PUBLISHED = "Published models without a staging key:"
TO_ADD = "Published models that published-to-staging would add to staging:"
DANGLING = "Mappings that point to nothing (key not in staging, name not in published):"
ALL_MAPPED = "Every model is mapped: a sync would not be blocked."


def listed(output: str, title: str) -> list[str]:
    """The ``  - item`` lines under ``title`` (empty when the title is not printed)."""
    lines = output.splitlines()
    if title not in lines:
        return []
    items = []
    for line in lines[lines.index(title) + 1 :]:
        if not line.startswith("  - "):
            break
        items.append(line[4:])
    return items


def test_everything_mapped_exits_0_and_lists_mappings_that_point_to_nothing(
    files: Files, sync: Callable[..., Result]
) -> None:
    files.write_staging(staging_row("grok_3"), staging_row("gpt_4"))
    files.write_published(published_row("Grok-3"), published_row("GPT-4"))

    result = sync("--check-mappings")

    assert result.exit_code == 0, result.output
    assert listed(result.output, DANGLING) == [
        "line 5: gpt_4o -> 'GPT-4o'",
        "line 9: grok_4 -> 'Grok 4'",
        "line 12: inflection_2 -> 'Inflection-2'",
    ]
    assert UNMAPPED_STAGING not in result.output
    assert UNMAPPED_PUBLISHED not in result.output
    assert result.output.splitlines()[-1] == ALL_MAPPED


def test_staging_models_without_a_name_block_and_exit_1(
    files: Files, sync: Callable[..., Result]
) -> None:
    files.write_staging(staging_row("grok_3"), staging_row("claude_opus_4"), staging_row("kimi_k2"))
    files.write_published(published_row("Grok-3"))

    result = sync("--check-mappings")

    assert listed(result.output, UNMAPPED_STAGING) == ["claude_opus_4", "kimi_k2"]
    assert error_line(result).endswith(
        "model_name_mapping.yaml: a sync would be blocked: 2 unmapped models and 0 problems in "
        "the mapping file; add mappings with --suggest-mappings"
    )
    assert ALL_MAPPED not in result.output


def test_published_models_without_a_key_block_and_exit_1(
    files: Files, sync: Callable[..., Result]
) -> None:
    files.write_staging(staging_row("grok_3"))
    files.write_published(published_row("Grok-3"), published_row("Claude Opus 4"))

    result = sync("--check-mappings")

    assert listed(result.output, UNMAPPED_PUBLISHED) == ["Claude Opus 4"]
    assert "a sync would be blocked: 1 unmapped models" in error_line(result)


def test_published_models_mapped_to_a_missing_key_would_be_added_to_staging(
    files: Files, sync: Callable[..., Result]
) -> None:
    files.write_staging(staging_row("grok_3"))
    files.write_published(published_row("Grok-3"), published_row("Grok 4"))

    result = sync("--check-mappings")

    assert result.exit_code == 0, result.output
    assert listed(result.output, TO_ADD) == ["'Grok 4' -> grok_4"]
    assert "line 9: grok_4 -> 'Grok 4'" not in listed(result.output, DANGLING)


def test_an_invalid_mapping_file_lists_its_problems_and_exits_1(
    files: Files, sync: Callable[..., Result]
) -> None:
    shutil.copyfile(LEGACY_MAPPING, files.mapping_path)

    result = sync("--check-mappings")

    problems = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert len(problems) == 18
    assert problems[0] == (
        f"error: {files.mapping_path}: line 69: duplicate key 'claude_opus_4' (first on line 19)"
    )
    assert "0 unmapped models and 18 problems in the mapping file" in error_line(result)


def test_a_name_claimed_twice_is_a_problem_that_blocks(
    files: Files, sync: Callable[..., Result]
) -> None:
    files.write_mapping('# xAI Models\ngrok_3: "Grok-3"\ngrok_3_beta: "Grok-3"\n')
    files.write_staging(staging_row("grok_3"), staging_row("grok_3_beta"))
    files.write_published(published_row("Grok-3"))

    result = sync("--check-mappings")

    problem = "line 3: 'grok_3_beta' and 'grok_3' (line 2) both map to 'Grok-3'"
    assert f"error: {files.mapping_path}: {problem}" in result.output.splitlines()
    assert "1 problems in the mapping file" in error_line(result)


def test_a_yaml_syntax_error_is_one_line_naming_file_and_line(
    files: Files, sync: Callable[..., Result]
) -> None:
    files.write_mapping('# xAI Models\ngrok_3: "Grok-3"\n  grok_4: "Grok 4"\n')

    result = sync("--check-mappings")

    assert error_line(result).startswith(f"Error: {files.mapping_path}: line 3: ")
    assert result.output.strip() == error_line(result)


def test_checking_changes_no_file(files: Files, sync: Callable[..., Result]) -> None:
    files.write_staging(staging_row("grok_3"), staging_row("claude_opus_4"))
    files.write_published(published_row("Grok-3"), published_row("Claude Opus 4"))
    before = files.snapshot()

    sync("--check-mappings")

    assert files.snapshot() == before
