"""``sync-datasets --sync``: per-model approval (y / n / quit) or ``--yes``, additive only,
verified staging rows held back, unmapped models blocking, audit notes with UTC timestamps
appended once, and closed or exhausted input."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from click.testing import Result
from sync_support import (
    PUBLISHED_COLUMNS,
    STAMP,
    STAMP_PATTERN,
    Files,
    csv_text,
    error_line,
    published_row,
    staging_row,
    tables,
)

ADDED_TO_PUBLISHED = f"[{STAMP}] Added from staging (grok_4) by sync-datasets"


@pytest.fixture
def three(files: Files) -> Files:
    """In staging order: grok_3 (published differs), grok_4 (not published), gpt_4 (differs)."""
    files.write_staging(
        staging_row("grok_3", training_flop="4e+26"),
        staging_row("grok_4", training_flop="5e+26"),
        staging_row("gpt_4", training_flop="3e+25"),
    )
    files.write_published(
        published_row("Grok-3", flop="3.5e+26"), published_row("GPT-4", flop="2.1e+25")
    )
    return files


def flops(files: Files) -> dict[str, str]:
    return {name: row["Training compute (FLOP)"] for name, row in files.published().items()}


def test_yes_adds_a_published_row_with_only_mapped_columns_and_the_audit_note(
    three: Files, sync: Callable[..., Result]
) -> None:
    result = sync("--sync", "--yes")

    assert result.exit_code == 0, result.output
    expected = dict.fromkeys(PUBLISHED_COLUMNS, "")
    expected.update(
        {
            "Model": "Grok 4",
            "Organization": "Acme",
            "Publication date": "7/9/2025",
            "Training compute (FLOP)": "5e+26",
            "Confidence": "Confident",
            "Training compute notes": "Reported by the developer",
            "Accessibility notes": ADDED_TO_PUBLISHED,
        }
    )
    assert three.published()["Grok 4"] == expected


def test_yes_reports_counts_and_the_files_written(
    three: Files, sync: Callable[..., Result]
) -> None:
    result = sync("--sync", "--yes")

    assert result.output.splitlines() == [
        "Staging → Published sync",
        f"Sync completed: 1 additions, 2 updates, 0 held back. Written: {three.published_path}",
    ]
    assert flops(three) == {"Grok-3": "4e+26", "GPT-4": "3e+25", "Grok 4": "5e+26"}


def test_an_update_appends_its_note_to_the_existing_accessibility_notes(
    files: Files, sync: Callable[..., Result]
) -> None:
    files.write_staging(staging_row("grok_3", training_flop="4e+26"))
    files.write_published(published_row("Grok-3", flop="3.5e+26", access_notes="API access"))

    sync("--sync", "--yes")

    assert files.published()["Grok-3"]["Accessibility notes"] == (
        f"API access\n[{STAMP}] Updated from staging (grok_3) by sync-datasets: "
        "Training compute (FLOP) = 4e+26"
    )


def test_published_to_staging_adds_a_row_with_its_audit_note(
    files: Files, sync: Callable[..., Result]
) -> None:
    files.write_published(
        published_row("GPT-4o", flop="3.81e+25", parameters="", confidence="Speculative")
    )

    sync("--sync", "--yes", "--direction", "published-to-staging")

    expected = dict.fromkeys(staging_row("x"), "")
    expected.update(
        {
            "model": "gpt_4o",
            "developer": "Acme",
            "release_date": "2025-07-09",
            "training_flop": "3.81e+25",
            "confidence": "speculative",
            "reasoning": "Reported by the developer",
            "last_updated": STAMP,
            "notes": f"[{STAMP}] Added from published (GPT-4o) by sync-datasets",
        }
    )
    assert files.staging() == {"gpt_4o": expected}


def test_published_to_staging_appends_updated_from_published_to_notes(
    files: Files, sync: Callable[..., Result]
) -> None:
    files.write_staging(staging_row("grok_3", training_flop="4e+26", notes="Checked by Ana"))
    files.write_published(published_row("Grok-3", flop="3.5e+26"))

    sync("--sync", "--yes", "--direction", "published-to-staging")

    row = files.staging()["grok_3"]
    assert (row["training_flop"], row["last_updated"]) == ("3.5e+26", STAMP)
    assert row["notes"] == (
        f"Checked by Ana\n[{STAMP}] Updated from published (Grok-3) by sync-datasets: "
        "training_flop = 3.5e+26"
    )


def test_verified_staging_rows_are_not_overwritten(
    files: Files, sync: Callable[..., Result]
) -> None:
    files.write_staging(staging_row("grok_3", training_flop="4e+26", verified="y"))
    files.write_published(published_row("Grok-3", flop="3.5e+26"))
    before = files.staging_path.read_bytes()

    result = sync("--sync", "--yes", "--direction", "published-to-staging")

    assert result.exit_code == 0, result.output
    assert "Sync completed: 0 additions, 0 updates, 1 held back. Written: nothing" in result.output
    assert files.staging_path.read_bytes() == before


def test_sync_reports_verified_rows_as_held_back(files: Files, sync: Callable[..., Result]) -> None:
    files.write_staging(staging_row("grok_3", training_flop="4e+26", verified="y"))
    files.write_published(published_row("Grok-3", flop="3.5e+26"))

    result = sync("--sync", "--yes", "--direction", "published-to-staging")

    assert tables(result.output)["Not synced"] == [
        ["grok_3", "training_flop", "verified in staging: resolve with sync-datasets --diff"]
    ]


def test_an_unreadable_published_value_leaves_the_staging_cell_alone(
    files: Files, sync: Callable[..., Result]
) -> None:
    files.write_staging(staging_row("grok_3", release_date="2025-02-17"))
    files.write_published(published_row("Grok-3", date="Q1 2025", flop="3.5e+26"))

    sync("--sync", "--yes", "--direction", "published-to-staging")

    row = files.staging()["grok_3"]
    assert (row["training_flop"], row["release_date"]) == ("3.5e+26", "2025-02-17")


def test_a_rerun_changes_nothing_and_repeats_no_note(
    three: Files, sync: Callable[..., Result]
) -> None:
    sync("--sync", "--yes", "--direction", "both")
    after_first = three.snapshot()

    result = sync("--sync", "--yes", "--direction", "both")

    assert three.snapshot() == after_first
    assert "Sync completed: 0 additions, 0 updates, 0 held back. Written: nothing" in result.output
    notes = three.published()["Grok 4"]["Accessibility notes"]
    assert notes == ADDED_TO_PUBLISHED


def test_a_repeated_update_does_not_repeat_its_note(
    files: Files, sync: Callable[..., Result]
) -> None:
    files.write_staging(staging_row("grok_3", training_flop="4e+26"))
    files.write_published(published_row("Grok-3", flop="3.5e+26"))
    sync("--sync", "--yes")
    files.write_published({**files.published()["Grok-3"], "Training compute (FLOP)": "3.5e+26"})

    sync("--sync", "--yes")

    row = files.published()["Grok-3"]
    assert row["Training compute (FLOP)"] == "4e+26"
    assert row["Accessibility notes"].count("Updated from staging (grok_3)") == 1


def test_both_directions_do_not_undo_each_other(files: Files, sync: Callable[..., Result]) -> None:
    files.write_staging(staging_row("grok_3", training_flop="4e+26"))
    files.write_published(published_row("Grok-3", flop="3.5e+26"), published_row("GPT-4"))

    result = sync("--sync", "--yes", "--direction", "both")

    assert result.output.splitlines()[-1].startswith(
        "Sync completed: 1 additions, 0 updates, 0 held back."
    )
    assert files.staging()["grok_3"]["training_flop"] == "4e+26"
    assert flops(files) == {"Grok-3": "4e+26", "GPT-4": "1e+26"}
    assert list(files.staging()) == ["grok_3", "gpt_4"]


def test_sync_is_additive_rows_are_never_deleted(files: Files, sync: Callable[..., Result]) -> None:
    files.write_staging(staging_row("grok_3"), staging_row("claude_opus_4"))
    files.write_published(published_row("Grok 4"), published_row("Claude Opus 4"))

    result = sync("--sync", "--yes", "--direction", "both", "--allow-unmapped")

    assert result.exit_code == 0, result.output
    assert list(files.staging()) == ["grok_3", "claude_opus_4", "grok_4"]
    assert list(files.published()) == ["Grok 4", "Claude Opus 4", "Grok-3"]


def test_each_model_is_approved_with_y_or_left_out_with_n(
    three: Files, sync: Callable[..., Result]
) -> None:
    result = sync("--sync", input="y\nn\nyes\n")

    assert result.exit_code == 0, result.output
    assert result.output.count("Approve? (y/n/quit)") == 3
    assert "ADD: grok_4 → 'Grok 4'" in result.output
    assert "  Training compute (FLOP): 3.5e+26 → 4e+26" in result.output
    assert flops(three) == {"Grok-3": "4e+26", "GPT-4": "3e+25"}


def test_quit_applies_what_was_approved_and_asks_no_more(
    three: Files, sync: Callable[..., Result]
) -> None:
    result = sync("--sync", input="y\nquit\n")

    assert result.exit_code == 0, result.output
    assert result.output.count("Approve? (y/n/quit)") == 2
    assert (
        f"Sync completed: 0 additions, 1 updates, 0 held back. Written: {three.published_path}"
        in (result.output.splitlines())
    )
    assert flops(three) == {"Grok-3": "4e+26", "GPT-4": "2.1e+25"}


def test_n_to_everything_writes_nothing(three: Files, sync: Callable[..., Result]) -> None:
    before = three.snapshot()

    result = sync("--sync", input="n\nn\nno\n")

    assert "Sync completed: 0 additions, 0 updates, 0 held back. Written: nothing" in result.output
    assert three.snapshot() == before


def test_closed_stdin_without_yes_exits_2_naming_yes(
    three: Files, sync: Callable[..., Result]
) -> None:
    before = three.snapshot()

    result = sync("--sync", input="")

    line = error_line(result, exit_code=2)
    assert "sync-datasets --sync is interactive" in line
    assert line.endswith("use --yes instead")
    assert three.snapshot() == before


def test_closed_stdin_with_nothing_to_approve_is_fine(
    files: Files, sync: Callable[..., Result]
) -> None:
    files.write_staging(staging_row("grok_3"))
    files.write_published(published_row("Grok-3"))

    result = sync("--sync", "--direction", "both", input="")

    assert result.exit_code == 0, result.output


def test_input_ending_after_some_approvals_applies_those(
    three: Files, sync: Callable[..., Result]
) -> None:
    result = sync("--sync", input="y\n")

    assert "use --yes" in error_line(result, exit_code=2)
    assert "Sync completed: 0 additions, 1 updates" in result.output
    assert flops(three) == {"Grok-3": "4e+26", "GPT-4": "2.1e+25"}


def test_unmapped_models_block_the_whole_sync(files: Files, sync: Callable[..., Result]) -> None:
    files.write_staging(staging_row("grok_3", training_flop="4e+26"), staging_row("kimi_k2"))
    files.write_published(published_row("Grok-3"))
    before = files.snapshot()

    result = sync("--sync", "--yes")

    line = error_line(result)
    assert "1 unmapped models block staging-to-published" in line
    assert "--suggest-mappings" in line
    assert "--allow-unmapped" in line
    assert files.snapshot() == before


def test_allow_unmapped_syncs_the_mapped_models(files: Files, sync: Callable[..., Result]) -> None:
    files.write_staging(staging_row("grok_3", training_flop="4e+26"), staging_row("kimi_k2"))
    files.write_published(published_row("Grok-3"))

    result = sync("--sync", "--yes", "--allow-unmapped")

    assert result.exit_code == 0, result.output
    assert flops(files) == {"Grok-3": "4e+26"}
    assert list(files.staging()) == ["grok_3", "kimi_k2"]


def test_unmapped_published_models_block_both_directions_before_any_write(
    files: Files, sync: Callable[..., Result]
) -> None:
    files.write_staging(staging_row("grok_3", training_flop="4e+26"))
    files.write_published(published_row("Grok-3"), published_row("Claude Opus 4"))
    before = files.snapshot()

    result = sync("--sync", "--yes", "--direction", "both")

    assert "1 unmapped models block published-to-staging" in error_line(result)
    assert files.snapshot() == before


def test_audit_notes_carry_the_current_utc_time(files: Files, run: Callable[..., Result]) -> None:
    files.write_staging(staging_row("grok_4"))

    result = run("sync-datasets", "--sync", "--yes")

    assert result.exit_code == 0, result.output
    notes = files.published()["Grok 4"]["Accessibility notes"]
    assert re.fullmatch(f"{STAMP_PATTERN} Added from staging \\(grok_4\\) by sync-datasets", notes)


def test_a_missing_published_file_without_a_seed_is_created_with_epochs_columns(
    files: Files, sync: Callable[..., Result]
) -> None:
    files.published_path.unlink()
    (files.data / "raw" / "epoch" / "published_data.csv").unlink()
    files.write_staging(staging_row("grok_4"))

    result = sync("--sync", "--yes")

    assert result.exit_code == 0, result.output
    header = files.published_path.read_text(encoding="utf-8").splitlines()[0]
    assert header == csv_text(PUBLISHED_COLUMNS, []).strip()
    assert list(files.published()) == ["Grok 4"]


def test_a_missing_staging_file_is_created_with_our_columns(
    files: Files, sync: Callable[..., Result]
) -> None:
    files.staging_path.unlink()
    files.write_published(published_row("Grok-3"))

    sync("--sync", "--yes", "--direction", "published-to-staging")

    header = files.staging_path.read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == list(staging_row("x"))
    assert list(files.staging()) == ["grok_3"]
