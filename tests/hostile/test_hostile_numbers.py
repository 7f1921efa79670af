"""Numbers are read as the locale wrote them or refused: a leaderboard export's decimal mark
is the one its cells agree on (``1413,5``, ``1.408,5``: a comma; ``1,408.5``: a point);
a cell that cannot tell in a file that writes both is refused, and so is a vote count that
is not a plausible whole number. See hostile_support.py for how a case reads."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from click.testing import Result
from hostile_support import (
    JAN,
    JAN_JSON,
    JAN_RAW,
    Case,
    Home,
    all_of,
    cases,
    replace,
    text_of,
    verify,
)
from hostile_support import write as write_file

JAN_FILE = "{data}/raw/lmarena/lmarena_text_2025-01-23.csv"
DEEPSEEK = "3,DeepSeek-R1,1357,+12/-13,1883,"


def jan_models(home: Home) -> dict[str, dict[str, Any]]:
    return {m["key"]: m for m in json.loads(text_of(home, JAN_JSON))["models"]}


def read_as(key: str, score: float | None, votes: int | None = None):
    def check(home: Home, result: Result) -> None:
        model = jan_models(home)[key]
        assert model["benchmarks"] == ({} if score is None else {"arena_score": score})
        if votes is not None:
            assert model["details"]["votes"] == votes
        else:
            assert "votes" not in model["details"]

    return check


def warned(row: int, field: str, value: str, why: str) -> str:
    return f"warning: {JAN_FILE} row {row}, field {field}: {value!r} is {why}; ignored"


def read_as_written(name: str, line: str) -> Case:
    """DeepSeek-R1's line of the January export as ``line``: still read as a score of
    1357.5 with 1883 votes."""
    return Case(
        name,
        replace(JAN_RAW, DEEPSEEK, line),
        ("collect-all",),
        0,
        f"ok    {JAN}: 154 models, 9 names folded into existing keys"
        f" (saved: {{data}}/scraped/{JAN}_models.json)",
        writes=frozenset({JAN_JSON}),
        check=read_as("deepseek_r1", 1357.5, 1883),
    )


NUMBERS = [
    read_as_written("decimal_comma", '3,DeepSeek-R1,"1357,5",+12/-13,1883,'),
    read_as_written("decimal_comma_with_point_grouping", '3,DeepSeek-R1,"1.357,5",+12/-13,1.883,'),
    read_as_written(
        "decimal_point_with_comma_grouping", '3,DeepSeek-R1,"1,357.5",+12/-13,"1,883",'
    ),
    Case(
        "both_marks_in_one_file_refuse_what_cannot_tell",
        all_of(
            replace(JAN_RAW, DEEPSEEK, '3,DeepSeek-R1,"1,357",+12/-13,1883,'),
            replace(JAN_RAW, "1,Gemini-Exp-1206,1374,", '1,Gemini-Exp-1206,"1374,5",'),
            replace(JAN_RAW, "9,o1-mini,1305,", "9,o1-mini,1305.5,"),
        ),
        ("collect-all",),
        0,
        warned(
            5, "arena_score", "1,357", "ambiguous (this file writes decimals both with . and ,)"
        ),
        writes=frozenset({JAN_JSON}),
        check=read_as("deepseek_r1", None, 1883),
    ),
    Case(
        "votes_1e300",
        replace(JAN_RAW, DEEPSEEK, "3,DeepSeek-R1,1357,+12/-13,1e300,"),
        ("collect-all",),
        0,
        warned(5, "votes", "1e300", "not a plausible count"),
        writes=frozenset({JAN_JSON}),
        check=read_as("deepseek_r1", 1357.0),
    ),
    Case(
        "votes_not_whole",
        replace(JAN_RAW, DEEPSEEK, "3,DeepSeek-R1,1357,+12/-13,1883.25,"),
        ("collect-all",),
        0,
        warned(5, "votes", "1883.25", "not a whole number"),
        writes=frozenset({JAN_JSON}),
        check=read_as("deepseek_r1", 1357.0),
    ),
]


@pytest.mark.parametrize("case", cases(NUMBERS))
def test_hostile_numbers(collect_home: Home, case: Case) -> None:
    verify(collect_home, case)


def test_a_european_export_reads_as_written(collect_home: Home) -> None:
    """The whole export as a spreadsheet in a German locale saves it: scores with a decimal
    comma, votes grouped with points."""
    rows = list(csv.reader(io.StringIO(text_of(collect_home, JAN_RAW))))
    for row in rows[1:]:
        row[2] = f"{row[2]},5"
        row[4] = f"{int(row[4]):,}".replace(",", ".")
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    write_file(collect_home, JAN_RAW, buffer.getvalue())
    result = collect_home.cli("collect-all")
    assert result.exit_code == 0 and "warning" not in result.output, result.output
    read_as("gemini_exp_1206", 1374.5, 22116)(collect_home, result)
