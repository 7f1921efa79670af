"""Round trips: rows synced one way and back produce no changes, formatting alone is never
a difference, and rows a sync does not touch keep their exact bytes (multi-line cells,
M/D/YYYY dates and unicode of the real Epoch export included)."""

from __future__ import annotations

import shutil
from collections.abc import Callable

import pytest
from click.testing import Result
from sync_support import (
    EPOCH,
    SHIPPED_MAPPING,
    Files,
    published_row,
    staging_row,
    totals,
)

AUDIT = "[2025-01-01T00:00:00Z] Manual review: confirmed above 1e25 FLOP"


def no_changes_left(sync: Callable[..., Result]) -> None:
    result = sync("--dry-run", "--direction", "both")
    assert result.exit_code == 0, result.output
    assert totals(result.output) == [(0, 0, 0), (0, 0, 0)]
    diff = sync("--diff", input="")
    assert "0 with differences." in diff.output, diff.output


@pytest.fixture
def epoch(files: Files) -> Files:
    """The real published export with the shipped name mapping and an empty staging."""
    shutil.copyfile(EPOCH, files.published_path)
    shutil.copyfile(SHIPPED_MAPPING, files.mapping_path)
    return files


def test_staging_rows_synced_to_published_and_back_change_nothing(
    files: Files, sync: Callable[..., Result]
) -> None:
    files.write_staging(
        staging_row("grok_3", training_flop="3.5000000000000006e+26", notes=AUDIT),
        staging_row("grok_4", parameters="3e12", confidence="speculative", notes=f"Big\n{AUDIT}"),
        staging_row("gpt_4", reasoning="Über-estimate ✓\nsecond line", release_date="2023-03-15"),
    )
    assert sync("--sync", "--yes").exit_code == 0
    after = files.snapshot()

    no_changes_left(sync)
    result = sync("--sync", "--yes", "--direction", "both")

    assert result.exit_code == 0, result.output
    assert files.snapshot() == after


def test_the_published_form_of_synced_staging_values(
    files: Files, sync: Callable[..., Result]
) -> None:
    files.write_staging(
        staging_row("grok_3", training_flop="3.5000000000000006e+26", release_date="2025-02-17")
    )

    sync("--sync", "--yes")

    row = files.published()["Grok-3"]
    assert (row["Training compute (FLOP)"], row["Publication date"]) == ("3.5e+26", "2/17/2025")


def test_the_real_export_synced_to_staging_and_back_changes_nothing(
    epoch: Files, sync: Callable[..., Result]
) -> None:
    result = sync("--sync", "--yes", "--direction", "published-to-staging")
    assert result.exit_code == 0, result.output
    assert len(epoch.staging()) == 26
    after = epoch.snapshot()

    no_changes_left(sync)
    sync("--sync", "--yes", "--direction", "both")

    assert epoch.snapshot() == after
    assert epoch.published_path.read_bytes() == EPOCH.read_bytes()


def test_the_real_export_translates_into_staging_values(
    epoch: Files, sync: Callable[..., Result]
) -> None:
    sync("--sync", "--yes", "--direction", "published-to-staging")

    row = epoch.staging()["llama_4_behemoth_preview"]
    assert (row["developer"], row["release_date"]) == ("Meta AI", "2025-04-05")
    assert (row["training_flop"], row["parameters"], row["confidence"]) == (
        "5.18e+25",
        "2000000000000",
        "medium",
    )
    assert epoch.staging()["claude_3_opus"]["training_flop"] == "1.64e+25"
    assert epoch.staging()["gemini_2.5_pro"]["release_date"] == ""


def test_formatting_differences_with_the_real_export_are_not_synced(
    epoch: Files, sync: Callable[..., Result]
) -> None:
    epoch.write_staging(
        staging_row(
            "grok_3",
            developer="xAI",
            release_date="2025-02-17",
            training_flop="3.5e+26",
            confidence="high",
            reasoning=epoch.published()["Grok-3"]["Training compute notes"],
        )
    )
    before = epoch.snapshot()

    result = sync("--sync", "--yes")

    assert "Sync completed: 0 additions, 0 updates, 0 held back. Written: nothing" in result.output
    assert epoch.snapshot() == before


def test_an_update_rewrites_only_its_own_record(epoch: Files, sync: Callable[..., Result]) -> None:
    epoch.write_staging(staging_row("grok_3", developer="xAI", training_flop="4e+26"))
    original = EPOCH.read_text(encoding="utf-8")

    sync("--sync", "--yes")

    text = epoch.published_path.read_text(encoding="utf-8")
    start, end = original.index("\nGrok-3,"), original.index("\nGPT-4.5,")
    assert text.startswith(original[: start + 1])
    assert text.endswith(original[end:])
    assert epoch.published()["Grok-3"]["Training compute (FLOP)"] == "4e+26"


def test_a_published_row_synced_to_staging_and_back_keeps_its_bytes(
    files: Files, sync: Callable[..., Result]
) -> None:
    files.write_published(
        published_row(
            "Grok 4",
            flop="5.000000000000001e+26",
            date="07/09/2025",
            confidence="confident",
            abstract="Line one\nLine two – ünïcode",
            country="United States of America",
        )
    )
    before = files.published_path.read_bytes()

    sync("--sync", "--yes", "--direction", "both")

    assert files.published_path.read_bytes() == before
    no_changes_left(sync)
