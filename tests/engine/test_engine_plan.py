"""Typed changes and plans: the common fields, JSON round trips, and the Plan views."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from pipeline.curate.plan import (
    KINDS,
    AddRow,
    AppendNote,
    BlockedByUnmapped,
    BlockedByVerified,
    Change,
    Conflict,
    DropRow,
    InvalidInput,
    MarkVerified,
    MoveRow,
    Plan,
    UpdateField,
    from_json,
    json_view,
    to_json,
)

NOTE = "[2030-01-02T03:04:05Z] reviewed"
ROW = {"model": "k", "value": "1"}

# (change, (table, key, field, old, new, reason), its JSON form without "kind")
CASES: list[tuple[Change, tuple[str, ...], dict[str, object]]] = [
    (
        AddRow("staging", "k", ROW, "new"),
        ("staging", "k", "", "", "(new row)", "new"),
        {"table": "staging", "key": "k", "row": ROW, "reason": "new"},
    ),
    (
        UpdateField("candidates", "k", "value", "1", "2", "estimate changed"),
        ("candidates", "k", "value", "1", "2", "estimate changed"),
        dict(
            table="candidates", key="k", field="value", old="1", new="2", reason="estimate changed"
        ),
    ),
    (
        MoveRow("candidates", "below", "k", ROW, "now below"),
        ("below", "k", "", "candidates", "below", "now below"),
        {"source": "candidates", "table": "below", "key": "k", "row": ROW, "reason": "now below"},
    ),
    (
        DropRow("candidates", "k", "stale"),
        ("candidates", "k", "", "", "", "stale"),
        {"table": "candidates", "key": "k", "reason": "stale"},
    ),
    (
        AppendNote("staging", "k", "notes", NOTE, "audit"),
        ("staging", "k", "notes", "", NOTE, "audit"),
        {"table": "staging", "key": "k", "field": "notes", "note": NOTE, "reason": "audit"},
    ),
    (
        MarkVerified("staging", "k", "reviewed"),
        ("staging", "k", "verified", "", "y", "reviewed"),
        {"table": "staging", "key": "k", "reason": "reviewed"},
    ),
    (
        Conflict("published", "K", "Parameters", "1", "2", "both changed"),
        ("published", "K", "Parameters", "1", "2", "both changed"),
        dict(
            table="published", key="K", field="Parameters", old="1", new="2", reason="both changed"
        ),
    ),
    (
        BlockedByVerified("candidates", "k", "value", "1", "2", "verified"),
        ("candidates", "k", "value", "1", "2", "verified"),
        dict(table="candidates", key="k", field="value", old="1", new="2", reason="verified"),
    ),
    (
        BlockedByUnmapped("published", "K", "no mapping"),
        ("published", "K", "", "", "", "no mapping"),
        {"table": "published", "key": "K", "reason": "no mapping"},
    ),
    (
        InvalidInput("candidates", "k", "reason", "  ", "a decision needs a reason"),
        ("candidates", "k", "reason", "  ", "", "a decision needs a reason"),
        dict(
            table="candidates",
            key="k",
            field="reason",
            value="  ",
            reason="a decision needs a reason",
        ),
    ),
]
IDS = [type(case[0]).__name__ for case in CASES]


def test_the_cases_cover_every_kind() -> None:
    assert sorted(IDS) == sorted(KINDS)


@pytest.mark.parametrize(("change", "shown", "_json"), CASES, ids=IDS)
def test_every_change_exposes_table_key_field_old_new_reason(
    change: Change, shown: tuple[str, ...], _json: dict[str, object]
) -> None:
    attrs = (change.table, change.key, change.field, change.old, change.new, change.reason)
    assert attrs == shown


@pytest.mark.parametrize(("change", "_shown", "fields"), CASES, ids=IDS)
def test_to_json_is_the_kind_and_the_dataclass_fields(
    change: Change, _shown: tuple[str, ...], fields: dict[str, object]
) -> None:
    assert to_json(change) == {"kind": type(change).__name__, **fields}


@pytest.mark.parametrize("change", [case[0] for case in CASES], ids=IDS)
def test_json_view_is_to_json_in_the_same_order(change: Change) -> None:
    assert list(json_view(change).items()) == list(to_json(change).items())


@pytest.mark.parametrize("change", [case[0] for case in CASES], ids=IDS)
def test_json_round_trip_through_text_gives_an_equal_change(change: Change) -> None:
    back = from_json(json.loads(json.dumps(to_json(change))))
    assert back == change
    assert type(back) is type(change)


def test_from_json_does_not_consume_its_argument() -> None:
    data = to_json(DropRow("candidates", "k", "stale"))
    from_json(data)
    assert data["kind"] == "DropRow"


def sample_plan() -> Plan:
    return Plan(
        [
            UpdateField("candidates", "a", "value", "1", "2", "r"),
            Conflict("published", "A", "Parameters", "1", "2", "r"),
            MoveRow("candidates", "below", "b", ROW, "r"),
            InvalidInput("candidates", "c", "model", "c", "not a candidate"),
            AppendNote("candidates", "a", "notes", NOTE, "r"),
            MarkVerified("candidates", "a", "r"),
            BlockedByUnmapped("published", "B", "r"),
            UpdateField("candidates", "d", "value", "1", "3", "r"),
        ]
    )


def test_writes_are_the_changes_apply_makes_in_plan_order() -> None:
    plan = sample_plan()
    writes = plan.writes
    assert [type(c).__name__ for c in writes] == [
        "UpdateField", "MoveRow", "AppendNote", "MarkVerified", "UpdateField"
    ]  # fmt: skip
    assert writes == [plan.changes[i] for i in (0, 2, 4, 5, 7)]


def test_problems_are_the_invalid_inputs() -> None:
    assert sample_plan().problems == [
        InvalidInput("candidates", "c", "model", "c", "not a candidate")
    ]


def test_by_row_groups_by_table_and_key_in_plan_order() -> None:
    plan = sample_plan()
    groups = plan.by_row()
    assert list(groups) == [
        ("candidates", "a"), ("published", "A"), ("below", "b"), ("candidates", "c"),
        ("published", "B"), ("candidates", "d"),
    ]  # fmt: skip
    assert groups["candidates", "a"] == [plan.changes[i] for i in (0, 4, 5)]


def test_counts_by_kind_name() -> None:
    assert sample_plan().counts() == Counter(
        UpdateField=2, Conflict=1, MoveRow=1, InvalidInput=1, AppendNote=1, MarkVerified=1,
        BlockedByUnmapped=1,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "keys"),
    [(UpdateField, {"a", "d"}), (MoveRow, {"b"}), (DropRow, set()), (BlockedByUnmapped, {"B"})],
)
def test_rows_touched_by_a_kind(kind: type, keys: set[str]) -> None:
    assert sample_plan().rows_touched(kind) == keys


def test_of_filters_by_several_kinds() -> None:
    plan = sample_plan()
    assert plan.of(Conflict, BlockedByUnmapped) == [plan.changes[1], plan.changes[6]]


def test_a_plan_is_true_only_when_it_writes() -> None:
    assert not Plan()
    assert not Plan([Conflict("published", "A", "f", "1", "2", "r")])
    plan = Plan()
    plan.add(InvalidInput("candidates", "k", "model", "k", "bad"))
    assert not plan
    plan.extend([DropRow("candidates", "k", "r")])
    assert plan
    assert len(plan.changes) == 2
