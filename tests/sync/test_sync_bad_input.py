"""Bad input for ``sync-datasets``: unreadable datasets give one line naming the file and
rows and leave every file as it was; mode flags must name exactly one mode."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import Result
from sync_support import PUBLISHED_COLUMNS, Files, csv_text, error_line, published_row, staging_row

MODES = ["--check-mappings", "--suggest-mappings", "--dry-run", "--sync", "--diff"]
ANY_MODE = [
    ["--check-mappings"],
    ["--dry-run"],
    ["--sync", "--yes"],
    ["--diff", "--prefer", "staging"],
]


@pytest.mark.parametrize("mode", ANY_MODE)
def test_duplicate_published_names_are_one_line_naming_file_and_rows(
    files: Files, sync: Callable[..., Result], mode: list[str]
) -> None:
    files.write_staging(staging_row("grok_3", training_flop="4e+26"))
    files.write_published(published_row("Grok-3"), published_row("GPT-4"), published_row("Grok-3"))
    before = files.snapshot()

    result = sync(*mode)

    assert error_line(result) == (
        f"Error: {files.published_path}, row 4, field Model: duplicate key 'Grok-3': also on row 2"
    )
    assert files.snapshot() == before


def test_duplicate_staging_keys_are_one_line_naming_file_and_rows(
    files: Files, sync: Callable[..., Result]
) -> None:
    files.write_staging(staging_row("grok_3"), staging_row("grok_3", training_flop="4e+26"))
    before = files.snapshot()

    result = sync("--sync", "--yes", "--direction", "both")

    assert error_line(result) == (
        f"Error: {files.staging_path}, row 3, field model: duplicate key 'grok_3': also on row 2"
    )
    assert files.snapshot() == before


def test_a_truncated_published_row_is_one_line(files: Files, sync: Callable[..., Result]) -> None:
    text = csv_text(PUBLISHED_COLUMNS, [published_row("Grok-3")]) + "GPT-4,Language\n"
    files.published_path.write_text(text, encoding="utf-8")
    before = files.snapshot()

    result = sync("--dry-run")

    line = error_line(result)
    assert line.startswith(f"Error: {files.published_path}, row 3: 2 cells but the header has 31")
    assert files.snapshot() == before


def test_a_published_file_without_a_model_column_is_one_line(
    files: Files, sync: Callable[..., Result]
) -> None:
    files.published_path.write_text("Name,Organization\nGrok-3,xAI\n", encoding="utf-8")

    result = sync("--dry-run")

    assert error_line(result) == f"Error: {files.published_path}, row 1: missing key column 'Model'"


def test_a_staging_file_that_is_not_utf8_is_one_line(
    files: Files, sync: Callable[..., Result]
) -> None:
    files.staging_path.write_bytes(
        csv_text(list(staging_row("x")), [staging_row("grok_3")]).encode("utf-8")
        + "caf\xe9\n".encode("latin-1")
    )

    result = sync("--dry-run")

    assert "not UTF-8 text (byte 0xe9 on line 3)" in error_line(result)


def test_no_mode_flag_is_a_usage_error(files: Files, sync: Callable[..., Result]) -> None:
    result = sync("--direction", "both")

    assert result.exit_code == 2, result.output
    assert f"Error: choose one of {', '.join(MODES)}" in result.output


@pytest.mark.parametrize("flags", [["--dry-run", "--sync"], ["--diff", "--check-mappings"], MODES])
def test_two_mode_flags_are_a_usage_error(
    files: Files, sync: Callable[..., Result], flags: list[str]
) -> None:
    before = files.snapshot()

    result = sync(*flags, "--yes")

    assert result.exit_code == 2, result.output
    assert result.output.startswith("Usage: ")
    assert " sync-datasets [OPTIONS]" in result.output.splitlines()[0]
    assert f"Error: choose one of {', '.join(MODES)}" in result.output
    assert files.snapshot() == before


def test_an_unknown_direction_is_a_usage_error(files: Files, sync: Callable[..., Result]) -> None:
    result = sync("--dry-run", "--direction", "sideways")

    assert result.exit_code == 2, result.output
    assert "Invalid value for '--direction'" in result.output


def test_a_usage_error_does_not_start_the_published_file(
    files: Files, sync: Callable[..., Result]
) -> None:
    files.published_path.unlink()

    sync("--dry-run", "--sync")

    assert not files.published_path.exists()
