"""Canonical cell formats (ARCHITECTURE §4): numbers, FLOP, dates, timestamps, URLs."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from pipeline.values import (
    format_date,
    format_number,
    parse_date,
    parse_flop,
    parse_number,
    parse_timestamp,
    round_sig,
    urls_in,
    utc_now,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (5e26, "5e+26"),
        (3.8e25, "3.8e+25"),
        (405e9, "405000000000"),
        (1.0, "1"),
        (-3.0, "-3"),
        (0.5, "0.5"),
        (1e16, "1e+16"),
        (10**20, "1e+20"),
        (123456789012345.0, "123456789012345"),
        (1e-7, "1e-07"),
        (None, ""),
    ],
)
def test_format_number_shortest_round_trip(value: float | None, text: str) -> None:
    assert format_number(value) == text
    if value is not None:
        assert float(text) == value


@pytest.mark.parametrize(("value", "text"), [(1e15, "1e+15"), (2.5e15, "2.5e+15")])
def test_format_number_large_integers_have_no_trailing_zero(value: float, text: str) -> None:
    assert format_number(value) == text


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_format_number_refuses_non_finite(value: float) -> None:
    with pytest.raises(ValueError, match="not a finite number"):
        format_number(value)


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [(3.8123e25, 3, 3.81e25), (123456.0, 3, 123000.0), (-1234.0, 2, -1200.0), (0.0, 3, 0.0)],
)
def test_round_sig(value: float, digits: int, expected: float) -> None:
    assert round_sig(value, digits) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("3.8e25", 3.8e25), (" 5e+26 ", 5e26), ("1,000", 1000.0), ("", None), ("  ", None)],
)
def test_parse_flop_accepts(text: str, expected: float | None) -> None:
    assert parse_flop(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "'abc' is not a number"),
        ("-5", "'-5' is not positive"),
        ("0", "'0' is not positive"),
        ("1e99", "'1e99' is implausibly large (>= 1e30 FLOP)"),
        ("1e30", "'1e30' is implausibly large (>= 1e30 FLOP)"),
        ("NaN", "'NaN' is not a finite number"),
        ("inf", "'inf' is not a finite number"),
    ],
)
def test_parse_flop_rejects_with_clear_message(text: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_flop(text)
    assert str(info.value) == message


def test_parse_number_allows_negative_and_underscores() -> None:
    assert parse_number("-1_000.5") == -1000.5


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2024-07-23", date(2024, 7, 23)), ("7/23/2024", date(2024, 7, 23)), ("", None)],
)
def test_parse_date_accepts(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["31/31/2025", "2025-13-01", "2025-02-30", "July 2024"])
def test_parse_date_rejects(text: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_date(text)
    assert str(info.value) == f"{text!r} is not a date (use YYYY-MM-DD)"


def test_format_date() -> None:
    assert format_date(date(2024, 7, 3)) == "2024-07-03"
    assert format_date(None) == ""


def test_utc_now_is_iso_seconds_with_z() -> None:
    stamp = utc_now()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stamp)
    parsed = parse_timestamp(stamp)
    assert parsed is not None and parsed.tzinfo is not None
    assert abs((datetime.now(UTC) - parsed).total_seconds()) < 5


def test_parse_timestamp_naive_is_utc_and_bad_is_refused() -> None:
    assert parse_timestamp("2025-08-15T20:32:45") == datetime(2025, 8, 15, 20, 32, 45, tzinfo=UTC)
    assert parse_timestamp("") is None
    with pytest.raises(ValueError, match="is not an ISO 8601 timestamp"):
        parse_timestamp("yesterday")


def test_urls_in_strips_trailing_punctuation() -> None:
    text = "see https://a.com/x. and (https://b.org/y), https://c.io; https://d.net: end"
    assert urls_in(text) == ["https://a.com/x", "https://b.org/y", "https://c.io", "https://d.net"]


def test_urls_in_keeps_query_and_ignores_plain_text() -> None:
    assert urls_in('x "http://e.com/p?q=1&r=2" y') == ["http://e.com/p?q=1&r=2"]
    assert urls_in("no links here") == []


@pytest.mark.parametrize(
    "url",
    [
        "https://en.wikipedia.org/wiki/GPT-4_(language_model)",
        # from tests/fixtures/epoch/notable_ai_models_2024.csv
        "https://www.scirp.org/(S(351jmbntvnsjt1aadkposzje))/reference/ReferencesPapers.aspx?ReferenceID=547230",
    ],
)
def test_urls_in_keeps_balanced_parentheses(url: str) -> None:
    assert urls_in(f"Source: {url}.") == [url]
