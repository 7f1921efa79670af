"""Answers at the review prompts: garbage asks again; any case and the aliases work."""

from __future__ import annotations

import pytest
from review_support import Data, Review, assert_clean_exit, note, snapshot, summary

DECISION_AGAIN = "Please answer y, n, skip or quit."
REASON_AGAIN = "Please give a reason (it is kept in the notes)."


def test_garbage_at_the_decision_prompt_asks_again(
    data: Data, review: Review, frozen_clock: str
) -> None:
    first = data.new_candidates()[0]
    result = review(input="maybe\ny\nreason\nq\n")
    assert_clean_exit(result)
    assert result.output.count(DECISION_AGAIN) == 1
    assert "Decision (y/n/skip/quit): maybe\nPlease answer" in result.output
    assert data.rows("staging")[first]["notes"] == note("reason")
    assert result.output.splitlines()[-1] == summary(added=1)


@pytest.mark.parametrize("garbage", ["", "   ", "maybe", "yy", "nope", "quit now", "1"])
def test_every_garbage_answer_asks_again_and_changes_nothing(
    data: Data, review: Review, garbage: str
) -> None:
    before = snapshot(data.root)
    result = review(input=f"{garbage}\nq\n")
    assert_clean_exit(result)
    assert result.output.count(DECISION_AGAIN) == 1
    assert snapshot(data.root) == before
    assert result.output.splitlines()[-1] == summary()


def test_an_empty_reason_asks_again(data: Data, review: Review, frozen_clock: str) -> None:
    first = data.new_candidates()[0]
    result = review(input="y\n\n   \nthe real reason\nq\n")
    assert_clean_exit(result)
    assert result.output.count(REASON_AGAIN) == 2
    assert data.rows("staging")[first]["notes"] == note("the real reason")
    assert data.rows("candidates")[first]["notes"] == note("the real reason")


def test_the_reason_is_kept_without_surrounding_blanks(
    data: Data, review: Review, frozen_clock: str
) -> None:
    first = data.new_candidates()[0]
    assert_clean_exit(review(input="n\n   Too small, see paper   \nq\n"))
    assert data.rows("below")[first]["notes"] == note("Too small, see paper", "n")


@pytest.mark.parametrize("answer", ["y", "Y", "yes", "YES", "Yes", "above", "Above", " y "])
def test_answers_meaning_above(data: Data, review: Review, frozen_clock: str, answer: str) -> None:
    first = data.new_candidates()[0]
    result = review(input=f"{answer}\nreason\nq\n")
    assert_clean_exit(result)
    assert data.rows("staging")[first]["verified"] == "y"
    assert result.output.splitlines()[-1] == summary(added=1)


@pytest.mark.parametrize("answer", ["n", "N", "no", "NO", "below", "BELOW", "Below"])
def test_answers_meaning_below(data: Data, review: Review, frozen_clock: str, answer: str) -> None:
    first = data.new_candidates()[0]
    result = review(input=f"{answer}\nreason\nq\n")
    assert_clean_exit(result)
    assert data.rows("below")[first]["status"] == "confirmed_below_1e25"
    assert first not in data.rows("candidates")
    assert result.output.splitlines()[-1] == summary(below=1)


@pytest.mark.parametrize("skip", ["s", "S", "skip", "SKIP"])
@pytest.mark.parametrize("stop", ["q", "Q", "quit", "QUIT"])
def test_skip_and_quit_in_any_case(data: Data, review: Review, skip: str, stop: str) -> None:
    total = len(data.new_candidates())
    before = snapshot(data.root)
    result = review(input=f"{skip}\n{stop}\n")
    assert_clean_exit(result)
    assert f"[2/{total}]" in result.output
    assert f"[3/{total}]" not in result.output
    assert snapshot(data.root) == before
    assert result.output.splitlines()[-1] == summary(skipped=1)


def test_garbage_at_the_batch_question_asks_again(data: Data, review: Review) -> None:
    total = len(data.new_candidates())
    result = review("--batch-size", "1", input="s\nmaybe\nYES\ns\nNo\n")
    assert_clean_exit(result)
    assert result.output.count("Please answer y or n.") == 1
    assert f"[2/{total}]" in result.output
    assert f"[3/{total}]" not in result.output
    assert result.output.splitlines()[-1] == summary(skipped=2)
