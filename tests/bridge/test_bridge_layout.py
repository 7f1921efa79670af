"""The decision-first layout (ARCHITECTURE §6): column order, widths, the highlight rule."""

from __future__ import annotations

from bridge.layout import SheetLayout, action_formula, asks_for_action
from pipeline.schema import COLUMNS

WITH_P = list(COLUMNS)
WITHOUT_P = [c for c in COLUMNS if c != "p_above_1e25"]  # an older file


def candidates(columns: list[str]) -> SheetLayout:
    return SheetLayout(
        "candidates", "Candidates", "model", tuple(columns), ("decision", "reason"),
        numbers=frozenset({"training_flop", "parameters", "p_above_1e25"}),
        front=("developer", "training_flop", "p_above_1e25", "threshold_classification"),
    )  # fmt: skip


def test_p_above_comes_after_the_flop_when_the_estimator_has_it() -> None:
    assert candidates(WITH_P).header[:8] == [
        "model", "developer", "training_flop", "p_above_1e25", "threshold_classification",
        "decision", "reason", "sync_status",
    ]  # fmt: skip
    without = candidates(WITHOUT_P).header[:4]
    assert without == ["model", "developer", "training_flop", "threshold_classification"]


def test_every_column_is_shown_once() -> None:
    header = candidates(WITH_P).header
    assert sorted(header) == sorted([*WITH_P, "decision", "reason", "sync_status"])


def test_widths_fit_the_content_within_caps() -> None:
    layout = candidates(WITH_P)
    widths = layout.widths([{"model": "m" * 80, "developer": "xAI", "reasoning": "r" * 500}])
    assert widths["model"] == 32 and widths["developer"] == 11 and widths["reasoning"] == 60
    assert (widths["training_flop"], widths["p_above_1e25"], widths["parameters"]) == (13, 13, 17)
    assert (widths["decision"], widths["reason"], widths["sync_status"]) == (9, 26, 34)


def test_statuses_that_ask_for_action() -> None:
    assert asks_for_action('decision "maybe" not understood: use y or n')
    assert asks_for_action("conflict: training_flop changed locally")
    assert not asks_for_action("applied: moved to below_1e25_flop.csv")
    assert not asks_for_action("")
    assert action_formula("H").startswith('AND($H2<>"",')
