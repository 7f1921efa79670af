"""``tracker refresh-dataset`` on the sample data: no-op runs, summary, dry run, reset, errors,
and recovery from a crash between the two files of a move."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import Result
from curate_support import (
    edit_estimates,
    make_row,
    one_line_error,
    read_rows,
    restore,
    set_cells,
    snapshot,
)

from pipeline.paths import DataPaths
from pipeline.schema import COLUMNS, KEY, Classification
from pipeline.storage import csvtable
from pipeline.storage.csvtable import CsvTable, read_raw

Run = Callable[..., Result]
MOVE_TO_BELOW = {
    "training_flop": 1e24,
    "threshold_classification": Classification.BELOW,
    "status": "likely_below_1e25",
}


def summary_count(output: str, label: str) -> int:
    match = re.search(rf"{re.escape(label)}\W+(\d+)\b", output)
    assert match, f"no {label!r} line in:\n{output}"
    return int(match.group(1))


def add_rows(path: Path, *rows: dict[str, str]) -> None:
    table = CsvTable.read(path, KEY, COLUMNS)
    for row in rows:
        table.add_row(row)
    table.save()


def last_candidate(paths: DataPaths) -> str:
    return list(read_rows(paths.candidates))[-1]


def test_second_refresh_changes_no_file(pipeline_run: Run, run: Run, project: Path) -> None:
    pipeline_run()
    before = snapshot(project / "data")
    result = run("refresh-dataset")
    assert result.exit_code == 0, result.output
    assert "0 added, 0 updated, 0 moved, 0 dropped" in result.output
    assert "Written: nothing (no changes)" in result.output
    assert snapshot(project / "data") == before


def test_refresh_prints_the_seed_summary(pipeline_run: Run, paths: DataPaths) -> None:
    output = pipeline_run().output
    rows = list(read_rows(paths.candidates).values())
    classes = [row["threshold_classification"] for row in rows]
    assert summary_count(output, "total candidates") == len(rows) > 0
    assert summary_count(output, "manually verified") == 0
    assert summary_count(output, "high-confidence above 1e25") == classes.count(
        "high_confidence_above_1e25"
    )
    names = yaml.safe_load((paths.root.parent / "configs/model_name_mapping.yaml").read_text())
    epoch = {r["Model"] for r in csv.DictReader((paths.raw / "epoch/published_data.csv").open())}
    published = {row["model"] for row in rows if names.get(row["model"]) in epoch}
    waiting = [r for r in rows if r["threshold_classification"] == Classification.NOT_SURE]
    assert summary_count(output, "uncertain, needing verification") == len(
        [r for r in waiting if r["model"] not in published]
    )
    assert summary_count(output, "already published") == len(published) == 17
    assert summary_count(output, "below 1e25") == len(read_rows(paths.below))


def test_summary_counts_verified_rows(pipeline_run: Run, run: Run, paths: DataPaths) -> None:
    pipeline_run()
    key = last_candidate(paths)
    assert read_rows(paths.candidates)[key]["threshold_classification"] == Classification.NOT_SURE
    uncertain = summary_count(run("refresh-dataset").output, "uncertain, needing verification")
    set_cells(paths.candidates, key, verified="y")
    output = run("refresh-dataset").output
    assert summary_count(output, "manually verified") == 1
    assert summary_count(output, "uncertain, needing verification") == uncertain - 1


def test_first_refresh_names_the_files_it_wrote(
    run: Run, estimated: None, paths: DataPaths
) -> None:
    result = run("refresh-dataset")
    assert f"Written: {paths.candidates}, {paths.below}" in result.output
    assert re.search(r"^\d+ added, 0 updated, 0 moved, 0 dropped$", result.output, re.M)


def test_dry_run_on_empty_tables_writes_nothing(run: Run, estimated: None, project: Path) -> None:
    before = snapshot(project / "data")
    result = run("refresh-dataset", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Refresh plan (dry run)" in result.output
    assert "Dry run: nothing written." in result.output
    assert re.search(r"^\d+ AddRow$", result.output, re.M)
    assert snapshot(project / "data") == before


def test_dry_run_shows_updates_and_moves(
    pipeline_run: Run, run: Run, paths: DataPaths, project: Path
) -> None:
    pipeline_run()
    first, moved = next(iter(read_rows(paths.candidates))), last_candidate(paths)
    flop = read_rows(paths.candidates)[first]["training_flop"]
    edit_estimates(paths, first, training_flop=float(flop) * 2)
    edit_estimates(paths, moved, **MOVE_TO_BELOW)
    before = snapshot(project / "data")
    result = run("refresh-dataset", "--dry-run")
    assert f"training_flop: {flop} -> {float(flop) * 2!r}" in result.output
    assert "move candidates -> below" in result.output
    assert "1 MoveRow, 1 UpdateField" in result.output
    assert snapshot(project / "data") == before


def test_reset_keeps_verified_rows_and_says_so(
    pipeline_run: Run, run: Run, paths: DataPaths
) -> None:
    pipeline_run()
    key = last_candidate(paths)
    set_cells(paths.candidates, key, verified="y", training_flop="9.9e+25", notes="by hand")
    add_rows(paths.candidates, make_row("stale_verified", verified="y"), make_row("stale"))
    before = {r.cells[KEY]: r.raw for r in read_raw(paths.candidates).records}
    result = run("refresh-dataset", "--reset")
    assert result.exit_code == 0, result.output
    assert (
        "--reset: unverified rows rebuilt from the estimates; "
        "2 verified rows kept." in result.output
    )
    after = {r.cells[KEY]: r.raw for r in read_raw(paths.candidates).records}
    assert after[key] == before[key]
    assert after["stale_verified"] == before["stale_verified"]
    assert "stale" not in after
    assert set(after) == set(before) - {"stale"}


def test_refresh_before_estimate_fails_in_one_line(run: Run, project: Path) -> None:
    assert run("collect-all").exit_code == 0
    before = snapshot(project / "data")
    line = one_line_error(run("refresh-dataset"))
    assert line.endswith("no estimates; run `tracker estimate-flops` first")
    assert snapshot(project / "data") == before


@pytest.mark.parametrize("table", ["candidates", "below"])
@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"model,notes\na,1\nb,2\na,3\n", ", row 4, field model: duplicate key 'a': also on row 2"),
        (
            b"model,notes\na,1\nb,2,3\n",
            ", row 3: 3 cells but the header has 2 columns (a truncated or misquoted row?)",
        ),
        (b"model,notes\na,\xff\n", ": not UTF-8 text (byte 0xff on line 2); save it as UTF-8"),
        (b"notes\nx\n", ", row 1: missing key column 'model'"),
    ],
)
def test_unreadable_table_fails_in_one_line_and_changes_nothing(
    pipeline_run: Run,
    run: Run,
    paths: DataPaths,
    project: Path,
    table: str,
    text: bytes,
    message: str,
) -> None:
    pipeline_run()
    path = paths.candidates if table == "candidates" else paths.below
    path.write_bytes(text)
    before = snapshot(project / "data")
    line = one_line_error(run("refresh-dataset"))
    assert line == f"Error: {path}{message}"
    assert snapshot(project / "data") == before


class Crash(Exception):
    """A simulated power cut."""


def crash_on_write(monkeypatch: pytest.MonkeyPatch, k: int) -> None:
    """The k-th file write (1-based) fails as a power cut would: nothing of it lands."""
    real_write, calls = csvtable.atomic_write_text, []

    def write(path: Path, text: str) -> None:
        calls.append(path)
        if len(calls) == k:
            raise Crash
        real_write(path, text)

    monkeypatch.setattr(csvtable, "atomic_write_text", write)


def crashed_refresh(run: Run, monkeypatch: pytest.MonkeyPatch, k: int = 1) -> None:
    with monkeypatch.context() as patch:
        crash_on_write(patch, k)
        with pytest.raises(Crash):
            run("refresh-dataset")


def refresh_with_and_without_crash(
    run: Run, monkeypatch: pytest.MonkeyPatch, data: Path, k: int
) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """(end state of an uninterrupted refresh, end state of a crashed one plus a rerun)."""
    start = snapshot(data)
    assert run("refresh-dataset").exit_code == 0
    uninterrupted = snapshot(data)
    restore(data, start)
    crashed_refresh(run, monkeypatch, k)
    assert run("refresh-dataset").exit_code == 0
    return uninterrupted, snapshot(data)


def move_one(paths: DataPaths) -> str:
    """A plan that moves one row (with a human note) from candidates to below: 2 writes."""
    key = last_candidate(paths)
    set_cells(paths.candidates, key, notes="keep me")
    edit_estimates(paths, key, **MOVE_TO_BELOW)
    return key


def move_one_and_update_another(paths: DataPaths) -> str:
    """A plan that also updates a row of candidates, the file the move leaves: 3 writes."""
    first = next(iter(read_rows(paths.candidates)))
    edit_estimates(paths, first, training_flop=9.9e26)
    return move_one(paths)


CRASHES = [(move_one, 1), (move_one, 2)] + [(move_one_and_update_another, k) for k in (1, 2, 3)]


@pytest.mark.parametrize(("scenario", "k"), CRASHES)
def test_a_crash_at_any_write_never_loses_the_moved_row(
    pipeline_run: Run,
    run: Run,
    paths: DataPaths,
    monkeypatch: pytest.MonkeyPatch,
    scenario: Callable[[DataPaths], str],
    k: int,
) -> None:
    pipeline_run()
    key = scenario(paths)
    crashed_refresh(run, monkeypatch, k)
    homes = [
        rows[key] for rows in (read_rows(paths.candidates), read_rows(paths.below)) if key in rows
    ]
    assert homes and all(row["notes"] == "keep me" for row in homes)


@pytest.mark.parametrize(("scenario", "k"), CRASHES)
def test_after_a_crash_at_any_write_the_next_refresh_converges(
    pipeline_run: Run,
    run: Run,
    paths: DataPaths,
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    fixed_stamp: str,
    scenario: Callable[[DataPaths], str],
    k: int,
) -> None:
    pipeline_run()
    key = scenario(paths)
    expected, recovered = refresh_with_and_without_crash(run, monkeypatch, project / "data", k)
    assert recovered == expected
    assert key not in read_rows(paths.candidates)
    assert read_rows(paths.below)[key]["notes"] == "keep me"


def verify_in_both_files(paths: DataPaths) -> str:
    key = last_candidate(paths)
    set_cells(paths.candidates, key, verified="y")
    add_rows(paths.below, {**read_rows(paths.candidates)[key], "notes": "other reviewer"})
    return key


def test_row_verified_in_both_files_is_reported_and_left_alone(
    pipeline_run: Run, run: Run, paths: DataPaths, project: Path
) -> None:
    pipeline_run()
    key = verify_in_both_files(paths)
    before = snapshot(project / "data")
    result = run("refresh-dataset")
    assert f"error: {paths.below}, row " in result.output
    assert f"({key}), field model: also in {paths.candidates} row " in result.output
    assert "(verified in both: resolve by hand)" in result.output
    assert result.output.strip().splitlines()[-1] == (
        "Error: refresh stopped: 1 error(s) in the input; nothing was written"
    )
    assert snapshot(project / "data") == before


def test_row_verified_in_both_files_fails_the_refresh(
    pipeline_run: Run, run: Run, paths: DataPaths
) -> None:
    pipeline_run()
    verify_in_both_files(paths)
    assert run("refresh-dataset").exit_code == 1
