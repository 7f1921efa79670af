"""``tracker review-candidates`` at the terminal: the seed's sessions, display, batches."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from review_support import (
    DECIDED,
    STAMP,
    STAMPED_NOTE,
    Data,
    Review,
    assert_clean_exit,
    note,
    read_header,
    shown_fields,
    snapshot,
    summary,
)


def test_sample_candidates_come_closest_to_an_even_chance_first(data: Data) -> None:
    rows = data.rows("candidates")
    distance = [abs(float(rows[k]["p_above_1e25"]) - 0.5) for k in data.new_candidates()]
    assert distance == sorted(distance)
    assert distance[0] < 0.05 and distance[-1] > 0.45  # the undecided first, the sure last


def test_the_review_asks_in_that_order(data: Data, review: Review) -> None:
    first, second = data.new_candidates()[:2]
    output = review(input="s\nq\n").output
    assert output.index(f"] {first}\n") < output.index(f"] {second}\n")


def test_y_adds_to_staging_and_verifies_the_candidate(
    data: Data, review: Review, frozen_clock: str
) -> None:
    first = data.new_candidates()[0]
    result = review(input="y\nReported 3.5e26 in the launch post\nquit\n")
    assert_clean_exit(result)
    expected = note("Reported 3.5e26 in the launch post")
    staged = data.rows("staging")[first]
    assert staged["verified"] == "y"
    assert staged["status"] == "confirmed_above_1e25"
    assert staged["threshold_classification"] == "high_confidence_above_1e25"
    assert staged["notes"] == expected
    assert staged["last_updated"] == STAMP
    candidate = data.rows("candidates")[first]
    assert (candidate["verified"], candidate["notes"]) == ("y", expected)
    assert f"{first}: added to staging" in result.output
    assert result.output.splitlines()[-1] == summary(added=1)


def test_y_is_stamped_with_the_current_utc_time(data: Data, review: Review) -> None:
    first = data.new_candidates()[0]
    before = datetime.now(UTC).replace(microsecond=0)
    assert_clean_exit(review(input="y\nlaunch post\nq\n"))
    after = datetime.now(UTC)
    match = STAMPED_NOTE.fullmatch(data.rows("staging")[first]["notes"])
    assert match, data.rows("staging")[first]["notes"]
    assert match.group(2) == "Manual review: confirmed above 1e25 FLOP. Reason: launch post"
    stamp = datetime.fromisoformat(match.group(1).replace("Z", "+00:00"))
    assert before <= stamp <= after
    assert data.rows("candidates")[first]["notes"] == match.group(0)


def test_n_moves_the_candidate_below(data: Data, review: Review, frozen_clock: str) -> None:
    first = data.new_candidates()[0]
    original = data.rows("candidates")[first]
    below_before = len(data.rows("below"))
    result = review(input="n\nOnly a fine-tune of a smaller model\nq\n")
    assert_clean_exit(result)
    assert first not in data.rows("candidates")
    moved = data.rows("below")[first]
    assert moved["verified"] == "y"
    assert moved["status"] == "confirmed_below_1e25"
    assert moved["threshold_classification"] == "high_confidence_below_1e25"
    assert moved["notes"] == note("Only a fine-tune of a smaller model", "n")
    assert {c: v for c, v in moved.items() if c not in DECIDED} == {
        c: v for c, v in original.items() if c not in DECIDED
    }
    assert len(data.rows("below")) == below_before + 1
    assert not data.staging.exists()
    assert f"{first}: moved to below_1e25_flop.csv" in result.output
    assert result.output.splitlines()[-1] == summary(below=1)


def test_skip_leaves_every_file_unchanged(data: Data, review: Review) -> None:
    before = snapshot(data.root)
    result = review(input="skip\nquit\n")
    assert_clean_exit(result)
    assert snapshot(data.root) == before
    assert result.output.splitlines()[-1] == summary(skipped=1)


def test_quit_stops_at_once(data: Data, review: Review) -> None:
    before = snapshot(data.root)
    total = len(data.new_candidates())
    result = review(input="quit\ny\nnever read\n")
    assert_clean_exit(result)
    assert f"[1/{total}]" in result.output
    assert f"[2/{total}]" not in result.output
    assert snapshot(data.root) == before
    assert result.output.splitlines()[-1] == summary()


def test_a_mixed_session(data: Data, review: Review, frozen_clock: str) -> None:
    first, second, third, fourth = data.new_candidates()[:4]
    result = review(input="y\nabove reason\nn\nbelow reason\nskip\nquit\n")
    assert_clean_exit(result)
    assert list(data.rows("staging")) == [first]
    assert data.rows("below")[second]["notes"] == note("below reason", "n")
    assert second not in data.rows("candidates")
    assert data.rows("candidates")[third]["verified"] == ""
    assert data.new_candidates()[:2] == [third, fourth]
    assert result.output.splitlines()[-1] == summary(added=1, below=1, skipped=1)


def test_the_opening_line_counts_the_new_candidates(data: Data, review: Review) -> None:
    total = len(data.new_candidates())
    result = review(input="q\n")
    assert result.output.splitlines()[0] == (
        f"{total} new candidates. Answer y (above 1e25), n (below), skip or quit."
    )


@pytest.mark.parametrize("position", [0, 1])
def test_the_display_shows_every_field_a_reviewer_needs(
    data: Data, review: Review, position: int
) -> None:
    key = data.new_candidates()[position]
    cells = data.rows("candidates")[key]
    result = review(input="skip\n" * position + "q\n")
    total = len(data.new_candidates())
    output = result.output.split(f"[{position + 1}/{total}] {key}", 1)[1]
    assert shown_fields(output) == {
        "Developer": cells["developer"] or "-",
        "Training FLOP": cells["training_flop"] or "-",
        "Confidence": cells["confidence"] or "-",
        "Method": cells["estimation_method"] or "-",
        "Classification": cells["threshold_classification"] or "-",
        "Status": cells["status"] or "-",
        "Reasoning": cells["reasoning"] or "-",
        "Sources": cells["sources"] or "-",
        "Alternatives": cells["alternative_methods"] or "-",
        "Leaderboard names": fields_of_estimate(data, key),
        "Date": cells["release_date"] or f"{first_seen(data, key)} (first seen)",
        "P(above 1e25)": cells.get("p_above_1e25") or "-",
        "Published": "no",
    }


def first_seen(data: Data, key: str) -> str:
    """The day the first snapshot listing ``key`` was taken, as its estimate records it."""
    models = json.loads((data.root / "estimated/estimated_models.json").read_text())
    return next(m["first_seen"] for m in models["models"] if m["key"] == key)


def fields_of_estimate(data: Data, key: str) -> str:
    """The leaderboard names the estimate lists for ``key``."""
    models = json.loads((data.root / "estimated/estimated_models.json").read_text())
    record = next(m for m in models["models"] if m["key"] == key)
    return ", ".join(record["raw_names"])


def test_models_already_published_are_not_offered(data: Data, review: Review) -> None:
    """grok_3 maps to Epoch's Grok-3: no review needed; the command says so."""
    published = data.published_candidates()
    assert published["grok_3"] == "Grok-3" and len(published) == 17
    output = review(input="q\n").output
    line = output.splitlines()[1]
    assert line.startswith("Not offered: 17 already published (") and "Grok-3, " in line
    assert "grok_3" not in output and "[1/" in output


def test_the_display_of_o3(data: Data, review: Review) -> None:
    before = data.new_candidates().index("o3")
    output = review("--batch-size", "1000", input="s\n" * before + "q\n").output
    fields = shown_fields(output[output.index(f"[{before + 1}/") :])
    assert (fields["Developer"], fields["Published"]) == ("OpenAI", "no")
    assert fields["Leaderboard names"] == "o3-2025-04-16"
    assert fields["Date"] == "2025-05-18 (first seen)"  # the snapshot that first listed it


def test_batch_size_two_asks_for_the_next_batch_and_stops_on_n(data: Data, review: Review) -> None:
    total = len(data.new_candidates())
    result = review("--batch-size", "2", input="skip\nskip\nn\n")
    assert_clean_exit(result)
    assert "Reviewed 2. Next batch? (y/n): n" in result.output
    assert f"[3/{total}]" not in result.output
    assert result.output.splitlines()[-1] == summary(skipped=2)


def test_next_batch_y_goes_on_and_asks_again_after_the_next_two(data: Data, review: Review) -> None:
    total = len(data.new_candidates())
    result = review("--batch-size", "2", input="s\ns\ny\ns\ns\nn\n")
    assert_clean_exit(result)
    assert result.output.count("Next batch? (y/n)") == 2
    assert "Reviewed 4. Next batch? (y/n): n" in result.output
    assert f"[4/{total}]" in result.output
    assert f"[5/{total}]" not in result.output
    assert result.output.splitlines()[-1] == summary(skipped=4)


def test_the_batch_question_is_not_asked_within_a_batch(data: Data, review: Review) -> None:
    result = review(input="s\n" * 9 + "q\n")
    assert_clean_exit(result)
    assert "Next batch?" not in result.output
    assert result.output.splitlines()[-1] == summary(skipped=9)


def test_decisions_before_a_stop_at_the_batch_question_are_kept(
    data: Data, review: Review, frozen_clock: str
) -> None:
    first, second = data.new_candidates()[:2]
    result = review("--batch-size", "2", input="y\nfirst\nn\nsecond\nn\n")
    assert_clean_exit(result)
    assert data.rows("staging")[first]["notes"] == note("first")
    assert data.rows("below")[second]["notes"] == note("second", "n")
    assert result.output.splitlines()[-1] == summary(added=1, below=1)


@pytest.mark.parametrize("size", ["0", "-1", "two"])
def test_a_bad_batch_size_is_refused(data: Data, review: Review, size: str) -> None:
    before = snapshot(data.root)
    result = review("--batch-size", size, input="y\nreason\n")
    assert_clean_exit(result, 2)
    assert "--batch-size" in result.output
    assert snapshot(data.root) == before


def test_staging_gets_the_candidates_columns_in_order(data: Data, review: Review) -> None:
    assert_clean_exit(review(input="y\nreason\nn\nreason\nq\n"))
    assert read_header(data.staging) == read_header(data.candidates)
    assert read_header(data.below) == read_header(data.candidates)
