"""``review-candidates --decisions FILE.csv``: the same effects as the terminal, all or nothing."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import pytest
from click.testing import Result
from review_support import (
    STAMP,
    Data,
    Review,
    applied,
    assert_clean_exit,
    invoke,
    note,
    snapshot,
    write_decisions,
)

Rows = Sequence[Sequence[str]]
COLUMNS = ("model", "decision", "reason")


class Decide(Protocol):
    def __call__(
        self,
        rows: Rows,
        name: str = "decisions.csv",
        header: Sequence[str] = COLUMNS,
        encoding: str = "utf-8",
    ) -> Result: ...


@pytest.fixture
def decide(review: Review, tmp_path: Path) -> Decide:
    """Write a decisions file and apply it: ``decide([(model, decision, reason)])``."""

    def go(
        rows: Rows,
        name: str = "decisions.csv",
        header: Sequence[str] = COLUMNS,
        encoding: str = "utf-8",
    ) -> Result:
        path = write_decisions(tmp_path / name, rows, header, encoding)
        return review("--decisions", str(path), input="")

    return go


def errors(result: Result) -> list[str]:
    """The lines of a refused decisions file; checks the exit status and that stdout is empty."""
    assert_clean_exit(result, 1)
    assert result.stdout == ""
    return result.stderr.splitlines()


def refused(file: Path, *lines: str) -> list[str]:
    """What a file with bad rows prints: one line per bad row, then the verdict."""
    verdict = f"Error: {file}: {len(lines)} bad row(s); nothing was applied"
    return [*(f"error: {file}, {line}" for line in lines), verdict]


def test_y_and_n_decisions_are_applied(data: Data, decide: Decide, frozen_clock: str) -> None:
    first, second, third = data.new_candidates()[:3]
    result = decide([(first, "y", "In the tech report"), (second, "n", "A distilled model")])
    assert_clean_exit(result)
    assert result.output == applied(added=1, below=1) + "\n"
    staged = data.rows("staging")[first]
    assert staged["verified"] == "y"
    assert staged["status"] == "confirmed_above_1e25"
    assert staged["threshold_classification"] == "high_confidence_above_1e25"
    assert staged["notes"] == note("In the tech report")
    assert data.rows("candidates")[first]["notes"] == note("In the tech report")
    moved = data.rows("below")[second]
    assert (moved["verified"], moved["status"]) == ("y", "confirmed_below_1e25")
    assert moved["threshold_classification"] == "high_confidence_below_1e25"
    assert moved["notes"] == note("A distilled model", "n")
    assert second not in data.rows("candidates")
    assert data.new_candidates()[0] == third


def test_a_file_and_the_terminal_make_identical_files(
    data: Data, project: Path, review: Review, tmp_path: Path, frozen_clock: str
) -> None:
    twin = tmp_path / "twin"
    shutil.copytree(data.root, twin)
    first, second = data.new_candidates()[:2]
    assert_clean_exit(review(input="y\nabove it\nn\nbelow it\nq\n"))
    rows = [(first, "y", "above it"), (second, "n", "below it")]
    path = write_decisions(tmp_path / "decisions.csv", rows)
    assert_clean_exit(invoke(twin, project / "configs", "review-candidates", "--decisions", path))
    ours, theirs = snapshot(twin), snapshot(data.root)
    history = [ours.pop("state/history.jsonl"), theirs.pop("state/history.jsonl")]
    assert ours == theirs
    # the same changes in the history; only how they were grouped into applies differs
    lines = [
        [{k: v for k, v in json.loads(x).items() if k != "apply"} for x in h.splitlines()]
        for h in history
    ]
    assert lines[0] == lines[1]


@pytest.mark.parametrize(
    "header",
    [
        ("Model", "Decision", "Reason"),
        ("MODEL", "DECISION", "REASON"),
        (" model ", "decision ", " Reason"),
    ],
)
def test_header_names_in_any_case(data: Data, decide: Decide, header: tuple[str, ...]) -> None:
    first = data.new_candidates()[0]
    result = decide([(first, "y", "reason")], header=header)
    assert_clean_exit(result)
    assert result.output == applied(added=1) + "\n"
    assert first in data.rows("staging")


def test_columns_in_another_order_and_extra_columns(data: Data, decide: Decide) -> None:
    first, second = data.new_candidates()[:2]
    header = ("reviewer", "reason", "model", "decision")
    rows = [("ana", "too small", first, "n"), ("bo", "big run", second, "y")]
    assert_clean_exit(result := decide(rows, header=header))
    assert result.output == applied(added=1, below=1) + "\n"
    assert data.rows("below")[first]["notes"].endswith("Reason: too small")
    assert data.rows("staging")[second]["notes"].endswith("Reason: big run")


def test_a_utf8_file_with_a_byte_order_mark(data: Data, review: Review, tmp_path: Path) -> None:
    first = data.new_candidates()[0]
    path = tmp_path / "excel.csv"
    path.write_bytes(f"\ufeffmodel,decision,reason\r\n{first},y,Café paper\r\n".encode())
    assert_clean_exit(result := review("--decisions", str(path)))
    assert result.output == applied(added=1) + "\n"
    assert data.rows("staging")[first]["notes"].endswith("Reason: Café paper")


@pytest.mark.parametrize(
    ("word", "table"),
    [
        *[(word, "staging") for word in ("Y", "yes", "ABOVE", " y ")],
        *[(word, "below") for word in ("N", "No", "below", "BELOW")],
    ],
)
def test_decision_words(data: Data, decide: Decide, word: str, table: str) -> None:
    first = data.new_candidates()[0]
    assert_clean_exit(decide([(first, word, "reason")]))
    assert data.rows(table)[first]["verified"] == "y"


def test_a_reason_is_kept_as_written(data: Data, decide: Decide, frozen_clock: str) -> None:
    first = data.new_candidates()[0]
    reason = 'Epoch says "3.5e26", see https://x.ai/blog/grok-3, p. 4'
    assert_clean_exit(decide([(first, "y", f"  {reason}  ")]))
    assert data.rows("staging")[first]["notes"] == note(reason)


def test_the_same_file_again_changes_nothing(data: Data, decide: Decide) -> None:
    first, second = data.new_candidates()[:2]
    rows = [(first, "y", "above it"), (second, "n", "below it")]
    assert_clean_exit(decide(rows))
    before = snapshot(data.root)
    result = decide(rows)
    assert_clean_exit(result)
    assert result.output == applied(unchanged=2) + "\n"
    assert snapshot(data.root) == before


def test_a_file_extended_with_new_decisions(data: Data, decide: Decide) -> None:
    first, second, third = data.new_candidates()[:3]
    assert_clean_exit(decide([(first, "y", "one"), (second, "n", "two")]))
    rows = [(first, "yes", "one"), (second, "below", "two"), (third, "n", "three")]
    assert_clean_exit(result := decide(rows))
    assert result.output == applied(below=1, unchanged=2) + "\n"
    assert data.rows("below")[third]["verified"] == "y"


def test_a_file_decided_at_the_terminal_is_already_in_effect(
    data: Data, decide: Decide, review: Review
) -> None:
    first, second = data.new_candidates()[:2]
    assert_clean_exit(review(input="y\nabove\nn\nbelow\nq\n"))
    before = snapshot(data.root)
    assert_clean_exit(result := decide([(first, "y", "other words"), (second, "n", "also")]))
    assert result.output == applied(unchanged=2) + "\n"
    assert snapshot(data.root) == before


BAD_ROWS = {
    "unknown model": (("no_such_model", "y", "why"), "field model: not a candidate"),
    "empty model": (("", "y", "why"), "field model: empty model"),
    "decision maybe": (
        ("{second}", "maybe", "why"),
        "field decision: 'maybe' is not a decision: use y or n",
    ),
    "empty decision": (("{second}", "", "why"), "field decision: '' is not a decision: use y or n"),
    "empty reason": (("{second}", "n", ""), "field reason: a decision needs a reason"),
    "blank reason": (("{second}", "y", "   "), "field reason: a decision needs a reason"),
    "listed twice": (
        ("{first}", "n", "again"),
        "field model: '{first}' is decided twice (also row 2)",
    ),
}


@pytest.mark.parametrize("case", BAD_ROWS)
def test_a_bad_row_is_reported_and_nothing_is_applied(
    data: Data, decide: Decide, tmp_path: Path, case: str
) -> None:
    first, second = data.new_candidates()[:2]
    row, message = BAD_ROWS[case]
    bad = [cell.format(first=first, second=second) for cell in row]
    before = snapshot(data.root)
    result = decide([(first, "y", "a good row"), bad])
    message = message.format(first=first)
    assert errors(result) == refused(tmp_path / "decisions.csv", f"row 3, {message}")
    assert snapshot(data.root) == before


def test_a_model_the_pipeline_put_below_is_not_a_candidate(
    data: Data, decide: Decide, tmp_path: Path
) -> None:
    classified = next(iter(data.rows("below")))
    before = snapshot(data.root)
    result = decide([(classified, "y", "I think it is above")])
    expected = refused(tmp_path / "decisions.csv", "row 2, field model: not a candidate")
    assert errors(result) == expected
    assert snapshot(data.root) == before


@pytest.mark.parametrize(("earlier", "later", "word"), [("n", "y", "below"), ("y", "n", "above")])
def test_a_decision_against_an_earlier_one_is_refused(
    data: Data, decide: Decide, tmp_path: Path, earlier: str, later: str, word: str
) -> None:
    first, second = data.new_candidates()[:2]
    assert_clean_exit(decide([(first, earlier, "first look")], name="earlier.csv"))
    before = snapshot(data.root)
    result = decide([(second, "y", "fine"), (first, later, "second thoughts")])
    message = f"row 3, field decision: '{first}' was confirmed {word} earlier; "
    expected = refused(tmp_path / "decisions.csv", message + "change it in its file by hand")
    assert errors(result) == expected
    assert snapshot(data.root) == before


def test_every_bad_row_is_reported(data: Data, decide: Decide, tmp_path: Path) -> None:
    first, second, third = data.new_candidates()[:3]
    rows = [(first, "maybe", "r"), (second, "y", ""), (third, "y", "good"), (first, "n", "r")]
    before = snapshot(data.root)
    assert errors(decide(rows)) == refused(
        tmp_path / "decisions.csv",
        "row 2, field decision: 'maybe' is not a decision: use y or n",
        "row 3, field reason: a decision needs a reason",
        f"row 5, field model: '{first}' is decided twice (also row 2)",
    )
    assert snapshot(data.root) == before


def test_every_bad_row_is_reported_whatever_its_kind(
    data: Data, decide: Decide, tmp_path: Path
) -> None:
    first = data.new_candidates()[0]
    rows = [("no_such_model", "y", "r"), (first, "maybe", "r")]
    before = snapshot(data.root)
    assert errors(decide(rows)) == refused(
        tmp_path / "decisions.csv",
        "row 2, field model: not a candidate",
        "row 3, field decision: 'maybe' is not a decision: use y or n",
    )
    assert snapshot(data.root) == before


@pytest.mark.parametrize(
    ("header", "missing"),
    [(("model", "decision"), "reason"), (("model", "verdict", "why"), "decision, reason")],
)
def test_a_missing_column_is_one_line_naming_row_1(
    data: Data, decide: Decide, tmp_path: Path, header: tuple[str, ...], missing: str
) -> None:
    first = data.new_candidates()[0]
    before = snapshot(data.root)
    result = decide([(first, "y", "r")[: len(header)]], header=header)
    file = tmp_path / "decisions.csv"
    assert errors(result) == [f"Error: {file}, row 1: missing column(s) {missing}"]
    assert snapshot(data.root) == before


def test_a_file_that_is_not_utf8(data: Data, decide: Decide, tmp_path: Path) -> None:
    first = data.new_candidates()[0]
    before = snapshot(data.root)
    result = decide([(first, "y", "café")], encoding="latin-1")
    file = tmp_path / "decisions.csv"
    message = "not UTF-8 text (byte 0xe9 on line 2); save it as UTF-8"
    assert errors(result) == [f"Error: {file}: {message}"]
    assert snapshot(data.root) == before


def test_a_row_with_too_few_cells(data: Data, review: Review, tmp_path: Path) -> None:
    first, second = data.new_candidates()[:2]
    path = tmp_path / "short.csv"
    path.write_text(f"model,decision,reason\n{first},y,ok\n{second},n\n", encoding="utf-8")
    before = snapshot(data.root)
    (line,) = errors(review("--decisions", str(path)))
    assert line.startswith(f"Error: {path}, row 3: ")
    assert snapshot(data.root) == before


@pytest.mark.parametrize("content", [b"", b"\n"])
def test_a_file_without_a_header(
    data: Data, review: Review, tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    before = snapshot(data.root)
    (line,) = errors(review("--decisions", str(path)))
    assert line.startswith(f"Error: {path}")
    assert snapshot(data.root) == before


def test_a_missing_decisions_file(data: Data, review: Review, tmp_path: Path) -> None:
    before = snapshot(data.root)
    result = review("--decisions", str(tmp_path / "nowhere.csv"))
    assert_clean_exit(result, 2)
    assert "nowhere.csv" in result.output
    assert "does not exist" in result.output
    assert snapshot(data.root) == before


def test_decisions_for_every_candidate(data: Data, decide: Decide) -> None:
    keys = data.new_candidates()
    rows = [(key, "y" if n % 3 == 0 else "n", f"batch {n}") for n, key in enumerate(keys)]
    assert_clean_exit(result := decide(rows))
    above = len(range(0, len(keys), 3))
    assert result.output == applied(added=above, below=len(keys) - above) + "\n"
    assert data.new_candidates() == []
    assert len(data.rows("staging")) == above


def test_a_file_with_no_decisions_changes_no_file(data: Data, decide: Decide) -> None:
    before = snapshot(data.root)
    result = decide([])
    assert_clean_exit(result)
    assert result.output == applied() + "\n"
    assert snapshot(data.root) == before


def test_only_n_decisions_create_no_staging_file(data: Data, decide: Decide) -> None:
    first, second = data.new_candidates()[:2]
    assert_clean_exit(decide([(first, "n", "one"), (second, "n", "two")]))
    assert not data.staging.exists()


def test_a_reason_on_several_lines_becomes_a_one_line_note(
    data: Data, decide: Decide, frozen_clock: str
) -> None:
    first = data.new_candidates()[0]
    assert_clean_exit(decide([(first, "n", "Distilled from\n  a bigger model")]))
    assert data.rows("below")[first]["notes"] == note("Distilled from a bigger model", "n")


def test_the_stamp_is_the_same_for_the_whole_file(
    data: Data, decide: Decide, frozen_clock: str
) -> None:
    first, second, third = data.new_candidates()[:3]
    assert_clean_exit(decide([(first, "y", "a"), (second, "n", "b"), (third, "y", "c")]))
    assert data.rows("staging")[first]["last_updated"] == STAMP
    assert data.rows("below")[second]["last_updated"] == STAMP
    assert data.rows("candidates")[third]["last_updated"] == STAMP
