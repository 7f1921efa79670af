"""A stateful fake of the Google Sheets API v4, served through ``responses`` callbacks.

Real client code (``gspread.Client(auth=None, session=requests.Session())`` and its
``http_client``) talks to it over ``requests`` exactly as it would to
``https://sheets.googleapis.com``; nothing leaves the process.

    fake = FakeSheets()
    fake.add_sheet("Candidates")
    with responses.RequestsMock() as rsps:
        fake.install(rsps)
        ...  # drive gspread / the tracker
    assert fake.count("read") == 1

One ``FakeSheets`` is one spreadsheet. Every rule below names the real behaviour it mirrors;
where the fake simplifies (formulas, number formats, the ``values.append`` table search) the
docstring says so.
"""

from __future__ import annotations

import ast
import copy
import json
import math
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import requests
import responses

Scalar = str | int | float | bool | None
"""A cell value as the API carries it in JSON (``None``: an empty cell)."""

MAX_BODY_BYTES = 10 * 1024 * 1024
"""Google's front end refuses a request body over 10 MiB (400 INVALID_ARGUMENT)."""
MAX_CELL_CHARS = 50_000
"""Sheets refuses a cell holding more than 50,000 characters."""
MAX_WORKBOOK_CELLS = 10_000_000
"""Sheets refuses to grow a spreadsheet beyond 10 million cells (all tabs together)."""
MAX_COLUMNS = 18_278
"""Column ZZZ, the last column Sheets allows."""
SERIAL_EPOCH = date(1899, 12, 30)
"""Day 0 of Sheets' date serial numbers (so 1900-01-01 is 2, as in Lotus/Excel)."""

KINDS = ("metadata", "read", "write", "structure", "other", "token")
"""Call kinds: spreadsheet GET, values reads, values writes, spreadsheets:batchUpdate, the
token endpoint."""

TOKEN_URI = "https://oauth2.googleapis.com/token"
"""Google's OAuth 2.0 token endpoint (a service account key file's ``token_uri``)."""
TOKEN_LIFETIME = 3600
"""Seconds an access token lasts."""
SHEETS_SCOPE = "https://www.googleapis.com/auth/spreadsheets"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
INVALID_CREDENTIALS = (
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
    "cookie or other valid authentication credential. See "
    "https://developers.google.com/identity/sign-in/web/devconsole-project."
)

_STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
_DEFAULT_MESSAGES = {
    400: "Request contains an invalid argument.",
    401: (
        "Request is missing required authentication credential. Expected OAuth 2 access "
        "token, login cookie or other valid authentication credential. See "
        "https://developers.google.com/identity/sign-in/web/devconsole-project."
    ),
    403: "The caller does not have permission",
    404: "Requested entity was not found.",
    409: "The operation was aborted.",
    429: "Quota exceeded.",
    500: "Internal error encountered.",
    502: "Bad Gateway",
    503: "The service is currently unavailable.",
    504: "The request timed out. Please try again.",
}
_ERROR_TYPES = {
    "#NAME?": "NAME",
    "#ERROR!": "ERROR",
    "#DIV/0!": "DIVIDE_BY_ZERO",
    "#VALUE!": "VALUE",
    "#REF!": "REF",
    "#N/A": "N_A",
    "#NUM!": "NUM",
}
"""Error display strings (what UNFORMATTED_VALUE returns for them) -> ErrorValue types."""


def too_large_body() -> dict[str, Any]:
    """What Google answers a request body over :data:`MAX_BODY_BYTES`."""
    message = f"Request payload size exceeds the limit: {MAX_BODY_BYTES} bytes."
    errors = [{"message": message, "domain": "global", "reason": "badRequest"}]
    return error_body(400, message, errors=errors)


def _size(body: str | bytes | None) -> int:
    """A request body's length in bytes."""
    return len(body.encode("utf-8") if isinstance(body, str) else body or b"")


def error_body(status: int, message: str | None = None, **extra: Any) -> dict[str, Any]:
    """Google's JSON error envelope: ``{"error": {"code", "message", "status"}}``."""
    error: dict[str, Any] = {
        "code": status,
        "message": message or _DEFAULT_MESSAGES.get(status, "Error"),
        "status": _STATUS_NAMES.get(status, "UNKNOWN"),
    }
    error.update(extra)
    return {"error": error}


class ApiError(Exception):
    """Raised inside a handler; becomes an HTTP error response with Google's error body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _bad(message: str) -> ApiError:
    return ApiError(400, message)


# ---------------------------------------------------------------------------------------------
# Clock


class FakeClock:
    """Time that moves only when told: on ``sleep()``, ``advance()``, or per request.

    ``advance_per_request`` makes every request the fake serves take that many seconds, so a
    client that never sleeps still sees the rate-limit window roll over eventually.
    """

    def __init__(self, start: float = 0.0, advance_per_request: float = 0.0) -> None:
        self.t = float(start)
        self.advance_per_request = float(advance_per_request)
        self.sleeps: list[float] = []

    def now(self) -> float:
        """Seconds since an arbitrary epoch (monotonic, like ``time.monotonic``)."""
        return self.t

    def sleep(self, seconds: float) -> None:
        """Advance time by ``seconds`` at once; recorded in ``sleeps``."""
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        self.sleeps.append(float(seconds))
        self.t += float(seconds)

    def advance(self, seconds: float) -> None:
        """Move time forward without recording a sleep."""
        self.t += float(seconds)

    def on_request(self) -> None:
        """Called by ``FakeSheets`` at the start of every request it serves."""
        self.t += self.advance_per_request


# ---------------------------------------------------------------------------------------------
# Cells and values


@dataclass
class Cell:
    """One non-empty cell: its effective value, the formula that produced it, its format.

    ``value`` is what ``UNFORMATTED_VALUE`` reads (for a formula, the computed stand-in);
    ``formula`` is set only for cells entered as ``=...`` under USER_ENTERED, and is what
    ``FORMULA`` reads; ``number_format`` records how USER_ENTERED parsed numeric text
    (``"DATE:<pattern>"``, ``"PERCENT"``, ``"CURRENCY"``, ``"GROUPED"``) and drives
    ``FORMATTED_VALUE``.
    """

    value: str | int | float | bool
    formula: str | None = None
    number_format: str | None = None

    @property
    def is_formula(self) -> bool:
        return self.formula is not None


def _number(x: float | int) -> int | float:
    """A double as Sheets returns it in JSON: integral values without ``.0``."""
    if isinstance(x, bool):
        raise TypeError("bool is not a number here")
    f = float(x)
    if f.is_integer() and abs(f) < 2**53:
        return int(f)
    return f


_NUM_RE = re.compile(r"([+-]?)(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d*))?(?:[eE]([+-]?\d+))?")
_DATE_PATTERNS: tuple[tuple[re.Pattern[str], str, tuple[int, int, int]], ...] = (
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), "yyyy-mm-dd", (0, 1, 2)),
    (re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"), "yyyy/mm/dd", (0, 1, 2)),
    (re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})"), "m/d/yyyy", (2, 0, 1)),
)
_TIME_RE = re.compile(r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")


def _parse_number_text(text: str) -> tuple[int | float, bool] | None:
    """Numeric text as Sheets (en_US locale) reads it: ``42``, ``-3.5``, ``1,234``, ``5e+26``.

    Returns the number and whether thousands separators were used, or ``None``.
    Leading zeros are dropped (``007`` becomes 7), as Sheets does.
    """
    m = _NUM_RE.fullmatch(text)
    if not m:
        return None
    sign, whole, frac, exp = m.groups()
    if whole is None and not frac:
        return None
    try:
        value = float(
            sign + (whole or "0").replace(",", "") + "." + (frac or "0") + "e" + (exp or "0")
        )
    except ValueError:  # pragma: no cover - the regex admits only valid floats
        return None
    if math.isinf(value):
        return None
    return _number(value), bool(whole and "," in whole)


def _parse_date_text(text: str) -> tuple[float, str] | None:
    """Dates (and date-times) Sheets recognises in en_US, as serial numbers.

    ``2025-07-10`` -> 45848 (days since 1899-12-30), ``7/10/2025``, ``2025/07/10``, each with
    an optional `` HH:MM[:SS]`` (a fraction of a day). The display pattern follows the input.
    """
    for pattern, fmt, (yi, mi, di) in _DATE_PATTERNS:
        m = pattern.match(text)
        if not m:
            continue
        t = _TIME_RE.fullmatch(text[m.end() :])
        if t is None:
            continue
        parts = m.groups()
        try:
            day = date(int(parts[yi]), int(parts[mi]), int(parts[di]))
        except ValueError:
            return None
        serial: float = (day - SERIAL_EPOCH).days
        if t.group(1) is not None:
            h, mnt, s = int(t.group(1)), int(t.group(2)), int(t.group(3) or 0)
            if h > 23 or mnt > 59 or s > 59:
                return None
            serial += (h * 3600 + mnt * 60 + s) / 86400
            fmt += " hh:mm:ss" if t.group(3) is not None else " hh:mm"
        return serial, fmt
    return None


def _evaluate_formula(formula: str) -> str | int | float | bool:
    """A stand-in for Sheets' calculation engine, enough to tell a formula from text.

    Computes arithmetic on literals (``=1+1`` -> 2, ``=2^10``, ``=(1+2)*3``), string literals
    (``="a"``) and ``HYPERLINK(url[, label])`` (-> label or url). Anything else (functions,
    cell references) gives ``"#NAME?"``; a syntax error gives ``"#ERROR!"``; division by zero
    ``"#DIV/0!"``; arithmetic on text ``"#VALUE!"`` - the strings Sheets returns for errors.
    """
    text = formula[1:].strip()
    if not text:
        return "#ERROR!"
    try:
        tree = ast.parse(text.replace("^", "**"), mode="eval")
    except SyntaxError:
        return "#ERROR!"

    class _Name(Exception):
        pass

    class _Value(Exception):
        pass

    def ev(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float | str):
            return node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            v = ev(node.operand)
            if not isinstance(v, int | float):
                raise _Value
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp):
            a, b = ev(node.left), ev(node.right)
            if not isinstance(a, int | float) or not isinstance(b, int | float):
                raise _Value
            ops: dict[type, Callable[[Any, Any], Any]] = {
                ast.Add: lambda x, y: x + y,
                ast.Sub: lambda x, y: x - y,
                ast.Mult: lambda x, y: x * y,
                ast.Div: lambda x, y: x / y,
                ast.Pow: lambda x, y: x**y,
            }
            op = ops.get(type(node.op))
            if op is None:
                raise _Name
            return op(a, b)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id.upper() == "HYPERLINK"
            and 1 <= len(node.args) <= 2
        ):
            args = [ev(a) for a in node.args]
            return str(args[-1])
        raise _Name

    try:
        result = ev(tree)
    except _Name:
        return "#NAME?"
    except _Value:
        return "#VALUE!"
    except ZeroDivisionError:
        return "#DIV/0!"
    except (OverflowError, ValueError, TypeError):
        return "#NUM!"
    if isinstance(result, int | float):
        if isinstance(result, float) and (math.isinf(result) or math.isnan(result)):
            return "#NUM!"
        return _number(result)
    return result


def parse_user_entered(value: Scalar) -> Cell | None:
    """USER_ENTERED: the value is parsed as if typed into the Sheets UI (en_US locale).

    ``""``/``None`` clears; ``'text`` forces text (the apostrophe is not stored); ``=...`` is a
    formula; ``TRUE``/``FALSE`` (any case) are booleans; numeric text, ``12%``, ``$5``,
    ``1,234`` are numbers; recognised dates are date serial numbers; JSON numbers and booleans
    stay what they are; everything else is text, unchanged.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return Cell(value)
    if isinstance(value, int | float):
        return Cell(_number(value))
    if value == "":
        return None
    if value.startswith("'"):
        return Cell(value[1:]) if len(value) > 1 else None
    if value.startswith("=") and len(value) > 1:
        return Cell(_evaluate_formula(value), formula=value)
    text = value.strip()
    if text.upper() in ("TRUE", "FALSE"):
        return Cell(text.upper() == "TRUE")
    parsed = _parse_number_text(text)
    if parsed is not None:
        number, grouped = parsed
        return Cell(number, number_format="GROUPED" if grouped else None)
    if text.endswith("%"):
        parsed = _parse_number_text(text[:-1].strip())
        if parsed is not None:
            return Cell(_number(parsed[0] / 100), number_format="PERCENT")
    m = re.fullmatch(r"([+-]?)\$(.+)", text)
    if m:
        parsed = _parse_number_text(m.group(2))
        if parsed is not None:
            sign = -1 if m.group(1) == "-" else 1
            return Cell(_number(sign * parsed[0]), number_format="CURRENCY")
    dated = _parse_date_text(text)
    if dated is not None:
        return Cell(_number(dated[0]), number_format="DATE:" + dated[1])
    return Cell(value)


def parse_raw(value: Scalar) -> Cell | None:
    """RAW: stored exactly as sent - strings stay strings (``"=1+1"``, ``"5e+26"``, ``"42"``
    are text), JSON numbers are numbers, booleans booleans; ``""``/``None`` clear."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return Cell(value)
    if isinstance(value, int | float):
        return Cell(_number(value))
    return Cell(value)


def _serial_to_datetime(serial: float) -> datetime:
    return datetime.combine(SERIAL_EPOCH, datetime.min.time()) + timedelta(
        seconds=round(serial * 86400)
    )


def _format_date(serial: float, pattern: str) -> str:
    d = _serial_to_datetime(serial)
    day_part, _, time_part = pattern.partition(" ")
    if day_part == "yyyy-mm-dd":
        out = f"{d.year:04d}-{d.month:02d}-{d.day:02d}"
    elif day_part == "yyyy/mm/dd":
        out = f"{d.year:04d}/{d.month:02d}/{d.day:02d}"
    else:
        out = f"{d.month}/{d.day}/{d.year}"
    if time_part == "hh:mm":
        out += f" {d.hour:02d}:{d.minute:02d}"
    elif time_part == "hh:mm:ss":
        out += f" {d.hour:02d}:{d.minute:02d}:{d.second:02d}"
    return out


def format_number(value: int | float) -> str:
    """Sheets' automatic number format (approximate): integers in full below 1e15,
    others to 10 significant digits (``0.3333333333``), large ones as ``1.23457E+16``."""
    v = float(value)
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    text = f"{v:.6G}" if abs(v) >= 1e15 else f"{v:.10G}"
    if "E" in text:
        mantissa, exp = text.split("E")
        sign = exp[0] if exp[0] in "+-" else "+"
        digits = exp.lstrip("+-").rjust(2, "0")
        text = f"{mantissa}E{sign}{digits}"
    return text


def formatted_value(cell: Cell) -> str:
    """FORMATTED_VALUE: the text Sheets displays for the cell."""
    v = cell.value
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, str):
        return v
    fmt = cell.number_format or ""
    if fmt.startswith("DATE:"):
        return _format_date(v, fmt[5:])
    if fmt == "PERCENT":
        pct = round(v * 100, 10)
        return f"{_number(pct)}%" if float(pct).is_integer() else f"{pct:.2f}%"
    if fmt == "CURRENCY":
        return f"-${abs(v):,.2f}" if v < 0 else f"${v:,.2f}"
    if fmt == "GROUPED":
        return f"{int(v):,}" if float(v).is_integer() else f"{v:,.2f}"
    return format_number(v)


def render_cell(cell: Cell | None, value_render: str, date_render: str) -> Scalar:
    """One cell under ``valueRenderOption`` / ``dateTimeRenderOption``.

    FORMATTED_VALUE: display text. UNFORMATTED_VALUE: JSON numbers (integral without
    ``.0``), booleans, strings; dates as serial numbers unless dateTimeRenderOption is
    FORMATTED_STRING. FORMULA: the formula for formula cells, else as UNFORMATTED_VALUE.
    """
    if cell is None:
        return None
    if value_render == "FORMATTED_VALUE":
        return formatted_value(cell)
    if value_render == "FORMULA" and cell.formula is not None:
        return cell.formula
    v = cell.value
    if isinstance(v, bool | str):
        return v
    if date_render == "FORMATTED_STRING" and (cell.number_format or "").startswith("DATE:"):
        return formatted_value(cell)
    return _number(v)


# ---------------------------------------------------------------------------------------------
# A1 notation


def col_letter(index: int) -> str:
    """0-based column index -> ``A``, ``Z``, ``AA``..."""
    out = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def col_index(letters: str) -> int:
    """``A`` -> 0, ``AA`` -> 26 (case-insensitive)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def quote_title(title: str) -> str:
    """A sheet title as the API writes it in ranges: bare when it is a plain identifier
    (``Sheet1``, ``Candidates``), else single-quoted with ``'`` doubled (``'My Sheet'``)."""
    plain = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", title)
    looks_like_cell = re.fullmatch(r"[A-Za-z]{1,3}\d+|[Rr]\d*[Cc]\d*", title)
    if plain and not looks_like_cell:
        return title
    return "'" + title.replace("'", "''") + "'"


_ENDPOINT_RE = re.compile(r"\$?([A-Za-z]{1,3})?\$?(\d+)?")


def _endpoint(text: str) -> tuple[int | None, int | None] | None:
    m = _ENDPOINT_RE.fullmatch(text)
    if not m or (m.group(1) is None and m.group(2) is None):
        return None
    col = col_index(m.group(1)) if m.group(1) else None
    row = int(m.group(2)) - 1 if m.group(2) else None
    if row is not None and row < 0:
        return None
    if col is not None and col >= MAX_COLUMNS:
        return None
    return col, row


@dataclass(frozen=True)
class Box:
    """A resolved A1 range: 0-based start, exclusive end; ``None`` end = to the grid's edge."""

    r0: int
    c0: int
    r1: int | None
    c1: int | None


def parse_cells(text: str) -> Box | None:
    """The part after ``!``: ``A1``, ``A1:Q10``, ``A:C``, ``2:5``, ``A2:C`` (open-ended)."""
    if ":" not in text:
        p = _endpoint(text)
        if p is None or p[0] is None or p[1] is None:
            return None
        return Box(p[1], p[0], p[1] + 1, p[0] + 1)
    left, _, right = text.partition(":")
    a, b = _endpoint(left), _endpoint(right)
    if a is None or b is None:
        return None
    (ca, ra), (cb, rb) = a, b
    r0, r1 = ra or 0, (rb + 1 if rb is not None else None)
    c0, c1 = ca or 0, (cb + 1 if cb is not None else None)
    if r1 is not None and r1 <= r0:  # reversed (B5:A1) is read as A1:B5
        r0, r1 = r1 - 1, r0 + 1
    if c1 is not None and c1 <= c0:
        c0, c1 = c1 - 1, c0 + 1
    return Box(r0, c0, r1, c1)


def split_range(text: str) -> tuple[str | None, str | None]:
    """``'My Sheet'!A1:B2`` -> (``My Sheet``, ``A1:B2``); ``Sheet1`` -> (None, ``Sheet1``)
    (ambiguous: a title or cells on the first sheet); raises ``ValueError`` if malformed."""
    if text.startswith("'"):
        i, title = 1, []
        while i < len(text):
            ch = text[i]
            if ch == "'":
                if text[i + 1 : i + 2] == "'":
                    title.append("'")
                    i += 2
                    continue
                rest = text[i + 1 :]
                if rest == "":
                    return "".join(title), None
                if rest.startswith("!") and len(rest) > 1:
                    return "".join(title), rest[1:]
                raise ValueError(text)
            title.append(ch)
            i += 1
        raise ValueError(text)
    if "!" in text:
        name, cells = text.rsplit("!", 1)
        if not name or not cells:
            raise ValueError(text)
        return name, cells
    return None, text


# ---------------------------------------------------------------------------------------------
# Sheets


@dataclass
class Sheet:
    """One tab: its properties and a grid of cells (rows stored only as far as used)."""

    sheet_id: int
    title: str
    index: int
    row_count: int = 1000
    column_count: int = 26
    frozen_row_count: int = 0
    frozen_column_count: int = 0
    hidden: bool = False
    grid: list[list[Cell | None]] = field(default_factory=list)
    column_pixels: dict[int, int] = field(default_factory=dict)
    formats: list[dict[str, Any]] = field(default_factory=list)
    basic_filter: dict[str, Any] | None = None
    conditional_rules: list[dict[str, Any]] = field(default_factory=list)

    def get(self, r: int, c: int) -> Cell | None:
        if r < len(self.grid) and c < len(self.grid[r]):
            return self.grid[r][c]
        return None

    def put(self, r: int, c: int, cell: Cell | None) -> None:
        if cell is None and self.get(r, c) is None:
            return
        while len(self.grid) <= r:
            self.grid.append([])
        row = self.grid[r]
        while len(row) <= c:
            row.append(None)
        row[c] = cell

    def used(self) -> tuple[int, int]:
        """(rows, columns) of the used range: up to the last non-empty row / column."""
        rows = cols = 0
        for r, row in enumerate(self.grid):
            last = max((c + 1 for c, cell in enumerate(row) if cell is not None), default=0)
            if last:
                rows = r + 1
                cols = max(cols, last)
        return rows, cols

    def insert_rows(self, at: int, n: int) -> None:
        if at < len(self.grid):
            self.grid[at:at] = [[] for _ in range(n)]
        self.row_count += n

    def delete_rows(self, start: int, end: int) -> None:
        del self.grid[start:end]
        self.row_count -= end - start
        self.frozen_row_count = _shrink_frozen(self.frozen_row_count, start, end)

    def delete_columns(self, start: int, end: int) -> None:
        for row in self.grid:
            del row[start:end]
        self.column_count -= end - start
        self.frozen_column_count = _shrink_frozen(self.frozen_column_count, start, end)

    def truncate(self) -> None:
        """Drop cells outside the grid (after the grid shrank)."""
        del self.grid[self.row_count :]
        for row in self.grid:
            del row[self.column_count :]

    def properties(self) -> dict[str, Any]:
        """``SheetProperties`` as spreadsheets.get returns them (zero counts are omitted,
        as proto3 JSON omits default values)."""
        grid: dict[str, Any] = {"rowCount": self.row_count, "columnCount": self.column_count}
        if self.frozen_row_count:
            grid["frozenRowCount"] = self.frozen_row_count
        if self.frozen_column_count:
            grid["frozenColumnCount"] = self.frozen_column_count
        props: dict[str, Any] = {
            "sheetId": self.sheet_id,
            "title": self.title,
            "index": self.index,
            "sheetType": "GRID",
            "gridProperties": grid,
        }
        if self.hidden:
            props["hidden"] = True
        return props


def _shrink_frozen(frozen: int, start: int, end: int) -> int:
    return frozen - max(0, min(end, frozen) - start)


@dataclass
class Call:
    """One HTTP request the fake received. ``status`` is what it answered (0 while running);
    ``dropped`` means the connection was then cut (``drop_at``); ``size`` is the body's
    length in bytes."""

    n: int
    kind: str
    method: str
    path: str
    params: dict[str, list[str]]
    body: Any
    at: float
    status: int = 0
    dropped: bool = False
    size: int = 0


@dataclass
class _Resolved:
    sheet: Sheet
    box: Box
    cells_text: str | None  # the A1 part as given, for messages


# ---------------------------------------------------------------------------------------------
# Field masks (``fields=`` partial responses)


def _parse_fields(text: str) -> dict[str, Any]:
    """``sheets(properties(sheetId,title)),spreadsheetId`` / ``sheets.properties`` -> a tree
    (``None`` leaf = the whole value)."""
    tokens = re.findall(r"[A-Za-z0-9_*@]+|[(),./]", text.replace(" ", ""))
    pos = 0

    def merge(tree: dict[str, Any], path: list[str], sub: dict[str, Any] | None) -> None:
        for name in path[:-1]:
            nxt = tree.get(name, {})
            if nxt is None:
                return
            tree[name] = nxt
            tree = nxt
        last = path[-1]
        if sub is None or tree.get(last, {}) is None:
            tree[last] = None
        else:
            existing = tree.setdefault(last, {})
            existing.update(sub)

    def parse_list() -> dict[str, Any]:
        nonlocal pos
        tree: dict[str, Any] = {}
        while pos < len(tokens):
            path = [tokens[pos]]
            pos += 1
            while pos < len(tokens) and tokens[pos] in "./":
                path.append(tokens[pos + 1])
                pos += 2
            sub = None
            if pos < len(tokens) and tokens[pos] == "(":
                pos += 1
                sub = parse_list()
                pos += 1  # ')'
            merge(tree, path, sub)
            if pos < len(tokens) and tokens[pos] == ",":
                pos += 1
                continue
            break
        return tree

    return parse_list()


def _mask_paths(mask: str) -> list[str]:
    """A field mask as dotted paths: ``gridProperties/rowCount``, ``gridProperties.rowCount``
    and ``gridProperties(rowCount)`` all give ``gridProperties.rowCount``."""

    def walk(tree: dict[str, Any], prefix: str) -> Iterable[str]:
        for name, sub in tree.items():
            path = prefix + name
            if sub is None:
                yield path
            else:
                yield from walk(sub, path + ".")

    return list(walk(_parse_fields(mask), ""))


def _apply_fields(obj: Any, tree: dict[str, Any] | None) -> Any:
    if tree is None or "*" in tree:
        return obj
    if isinstance(obj, list):
        return [_apply_fields(x, tree) for x in obj]
    if isinstance(obj, dict):
        return {k: _apply_fields(obj[k], sub) for k, sub in tree.items() if k in obj}
    return obj


# ---------------------------------------------------------------------------------------------
# The fake


class _AnyMethodCallback(responses.CallbackResponse):
    """One registration for every method under the API prefix: ``responses`` pops one of
    several overlapping matches, and an unused per-method registration would trip
    ``assert_all_requests_are_fired``."""

    def matches(self, request: requests.PreparedRequest) -> tuple[bool, str]:
        assert isinstance(self.url, re.Pattern)
        if self.url.match(str(request.url)):
            return True, ""
        return False, "URL does not match"


class FakeSheets:
    """One Google spreadsheet behind the Sheets API v4 REST endpoints.

    Test helpers change it as a reviewer would in the UI; ``install(rsps)`` serves it;
    ``calls`` / ``count(kind)`` record the traffic; ``fail_at`` / ``fail_next`` / ``drop_at``
    inject faults; ``rate_limit`` requests per ``rate_window`` seconds, then 429.
    """

    def __init__(
        self,
        spreadsheet_id: str = "sheetTEST",
        base_url: str = "https://sheets.googleapis.com",
        clock: Any = None,
        *,
        title: str = "Tracker (fake)",
        require_auth: bool = False,
        rate_limit: int | None = 60,
        rate_window: float = 60.0,
        with_default_sheet: bool = False,
        token_uri: str = TOKEN_URI,
    ) -> None:
        self.spreadsheet_id = spreadsheet_id
        self.token_uri = token_uri
        self.accounts: dict[str, str] = {}  # service account email -> public key (PEM)
        self.tokens: dict[str, float] = {}  # access token -> when it expires (clock time)
        self.issued = 0  # access tokens issued
        self.retry_after: str | None = None  # a Retry-After on 429 and 503 (as a proxy adds)
        self.base_url = base_url.rstrip("/")
        self.clock = clock if clock is not None else FakeClock()
        self.title = title
        self.require_auth = require_auth
        self.rate_limit = rate_limit
        self.rate_window = rate_window
        self.sheets: list[Sheet] = []
        self.calls: list[Call] = []
        self._seq = 0
        self._window: list[float] = []
        self._fail_at: dict[int, tuple[int, str | None]] = {}
        self._fail_next: list[tuple[int, str | None]] = []
        self._drop_at: set[int] = set()
        self._after: tuple[str, Callable[[], None]] | None = None
        self._ids = random.Random(spreadsheet_id)
        if with_default_sheet:
            self.add_sheet("Sheet1")

    # -- test helpers: the spreadsheet as a reviewer sees it ----------------------------------

    def add_sheet(
        self,
        title: str,
        rows: int = 1000,
        cols: int = 26,
        *,
        frozen_rows: int = 0,
        sheet_id: int | None = None,
    ) -> int:
        """Add a tab at the end (like the UI's +); returns its sheetId (the first tab gets 0,
        later ones random-looking ids, as Sheets does)."""
        if self._find(title) is not None:
            raise ValueError(f"a sheet named {title!r} already exists")
        sheet = Sheet(
            sheet_id=self._new_sheet_id() if sheet_id is None else sheet_id,
            title=title,
            index=len(self.sheets),
            row_count=rows,
            column_count=cols,
            frozen_row_count=frozen_rows,
        )
        self.sheets.append(sheet)
        return sheet.sheet_id

    def sheet(self, title: str) -> Sheet:
        """The tab called ``title`` (KeyError if none)."""
        found = self._find(title)
        if found is None:
            raise KeyError(title)
        return found

    def titles(self) -> list[str]:
        return [s.title for s in self.sheets]

    def values(self, title: str, render: str = "UNFORMATTED_VALUE") -> list[list[Any]]:
        """The whole tab as values.get would return it: trailing empties dropped."""
        sheet = self.sheet(title)
        box = Box(0, 0, sheet.row_count, sheet.column_count)
        return self._read_box(sheet, box, render, "SERIAL_NUMBER", "ROWS")

    def cell(self, title: str, a1: str) -> Cell | None:
        """The stored cell (value, formula, number format) or None when empty."""
        sheet, r, c = self._locate(title, a1)
        return sheet.get(r, c)

    def formula(self, title: str, a1: str) -> str | None:
        cell = self.cell(title, a1)
        return cell.formula if cell else None

    def set_cell(self, title: str, a1: str, value: Scalar) -> None:
        """A reviewer typing ``value`` into a cell: parsed as USER_ENTERED."""
        self._ui_write(title, a1, value, parse_user_entered)

    def set_raw(self, title: str, a1: str, value: Scalar) -> None:
        """Store ``value`` as the RAW input option would (strings stay text)."""
        self._ui_write(title, a1, value, parse_raw)

    def fill(
        self, title: str, rows: Iterable[Iterable[Scalar]], *, start: str = "A1", raw: bool = False
    ) -> None:
        """Write a block of rows from ``start`` (USER_ENTERED unless ``raw``)."""
        _, r0, c0 = self._locate(title, start)
        parse = parse_raw if raw else parse_user_entered
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                self._ui_write(title, f"{col_letter(c0 + j)}{r0 + i + 1}", value, parse)

    def insert_row(self, title: str, index: int, values: Iterable[Scalar] | None = None) -> None:
        """Insert an empty row before 1-based row ``index`` (rows below move down, the grid
        grows by one), optionally typing ``values`` into it."""
        sheet = self.sheet(title)
        if not 1 <= index <= sheet.row_count + 1:
            raise ValueError(f"row {index} is outside 1..{sheet.row_count + 1}")
        sheet.insert_rows(index - 1, 1)
        if index - 1 < sheet.frozen_row_count:
            sheet.frozen_row_count += 1
        for j, value in enumerate(values or ()):
            self.set_cell(title, f"{col_letter(j)}{index}", value)

    def delete_row(self, title: str, index: int) -> None:
        """Delete 1-based row ``index`` (rows below move up, the grid shrinks by one)."""
        sheet = self.sheet(title)
        if not 1 <= index <= sheet.row_count or sheet.row_count == 1:
            raise ValueError(f"cannot delete row {index} of {sheet.row_count}")
        sheet.delete_rows(index - 1, index)

    def move_row(self, title: str, src: int, dst: int) -> None:
        """Drag 1-based row ``src`` so that it becomes row ``dst``."""
        sheet = self.sheet(title)
        n = max(src, dst)
        while len(sheet.grid) < n:
            sheet.grid.append([])
        row = sheet.grid.pop(src - 1)
        sheet.grid.insert(dst - 1, row)

    def sort_rows(
        self,
        title: str,
        key_col: str,
        *,
        reverse: bool = False,
        header_rows: int | None = None,
    ) -> None:
        """Data > Sort sheet by ``key_col`` (a header text in row 1, or a column letter).

        Mirrors the UI's "Sort sheet": only rows under the frozen rows move (so with no frozen
        row the header is sorted too - pass ``header_rows=1`` for "Sort range, data has a
        header row"); numbers before text before booleans, text case-insensitively; rows
        with an empty key stay last in either direction; the sort is stable.
        """
        sheet = self.sheet(title)
        skip = sheet.frozen_row_count if header_rows is None else header_rows
        col = self._key_column(sheet, key_col)
        used_rows, _ = sheet.used()
        while len(sheet.grid) < used_rows:
            sheet.grid.append([])
        body = sheet.grid[skip:used_rows]

        def key(row: list[Cell | None]) -> tuple[int, Any]:
            cell = row[col] if col < len(row) else None
            v = cell.value if cell else None
            if isinstance(v, bool):
                return (2, v)
            if isinstance(v, int | float):
                return (0, v)
            return (1, str(v).casefold())

        filled = [row for row in body if col < len(row) and row[col] is not None]
        empty = [row for row in body if not (col < len(row) and row[col] is not None)]
        filled.sort(key=key, reverse=reverse)
        sheet.grid[skip:used_rows] = filled + empty

    def rename_sheet(self, title: str, new_title: str) -> None:
        """A reviewer renaming a tab."""
        if self._find(new_title) is not None:
            raise ValueError(f"a sheet named {new_title!r} already exists")
        self.sheet(title).title = new_title

    def delete_sheet(self, title: str) -> None:
        """A reviewer deleting a tab."""
        self.sheets.remove(self.sheet(title))
        self._reindex()

    def resize(self, title: str, rows: int | None = None, cols: int | None = None) -> None:
        """Change the grid size (cells outside the new grid are lost)."""
        sheet = self.sheet(title)
        sheet.row_count = rows or sheet.row_count
        sheet.column_count = cols or sheet.column_count
        sheet.truncate()

    # -- accounting and faults -----------------------------------------------------------------

    def count(self, kind: str | None = None) -> int:
        """Requests received of ``kind`` (all kinds if None), failed ones included."""
        if kind is not None and kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}; one of {KINDS}")
        return sum(1 for c in self.calls if kind is None or c.kind == kind)

    def reset_counts(self) -> None:
        """Forget the recorded calls; ``fail_at`` / ``drop_at`` count from here on."""
        self.calls.clear()
        self._seq = 0

    def fail_at(self, k: int, status: int = 503, message: str | None = None) -> None:
        """The k-th request (1-based, since construction or ``reset_counts``) answers
        ``status`` with Google's error body; nothing is applied."""
        self._fail_at[k] = (status, message)

    def fail_next(self, n: int = 1, status: int = 503, message: str | None = None) -> None:
        """The next ``n`` requests answer ``status``; nothing is applied."""
        self._fail_next.extend([(status, message)] * n)

    def drop_at(self, k: int) -> None:
        """The k-th request is applied, then the connection drops: the client gets
        ``requests.exceptions.ConnectionError`` and never sees the response."""
        self._drop_at.add(k)

    def after_next(self, kind: str, action: Callable[[], None]) -> None:
        """Run ``action`` (e.g. a reviewer typing) right after the next request of ``kind``
        (``read``, ``write``, ...) is served: something that lands between a sync's read
        and its write."""
        self._after = (kind, action)

    # -- wiring --------------------------------------------------------------------------------

    def install(self, rsps: responses.RequestsMock) -> responses.BaseResponse:
        """Serve every ``{base_url}/v4/spreadsheets/...`` request made through ``rsps``, and
        the token endpoint."""
        api = re.escape(self.base_url) + r"/v4/spreadsheets(/|$|\?)"
        pattern = re.compile(f"{api}|{re.escape(self.token_uri)}$")
        resp = _AnyMethodCallback(
            method="GET", url=pattern, callback=self._callback, content_type=None
        )
        return rsps.add(resp)

    # -- authentication: service accounts and access tokens ------------------------------------

    def add_service_account(self, email: str, public_key: str) -> None:
        """Accept signed assertions of ``email`` (verified with ``public_key``, PEM); from
        then on every API request needs a current bearer token (401 otherwise)."""
        self.accounts[email] = public_key
        self.require_auth = True

    def expire_tokens(self) -> None:
        """Every access token issued so far stops working (as one does after an hour)."""
        self.tokens.clear()

    def _token(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        """The token endpoint: a JWT-bearer grant signed by a known service account, for the
        Sheets scope, answered with a bearer token lasting :data:`TOKEN_LIFETIME` seconds
        (as ``oauth2.googleapis.com/token`` does); else 400 ``invalid_grant``."""
        from google.auth import jwt

        body = request.body.decode() if isinstance(request.body, bytes) else request.body or ""
        form = {k: v[0] for k, v in parse_qs(body).items()}
        self.calls.append(Call(0, "token", "POST", "token", {}, form, self.clock.now()))
        headers = {"Content-Type": "application/json; charset=UTF-8"}

        def refuse(description: str) -> tuple[int, dict[str, str], bytes]:
            self.calls[-1].status = 400
            payload = {"error": "invalid_grant", "error_description": description}
            return 400, headers, json.dumps(payload).encode()

        if form.get("grant_type") != JWT_GRANT:
            return refuse("Invalid grant_type.")
        try:
            claims = jwt.decode(form.get("assertion", ""), verify=False)
            key = self.accounts[str(claims.get("iss"))]
            jwt.decode(form["assertion"], certs=key, audience=self.token_uri)
        except (KeyError, ValueError):
            return refuse("Invalid JWT Signature.")
        if SHEETS_SCOPE not in str(claims.get("scope", "")).split():
            return refuse("Invalid OAuth scope or ID token audience provided.")
        self.issued += 1
        token = f"ya29.fake-{self.issued}"
        self.tokens[token] = self.clock.now() + TOKEN_LIFETIME
        self.calls[-1].status = 200
        payload = {"access_token": token, "expires_in": TOKEN_LIFETIME, "token_type": "Bearer"}
        return 200, headers, json.dumps(payload).encode()

    def _authenticated(self, request: requests.PreparedRequest) -> str | None:
        """None if the request may go on, else why it is refused (401's message)."""
        header = str(request.headers.get("Authorization", "")).strip()
        if not header:
            return _DEFAULT_MESSAGES[401]
        if not self.accounts:
            return None  # any credential will do
        scheme, _, token = header.partition(" ")
        expires = self.tokens.get(token) if scheme == "Bearer" else None
        if expires is None or expires <= self.clock.now():
            return INVALID_CREDENTIALS
        return None

    def _callback(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        if str(request.url) == self.token_uri:
            return self._token(request)
        self._seq += 1
        n = self._seq
        on_request = getattr(self.clock, "on_request", None)
        if callable(on_request):
            on_request()
        parts = urlsplit(str(request.url))
        params = parse_qs(parts.query, keep_blank_values=True)
        method = (request.method or "GET").upper()
        rest = parts.path[len("/v4/spreadsheets") :].lstrip("/")
        kind, route = self._route(method, rest)
        raw_body = request.body
        body: Any = None
        body_error = False
        if raw_body:
            try:
                body = json.loads(raw_body)
            except ValueError:
                body_error = True
        call = Call(n, kind, method, rest, params, body, self.clock.now(), size=_size(raw_body))
        self.calls.append(call)

        status, payload = self._serve(n, kind, route, params, body, body_error, request)
        call.status = status
        if self._after is not None and self._after[0] == kind:
            action, self._after = self._after[1], None
            action()
        if n in self._drop_at:
            self._drop_at.discard(n)
            call.dropped = True
            raise requests.exceptions.ConnectionError(
                f"FakeSheets dropped the connection after applying request {n}"
            )
        headers = {"Content-Type": "application/json; charset=UTF-8"}
        if self.retry_after is not None and status in (429, 503):
            headers["Retry-After"] = self.retry_after
        return status, headers, json.dumps(payload, ensure_ascii=False).encode("utf-8")

    def _serve(
        self,
        n: int,
        kind: str,
        route: Callable[[dict[str, list[str]], Any], dict[str, Any]] | None,
        params: dict[str, list[str]],
        body: Any,
        body_error: bool,
        request: requests.PreparedRequest,
    ) -> tuple[int, dict[str, Any]]:
        injected = self._fail_at.pop(n, None)
        if injected is None and self._fail_next:
            injected = self._fail_next.pop(0)
        if injected is not None:
            return injected[0], error_body(*injected)
        if _size(request.body) > MAX_BODY_BYTES:
            return 400, too_large_body()
        refused = self._authenticated(request) if self.require_auth else None
        if refused is not None:
            return 401, error_body(401, refused)
        limited = self._rate_limited(kind)
        if limited is not None:
            return 429, limited
        if route is None:
            return 404, error_body(404)
        if body_error:
            return 400, error_body(400, "Invalid JSON payload received.")
        try:
            return 200, route(params, body)
        except ApiError as exc:
            return exc.status, error_body(exc.status, exc.message)

    def _rate_limited(self, kind: str) -> dict[str, Any] | None:
        """Per-minute quota: more than ``rate_limit`` requests inside ``rate_window`` seconds
        (sliding) -> 429 RESOURCE_EXHAUSTED; refused requests do not use quota."""
        if self.rate_limit is None:
            return None
        now = self.clock.now()
        self._window = [t for t in self._window if t > now - self.rate_window]
        if len(self._window) < self.rate_limit:
            self._window.append(now)
            return None
        group = "Write" if kind in ("write", "structure") else "Read"
        message = (
            f"Quota exceeded for quota metric '{group} requests' and limit "
            f"'{group} requests per minute per user' of service 'sheets.googleapis.com' "
            "for consumer 'project_number:000000000000'."
        )
        details = [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "RATE_LIMIT_EXCEEDED",
                "domain": "googleapis.com",
                "metadata": {
                    "service": "sheets.googleapis.com",
                    "quota_metric": f"sheets.googleapis.com/{group.lower()}_requests",
                    "quota_limit": f"{group}RequestsPerMinutePerUser",
                    "consumer": "projects/000000000000",
                },
            }
        ]
        return error_body(429, message, details=details)

    def _route(
        self, method: str, rest: str
    ) -> tuple[str, Callable[[dict[str, list[str]], Any], dict[str, Any]] | None]:
        """(kind, handler) for a path below ``/v4/spreadsheets/``; handler None -> 404."""
        sid, _, tail = rest.partition("/")
        if not tail:
            if sid.endswith(":batchUpdate"):
                ok = method == "POST" and self._known(sid[: -len(":batchUpdate")])
                return "structure", self._structure_update if ok else None
            ok = method == "GET" and self._known(sid)
            return "metadata", self._metadata if ok else None
        if not self._known(sid):
            kind = "read" if method == "GET" else "write" if tail.startswith("values") else "other"
            return kind, None
        fixed = {
            ("GET", "values:batchGet"): ("read", self._values_batch_get),
            ("POST", "values:batchUpdate"): ("write", self._values_batch_update),
            ("POST", "values:batchClear"): ("write", self._values_batch_clear),
        }
        if (method, tail) in fixed:
            return fixed[(method, tail)]
        if tail.startswith("values/"):
            raw = tail[len("values/") :]
            for suffix, handler in (
                (":append", self._values_append),
                (":clear", self._values_clear),
            ):
                if raw.endswith(suffix) and method == "POST":
                    rng = unquote(raw[: -len(suffix)])
                    return "write", lambda p, b, rng=rng, h=handler: h(rng, p, b)
            rng = unquote(raw)
            if method == "GET":
                return "read", lambda p, b: self._values_get(rng, p)
            if method == "PUT":
                return "write", lambda p, b: self._values_update(rng, p, b)
        return "other", None

    def _known(self, sid: str) -> bool:
        """Any other spreadsheet id is 404 NOT_FOUND, as for a missing or unshared file."""
        return unquote(sid) == self.spreadsheet_id

    # -- range resolution ------------------------------------------------------------------------

    def _find(self, title: str) -> Sheet | None:
        """Titles are unique and matched case-insensitively, as in Sheets."""
        for s in self.sheets:
            if s.title.casefold() == title.casefold():
                return s
        return None

    def _resolve(self, text: str, *, check_grid: bool = True) -> _Resolved:
        """An A1 range -> sheet and box. A title alone is the whole grid; cells without a
        title are on the first sheet; an unknown title or bad cells -> 400 "Unable to parse
        range: ..."; a bounded range past the grid -> 400 "... exceeds grid limits ..."."""
        try:
            title, cells = split_range(text)
        except ValueError:
            raise _bad(f"Unable to parse range: {text}") from None
        if title is None:
            assert cells is not None
            sheet = self._find(cells)
            if sheet is not None:
                title, cells = sheet.title, None
            elif self.sheets and parse_cells(cells) is not None:
                sheet = min(self.sheets, key=lambda s: s.index)
            else:
                raise _bad(f"Unable to parse range: {text}")
        else:
            sheet = self._find(title)
            if sheet is None:
                raise _bad(f"Unable to parse range: {text}")
        if cells is None:
            box = Box(0, 0, sheet.row_count, sheet.column_count)
        else:
            parsed = parse_cells(cells)
            if parsed is None:
                raise _bad(f"Unable to parse range: {text}")
            box = parsed
        if check_grid:
            self._check_grid(sheet, box, cells)
        return _Resolved(sheet, box, cells)

    def _check_grid(self, sheet: Sheet, box: Box, cells_text: str | None) -> None:
        r_end = box.r1 if box.r1 is not None else box.r0 + 1
        c_end = box.c1 if box.c1 is not None else box.c0 + 1
        if r_end > sheet.row_count or c_end > sheet.column_count:
            shown = cells_text or self._a1(sheet, box).split("!", 1)[1]
            raise self._grid_error(sheet, shown)

    @staticmethod
    def _grid_error(sheet: Sheet, cells_text: str) -> ApiError:
        return _bad(
            f"Range ({quote_title(sheet.title)}!{cells_text}) exceeds grid limits. "
            f"Max rows: {sheet.row_count}, max columns: {sheet.column_count}"
        )

    @staticmethod
    def _a1(sheet: Sheet, box: Box) -> str:
        """The range as the API reports it: open ends clamped to the grid (``Sheet1`` ->
        ``Sheet1!A1:Z1000``), not trimmed to the data."""
        r1 = min(box.r1 if box.r1 is not None else sheet.row_count, sheet.row_count)
        c1 = min(box.c1 if box.c1 is not None else sheet.column_count, sheet.column_count)
        start = f"{col_letter(box.c0)}{box.r0 + 1}"
        end = f"{col_letter(c1 - 1)}{r1}"
        cells = start if (r1 - box.r0, c1 - box.c0) == (1, 1) else f"{start}:{end}"
        return f"{quote_title(sheet.title)}!{cells}"

    # -- reading --------------------------------------------------------------------------------

    @staticmethod
    def _read_box(
        sheet: Sheet, box: Box, value_render: str, date_render: str, major: str
    ) -> list[list[Any]]:
        """Values of a box. Trailing empty cells of each row and trailing empty rows are
        dropped; empties before a value are ``""`` and empty rows before a value ``[]``."""
        r1 = min(box.r1 if box.r1 is not None else sheet.row_count, sheet.row_count)
        c1 = min(box.c1 if box.c1 is not None else sheet.column_count, sheet.column_count)
        r_stop = min(r1, len(sheet.grid))
        matrix = [
            [render_cell(sheet.get(r, c), value_render, date_render) for c in range(box.c0, c1)]
            for r in range(box.r0, r_stop)
        ]
        if major == "COLUMNS":
            width = c1 - box.c0
            matrix = [[row[j] for row in matrix] for j in range(width)]
        out: list[list[Any]] = []
        for line in matrix:
            while line and line[-1] is None:
                line.pop()
            out.append(["" if v is None else v for v in line])
        while out and not out[-1]:
            out.pop()
        return out

    @staticmethod
    def _render_options(params: dict[str, list[str]]) -> tuple[str, str, str]:
        value_render = params.get("valueRenderOption", ["FORMATTED_VALUE"])[-1]
        date_render = params.get("dateTimeRenderOption", ["SERIAL_NUMBER"])[-1]
        major = params.get("majorDimension", ["ROWS"])[-1]
        if value_render not in ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA"):
            raise _bad(f"Invalid value at 'value_render_option' ({value_render})")
        if date_render not in ("SERIAL_NUMBER", "FORMATTED_STRING"):
            raise _bad(f"Invalid value at 'date_time_render_option' ({date_render})")
        if major not in ("ROWS", "COLUMNS"):
            raise _bad(f"Invalid value at 'major_dimension' ({major})")
        return value_render, date_render, major

    def _value_range(self, text: str, params: dict[str, list[str]]) -> dict[str, Any]:
        value_render, date_render, major = self._render_options(params)
        res = self._resolve(text)
        out: dict[str, Any] = {"range": self._a1(res.sheet, res.box), "majorDimension": major}
        values = self._read_box(res.sheet, res.box, value_render, date_render, major)
        if values:
            out["values"] = values
        return out

    def _values_get(self, text: str, params: dict[str, list[str]]) -> dict[str, Any]:
        """GET values/{range}: one ValueRange (default render FORMATTED_VALUE)."""
        return self._value_range(text, params)

    def _values_batch_get(self, params: dict[str, list[str]], body: Any) -> dict[str, Any]:
        """GET values:batchGet?ranges=..&ranges=..: ValueRanges in request order; one bad
        range fails the whole call."""
        ranges = params.get("ranges", [])
        out: dict[str, Any] = {"spreadsheetId": self.spreadsheet_id}
        if ranges:
            out["valueRanges"] = [self._value_range(r, params) for r in ranges]
        return out

    def _metadata(self, params: dict[str, list[str]], body: Any) -> dict[str, Any]:
        """GET spreadsheets/{id}: properties and sheets; ``ranges`` limits the sheets,
        ``includeGridData=true`` adds ``data[].rowData``, ``fields`` filters the result."""
        include = params.get("includeGridData", ["false"])[-1].lower() == "true"
        wanted: dict[int, tuple[Sheet, Box | None]] = {}
        for text in params.get("ranges", []):
            res = self._resolve(text)
            wanted.setdefault(res.sheet.sheet_id, (res.sheet, res.box))
        if not params.get("ranges"):
            wanted = {s.sheet_id: (s, None) for s in self.sheets}
        sheets_out = []
        for sheet, box in wanted.values():
            entry: dict[str, Any] = {"properties": sheet.properties()}
            if include:
                entry["data"] = [self._grid_data(sheet, box)]
            sheets_out.append(entry)
        out: dict[str, Any] = {
            "spreadsheetId": self.spreadsheet_id,
            "properties": {
                "title": self.title,
                "locale": "en_US",
                "autoRecalc": "ON_CHANGE",
                "timeZone": "Etc/GMT",
            },
            "sheets": sheets_out,
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{self.spreadsheet_id}/edit",
        }
        if "fields" in params and params["fields"][-1]:
            out = _apply_fields(out, _parse_fields(params["fields"][-1]))
        return out

    @staticmethod
    def _grid_data(sheet: Sheet, box: Box | None) -> dict[str, Any]:
        box = box or Box(0, 0, sheet.row_count, sheet.column_count)
        rows, cols = sheet.used()
        r1 = min(box.r1 if box.r1 is not None else rows, rows)
        c1 = min(box.c1 if box.c1 is not None else cols, cols)
        row_data = []
        for r in range(box.r0, r1):
            cells = []
            for c in range(box.c0, c1):
                cell = sheet.get(r, c)
                cells.append({} if cell is None else _cell_data(cell))
            while cells and not cells[-1]:
                cells.pop()
            row_data.append({"values": cells} if cells else {})
        data: dict[str, Any] = {"rowData": row_data}
        if box.r0:
            data["startRow"] = box.r0
        if box.c0:
            data["startColumn"] = box.c0
        return data

    # -- writing --------------------------------------------------------------------------------

    @staticmethod
    def _input_parser(option: str | None) -> Callable[[Scalar], Cell | None]:
        if not option:
            raise _bad("'valueInputOption' is required but not specified")
        if option == "RAW":
            return parse_raw
        if option == "USER_ENTERED":
            return parse_user_entered
        raise _bad(f"Invalid valueInputOption: {option}")

    def _stage_write(
        self,
        text: str,
        values: Any,
        major: str,
        parse: Callable[[Scalar], Cell | None],
        *,
        anchor: tuple[int, int] | None = None,
        grow: bool = False,
    ) -> tuple[Sheet, list[tuple[int, int, Cell | None]], dict[str, Any]]:
        """Validate one write and return the cells to store plus its UpdateValuesResponse.

        Mirrors: data goes from the range's top-left; a single cell is just that anchor; a
        multi-cell range refuses data that does not fit ("Requested writing within range
        [..], but tried writing to row [n]"); data past the grid -> "exceeds grid limits"
        (``values.append`` grows the grid instead); ``null`` skips a cell, ``""`` clears it;
        a cell over 50,000 characters -> 400.
        """
        res = self._resolve(text, check_grid=not grow)
        sheet, box = res.sheet, res.box
        r0, c0 = anchor if anchor is not None else (box.r0, box.c0)
        # A single cell (``Sheet1!B2``) is only an anchor: the data spreads from it.
        bounded = anchor is None and ":" in (res.cells_text or ":")
        if values is None:
            values = []
        if not isinstance(values, list) or not all(isinstance(v, list) for v in values):
            raise _bad("Invalid values: expected a list of lists")
        if major not in ("ROWS", "COLUMNS"):
            raise _bad(f"Invalid value at 'data.major_dimension' ({major})")
        staged: list[tuple[int, int, Cell | None]] = []
        height = width = 0
        for i, line in enumerate(values):
            for j, value in enumerate(line):
                di, dj = (i, j) if major == "ROWS" else (j, i)
                r, c = r0 + di, c0 + dj
                height, width = max(height, di + 1), max(width, dj + 1)
                if value is not None and not isinstance(value, str | int | float | bool):
                    raise _bad(f"Invalid values[{i}][{j}]: {type(value).__name__}_value")
                if bounded and box.r1 is not None and r >= box.r1:
                    raise _bad(
                        f"Requested writing within range [{self._a1(sheet, box)}], "
                        f"but tried writing to row [{r + 1}]"
                    )
                if bounded and box.c1 is not None and c >= box.c1:
                    raise _bad(
                        f"Requested writing within range [{self._a1(sheet, box)}], "
                        f"but tried writing to column [{col_letter(c)}]"
                    )
                if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                    raise _bad(
                        "Your input contains more than the maximum of 50000 characters "
                        "in a single cell."
                    )
                if value is None:
                    continue
                staged.append((r, c, parse(value)))
        written = Box(r0, c0, r0 + max(height, 1), c0 + max(width, 1))
        if c0 + width > sheet.column_count or (not grow and r0 + height > sheet.row_count):
            raise self._grid_error(sheet, self._a1_cells(written))
        response: dict[str, Any] = {"spreadsheetId": self.spreadsheet_id}
        if height and width:
            response.update(
                updatedRange=f"{quote_title(sheet.title)}!{self._a1_cells(written)}",
                updatedRows=len({r for r, _, _ in staged}),
                updatedColumns=len({c for _, c, _ in staged}),
                updatedCells=len(staged),
            )
        else:
            response["updatedRange"] = self._a1(sheet, box)
        return sheet, staged, response

    @staticmethod
    def _a1_cells(box: Box) -> str:
        assert box.r1 is not None and box.c1 is not None
        start = f"{col_letter(box.c0)}{box.r0 + 1}"
        if (box.r1 - box.r0, box.c1 - box.c0) == (1, 1):
            return start
        return f"{start}:{col_letter(box.c1 - 1)}{box.r1}"

    def _add_updated_data(
        self, response: dict[str, Any], sheet: Sheet, options: dict[str, Any]
    ) -> None:
        """``includeValuesInResponse``: echo the written range as it now reads."""
        if not options.get("include") or "updatedRange" not in response:
            return
        res = self._resolve(response["updatedRange"])
        response["updatedData"] = {
            "range": response["updatedRange"],
            "majorDimension": "ROWS",
            "values": self._read_box(
                sheet, res.box, options["render"], options["date_render"], "ROWS"
            ),
        }

    @staticmethod
    def _apply(sheet: Sheet, staged: list[tuple[int, int, Cell | None]]) -> None:
        for r, c, cell in staged:
            sheet.put(r, c, cell)

    def _values_update(self, text: str, params: dict[str, list[str]], body: Any) -> dict[str, Any]:
        """PUT values/{range}?valueInputOption=...: write one block."""
        parse = self._input_parser(params.get("valueInputOption", [None])[-1])
        body = body or {}
        major = body.get("majorDimension") or "ROWS"
        sheet, staged, response = self._stage_write(text, body.get("values"), major, parse)
        self._apply(sheet, staged)
        self._add_updated_data(response, sheet, self._response_options(params))
        return response

    @staticmethod
    def _response_options(source: dict[str, Any]) -> dict[str, Any]:
        def get(name: str, default: str) -> Any:
            v = source.get(name, default)
            return v[-1] if isinstance(v, list) else v

        include = get("includeValuesInResponse", "false")
        return {
            "include": include is True or str(include).lower() == "true",
            "render": get("responseValueRenderOption", "FORMATTED_VALUE"),
            "date_render": get("responseDateTimeRenderOption", "SERIAL_NUMBER"),
        }

    def _values_batch_update(self, params: dict[str, list[str]], body: Any) -> dict[str, Any]:
        """POST values:batchUpdate {valueInputOption, data: [{range, values}]}: all or
        nothing - any bad entry (``Invalid data[i]: ...``) writes none of them."""
        body = body or {}
        parse = self._input_parser(body.get("valueInputOption"))
        stages = []
        for i, entry in enumerate(body.get("data") or []):
            try:
                stages.append(
                    self._stage_write(
                        entry.get("range", ""),
                        entry.get("values"),
                        entry.get("majorDimension") or "ROWS",
                        parse,
                    )
                )
            except ApiError as exc:
                raise ApiError(exc.status, f"Invalid data[{i}]: {exc.message}") from None
        options = self._response_options(body)
        responses_out = []
        for sheet, staged, _ in stages:
            self._apply(sheet, staged)
        for sheet, _, response in stages:
            self._add_updated_data(response, sheet, options)
            responses_out.append(response)
        touched = [r for r in responses_out if "updatedCells" in r]
        out: dict[str, Any] = {"spreadsheetId": self.spreadsheet_id}
        if touched:
            out.update(
                totalUpdatedRows=sum(r["updatedRows"] for r in touched),
                totalUpdatedColumns=sum(r["updatedColumns"] for r in touched),
                totalUpdatedCells=sum(r["updatedCells"] for r in touched),
                totalUpdatedSheets=len({s.sheet_id for s, st, _ in stages if st}),
            )
        out["responses"] = responses_out
        return out

    def _values_append(self, text: str, params: dict[str, list[str]], body: Any) -> dict[str, Any]:
        """POST values/{range}:append: write after the last row that has a value in the
        range's columns (a simplification of Sheets' table detection), growing the grid
        when needed; ``insertDataOption=INSERT_ROWS`` inserts rows there instead."""
        parse = self._input_parser(params.get("valueInputOption", [None])[-1])
        insert = params.get("insertDataOption", ["OVERWRITE"])[-1] == "INSERT_ROWS"
        body = body or {}
        res = self._resolve(text)
        sheet, box = res.sheet, res.box
        c1 = box.c1 if box.c1 is not None else sheet.column_count
        last = box.r0 - 1
        for r in range(box.r0, len(sheet.grid)):
            if any(sheet.get(r, c) is not None for c in range(box.c0, c1)):
                last = r
        start = last + 1
        _, staged, updates = self._stage_write(
            text,
            body.get("values"),
            body.get("majorDimension") or "ROWS",
            parse,
            anchor=(start, box.c0),
            grow=True,
        )
        height = max((r + 1 for r, _, _ in staged), default=start) - start
        if insert and height:
            self._check_cell_limit(extra=height * sheet.column_count)
            sheet.insert_rows(start, height)
        elif start + height > sheet.row_count:
            self._check_cell_limit(extra=(start + height - sheet.row_count) * sheet.column_count)
            sheet.row_count = start + height
        self._apply(sheet, staged)
        self._add_updated_data(updates, sheet, self._response_options(params))
        out: dict[str, Any] = {"spreadsheetId": self.spreadsheet_id, "updates": updates}
        if last >= box.r0:
            out["tableRange"] = f"{quote_title(sheet.title)}!" + self._a1_cells(
                Box(box.r0, box.c0, last + 1, c1)
            )
        return out

    def _values_clear(self, text: str, params: dict[str, list[str]], body: Any) -> dict[str, Any]:
        """POST values/{range}:clear: empties values (formats are not modelled)."""
        return {"spreadsheetId": self.spreadsheet_id, "clearedRange": self._clear(text)}

    def _values_batch_clear(self, params: dict[str, list[str]], body: Any) -> dict[str, Any]:
        """POST values:batchClear {ranges: [...]}."""
        ranges = (body or {}).get("ranges") or []
        for r in ranges:
            self._resolve(r)
        cleared = [self._clear(r) for r in ranges]
        return {"spreadsheetId": self.spreadsheet_id, "clearedRanges": cleared}

    def _clear(self, text: str) -> str:
        res = self._resolve(text)
        sheet, box = res.sheet, res.box
        r1 = min(box.r1 if box.r1 is not None else sheet.row_count, len(sheet.grid))
        for r in range(box.r0, r1):
            row = sheet.grid[r]
            c1 = min(box.c1 if box.c1 is not None else len(row), len(row))
            for c in range(box.c0, c1):
                row[c] = None
        return self._a1(sheet, box)

    # -- spreadsheets:batchUpdate ------------------------------------------------------------------

    def _structure_update(self, params: dict[str, list[str]], body: Any) -> dict[str, Any]:
        """POST spreadsheets/{id}:batchUpdate {requests: [...]}: applied in order, atomically
        (one failing request -> 400 ``Invalid requests[i].<kind>: ...`` and no change).
        Supported: addSheet, appendDimension, updateSheetProperties, deleteDimension,
        insertDimension (rows), and the
        formatting requests updateDimensionProperties (pixelSize), repeatCell, setBasicFilter,
        addConditionalFormatRule (recorded on the sheet, not applied to values)."""
        reqs = (body or {}).get("requests") or []
        if not reqs:
            raise _bad("Must specify at least one request.")
        snapshot = copy.deepcopy(self.sheets)
        handlers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "addSheet": self._req_add_sheet,
            "appendDimension": self._req_append_dimension,
            "updateSheetProperties": self._req_update_sheet_properties,
            "deleteDimension": self._req_delete_dimension,
            "insertDimension": self._req_insert_dimension,
            "updateDimensionProperties": self._req_dimension_properties,
            "repeatCell": self._req_repeat_cell,
            "setBasicFilter": self._req_basic_filter,
            "addConditionalFormatRule": self._req_conditional_rule,
        }
        replies = []
        try:
            for i, req in enumerate(reqs):
                if not isinstance(req, dict) or len(req) != 1:
                    raise _bad(f"Invalid requests[{i}]: exactly one kind of request expected")
                ((name, args),) = req.items()
                handler = handlers.get(name)
                if handler is None:
                    raise _bad(
                        f"Invalid requests[{i}]: FakeSheets does not support {name!r} "
                        f"(supported: {', '.join(handlers)})"
                    )
                try:
                    replies.append(handler(args or {}))
                except ApiError as exc:
                    raise ApiError(
                        exc.status, f"Invalid requests[{i}].{name}: {exc.message}"
                    ) from None
        except ApiError:
            self.sheets = snapshot
            raise
        out: dict[str, Any] = {"spreadsheetId": self.spreadsheet_id, "replies": replies}
        if (body or {}).get("includeSpreadsheetInResponse"):
            out["updatedSpreadsheet"] = self._metadata({}, None)
        return out

    def _sheet_by_id(self, sheet_id: Any) -> Sheet:
        for s in self.sheets:
            if s.sheet_id == sheet_id:
                return s
        raise _bad(f"No grid with id: {sheet_id}")

    def _check_cell_limit(self, extra: int) -> None:
        total = sum(s.row_count * s.column_count for s in self.sheets) + extra
        if total > MAX_WORKBOOK_CELLS:
            raise _bad(
                "This action would increase the number of cells in the workbook above the "
                f"limit of {MAX_WORKBOOK_CELLS} cells."
            )

    def _req_add_sheet(self, args: dict[str, Any]) -> dict[str, Any]:
        """addSheet: defaults 1000 x 26 and the next free ``SheetN`` title; duplicate titles
        (case-insensitive) and ids are refused; reply echoes the full properties."""
        props = args.get("properties") or {}
        title = props.get("title")
        if title is None:
            n = len(self.sheets) + 1
            while self._find(f"Sheet{n}") is not None:
                n += 1
            title = f"Sheet{n}"
        if self._find(title) is not None:
            raise _bad(
                f'A sheet with the name "{title}" already exists. Please enter another name.'
            )
        sheet_id = props.get("sheetId")
        if sheet_id is None:
            sheet_id = self._new_sheet_id()
        elif any(s.sheet_id == sheet_id for s in self.sheets):
            raise _bad(f"A sheet with id {sheet_id} already exists.")
        grid = props.get("gridProperties") or {}
        rows, cols = int(grid.get("rowCount", 1000)), int(grid.get("columnCount", 26))
        if rows < 1 or cols < 1 or cols > MAX_COLUMNS:
            raise _bad("Invalid grid size")
        frozen = int(grid.get("frozenRowCount", 0))
        if frozen >= rows:
            raise _bad("You can't freeze all visible rows on the sheet.")
        self._check_cell_limit(rows * cols)
        index = int(props.get("index", len(self.sheets)))
        sheet = Sheet(
            sheet_id=sheet_id,
            title=title,
            index=index,
            row_count=rows,
            column_count=cols,
            frozen_row_count=frozen,
            frozen_column_count=int(grid.get("frozenColumnCount", 0)),
            hidden=bool(props.get("hidden", False)),
        )
        self.sheets.insert(min(max(index, 0), len(self.sheets)), sheet)
        self._reindex()
        return {"addSheet": {"properties": sheet.properties()}}

    def _req_append_dimension(self, args: dict[str, Any]) -> dict[str, Any]:
        """appendDimension: add ``length`` empty rows/columns at the end; empty reply."""
        sheet = self._sheet_by_id(args.get("sheetId", 0))
        dimension, length = args.get("dimension"), int(args.get("length", 0))
        if dimension not in ("ROWS", "COLUMNS"):
            raise _bad(f"Invalid dimension: {dimension}")
        if length < 1:
            raise _bad("length must be at least 1")
        if dimension == "ROWS":
            self._check_cell_limit(length * sheet.column_count)
            sheet.row_count += length
        else:
            if sheet.column_count + length > MAX_COLUMNS:
                raise _bad(f"Maximum number of columns is {MAX_COLUMNS}")
            self._check_cell_limit(length * sheet.row_count)
            sheet.column_count += length
        return {}

    _SHEET_FIELDS = (
        "title",
        "index",
        "hidden",
        "gridProperties.rowCount",
        "gridProperties.columnCount",
        "gridProperties.frozenRowCount",
        "gridProperties.frozenColumnCount",
    )

    def _req_update_sheet_properties(self, args: dict[str, Any]) -> dict[str, Any]:
        """updateSheetProperties: only the paths in ``fields`` change (``*`` = all); an empty
        mask is refused; freezing every row is refused; shrinking the grid drops cells."""
        props = args.get("properties") or {}
        mask = str(args.get("fields") or "").replace(" ", "")
        if not mask:
            raise _bad("At least one field must be specified in 'fields'.")
        sheet = self._sheet_by_id(props.get("sheetId", 0))
        paths: list[str] = []
        for part in _mask_paths(mask):
            if part == "*":
                paths.extend(self._SHEET_FIELDS)
            elif part == "gridProperties":
                paths.extend(p for p in self._SHEET_FIELDS if p.startswith("gridProperties."))
            elif part in self._SHEET_FIELDS:
                paths.append(part)
            else:
                raise _bad(f"FakeSheets does not support the field {part!r}")
        grid = props.get("gridProperties") or {}
        for path in paths:
            if path == "title":
                title = props.get("title")
                if not title:
                    raise _bad("The sheet name cannot be empty.")
                other = self._find(title)
                if other is not None and other is not sheet:
                    raise _bad(
                        f'A sheet with the name "{title}" already exists. '
                        "Please enter another name."
                    )
                sheet.title = title
            elif path == "index":
                self.sheets.remove(sheet)
                self.sheets.insert(min(int(props.get("index", 0)), len(self.sheets)), sheet)
                self._reindex()
            elif path == "hidden":
                sheet.hidden = bool(props.get("hidden", False))
            else:
                key = path.split(".", 1)[1]
                value = int(grid.get(key, 0))
                if key == "rowCount":
                    self._check_cell_limit((value - sheet.row_count) * sheet.column_count)
                    sheet.row_count = value
                elif key == "columnCount":
                    self._check_cell_limit((value - sheet.column_count) * sheet.row_count)
                    sheet.column_count = value
                elif key == "frozenRowCount":
                    sheet.frozen_row_count = value
                else:
                    sheet.frozen_column_count = value
        if sheet.row_count < 1 or sheet.column_count < 1:
            raise _bad("Invalid grid size")
        if sheet.frozen_row_count >= sheet.row_count:
            raise _bad("You can't freeze all visible rows on the sheet.")
        if sheet.frozen_column_count >= sheet.column_count:
            raise _bad("You can't freeze all visible columns on the sheet.")
        sheet.truncate()
        return {}

    def _req_delete_dimension(self, args: dict[str, Any]) -> dict[str, Any]:
        """deleteDimension: remove [startIndex, endIndex) rows/columns (0-based); later
        rows move up; deleting every row/column is refused."""
        rng = args.get("range") or {}
        sheet = self._sheet_by_id(rng.get("sheetId", 0))
        dimension = rng.get("dimension")
        if dimension not in ("ROWS", "COLUMNS"):
            raise _bad(f"Invalid dimension: {dimension}")
        size = sheet.row_count if dimension == "ROWS" else sheet.column_count
        start = int(rng.get("startIndex", 0))
        end = int(rng.get("endIndex", size))
        if not 0 <= start < end <= size:
            raise _bad(f"Invalid range [{start}, {end}) for {size} {dimension.lower()}")
        if end - start == size:
            what = "rows" if dimension == "ROWS" else "columns"
            raise _bad(f"You can't delete all the {what} on the sheet.")
        if dimension == "ROWS":
            sheet.delete_rows(start, end)
        else:
            sheet.delete_columns(start, end)
        return {}

    def _req_insert_dimension(self, args: dict[str, Any]) -> dict[str, Any]:
        """insertDimension: empty rows before ``startIndex`` (0-based; later rows move
        down, the grid grows). Columns are not supported."""
        rng = args.get("range") or {}
        sheet = self._sheet_by_id(rng.get("sheetId", 0))
        if rng.get("dimension") != "ROWS":
            raise _bad(f"FakeSheets inserts only rows, not {rng.get('dimension')}")
        start, end = int(rng.get("startIndex", 0)), int(rng.get("endIndex", 0))
        if not 0 <= start < end or start > sheet.row_count:
            raise _bad(f"Invalid range [{start}, {end}) for {sheet.row_count} rows")
        if start == 0 and args.get("inheritFromBefore"):
            raise _bad("Cannot inherit from before the first row")
        self._check_cell_limit((end - start) * sheet.column_count)
        sheet.insert_rows(start, end - start)
        if start < sheet.frozen_row_count:
            sheet.frozen_row_count += end - start
        return {}

    def _grid_range(self, rng: Any) -> Sheet:
        """The sheet of a GridRange, its indexes checked against the grid."""
        if not isinstance(rng, dict):
            raise _bad("Invalid range")
        sheet = self._sheet_by_id(rng.get("sheetId", 0))
        for start, end, size in (
            ("startRowIndex", "endRowIndex", sheet.row_count),
            ("startColumnIndex", "endColumnIndex", sheet.column_count),
        ):
            first, last = int(rng.get(start, 0)), int(rng.get(end, size))
            if not 0 <= first < last <= size:
                raise _bad(f"Invalid range [{first}, {last}) for a grid of {size}")
        return sheet

    def _req_dimension_properties(self, args: dict[str, Any]) -> dict[str, Any]:
        """updateDimensionProperties: only ``pixelSize`` of columns is kept."""
        rng = args.get("range") or {}
        sheet = self._sheet_by_id(rng.get("sheetId", 0))
        if rng.get("dimension") != "COLUMNS" or args.get("fields") != "pixelSize":
            raise _bad("FakeSheets supports only the pixelSize of columns")
        start, end = int(rng.get("startIndex", 0)), int(rng.get("endIndex", 0))
        if not 0 <= start < end <= sheet.column_count:
            raise _bad(f"Invalid range [{start}, {end}) for {sheet.column_count} columns")
        for index in range(start, end):
            sheet.column_pixels[index] = int((args.get("properties") or {})["pixelSize"])
        return {}

    def _req_repeat_cell(self, args: dict[str, Any]) -> dict[str, Any]:
        """repeatCell: the range, format and field mask are recorded."""
        sheet = self._grid_range(args.get("range"))
        if not str(args.get("fields") or ""):
            raise _bad("At least one field must be specified in 'fields'.")
        sheet.formats.append(copy.deepcopy(args))
        return {}

    def _req_basic_filter(self, args: dict[str, Any]) -> dict[str, Any]:
        sheet = self._grid_range((args.get("filter") or {}).get("range"))
        sheet.basic_filter = copy.deepcopy(args["filter"])
        return {}

    def _req_conditional_rule(self, args: dict[str, Any]) -> dict[str, Any]:
        rule = args.get("rule") or {}
        ranges = rule.get("ranges") or []
        if not ranges:
            raise _bad("A conditional format rule needs at least one range.")
        sheets = {id(self._grid_range(r)): self._grid_range(r) for r in ranges}
        for sheet in sheets.values():
            sheet.conditional_rules.insert(int(args.get("index", 0)), copy.deepcopy(rule))
        return {}

    # -- internals ------------------------------------------------------------------------------

    def _new_sheet_id(self) -> int:
        if not self.sheets:
            return 0
        while True:
            candidate = self._ids.randint(1, 2**31 - 1)
            if all(s.sheet_id != candidate for s in self.sheets):
                return candidate

    def _reindex(self) -> None:
        for i, s in enumerate(self.sheets):
            s.index = i

    def _locate(self, title: str, a1: str) -> tuple[Sheet, int, int]:
        sheet = self.sheet(title)
        box = parse_cells(a1)
        if box is None or box.r1 != box.r0 + 1 or box.c1 != box.c0 + 1:
            raise ValueError(f"{a1!r} is not a single cell")
        return sheet, box.r0, box.c0

    def _ui_write(
        self, title: str, a1: str, value: Scalar, parse: Callable[[Scalar], Cell | None]
    ) -> None:
        sheet, r, c = self._locate(title, a1)
        if r >= sheet.row_count or c >= sheet.column_count:
            raise ValueError(f"{a1} is outside the {sheet.row_count}x{sheet.column_count} grid")
        if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
            raise ValueError("Sheets refuses more than 50000 characters in a cell")
        sheet.put(r, c, parse(value))

    @staticmethod
    def _key_column(sheet: Sheet, key_col: str) -> int:
        for c, cell in enumerate(sheet.grid[0] if sheet.grid else []):
            if cell is not None and cell.value == key_col:
                return c
        if re.fullmatch(r"[A-Za-z]{1,3}", key_col):
            return col_index(key_col)
        raise KeyError(f"no column {key_col!r} in {sheet.title!r}")


def _cell_data(cell: Cell) -> dict[str, Any]:
    """``CellData`` for includeGridData: userEnteredValue, effectiveValue, formattedValue."""

    def extended(v: str | int | float | bool) -> dict[str, Any]:
        if isinstance(v, bool):
            return {"boolValue": v}
        if isinstance(v, int | float):
            return {"numberValue": _number(v)}
        return {"stringValue": v}

    data: dict[str, Any] = {}
    if cell.formula is not None:
        data["userEnteredValue"] = {"formulaValue": cell.formula}
        if isinstance(cell.value, str) and cell.value in _ERROR_TYPES:
            error = {"type": _ERROR_TYPES[cell.value], "message": cell.value}
            data["effectiveValue"] = {"errorValue": error}
        else:
            data["effectiveValue"] = extended(cell.value)
    else:
        data["userEnteredValue"] = extended(cell.value)
        data["effectiveValue"] = extended(cell.value)
    data["formattedValue"] = formatted_value(cell)
    return data
