"""Decisions never lose human work: earlier notes, corrected cells, extra columns."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from review_support import (
    DECIDED,
    STAMP,
    Data,
    Review,
    assert_clean_exit,
    edit_candidate,
    note,
    read_header,
    rewrite_rows,
    write_decisions,
)

EARLIER = "Checked by Ana: see appendix B of the report\n[2025-03-01T10:00:00Z] Corrected FLOP"


def decide(review: Review, folder: Path, key: str, decision: str, reason: str) -> None:
    """Apply one decision from a decisions file written in ``folder``."""
    path = write_decisions(folder / "decisions.csv", [(key, decision, reason)])
    assert_clean_exit(review("--decisions", str(path)))


def terminal(review: Review, _folder: Path, _key: str, decision: str, reason: str) -> None:
    """Apply one decision at the terminal (``_key`` is the first candidate)."""
    assert_clean_exit(review(input=f"{decision}\n{reason}\nq\n"))


Way = Callable[[Review, Path, str, str, str], None]
WAYS = pytest.mark.parametrize("way", [terminal, decide], ids=["terminal", "file"])


@WAYS
def test_y_keeps_the_candidates_notes(
    data: Data, review: Review, tmp_path: Path, frozen_clock: str, way: Way
) -> None:
    first = data.new_candidates()[0]
    edit_candidate(data, first, notes=EARLIER)
    way(review, tmp_path, first, "y", "launch post")
    expected = f"{EARLIER}\n{note('launch post')}"
    assert data.rows("candidates")[first]["notes"] == expected
    assert data.rows("staging")[first]["notes"] == expected


@WAYS
def test_n_keeps_the_candidates_notes(
    data: Data, review: Review, tmp_path: Path, frozen_clock: str, way: Way
) -> None:
    first = data.new_candidates()[0]
    edit_candidate(data, first, notes=EARLIER)
    way(review, tmp_path, first, "n", "a small model")
    assert data.rows("below")[first]["notes"] == f"{EARLIER}\n{note('a small model', 'n')}"


@WAYS
def test_the_staged_row_keeps_every_candidate_column(
    data: Data, review: Review, tmp_path: Path, frozen_clock: str, way: Way
) -> None:
    first = data.new_candidates()[0]
    original = edit_candidate(data, first, parameters="1.2e+12", parameter_source="interview")
    way(review, tmp_path, first, "y", "reason")
    staged = data.rows("staging")[first]
    assert staged.keys() == original.keys()
    assert {c: staged[c] for c in staged if c not in DECIDED} == {
        c: original[c] for c in original if c not in DECIDED
    }
    assert staged["last_updated"] == STAMP


@WAYS
def test_the_row_moved_below_keeps_every_candidate_column(
    data: Data, review: Review, tmp_path: Path, way: Way
) -> None:
    first = data.new_candidates()[0]
    original = edit_candidate(data, first, training_flop="8e+24", reviewer_comment="ask Bo")
    way(review, tmp_path, first, "n", "reason")
    moved = data.rows("below")[first]
    assert {c: moved[c] for c in moved if c not in DECIDED} == {
        c: original[c] for c in original if c not in DECIDED
    }


def test_other_candidates_keep_their_bytes(data: Data, review: Review) -> None:
    before = data.candidates.read_bytes().splitlines(keepends=True)
    second = 1 + list(data.rows("candidates")).index(data.new_candidates()[1])
    assert_clean_exit(review(input="skip\ny\nreason\nq\n"))
    after = data.candidates.read_bytes().splitlines(keepends=True)
    assert len(after) == len(before)
    changed = [n for n, (old, new) in enumerate(zip(before, after, strict=True)) if old != new]
    assert changed == [second]


def test_the_other_rows_of_below_keep_their_bytes(data: Data, review: Review) -> None:
    before = data.below.read_bytes()
    assert_clean_exit(review(input="n\nreason\nq\n"))
    after = data.below.read_bytes()
    assert after.startswith(before)
    assert after[len(before) :].count(b"\n") == 1


def test_the_staged_row_keeps_a_column_people_added(
    data: Data, review: Review, tmp_path: Path
) -> None:
    first = data.new_candidates()[0]
    edit_candidate(data, first, reviewer_comment="ask Bo about the cluster size")
    decide(review, tmp_path, first, "y", "reason")
    staged = data.rows("staging")[first]
    assert staged.get("reviewer_comment") == "ask Bo about the cluster size"


def stage_unverified(data: Data, key: str, notes: str) -> None:
    """Put a copy of the unverified candidate in staging (as a published->staging sync may)."""
    row = {**data.rows("candidates")[key], "notes": notes}
    rewrite_rows(data.staging, [row], read_header(data.candidates))


def test_y_for_a_model_already_in_staging_keeps_its_staging_notes(
    data: Data, review: Review, tmp_path: Path, frozen_clock: str
) -> None:
    first = data.new_candidates()[0]
    stage_unverified(data, first, "Pulled from published")
    decide(review, tmp_path, first, "y", "reason")
    staged = data.rows("staging")[first]
    assert staged["verified"] == "y"
    assert staged["notes"] == f"Pulled from published\n{note('reason')}"


def test_y_for_a_model_already_in_staging_confirms_it_there(
    data: Data, review: Review, tmp_path: Path
) -> None:
    key = "gemini_2.5_pro"
    assert data.rows("candidates")[key]["status"] == "likely_above_1e25"
    stage_unverified(data, key, "")
    decide(review, tmp_path, key, "y", "reason")
    staged = data.rows("staging")[key]
    assert staged["status"] == "confirmed_above_1e25"
    assert staged["threshold_classification"] == "high_confidence_above_1e25"


def test_n_for_a_model_already_in_staging_does_not_leave_it_in_both(
    data: Data, review: Review, tmp_path: Path
) -> None:
    first = data.new_candidates()[0]
    stage_unverified(data, first, "")
    path = write_decisions(tmp_path / "decisions.csv", [(first, "n", "reason")])
    result = review("--decisions", str(path))
    assert "Traceback" not in result.output
    assert not (first in data.rows("staging") and first in data.rows("below"))
