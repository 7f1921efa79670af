"""``tracker query`` on the refreshed sample data: filters, sorting, formats, exports, stats,
duplicates."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from curate_support import LEGACY, one_line_error, read_rows, set_cells, write_csv

from pipeline.paths import DataPaths
from pipeline.schema import COLUMNS

Run = Callable[..., Result]
Rows = dict[str, dict[str, str]]


@pytest.fixture
def rows(pipeline_run: Run, paths: DataPaths) -> Rows:
    """The candidates after collect, estimate and refresh; two of them verified."""
    pipeline_run()
    keys = list(read_rows(paths.candidates))
    for key in (keys[0], keys[-1]):
        set_cells(paths.candidates, key, verified="y")
    return read_rows(paths.candidates)


def query(run: Run, *args: str) -> list[dict[str, str]]:
    result = run("query", "--format", "csv", *args)
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def keys(run: Run, *args: str) -> list[str]:
    return [row["model"] for row in query(run, *args)]


def by_flop(rows: Rows, ascending: bool = False) -> list[str]:
    sign = 1 if ascending else -1
    return sorted(rows, key=lambda k: (sign * float(rows[k]["training_flop"]), k))


def test_default_is_every_candidate_by_training_flop_descending(rows: Rows, run: Run) -> None:
    result = query(run)
    assert [row["model"] for row in result] == by_flop(rows)
    assert list(result[0]) == COLUMNS
    assert result[0] == rows[result[0]["model"]]


def test_ascending_sorts_numerically(rows: Rows, run: Run) -> None:
    assert keys(run, "--ascending") == by_flop(rows, ascending=True)
    assert keys(run, "--sort-by", "training_flop", "--ascending") == by_flop(rows, True)


def test_sort_by_a_text_column(rows: Rows, run: Run) -> None:
    assert keys(run, "--sort-by", "model", "--ascending") == sorted(rows)


def test_top_keeps_the_first_rows(rows: Rows, run: Run) -> None:
    assert keys(run, "--top", "3") == by_flop(rows)[:3]


def test_above(rows: Rows, run: Run) -> None:
    expected = [k for k in by_flop(rows) if float(rows[k]["training_flop"]) >= 5e25]
    assert 0 < len(expected) < len(rows)
    assert keys(run, "--above", "5e25") == expected


@pytest.mark.parametrize("text", ["openai", "OpenAI", "OPENAI"])
def test_developer_ignores_case(rows: Rows, run: Run, text: str) -> None:
    expected = [k for k in by_flop(rows) if "openai" in rows[k]["developer"].lower()]
    assert expected
    assert keys(run, "--developer", text) == expected


@pytest.mark.parametrize("levels", [("high",), ("high", "medium"), ("low", "speculative")])
def test_confidence_is_repeatable(rows: Rows, run: Run, levels: tuple[str, ...]) -> None:
    expected = [k for k in by_flop(rows) if rows[k]["confidence"] in levels]
    assert expected
    args = [arg for level in levels for arg in ("--confidence", level)]
    assert keys(run, *args) == expected


@pytest.mark.parametrize(("flag", "verified"), [("--verified", True), ("--unverified", False)])
def test_verified_and_unverified(rows: Rows, run: Run, flag: str, verified: bool) -> None:
    expected = [k for k in by_flop(rows) if (rows[k]["verified"] == "y") is verified]
    assert len(expected) == (2 if verified else len(rows) - 2)
    assert keys(run, flag) == expected


@pytest.mark.parametrize("text", ["gpt", "GPT"])
def test_name_contains(rows: Rows, run: Run, text: str) -> None:
    expected = [k for k in by_flop(rows) if "gpt" in k]
    assert expected
    assert keys(run, "--name-contains", text) == expected


def test_filters_combine(rows: Rows, run: Run) -> None:
    found = query(run, "--developer", "openai", "--above", "1e25", "--top", "2", "--ascending")
    expected = [
        k
        for k in by_flop(rows, ascending=True)
        if "openai" in rows[k]["developer"].lower() and float(rows[k]["training_flop"]) >= 1e25
    ][:2]
    assert [row["model"] for row in found] == expected


def test_json_format_parses_to_the_same_rows(rows: Rows, run: Run) -> None:
    result = run("query", "--format", "json", "--top", "5")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == query(run, "--top", "5")


def test_table_format_prints_a_count(rows: Rows, run: Run) -> None:
    result = run("query", "--name-contains", "gpt")
    assert f"{sum('gpt' in k for k in rows)} models" in result.output


def test_save_writes_a_timestamped_file(rows: Rows, run: Run, paths: DataPaths) -> None:
    result = run("query", "--format", "csv", "--top", "4", "--save")
    (saved,) = paths.query_results.iterdir()
    assert re.fullmatch(r"query_candidates_\d{8}_\d{6}\.csv", saved.name)
    assert saved.read_text(encoding="utf-8") == result.stdout
    assert f"Saved 4 rows to {saved}" in result.stderr


def test_output_writes_that_file(rows: Rows, run: Run, tmp_path: Path) -> None:
    target = tmp_path / "exports" / "openai.json"
    result = run("query", "--format", "json", "--developer", "openai", "--output", str(target))
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text(encoding="utf-8")) == json.loads(result.stdout)


def test_dataset_all_has_a_dataset_column(rows: Rows, run: Run, paths: DataPaths) -> None:
    found = query(run, "--dataset", "all")
    assert list(found[0]) == ["dataset", *COLUMNS]
    datasets = {row["model"]: row["dataset"] for row in found}
    below = read_rows(paths.below)
    assert datasets == {**dict.fromkeys(rows, "candidates"), **dict.fromkeys(below, "below")}


def test_single_dataset_has_no_dataset_column(rows: Rows, run: Run, paths: DataPaths) -> None:
    found = query(run, "--dataset", "below")
    assert list(found[0]) == COLUMNS
    assert {row["model"] for row in found} == set(read_rows(paths.below))


def test_stats(rows: Rows, run: Run) -> None:
    result = run("query", "--stats")
    assert result.exit_code == 0, result.output
    rate = 2 / len(rows)
    assert f"verification rate (verified / candidates): {rate:.1%}" in result.output
    classes = [row["threshold_classification"] for row in rows.values()]
    for name in set(classes):
        assert re.search(rf"{name}\W+{classes.count(name)}\b", result.output)


def test_sort_by_an_unknown_column_is_a_one_line_error(rows: Rows, run: Run) -> None:
    line = one_line_error(run("query", "--sort-by", "nosuchcolumn"))
    assert line.startswith("Error: cannot sort by 'nosuchcolumn'; columns: model, developer,")


def test_check_duplicates_on_clean_data(rows: Rows, run: Run) -> None:
    result = run("query", "--check-duplicates", "--dataset", "all")
    assert result.exit_code == 0, result.output
    assert result.output == "No duplicates.\n"


def test_check_duplicates_on_the_legacy_file(run: Run, paths: DataPaths) -> None:
    paths.candidates.parent.mkdir(parents=True)
    shutil.copyfile(LEGACY, paths.candidates)
    result = run("query", "--check-duplicates")
    assert result.exit_code == 1
    *found, last = result.output.splitlines()
    assert (
        f"{paths.candidates}: 'claude_3.5_sonnet' (row 48) and 'claude_3_5_sonnet' (row 35) "
        "are one model ('claude_3.5_sonnet')"
    ) in found
    assert last == f"Error: {len(found)} duplicate(s) found"


def test_check_duplicates_reports_a_repeated_key(run: Run, paths: DataPaths) -> None:
    write_csv(paths.below, [{"model": "a"}, {"model": "b"}, {"model": "a"}])
    result = run("query", "--check-duplicates", "--dataset", "below")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{paths.below}: key 'a' on rows 2, 4",
        "Error: 1 duplicate(s) found",
    ]
