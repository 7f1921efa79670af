"""plan_refresh: the changes that bring candidates and below in line with the estimates."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest
from curate_support import OLD_STAMP, STAMP, make_estimate, make_row, make_tables

from pipeline.curate.apply import apply_plan
from pipeline.curate.desired import row_from_estimate
from pipeline.curate.plan import AddRow, DropRow, InvalidInput, MoveRow, UpdateField
from pipeline.curate.refresh import plan_refresh, run_refresh
from pipeline.errors import InputError
from pipeline.schema import Classification
from pipeline.settings import load_settings

BELOW_ESTIMATE = {
    "training_flop": 1e24,
    "p_above": 0.0,
    "threshold_classification": Classification.BELOW,
    "status": "confirmed_below_1e25",
}
BELOW_CELLS = {
    "training_flop": "1e+24",
    "p_above_1e25": "0",
    "threshold_classification": Classification.BELOW,
    "status": "confirmed_below_1e25",
}


def automated_row(key: str = "model_a", **overrides: str) -> dict[str, str]:
    """What an AddRow carries: the row without last_updated."""
    row = make_row(key, **overrides)
    del row["last_updated"]
    return row


def test_row_from_estimate_formats_cells_canonically() -> None:
    row = automated_row()
    del row["verified"], row["notes"]
    assert row_from_estimate(make_estimate()) == row


def test_an_estimate_without_a_probability_leaves_the_cell_empty() -> None:
    estimate = make_estimate()
    del estimate["p_above"]  # written before estimates had one
    assert row_from_estimate(estimate)["p_above_1e25"] == ""


NOT_SURE_ESTIMATE = {
    "training_flop": 2e25,
    "p_above": 0.8734,
    "threshold_classification": Classification.NOT_SURE,
    "status": "uncertain",
}
NOT_SURE_CELLS = {
    "training_flop": "2e+25",
    "p_above_1e25": "0.873",
    "threshold_classification": Classification.NOT_SURE,
    "status": "uncertain",
}


@pytest.mark.parametrize(
    ("overrides", "cells", "table"),
    [
        ({}, {}, "candidates"),
        (NOT_SURE_ESTIMATE, NOT_SURE_CELLS, "candidates"),
        (BELOW_ESTIMATE, BELOW_CELLS, "below"),
    ],
)
def test_new_model_is_added_to_the_file_of_its_classification(
    tmp_path: Path, overrides: dict[str, Any], cells: dict[str, str], table: str
) -> None:
    plan = plan_refresh([make_estimate("new_model", **overrides)], make_tables(tmp_path))
    expected = automated_row("new_model", **cells)
    assert plan.changes == [AddRow(table, "new_model", expected, "new model")]


def test_up_to_date_row_gives_an_empty_plan(tmp_path: Path) -> None:
    tables = make_tables(tmp_path, [make_row(notes="a note")], [make_row("small", **BELOW_CELLS)])
    estimates = [make_estimate(), make_estimate("small", **BELOW_ESTIMATE)]
    plan = plan_refresh(estimates, tables)
    assert plan.changes == []
    assert not plan


@pytest.mark.parametrize(
    ("overrides", "updates"),
    [
        ({"training_flop": 2e26}, [("training_flop", "1e+26", "2e+26")]),
        ({"training_flop": 2e26, "confidence": "medium", "status": "likely_above_1e25"},
         [("training_flop", "1e+26", "2e+26"), ("confidence", "high", "medium"),
          ("status", "confirmed_above_1e25", "likely_above_1e25")]),
        ({"parameters": None}, [("parameters", "400000000000", "")]),
        ({"alternatives": []},
         [("alternative_methods", "benchmark_interpolation: 8e+25 (low)", "")]),
        ({"sources": ["https://example.com/a"]},
         [("sources", "https://example.com/a; https://example.org/b", "https://example.com/a")]),
        ({"developer": "Acme Labs"}, [("developer", "Acme", "Acme Labs")]),
        ({"developer": ""}, []),
        ({"release_date": ""}, []),
    ],
)  # fmt: skip
def test_changed_estimate_updates_only_the_changed_cells(
    tmp_path: Path, overrides: dict[str, Any], updates: list[tuple[str, str, str]]
) -> None:
    tables = make_tables(tmp_path, [make_row(notes="human note")])
    plan = plan_refresh([make_estimate(**overrides)], tables)
    assert plan.changes == [
        UpdateField("candidates", "model_a", field, old, new, "new estimate")
        for field, old, new in updates
    ]


def test_above_to_not_sure_stays_in_candidates(tmp_path: Path) -> None:
    estimate = make_estimate(threshold_classification=Classification.NOT_SURE, status="uncertain")
    plan = plan_refresh([estimate], make_tables(tmp_path, [make_row()]))
    assert plan.changes == [
        UpdateField("candidates", "model_a", "threshold_classification",
                    Classification.ABOVE, Classification.NOT_SURE, "new estimate"),
        UpdateField("candidates", "model_a", "status", "confirmed_above_1e25", "uncertain",
                    "new estimate"),
    ]  # fmt: skip


def without_stamp(row: dict[str, str]) -> dict[str, str]:
    """A moved row's content: ``last_updated`` is the applier's to stamp."""
    return {column: value for column, value in row.items() if column != "last_updated"}


def test_classification_change_moves_the_row_with_its_notes(tmp_path: Path) -> None:
    tables = make_tables(tmp_path, [make_row(notes="checked the paper")])
    plan = plan_refresh([make_estimate(**BELOW_ESTIMATE)], tables)
    moved = without_stamp(make_row(**BELOW_CELLS, notes="checked the paper"))
    why = f"now {Classification.BELOW}"
    assert plan.changes == [MoveRow("candidates", "below", "model_a", moved, why)]


def test_move_to_candidates_keeps_developer_when_the_estimate_has_none(tmp_path: Path) -> None:
    tables = make_tables(tmp_path, below=[make_row(**BELOW_CELLS, notes="n")])
    plan = plan_refresh([make_estimate(developer="", release_date="")], tables)
    assert plan.changes == [
        MoveRow(
            "below",
            "candidates",
            "model_a",
            without_stamp(make_row(notes="n")),
            f"now {Classification.ABOVE}",
        )
    ]


@pytest.mark.parametrize("verified", ["y", "Y", "yes"])
@pytest.mark.parametrize(
    "overrides",
    [{"training_flop": 3e26, "confidence": "low"}, BELOW_ESTIMATE, {"developer": "Other"}],
)
def test_verified_candidate_is_never_changed(
    tmp_path: Path, verified: str, overrides: dict[str, Any]
) -> None:
    tables = make_tables(tmp_path, [make_row(verified=verified, training_flop="7e+25")])
    assert plan_refresh([make_estimate(**overrides)], tables).changes == []


def test_verified_below_row_is_not_moved_by_an_above_estimate(tmp_path: Path) -> None:
    tables = make_tables(tmp_path, below=[make_row(**BELOW_CELLS, verified="y")])
    assert plan_refresh([make_estimate()], tables).changes == []


@pytest.mark.parametrize(
    ("verified_in", "copy_in"), [("candidates", "below"), ("below", "candidates")]
)
def test_unverified_copy_of_a_verified_row_is_dropped(
    tmp_path: Path, verified_in: str, copy_in: str
) -> None:
    rows = {verified_in: [make_row(verified="y")], copy_in: [make_row(notes="copy")]}
    plan = plan_refresh([make_estimate()], make_tables(tmp_path, **rows))
    reason = f"unverified copy of a row verified in {verified_in}"
    assert plan.changes == [DropRow(copy_in, "model_a", reason)]


def test_verified_in_both_files_is_invalid_input(tmp_path: Path) -> None:
    tables = make_tables(tmp_path, [make_row(verified="y")], [make_row(verified="y")])
    plan = plan_refresh([make_estimate(**BELOW_ESTIMATE)], tables)
    assert plan.changes == [
        InvalidInput(
            "below", "model_a", "model", "model_a", "verified in both files; resolve by hand"
        )
    ]
    assert plan.writes == []


def test_unverified_row_in_both_files_keeps_the_target_copy(tmp_path: Path) -> None:
    tables = make_tables(tmp_path, [make_row()], [make_row(**BELOW_CELLS)])
    plan = plan_refresh([make_estimate()], tables)
    assert plan.changes == [DropRow("below", "model_a", "duplicate of the row in candidates")]


LEGACY_ROW = {
    "confidence": "Likely",
    "threshold_classification": "uncertain",
    "status": "",
    "training_flop": "7.329999999999999e+25",
    "parameters": "671000000000.0",
}


def test_stale_unverified_row_is_kept_with_legacy_values_translated(tmp_path: Path) -> None:
    tables = make_tables(tmp_path, [make_row("stale", **LEGACY_ROW)])
    plan = plan_refresh([], tables)
    assert plan.changes == [
        UpdateField("candidates", "stale", "confidence", "Likely", "medium", "legacy value"),
        UpdateField("candidates", "stale", "threshold_classification", "uncertain",
                    Classification.NOT_SURE, "legacy value"),
        UpdateField("candidates", "stale", "training_flop", "7.329999999999999e+25", "7.33e+25",
                    "float noise"),
        UpdateField("candidates", "stale", "parameters", "671000000000.0", "671000000000",
                    "float noise"),
        UpdateField("candidates", "stale", "status", "", "uncertain",
                    "derived from the classification"),
    ]  # fmt: skip


def test_stale_row_with_an_unknown_word_is_reported(tmp_path: Path) -> None:
    tables = make_tables(tmp_path, [make_row("stale", confidence="banana")])
    message = "'banana' is not one of high, medium, low, speculative"
    assert plan_refresh([], tables).changes == [
        InvalidInput("candidates", "stale", "confidence", "banana", message)
    ]


@pytest.mark.parametrize("table", ["candidates", "below"])
def test_reset_drops_stale_unverified_rows_only(tmp_path: Path, table: str) -> None:
    rows = [make_row("stale", **LEGACY_ROW), make_row("kept", **LEGACY_ROW, verified="y")]
    plan = plan_refresh([], make_tables(tmp_path, **{table: rows}), reset=True)
    assert plan.changes == [DropRow(table, "stale", "no current estimate (--reset)")]


def test_reset_still_updates_rows_that_have_an_estimate(tmp_path: Path) -> None:
    tables = make_tables(tmp_path, [make_row()])
    plan = plan_refresh([make_estimate(training_flop=2e26)], tables, reset=True)
    assert plan.changes == [
        UpdateField("candidates", "model_a", "training_flop", "1e+26", "2e+26", "new estimate")
    ]


def test_planning_changes_no_table(tmp_path: Path) -> None:
    tables = make_tables(tmp_path, [make_row(), make_row("stale", **LEGACY_ROW)])
    before = {name: table.render() for name, table in tables.items()}
    plan_refresh([make_estimate(**BELOW_ESTIMATE), make_estimate("new")], tables, reset=True)
    assert {name: table.render() for name, table in tables.items()} == before


def test_apply_writes_both_files_and_stamps_changed_rows(tmp_path: Path) -> None:
    tables = make_tables(tmp_path, [make_row(notes="n"), make_row("untouched")])
    plan = plan_refresh([make_estimate(**BELOW_ESTIMATE), make_estimate("untouched")], tables)
    assert sorted(apply_plan(plan, tables, STAMP)) == ["below", "candidates"]
    assert tables["below"].get("model_a") == make_row(**BELOW_CELLS, notes="n", last_updated=STAMP)
    assert tables["candidates"].keys() == ["untouched"]
    assert tables["candidates"].cell("untouched", "last_updated") == OLD_STAMP


def test_applying_the_same_plan_twice_changes_nothing_the_second_time(tmp_path: Path) -> None:
    tables = make_tables(tmp_path, [make_row(notes="n")])
    plan = plan_refresh([make_estimate(**BELOW_ESTIMATE), make_estimate("new")], tables)
    apply_plan(plan, tables, STAMP)
    assert apply_plan(plan, tables, "2031-01-01T00:00:00Z") == []


def test_a_refresh_gives_the_cycle_collector_back_when_it_stops(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "configs", data_dir=tmp_path / "data")
    with pytest.raises(InputError, match="no estimates"):
        run_refresh(settings)
    assert gc.isenabled()
