"""The apply journal: damaged journals are one-line InputErrors naming the file; no journal,
nothing to recover."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from engine_support import STAMP, Crash, crash_on_write, row, snapshot, table

from pipeline.curate import history
from pipeline.curate.apply import apply_plan, recover
from pipeline.curate.datasets import CANDIDATES, open_tables
from pipeline.curate.journal import journal_path, pending, write_journal
from pipeline.curate.plan import AddRow, MoveRow, Plan, UpdateField, to_json
from pipeline.errors import InputError
from pipeline.paths import DataPaths
from pipeline.settings import Settings
from pipeline.storage.csvtable import CsvTable

Run = Callable[..., Result]
MESSAGE = "damaged journal of an interrupted run; inspect and delete it"


def plant(state: Path, data: bytes) -> Path:
    path = journal_path(state)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def good_journal(tmp_path: Path) -> bytes:
    """A real journal: a move between two small tables."""
    tables = {
        "candidates": table(tmp_path / "c.csv", [row("a")]),
        "below": table(tmp_path / "b.csv"),
    }
    plan = Plan([MoveRow("candidates", "below", "a", row("a"), "r")])
    write_journal(tmp_path / "state", plan, tables, STAMP)
    return journal_path(tmp_path / "state").read_bytes()


def test_journal_path_is_apply_journal_json_in_the_state_folder(tmp_path: Path) -> None:
    assert journal_path(tmp_path / "state") == tmp_path / "state" / "apply_journal.json"


def test_no_journal_means_nothing_pending_and_nothing_to_recover(tmp_path: Path) -> None:
    assert pending(tmp_path / "state") is None
    assert recover(tmp_path / "state") == []
    assert not (tmp_path / "state").exists()


def test_a_written_journal_reads_back_as_the_same_plan_and_tables(tmp_path: Path) -> None:
    good_journal(tmp_path)
    entry = pending(tmp_path / "state")
    assert entry is not None
    plan, tables, stamp = entry.plan, entry.tables, entry.stamp
    assert plan.changes == [MoveRow("candidates", "below", "a", row("a"), "r")]
    assert {name: (t.path, t.key_column, t.columns) for name, t in tables.items()} == {
        "candidates": (tmp_path / "c.csv", "model", list(row("a"))),
        "below": (tmp_path / "b.csv", "model", list(row("a"))),
    }
    assert stamp == STAMP


def truncated(tmp_path: Path) -> bytes:
    data = good_journal(tmp_path)
    return data[: len(data) // 2]


DAMAGED: dict[str, Callable[[Path], bytes]] = {
    "empty": lambda _: b"",
    "truncated": truncated,
    "not json": lambda _: b"stamp: 2030\n",
    "not utf-8": lambda _: b'{"stamp": "\xff"}',
    "nul bytes": lambda _: b"\x00" * 16,
}


@pytest.mark.parametrize("damage", DAMAGED.values(), ids=DAMAGED.keys())
def test_a_damaged_journal_is_a_one_line_input_error_naming_the_file(
    tmp_path: Path, damage: Callable[[Path], bytes]
) -> None:
    path = plant(tmp_path / "state", damage(tmp_path))
    with pytest.raises(InputError) as caught:
        recover(tmp_path / "state")
    assert str(caught.value) == f"{path}: {MESSAGE}"
    assert caught.value.file == str(path)
    assert path.exists()


WRONG_SHAPE = {
    "a list": b"[]\n",
    "an empty object": b"{}\n",
    "no changes": json.dumps({"stamp": STAMP, "tables": {}}).encode(),
    "unknown kind": json.dumps(
        {"stamp": STAMP, "tables": {}, "changes": [{"kind": "Renamed", "table": "t"}]}
    ).encode(),
    "missing fields": json.dumps(
        {"stamp": STAMP, "tables": {}, "changes": [{"kind": "DropRow", "table": "t"}]}
    ).encode(),
}


@pytest.mark.parametrize("data", WRONG_SHAPE.values(), ids=WRONG_SHAPE.keys())
def test_a_journal_of_the_wrong_shape_is_a_one_line_input_error(
    tmp_path: Path, data: bytes
) -> None:
    path = plant(tmp_path / "state", data)
    with pytest.raises(InputError) as caught:
        recover(tmp_path / "state")
    assert str(caught.value) == f"{path}: {MESSAGE}"


def test_open_tables_with_a_damaged_journal_fails_and_changes_nothing(
    pipeline_run: Callable[[], Result], settings: Settings, project: Path
) -> None:
    pipeline_run()
    path = plant(DataPaths(project / "data").state, b'{"stamp": ')
    before = snapshot(project / "data")
    with pytest.raises(InputError, match="damaged journal"):
        open_tables(settings, [CANDIDATES])
    assert snapshot(project / "data") == before
    assert path.exists()


def test_a_command_with_a_damaged_journal_fails_in_one_line(
    pipeline_run: Callable[[], Result], run: Run, project: Path
) -> None:
    pipeline_run()
    path = plant(DataPaths(project / "data").state, b"{")
    decisions = project / "decisions.csv"
    decisions.write_text("model,decision,reason\ngrok_3,y,known\n", encoding="utf-8")
    before = snapshot(project / "data")
    result = run("review-candidates", "--decisions", str(decisions))
    assert result.exit_code == 1, result.output
    assert result.output.strip().splitlines() == [f"Error: {path}: {MESSAGE}"]
    assert snapshot(project / "data") == before


def test_a_crashed_journal_torn_in_half_stops_recovery_and_keeps_the_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tables = {"candidates": table(tmp_path / "c.csv", [row("a")])}
    crash_on_write(monkeypatch, 1)
    plan = Plan([UpdateField("candidates", "a", "value", "1", "2", "r")])
    with pytest.raises(Crash):
        apply_plan(plan, tables, STAMP, tmp_path / "state")
    path = journal_path(tmp_path / "state")
    path.write_bytes(path.read_bytes()[:40])
    before = snapshot(tmp_path)
    with pytest.raises(InputError, match="damaged journal"):
        recover(tmp_path / "state")
    assert snapshot(tmp_path) == before


def many_new_rows(folder: Path) -> tuple[Plan, Callable[[], dict[str, CsvTable]]]:
    """A plan that fills a new below table (one row quoted over two lines), adds a
    candidate and moves one; the tables it starts from, read afresh."""
    table(folder / "c.csv", [row("a"), row("b")])
    added = [
        AddRow("below", f"n{i}", row(f"n{i}", value=str(i), notes='x,\n"y"' * (i == 3)), "new")
        for i in range(6)
    ]
    changes = [
        *added,
        AddRow("candidates", "c", row("c"), "new"),
        UpdateField("candidates", "c", "value", "1", "7", "later in the plan"),
        MoveRow("candidates", "below", "a", row("a", verified="y"), "now below"),
    ]

    def tables() -> dict[str, CsvTable]:
        return {
            "candidates": CsvTable.read(folder / "c.csv", "model"),
            "below": CsvTable.read(folder / "b.csv", "model", list(row("x"))),
        }

    return Plan(changes), tables


@pytest.mark.parametrize("k", [1, 2, 3])
def test_a_compact_journal_replays_to_the_files_and_history_of_an_uninterrupted_apply(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, k: int
) -> None:
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    plan, tables = many_new_rows(whole)
    apply_plan(plan, tables(), STAMP, whole / "state")
    plan, tables = many_new_rows(cut)
    crash_on_write(monkeypatch, k)
    with pytest.raises(Crash):
        apply_plan(plan, tables(), STAMP, cut / "state")
    assert b'"rows":' in journal_path(cut / "state").read_bytes()
    monkeypatch.undo()

    recover(cut / "state")

    assert snapshot(cut) == snapshot(whole)
    assert list(history.read(cut / "state")) == list(history.read(whole / "state"))


def test_a_journal_of_the_earlier_layout_still_rolls_forward(tmp_path: Path) -> None:
    """Every AddRow with its cells, the history lines in full: as an older run left it."""
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    plan, tables = many_new_rows(whole)
    apply_plan(plan, tables(), STAMP, whole / "state", source="pipeline")
    lines = list(history.read(whole / "state"))
    plan, tables = many_new_rows(cut)
    changes = json.dumps([to_json(change) for change in plan.writes]).encode()
    write_journal(cut / "state", plan, tables(), STAMP, lines, lines[0]["apply"], changes)
    assert b'"rows":' not in journal_path(cut / "state").read_bytes()

    assert recover(cut / "state") == ["candidates", "below"]

    assert snapshot(cut) == snapshot(whole)
    assert list(history.read(cut / "state")) == lines


def test_new_rows_of_a_file_lacking_a_column_are_journaled_with_their_cells(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its next save writes every row afresh, the missing column added: no text to share."""
    (tmp_path / "c.csv").write_text("model,value\na,1\n", encoding="utf-8")
    plan = Plan([AddRow("candidates", "n", {"model": "n", "value": "2"}, "new")])
    tables = {"candidates": CsvTable.read(tmp_path / "c.csv", "model", ["model", "value", "w"])}
    crash_on_write(monkeypatch, 1)
    with pytest.raises(Crash):
        apply_plan(plan, tables, STAMP, tmp_path / "state")
    entry = json.loads(journal_path(tmp_path / "state").read_text(encoding="utf-8"))
    assert entry["rows"] == {} and entry["changes"] == [to_json(plan.changes[0])]
    monkeypatch.undo()

    assert recover(tmp_path / "state") == ["candidates"]

    assert (tmp_path / "c.csv").read_text(encoding="utf-8") == "model,value,w\na,1,\nn,2,\n"


def test_a_journal_whose_new_rows_do_not_parse_is_damaged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan, tables = many_new_rows(tmp_path)
    crash_on_write(monkeypatch, 1)
    with pytest.raises(Crash):
        apply_plan(plan, tables(), STAMP, tmp_path / "state")
    entry = json.loads(journal_path(tmp_path / "state").read_text(encoding="utf-8"))
    entry["rows"]["below"] = 'model,value\n"n0,1\n'  # a quote never closed
    path = plant(tmp_path / "state", json.dumps(entry).encode())

    with pytest.raises(InputError) as caught:
        recover(tmp_path / "state")

    assert str(caught.value) == f"{path}: {MESSAGE}"
