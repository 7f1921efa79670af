"""Canonical cell formats: numbers, dates and timestamps (ARCHITECTURE §4)."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime
from functools import lru_cache

MAX_FLOP = 1e30
# Benchmark scores are ratings, percentages or points: anything beyond this is corrupt.
MAX_SCORE = 1e6
# Vote counts and ranks are whole numbers; no leaderboard has a billion of either.
MAX_COUNT = 1e9

_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%Y/%m/%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S")


@lru_cache(maxsize=1 << 16)  # estimates carry 3 significant figures: values repeat
def format_number(value: float | int | None) -> str:
    """Shortest text that round-trips: ``5e+26``, ``3.8e+25``, integers without ``.0``."""
    if value is None:
        return ""
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"not a finite number: {value!r}")
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    text = repr(number)
    if not text.endswith(".0"):
        return text
    # repr writes 1e15 <= |x| < 1e16 positionally ("1000000000000000.0"): use the
    # shortest exponent form that round-trips instead, as repr does from 1e16.
    for digits in range(17):
        short = f"{number:.{digits}e}"
        if float(short) == number:
            mantissa, exponent = short.split("e")
            return f"{mantissa}e+{int(exponent):02d}"
    return text


def round_sig(value: float, digits: int = 3) -> float:
    """Round to ``digits`` significant figures (estimates carry no more precision)."""
    if value == 0 or not math.isfinite(value):
        return value
    return float(f"{value:.{digits}g}")


_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?([eE][+-]?\d+)?$")


def parse_number(text: str) -> float | None:
    """Parse a number cell (``1,234``, ``3.8e25``); empty -> None; ValueError otherwise.
    A comma is read only as thousands grouping: ``1,5e25`` is refused, not read as 15e25."""
    text = text.strip().replace("_", "")
    if not text:
        return None
    if "," in text:
        if not _GROUPED.match(text):
            raise ValueError(f"{text!r} is not a number")
        text = text.replace(",", "")
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if not math.isfinite(number):
        raise ValueError(f"{text!r} is not a finite number")
    return number


_SPACES = str.maketrans("", "", "\u00a0\u202f\u2009 '")  # group separators besides , and .
_DIGITS = re.compile(r"[+-]?[\d.,]*\d(?:[eE][+-]?\d+)?")


def decimal_mark(text: str) -> str | None:
    """The decimal mark a number cell itself shows: ``1413,5`` -> ",", ``1,408.5`` -> ".",
    ``3.8e25`` -> "."; None when the cell cannot tell (``1,413``, ``1.413``, ``1413``)."""
    text = text.strip().translate(_SPACES)
    marks = [c for c in text if c in ",."]
    if not marks:
        return None
    if len(set(marks)) == 2:
        return marks[-1]
    mark = marks[0]
    if len(marks) > 1:
        return "." if mark == "," else ","  # repeated: a thousands separator
    if re.search(r"[eE]", text):
        return mark
    after = text.rsplit(mark, 1)[1]
    return None if len(after) == 3 and after.isdigit() else mark


def file_decimal_mark(cells: list[str]) -> str | None:
    """The decimal mark a file's number cells agree on ("." when none tells); None when
    they disagree, so a cell that cannot tell is refused rather than guessed."""
    marks = {mark for cell in cells if (mark := decimal_mark(cell))}
    if len(marks) > 1:
        return None
    return marks.pop() if marks else "."


def parse_localised(text: str, mark: str | None) -> float:
    """A number written with decimal ``mark`` ("." or ","; None: the cell must show it)
    and the other mark, a space or an apostrophe grouping thousands. ValueError when the
    cell is not such a number or its mark differs from the file's."""
    own = decimal_mark(text)
    if mark is None:
        if own is None and re.search(r"[.,]", text):
            raise ValueError("ambiguous (this file writes decimals both with . and ,)")
        mark = own or "."
    elif own is not None and own != mark:
        raise ValueError(f"written with the decimal mark {own!r}, the file uses {mark!r}")
    group = "," if mark == "." else "."
    body = text.strip().translate(_SPACES)
    if not _DIGITS.fullmatch(body):
        raise ValueError("not a number")
    whole, _, fraction = body.partition(mark)
    digits = whole.lstrip("+-")
    if group in digits and not re.fullmatch(rf"\d{{1,3}}(\{group}\d{{3}})+", digits):
        raise ValueError("not a number (misplaced thousands separator)")
    if group in fraction or mark in fraction:
        raise ValueError("not a number")
    number = float(whole.replace(group, "") + ("." + fraction if fraction else ""))
    if not math.isfinite(number):
        raise ValueError("not a finite number")
    return number


def parse_flop(text: str) -> float | None:
    """A training-compute cell: a positive number below 1e30, or empty."""
    number = parse_number(text)
    if number is None:
        return None
    if number <= 0:
        raise ValueError(f"{text.strip()!r} is not positive")
    if number >= MAX_FLOP:
        raise ValueError(f"{text.strip()!r} is implausibly large (>= 1e30 FLOP)")
    return number


@lru_cache(maxsize=1 << 12)  # a few dates (snapshot days) recur across many models
def parse_date(text: str) -> date | None:
    """Parse ``YYYY-MM-DD`` or the ``M/D/YYYY`` of Epoch's exports; empty -> None."""
    text = text.strip()
    if not text:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date (use YYYY-MM-DD)")


def format_date(value: date | None) -> str:
    return value.isoformat() if value else ""


def utc_now() -> str:
    """Now as ISO 8601 UTC with ``Z``, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_timestamp(text: str) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    try:
        stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO 8601 timestamp") from None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


_URL = re.compile(r"https?://[^\s<>\"]+")
_CLOSERS = {")": "(", "]": "["}


def _trim_url(url: str) -> str:
    """Drop trailing punctuation, and a closing bracket that has no opener in the URL."""
    while url:
        last = url[-1]
        unmatched = last in _CLOSERS and url.count(last) > url.count(_CLOSERS[last])
        if last not in ".,;:!?'\"" and not unmatched:
            break
        url = url[:-1]
    return url


def urls_in(text: str) -> list[str]:
    """The http(s) URLs a free-text cell mentions (``(see https://x.org/a)`` -> the URL)."""
    return [_trim_url(url) for url in _URL.findall(text)]
