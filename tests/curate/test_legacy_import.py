"""Refreshing over the candidates file an earlier tool wrote (tests/fixtures/legacy)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from click.testing import Result
from curate_support import LEGACY, read_rows, snapshot

from pipeline.curate.refresh import run_refresh
from pipeline.paths import DataPaths
from pipeline.schema import COLUMNS, Classification
from pipeline.settings import Settings

Run = Callable[..., Result]
LEGACY_ROWS = read_rows(LEGACY)
VERIFIED = {key for key, row in LEGACY_ROWS.items() if row["verified"] == "y"}


def estimated_keys(paths: DataPaths) -> set[str]:
    document = json.loads(paths.estimated.read_text(encoding="utf-8"))
    return {model["key"] for model in document["models"]}


@pytest.fixture
def refreshed(legacy_project: DataPaths, run: Run) -> Result:
    result = run("refresh-dataset")
    assert result.exit_code == 0, result.output
    return result


def test_fixture_is_what_the_tests_assume() -> None:
    assert len(LEGACY_ROWS) == 104
    assert len(VERIFIED) == 7
    assert {"claude_3_5_sonnet", "claude_3.5_sonnet"} <= set(LEGACY_ROWS)
    assert "status" not in next(iter(LEGACY_ROWS.values()))


def test_verified_rows_keep_every_cell(refreshed: Result, legacy_project: DataPaths) -> None:
    after = read_rows(legacy_project.candidates)
    for key in VERIFIED:
        assert after[key] == {**LEGACY_ROWS[key], "status": "", "p_above_1e25": ""}, key
        assert key not in read_rows(legacy_project.below)


def test_no_legacy_row_is_lost_or_duplicated(refreshed: Result, legacy_project: DataPaths) -> None:
    candidates, below = read_rows(legacy_project.candidates), read_rows(legacy_project.below)
    assert set(LEGACY_ROWS) <= set(candidates) | set(below)
    assert not set(candidates) & set(below)


def test_header_gets_status_and_keeps_blacklist_status(
    refreshed: Result, legacy_project: DataPaths
) -> None:
    header = legacy_project.candidates.read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == [*COLUMNS, "blacklist_status"]
    assert "candidates: added missing columns p_above_1e25, status" in refreshed.output
    for key, row in read_rows(legacy_project.candidates).items():
        if key in LEGACY_ROWS:
            assert row["blacklist_status"] == LEGACY_ROWS[key]["blacklist_status"], key


def test_uncertain_is_translated_in_unverified_rows(
    refreshed: Result, legacy_project: DataPaths
) -> None:
    stale = set(LEGACY_ROWS) - estimated_keys(legacy_project) - VERIFIED
    after = read_rows(legacy_project.candidates)
    uncertain = [k for k in stale if LEGACY_ROWS[k]["threshold_classification"] == "uncertain"]
    assert uncertain
    for key in uncertain:
        assert after[key]["threshold_classification"] == Classification.NOT_SURE
        assert after[key]["status"] == "uncertain"
    assert all(row["threshold_classification"] != "uncertain" for row in after.values())


def test_float_noise_is_cleaned_in_unverified_rows_only(
    refreshed: Result, legacy_project: DataPaths
) -> None:
    after = read_rows(legacy_project.candidates)
    assert after["gemini_2.0_flash"]["training_flop"] == "6.000000000000001e+25"  # verified
    noisy = [k for k in after if re.search(r"\d{8}e", after[k]["training_flop"])]
    assert set(noisy) <= VERIFIED


def test_warnings_name_legacy_values_and_duplicate_models(
    legacy_project: DataPaths, settings: Settings
) -> None:
    lines = [str(problem) for problem in run_refresh(settings).problems]
    path = legacy_project.candidates
    assert all(line.startswith("warning: ") for line in lines)
    assert (
        f"warning: {path}, row 35 (claude_3_5_sonnet), field threshold_classification: "
        "legacy value 'uncertain' means 'not_sure'" in lines
    )
    assert (
        f"warning: {path}, row 48 (claude_3.5_sonnet), field model: "
        "same model as 'claude_3_5_sonnet' on row 35 (both are 'claude_3.5_sonnet')" in lines
    )
    assert (
        f"warning: {path}, row 1, field status: missing column (added on the next write)" in lines
    )


def test_refresh_output_groups_warnings_of_one_kind(refreshed: Result) -> None:
    assert re.search(
        r"^warning: \S+above_1e25_flop\.csv, field threshold_classification: legacy value "
        r"'uncertain' means 'not_sure' \(81 rows: 14, 15, 16, 17, 18, 19, 22, 23, \.\.\.\)$",
        refreshed.output,
        re.M,
    )
    assert re.search(r"field training_flop: float noise \(45 rows: 3, 4, 6,", refreshed.output)


def test_second_refresh_is_a_no_op(refreshed: Result, legacy_project: DataPaths, run: Run) -> None:
    before = snapshot(legacy_project.root)
    result = run("refresh-dataset")
    assert "Written: nothing (no changes)" in result.output
    assert snapshot(legacy_project.root) == before


SMALL = "llama_2_7b"  # a 7B model: every estimate puts it far below the threshold


@pytest.fixture
def refreshed_small(legacy_project: DataPaths, run: Run) -> Result:
    """The legacy file with its gpt_3.5_turbo row (uncertain, with notes and an extra
    column's value) standing for a small model, which the refresh moves to below."""
    text = legacy_project.candidates.read_text(encoding="utf-8")
    assert text.count("\ngpt_3.5_turbo,") == 1
    legacy_project.candidates.write_text(
        text.replace("\ngpt_3.5_turbo,", f"\n{SMALL},"), encoding="utf-8"
    )
    result = run("refresh-dataset")
    assert result.exit_code == 0, result.output
    return result


def test_row_classified_below_moves_with_its_notes(
    refreshed_small: Result, legacy_project: DataPaths
) -> None:
    assert LEGACY_ROWS["gpt_3.5_turbo"]["threshold_classification"] == "uncertain"
    moved = read_rows(legacy_project.below)[SMALL]
    assert moved["threshold_classification"] == "high_confidence_below_1e25"
    assert moved["notes"] == LEGACY_ROWS["gpt_3.5_turbo"]["notes"]
    assert "1 moved" in refreshed_small.output


def test_moved_row_keeps_its_extra_column_value(
    refreshed_small: Result, legacy_project: DataPaths
) -> None:
    moved = read_rows(legacy_project.below)[SMALL]
    assert moved.get("blacklist_status") == LEGACY_ROWS["gpt_3.5_turbo"]["blacklist_status"]
