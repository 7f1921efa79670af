"""``sync-datasets --dry-run``: the rich tables of additions, field-level updates and what is
held back, the totals line, and no file written. With ``--direction both`` the second
direction plans on the state the first would leave."""

from __future__ import annotations

import shutil
from collections.abc import Callable

import pytest
from click.testing import Result
from sync_support import (
    EPOCH,
    SHIPPED_MAPPING,
    Files,
    error_line,
    published_row,
    sections,
    staging_row,
    tables,
    totals,
)

TO_PUBLISHED = "Staging → Published"
TO_STAGING = "Published → Staging"
VERIFIED = "verified in staging: resolve with sync-datasets --diff"
BANANA = "'banana' is not one of high, medium, low, speculative"


@pytest.fixture
def mixed(files: Files) -> Files:
    """grok_3 differs, grok_4 and gpt_4o exist on one side only, gpt_4 is verified and
    differs, inflection_2 has an unreadable confidence, claude_opus_4 is unmapped."""
    files.write_staging(
        staging_row("grok_3", training_flop="4e+26"),
        staging_row("grok_4", training_flop="5e+26"),
        staging_row("gpt_4", verified="y"),
        staging_row("inflection_2", confidence="banana"),
        staging_row("claude_opus_4"),
    )
    files.write_published(
        published_row("Grok-3", flop="3.5e+26"),
        published_row("GPT-4", parameters="1800000000000.0", date="3/15/2023"),
        published_row("GPT-4o", flop="3.81e+25"),
        published_row("Inflection-2"),
    )
    return files


def dry_run(sync: Callable[..., Result], direction: str) -> Result:
    result = sync("--dry-run", "--allow-unmapped", "--direction", direction)
    assert result.exit_code == 0, result.output
    return result


def test_staging_to_published_tables(mixed: Files, sync: Callable[..., Result]) -> None:
    result = dry_run(sync, "staging-to-published")

    assert result.output.startswith(f"DRY RUN: {TO_PUBLISHED}\n")
    assert tables(result.output) == {
        "New models to add to published": [["grok_4", "Grok 4", "5e+26"]],
        "Models to update in published": [
            ["grok_3", "Grok-3", "Training compute (FLOP): 3.5e+26 → 4e+26"],
            ["gpt_4", "GPT-4", "Publication date: 3/15/2023 → 7/9/2025"],
        ],
        "Not synced": [
            ["inflection_2", "confidence", BANANA],
            ["claude_opus_4", "", "no published name in the name mapping"],
        ],
    }
    assert totals(result.output) == [(1, 2, 2)]


def test_published_to_staging_tables(mixed: Files, sync: Callable[..., Result]) -> None:
    result = dry_run(sync, "published-to-staging")

    assert tables(result.output) == {
        "New models to add to staging": [["gpt_4o", "GPT-4o", "3.81e+25"]],
        "Models to update in staging": [
            ["grok_3", "Grok-3", "training_flop: 4e+26 → 3.5e+26"],
            ["inflection_2", "Inflection-2", "confidence: banana → high"],
        ],
        "Not synced": [["gpt_4", "parameters", VERIFIED], ["gpt_4", "release_date", VERIFIED]],
    }
    assert totals(result.output) == [(1, 2, 1)]  # held back counts models, not fields


def test_unmapped_published_models_are_held_back_towards_staging(
    mixed: Files, sync: Callable[..., Result]
) -> None:
    mixed.write_published(published_row("Grok-3"), published_row("Claude Opus 4"))

    result = dry_run(sync, "published-to-staging")

    assert tables(result.output)["Not synced"] == [
        ["Claude Opus 4", "", "no staging key in the name mapping"]
    ]


def test_unreadable_published_values_are_held_back_towards_staging(
    files: Files, sync: Callable[..., Result]
) -> None:
    files.write_staging(staging_row("grok_3"))
    files.write_published(published_row("Grok-3", date="Q1 2025", flop="3.5e+26"))

    result = dry_run(sync, "published-to-staging")

    assert tables(result.output)["Not synced"] == [
        ["Grok-3", "Publication date", "'Q1 2025' is not a date (use YYYY-MM-DD)"]
    ]
    assert totals(result.output) == [(0, 1, 1)]


def test_every_changed_field_of_a_model_is_listed(
    files: Files, sync: Callable[..., Result]
) -> None:
    files.write_staging(
        staging_row("grok_3", developer="xAI", confidence="medium", parameters="3e12")
    )
    files.write_published(published_row("Grok-3"))

    result = dry_run(sync, "staging-to-published")

    (row,) = tables(result.output)["Models to update in published"]
    assert row[2].splitlines() == [
        "Organization: Acme → xAI",
        "Parameters: ∅ → 3000000000000",
        "Confidence: Confident → Likely",
    ]


def test_both_directions_plan_the_second_on_what_the_first_would_leave(
    mixed: Files, sync: Callable[..., Result]
) -> None:
    result = dry_run(sync, "both")

    parts = sections(result.output)
    assert list(parts) == [TO_PUBLISHED, TO_STAGING]
    assert "grok_3" not in parts[TO_STAGING]
    assert tables(parts[TO_STAGING]) == {
        "New models to add to staging": [["gpt_4o", "GPT-4o", "3.81e+25"]],
        "Models to update in staging": [
            ["inflection_2", "Inflection-2", "confidence: banana → high"]
        ],
        "Not synced": [["gpt_4", "parameters", VERIFIED]],
    }
    assert totals(result.output) == [(1, 2, 2), (1, 1, 1)]
    assert result.output.splitlines()[-1] == "Dry run: nothing written."


def test_models_added_by_the_first_direction_are_not_differences_in_the_second(
    files: Files, sync: Callable[..., Result]
) -> None:
    files.write_staging(staging_row("grok_4", notes="Announced in July"))

    result = dry_run(sync, "both")

    assert totals(result.output) == [(1, 0, 0), (0, 0, 0)]


@pytest.mark.parametrize("direction", ["staging-to-published", "published-to-staging", "both"])
def test_a_dry_run_writes_no_file(
    mixed: Files, sync: Callable[..., Result], direction: str
) -> None:
    before = mixed.snapshot()

    dry_run(sync, direction)

    assert mixed.snapshot() == before


def test_unmapped_models_block_a_dry_run_without_allow_unmapped(
    mixed: Files, sync: Callable[..., Result]
) -> None:
    before = mixed.snapshot()

    result = sync("--dry-run")

    assert error_line(result) == (
        "Error: 1 unmapped models block staging-to-published: add mappings "
        "(sync-datasets --suggest-mappings) or use --allow-unmapped"
    )
    assert ["claude_opus_4", "", "no published name in the name mapping"] in tables(result.output)[
        "Not synced"
    ]
    assert mixed.snapshot() == before


def test_nothing_to_do_shows_zero_totals_and_no_tables(
    files: Files, sync: Callable[..., Result]
) -> None:
    files.write_staging(staging_row("grok_3"))
    files.write_published(published_row("Grok-3"))

    result = dry_run(sync, "both")

    assert tables(result.output) == {}
    assert totals(result.output) == [(0, 0, 0), (0, 0, 0)]


def test_a_missing_published_file_is_read_from_the_seed(
    files: Files, sync: Callable[..., Result]
) -> None:
    files.published_path.unlink()
    seed = files.data / "raw" / "epoch" / "published_data.csv"

    result = dry_run(sync, "published-to-staging")

    assert result.output.splitlines()[0] == (
        f"No {files.published_path} yet: reading {seed} (a sync would start from it)"
    )
    assert not files.published_path.exists()
    assert totals(result.output) == [(5, 0, 21)]


def test_a_dry_run_without_a_published_file_writes_nothing(
    files: Files, sync: Callable[..., Result]
) -> None:
    files.published_path.unlink()
    before = files.snapshot()

    result = dry_run(sync, "staging-to-published")

    assert result.output.splitlines()[-1] == "Dry run: nothing written."
    assert files.snapshot() == before


def test_the_real_published_fixture_plans_without_errors(
    files: Files, sync: Callable[..., Result]
) -> None:
    shutil.copyfile(EPOCH, files.published_path)
    shutil.copyfile(SHIPPED_MAPPING, files.mapping_path)
    files.write_staging(staging_row("grok_3", training_flop="3.5e+26", release_date="2025-02-17"))

    result = dry_run(sync, "published-to-staging")

    added = tables(result.output)["New models to add to staging"]
    assert len(added) == 25
    assert ["gemini_1.0_ultra", "Gemini 1.0 Ultra", "5e+25"] in added
