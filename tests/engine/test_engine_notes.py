"""Audit notes: stamping, appending once, splitting content from audit lines, excerpts."""

from __future__ import annotations

import pytest

from pipeline.curate.notes import appended, body, excerpt, split, stamped, with_audit

T1, T2 = "2030-01-02T03:04:05Z", "2031-06-07T08:09:10Z"
REVIEW = "Manual review: confirmed below 1e25 FLOP."


def test_stamped_puts_the_timestamp_in_brackets_before_the_text() -> None:
    assert stamped(T1, "Manual review: ok") == "[2030-01-02T03:04:05Z] Manual review: ok"


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        (f"[{T1}] text", "text"),
        (f"[{T1}]   spaced text", "spaced text"),
        (f"[{T1}] a [{T2}] b", f"a [{T2}] b"),
        ("no stamp", "no stamp"),
        ("[2030-01-02] date only", "[2030-01-02] date only"),
        (f" [{T1}] leading space", f" [{T1}] leading space"),
    ],
)
def test_body_drops_one_leading_timestamp(note: str, expected: str) -> None:
    assert body(note) == expected


@pytest.mark.parametrize("existing", ["", "   ", "\n\n"])
def test_a_note_in_an_empty_cell_is_the_note_alone(existing: str) -> None:
    assert appended(existing, stamped(T1, "first")) == f"[{T1}] first"


def test_a_note_goes_on_a_new_line_after_existing_text() -> None:
    assert appended("by hand", stamped(T1, "first")) == f"by hand\n[{T1}] first"
    assert appended(f"by hand\n[{T1}] first", stamped(T2, "second")) == (
        f"by hand\n[{T1}] first\n[{T2}] second"
    )


@pytest.mark.parametrize("stamp", [T1, T2])
def test_a_note_already_there_is_not_added_again_whatever_its_stamp(stamp: str) -> None:
    existing = f"by hand\n[{T1}] Manual review: confirmed"
    assert appended(existing, stamped(stamp, "Manual review: confirmed")) == existing


def test_appending_twice_adds_the_note_once() -> None:
    once = appended("by hand", stamped(T1, "reviewed"))
    assert appended(once, stamped(T2, "reviewed")) == once


@pytest.mark.parametrize(
    ("existing", "text"),
    [
        (f"[{T1}] {REVIEW} Reason: too big for us", f"{REVIEW} Reason: too big"),
        ("human", "a"),
    ],
    ids=["prefix of a longer reason", "inside a word"],
)
def test_a_different_note_whose_text_occurs_inside_the_cell_is_still_added(
    existing: str, text: str
) -> None:
    assert appended(existing, stamped(T2, text)) == f"{existing}\n[{T2}] {text}"


def test_split_separates_content_from_audit_lines() -> None:
    text = f"by hand\n[{T1}] first\nmore by hand\n[{T2}] second"
    assert split(text) == ("by hand\nmore by hand", [f"[{T1}] first", f"[{T2}] second"])


@pytest.mark.parametrize(
    "line", ["[2030-01-02] date only", "see [2030-01-02T00:00:00Z] later", " [2030-01-02T0] x"]
)
def test_split_counts_only_lines_starting_with_a_timestamp_as_audit(line: str) -> None:
    assert split(line) == (line.strip(), [])


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", ("", [])), ("  \n\n", ("", [])), (f"[{T1}] a", ("", [f"[{T1}] a"]))],
)
def test_split_of_empty_or_audit_only_cells(text: str, expected: tuple[str, list[str]]) -> None:
    assert split(text) == expected


@pytest.mark.parametrize(
    ("content", "audit"),
    [
        ("by hand", [f"[{T1}] first", f"[{T2}] second"]),
        ("line one\nline two", [f"[{T1}] only"]),
        ("", [f"[{T1}] only"]),
        ("just content", []),
        ("", []),
    ],
)
def test_with_audit_and_split_round_trip(content: str, audit: list[str]) -> None:
    text = with_audit(content, audit)
    assert split(text) == (content, audit)
    assert with_audit(*split(text)) == text


def test_with_audit_puts_content_first_then_one_audit_line_each() -> None:
    assert with_audit("c", [f"[{T1}] a", f"[{T2}] b"]) == f"c\n[{T1}] a\n[{T2}] b"
    assert with_audit("", [f"[{T1}] a"]) == f"[{T1}] a"


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("short", 80, "short"),
        ("a  b\n\tc  ", 80, "a b c"),
        ("x" * 80, 80, "x" * 80),
        ("x" * 81, 80, "x" * 79 + "…"),
        ("abcdef", 4, "abc…"),
        ("ab\ncd", 5, "ab cd"),
    ],
)
def test_excerpt_is_one_line_of_at_most_width_characters(
    text: str, width: int, expected: str
) -> None:
    assert excerpt(text, width) == expected
    assert len(excerpt(text, width)) <= width
