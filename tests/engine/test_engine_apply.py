"""apply_plan on small tables: each change's effect, stamping, idempotence, preview, journal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from engine_support import (
    COLS,
    LATER,
    STAMP,
    Crash,
    by_key,
    crash_on_write,
    csv_bytes,
    restore,
    row,
    rows_of,
    snapshot,
    table,
)

from pipeline.curate.apply import apply_plan, preview, recover
from pipeline.curate.journal import journal_path, write_journal
from pipeline.curate.plan import (
    AddRow,
    AppendNote,
    Change,
    Conflict,
    DropRow,
    InvalidInput,
    MarkVerified,
    MoveRow,
    Plan,
    UpdateField,
    to_json,
)
from pipeline.storage import csvtable
from pipeline.storage.csvtable import CsvTable

Tables = dict[str, CsvTable]
NOTE = f"[{STAMP}] reviewed"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def tables(folder: Path) -> Tables:
    """candidates (a, b), below (z), and plain: a table with neither last_updated nor notes."""
    return {
        "candidates": table(folder / "candidates.csv", [row("a", notes="by hand"), row("b")]),
        "below": table(folder / "below.csv", [row("z")]),
        "plain": table(folder / "plain.csv", [{"model": "p", "value": "1"}], ["model", "value"]),
    }


def apply(tables: Tables, *changes: Change, stamp: str = STAMP) -> list[str]:
    return apply_plan(Plan(list(changes)), tables, stamp)


def move(key: str = "a", **cells: str) -> MoveRow:
    return MoveRow("candidates", "below", key, row(key, **cells), "now below")


def test_add_row_fills_missing_columns_keeps_extra_ones_and_stamps(
    tables: Tables, folder: Path
) -> None:
    new = {"model": "n", "value": "5", "not_a_column": "x"}
    assert apply(tables, AddRow("below", "n", new, "new")) == ["below"]
    added = row("n", value="5", last_updated=STAMP, not_a_column="x")
    assert rows_of(folder / "below.csv")[-1] == added
    assert rows_of(folder / "below.csv")[0]["not_a_column"] == ""


def test_add_row_for_a_key_already_there_sets_only_the_cells_it_names(
    tables: Tables, folder: Path
) -> None:
    assert apply(tables, AddRow("candidates", "a", {"model": "a", "value": "7"}, "again"))
    assert by_key(folder / "candidates.csv")["a"] == row(
        "a", value="7", notes="by hand", last_updated=STAMP
    )


def test_update_field_changes_one_cell_and_leaves_other_rows_byte_identical(
    tables: Tables, folder: Path
) -> None:
    before = (folder / "candidates.csv").read_bytes().splitlines()
    assert apply(tables, UpdateField("candidates", "b", "value", "1", "2", "r")) == ["candidates"]
    after = (folder / "candidates.csv").read_bytes().splitlines()
    assert after[:2] == before[:2]
    assert after[2] == f"b,2,,{STAMP},".encode()


@pytest.mark.parametrize(
    "change",
    [
        UpdateField("candidates", "gone", "value", "1", "2", "r"),
        AppendNote("candidates", "gone", "notes", NOTE, "r"),
        MarkVerified("candidates", "gone", "r"),
        DropRow("candidates", "gone", "r"),
    ],
)
def test_a_change_to_a_missing_row_does_nothing(
    tables: Tables, folder: Path, change: Change
) -> None:
    before = snapshot(folder)
    assert apply(tables, change) == []
    assert snapshot(folder) == before


def test_move_row_adds_to_the_target_then_removes_from_the_source(
    tables: Tables, folder: Path
) -> None:
    assert apply(tables, move("b", value="9")) == ["below", "candidates"]
    assert list(by_key(folder / "candidates.csv")) == ["a"]
    assert rows_of(folder / "below.csv") == [row("z"), row("b", value="9", last_updated=STAMP)]


def test_move_row_keeps_source_only_columns_by_adding_them_to_the_target(folder: Path) -> None:
    source = table(folder / "src.csv", [{**row("a"), "extra": "kept"}], [*COLS, "extra"])
    tables = {"candidates": source, "below": table(folder / "below.csv", [row("z")])}
    apply(tables, move("a", value="2"))
    assert rows_of(folder / "below.csv") == [
        {**row("z"), "extra": ""},
        {**row("a", value="2", last_updated=STAMP), "extra": "kept"},
    ]


def test_drop_row_removes_it_and_stamps_nothing(tables: Tables, folder: Path) -> None:
    assert apply(tables, DropRow("candidates", "a", "stale")) == ["candidates"]
    assert rows_of(folder / "candidates.csv") == [row("b")]


def test_append_note_goes_on_a_new_line(tables: Tables, folder: Path) -> None:
    assert apply(tables, AppendNote("candidates", "a", "notes", NOTE, "r")) == ["candidates"]
    assert by_key(folder / "candidates.csv")["a"]["notes"] == f"by hand\n{NOTE}"
    assert by_key(folder / "candidates.csv")["a"]["last_updated"] == STAMP


def test_append_note_twice_adds_one_note_even_with_another_stamp(
    tables: Tables, folder: Path
) -> None:
    apply(tables, AppendNote("candidates", "b", "notes", NOTE, "r"))
    later = AppendNote("candidates", "b", "notes", f"[{LATER}] reviewed", "r")
    assert apply(tables, later, stamp=LATER) == []
    assert by_key(folder / "candidates.csv")["b"] == row("b", notes=NOTE, last_updated=STAMP)


def test_mark_verified_sets_y(tables: Tables, folder: Path) -> None:
    assert apply(tables, MarkVerified("candidates", "a", "reviewed")) == ["candidates"]
    assert by_key(folder / "candidates.csv")["a"]["verified"] == "y"


def test_last_updated_is_stamped_only_on_rows_whose_cells_changed(
    tables: Tables, folder: Path
) -> None:
    apply(
        tables,
        UpdateField("candidates", "a", "value", "1", "1", "same value"),
        MarkVerified("candidates", "b", "r"),
    )
    rows = by_key(folder / "candidates.csv")
    assert (rows["a"]["last_updated"], rows["b"]["last_updated"]) == ("old", STAMP)


def test_a_table_without_last_updated_gets_no_stamp_and_no_new_column(
    tables: Tables, folder: Path
) -> None:
    apply(
        tables,
        UpdateField("plain", "p", "value", "1", "2", "r"),
        AddRow("plain", "q", {"model": "q"}, "r"),
    )
    assert (folder / "plain.csv").read_text() == "model,value\np,2\nq,\n"


PLANS = {
    "add": [AddRow("below", "n", row("n", value="5"), "new")],
    "update": [UpdateField("candidates", "a", "value", "1", "2", "r")],
    "move": [move("a", verified="y")],
    "drop": [DropRow("candidates", "b", "r")],
    "note": [AppendNote("candidates", "a", "notes", NOTE, "r")],
    "verify": [MarkVerified("candidates", "b", "r")],
    "mixed": [
        move("a", notes=f"by hand\n{NOTE}"),
        UpdateField("candidates", "b", "value", "1", "3", "r"),
        AppendNote("candidates", "b", "notes", NOTE, "r"),
        AddRow("below", "n", row("n"), "r"),
        DropRow("below", "z", "r"),
        UpdateField("plain", "p", "value", "1", "2", "r"),
    ],
}


@pytest.mark.parametrize("changes", PLANS.values(), ids=PLANS.keys())
def test_applying_the_same_plan_twice_writes_nothing_the_second_time(
    tables: Tables, folder: Path, changes: list[Change]
) -> None:
    assert apply_plan(Plan(changes), tables, STAMP)
    after = snapshot(folder)
    reread = {name: CsvTable.read(t.path, "model") for name, t in tables.items()}
    assert apply_plan(Plan(changes), reread, STAMP) == []
    assert apply_plan(Plan(changes), tables, STAMP) == []
    assert snapshot(folder) == after


@pytest.mark.parametrize("changes", PLANS.values(), ids=PLANS.keys())
def test_preview_changes_the_tables_in_memory_and_writes_nothing(
    tables: Tables, folder: Path, changes: list[Change]
) -> None:
    before = snapshot(folder)
    preview(Plan(changes), tables, STAMP)
    assert snapshot(folder) == before
    rendered = {name: t.render() for name, t in tables.items()}
    apply_plan(Plan(changes), tables, STAMP)
    assert {name: t.path.read_text() for name, t in tables.items()} == rendered


def test_preview_of_a_move_shows_the_row_in_its_target_only(tables: Tables) -> None:
    preview(Plan([move("a", value="2")]), tables, STAMP)
    assert "a" not in tables["candidates"]
    assert tables["below"].get("a") == row("a", value="2", last_updated=STAMP)


def test_a_plan_without_writes_writes_no_file_and_no_journal(tables: Tables, folder: Path) -> None:
    before = snapshot(folder)
    plan = Plan([Conflict("candidates", "a", "value", "1", "2", "r")])
    plan.add(InvalidInput("candidates", "x", "model", "x", "bad"))
    assert apply_plan(plan, tables, STAMP, folder / "state") == []
    assert snapshot(folder) == before


def test_the_journal_exists_during_every_write_and_is_gone_after(
    tables: Tables, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state, real_write, seen = folder / "state", csvtable.atomic_write_text, []

    def write(path: Path, text: str) -> None:
        seen.append((Path(path).name, journal_path(state).exists()))
        real_write(path, text)

    monkeypatch.setattr(csvtable, "atomic_write_text", write)
    assert apply_plan(Plan(PLANS["mixed"]), tables, STAMP, state) == [
        "candidates",
        "below",
        "plain",
    ]
    assert seen == [
        ("candidates.csv", True), ("below.csv", True), ("plain.csv", True),
        ("candidates.csv", True), ("below.csv", True),
    ]  # fmt: skip
    assert not journal_path(state).exists()


def test_the_journal_holds_the_stamp_the_tables_and_only_the_writes(
    tables: Tables, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = folder / "state"
    crash_on_write(monkeypatch, 1)
    plan = Plan([Conflict("candidates", "a", "value", "1", "2", "r"), *PLANS["mixed"]])
    with pytest.raises(Crash):
        apply_plan(plan, tables, STAMP, state)
    entry = json.loads(journal_path(state).read_text(encoding="utf-8"))
    assert entry["stamp"] == STAMP
    plain = {"path": str(folder / "plain.csv"), "key": "model", "columns": ["model", "value"]}
    assert entry["tables"]["plain"] == plain
    added = {"kind": "AddRow", "table": "below", "key": "n", "reason": "r"}
    assert entry["changes"] == [
        added if isinstance(c, AddRow) else to_json(c) for c in PLANS["mixed"]
    ]  # the new row's cells are in the journal's rows, as its file will hold them
    assert entry["rows"] == {"below": csv_bytes([row("n", last_updated=STAMP)]).decode()}


@pytest.mark.parametrize("k", [1, 2])
def test_a_crash_between_the_two_phases_of_a_move_keeps_the_row(
    tables: Tables, folder: Path, monkeypatch: pytest.MonkeyPatch, k: int
) -> None:
    crash_on_write(monkeypatch, k)
    with pytest.raises(Crash):
        apply(tables, move("a"))
    homes = [name for name in ("candidates", "below") if "a" in by_key(folder / f"{name}.csv")]
    assert homes == (["candidates"] if k == 1 else ["candidates", "below"])


def test_recover_without_a_journal_returns_nothing(tmp_path: Path) -> None:
    assert recover(tmp_path / "state") == []
    assert not (tmp_path / "state").exists()


def test_recover_finishes_a_pending_plan_and_removes_the_journal(
    tables: Tables, folder: Path
) -> None:
    start = snapshot(folder)
    apply_plan(Plan(PLANS["mixed"]), tables, STAMP)
    expected = snapshot(folder)
    restore(folder, start)
    pristine = {name: CsvTable.read(t.path, "model") for name, t in tables.items()}
    write_journal(folder / "state", Plan(PLANS["mixed"]), pristine, STAMP)
    assert recover(folder / "state") == ["candidates", "below", "plain"]
    assert snapshot(folder) == expected
    assert recover(folder / "state") == []


def test_a_plan_that_fails_before_any_write_leaves_no_journal(tables: Tables, folder: Path) -> None:
    before = snapshot(folder)
    bad = UpdateField("plain", "p", "no_such_column", "", "x", "r")
    with pytest.raises(KeyError):
        apply_plan(Plan([bad]), tables, STAMP, folder / "state")
    assert snapshot(folder) == before
    assert recover(folder / "state") == []
