"""``tracker validate``: one line per problem, exit 1 on errors, never a traceback."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from click.testing import Result
from curate_support import make_row, one_line_error, write_csv

from pipeline.paths import DataPaths

Run = Callable[..., Result]
BAD_CELLS = [
    ("training_flop", "abc", "'abc' is not a number"),
    ("training_flop", "-5", "'-5' is not positive"),
    ("training_flop", "1e99", "'1e99' is implausibly large (>= 1e30 FLOP)"),
    ("training_flop", "inf", "'inf' is not a finite number"),
    ("parameters", "-1", "'-1' is not positive"),
    ("release_date", "31/31/2025", "'31/31/2025' is not a date (use YYYY-MM-DD)"),
    ("confidence", "certain", "'certain' is not one of high, medium, low, speculative"),
    ("threshold_classification", "maybe",
     "'maybe' is not one of high_confidence_above_1e25, not_sure, high_confidence_below_1e25"),
    ("sources", "see https://nohost for details", "'https://nohost' is not a valid URL"),
]  # fmt: skip


def error_lines(result: Result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("error: ")]


def test_clean_sample_data_passes(pipeline_run: Run, run: Run, paths: DataPaths) -> None:
    pipeline_run()
    result = run("validate")
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"\d+ rows checked: 0 errors, 0 warnings\n", result.output)


@pytest.mark.parametrize(("field", "value", "message"), BAD_CELLS)
def test_bad_cell_is_one_error_line(
    run: Run, paths: DataPaths, field: str, value: str, message: str
) -> None:
    write_csv(paths.candidates, [make_row("good"), make_row("bad_model", **{field: value})])
    result = run("validate")
    assert result.exit_code == 1
    assert error_lines(result) == [
        f"error: {paths.candidates}, row 3 (bad_model), field {field}: {message}"
    ]
    assert "2 rows checked: 1 errors, 0 warnings" in result.output
    assert result.output.endswith("Error: 1 errors in the datasets\n")
    assert "Traceback" not in result.output


def test_every_problem_gets_its_own_line(run: Run, paths: DataPaths) -> None:
    rows = [make_row(f"bad_{n}", **{field: value}) for n, (field, value, _) in enumerate(BAD_CELLS)]
    write_csv(paths.below, rows)
    result = run("validate")
    assert result.exit_code == 1
    assert error_lines(result) == [
        f"error: {paths.below}, row {n + 2} (bad_{n}), field {field}: {message}"
        for n, (field, _, message) in enumerate(BAD_CELLS)
    ]


def test_legacy_values_are_warnings_not_errors(run: Run, paths: DataPaths) -> None:
    legacy = make_row(confidence="Likely", threshold_classification="uncertain")
    write_csv(paths.candidates, [legacy])
    result = run("validate")
    assert result.exit_code == 0, result.output
    assert (
        f"warning: {paths.candidates}, row 2 (model_a), field confidence: "
        "legacy value 'Likely' means 'medium'"
    ) in result.output
    assert "1 rows checked: 0 errors, 2 warnings" in result.output


def test_duplicate_key_is_one_line_naming_both_rows(run: Run, paths: DataPaths) -> None:
    write_csv(paths.candidates, [make_row("twin"), make_row("other"), make_row("twin")])
    line = one_line_error(run("validate"))
    where = f"Error: {paths.candidates}, row 4, field model"
    assert line == f"{where}: duplicate key 'twin': also on row 2"


def test_row_verified_in_both_files_is_an_error(run: Run, paths: DataPaths) -> None:
    write_csv(paths.candidates, [make_row(verified="y")])
    write_csv(paths.below, [make_row("x"), make_row(verified="y")])
    result = run("validate")
    assert result.exit_code == 1
    assert error_lines(result) == [
        f"error: {paths.below}, row 3 (model_a), field model: also in {paths.candidates} row 2"
        " (verified in both: resolve by hand)"
    ]
