"""A stateful, in-memory fake of the Airtable Web API for tests that drive the real pyairtable.

Install it on a ``responses.RequestsMock`` and point ``pyairtable.Api`` at its endpoint::

    fake = FakeAirtable()
    fake.add_table("Models", [{"name": "Name", "type": "singleLineText"}])
    with responses.RequestsMock() as rsps:
        fake.install(rsps)
        api = pyairtable.Api("patTEST", endpoint_url=fake.endpoint, retry_strategy=None)
        api.table(fake.base_id, "Models").batch_upsert([...], key_fields=["Name"])

Each rule below names the real behaviour it mirrors (see
https://airtable.com/developers/web/api). Where the real API's exact error type or message
is not documented, the fake picks the closest documented one and says so in the docstring.
Anything the fake cannot evaluate faithfully (``filterByFormula`` other than record ids,
``cellFormat=string``,
field types other than text, number and single select) raises ``NotImplementedError`` so a
test never passes on silently ignored input.
"""

from __future__ import annotations

import json
import math
import random
import re
import string
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import requests
import responses

__all__ = ["Clock", "FakeAirtable", "FakeClock"]

JSON = Any
Reply = tuple[int, dict[str, str], str]

#: Kinds used by :attr:`FakeAirtable.calls` and :meth:`FakeAirtable.count`.
READ, WRITE, SCHEMA, OTHER = "read", "write", "schema", "other"

TEXT_TYPES = frozenset({"singleLineText", "multilineText"})
MAX_TEXT_CHARS = 100_000
"""Airtable's limit for one text cell (long text); a longer value is refused."""
SUPPORTED_TYPES = TEXT_TYPES | {"number", "singleSelect"}
_ID_ALPHABET = string.ascii_letters + string.digits
_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
_SORT_KEY = re.compile(r"^sort\[(\d+)\]\[(field|direction)\]$")
_OFFSET = re.compile(r"^itr(\d{14})/(rec[0-9A-Za-z]{14})$")
_LIST_PARAMS = frozenset(
    {
        "pageSize",
        "maxRecords",
        "offset",
        "fields",
        "sort",
        "view",
        "filterByFormula",
        "cellFormat",
        "timeZone",
        "userLocale",
        "returnFieldsByFieldId",
        "recordMetadata",
    }
)


class Clock(Protocol):
    """What the fake needs from a clock: seconds as a float, and a way to wait."""

    def now(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class FakeClock:
    """A simulated clock that only moves when told to.

    ``sleep(s)`` advances time by ``s`` instead of blocking, so code under test that backs off
    for 30 s runs instantly while the fake's rate limiter still sees 30 s pass.
    ``advance_per_request`` adds a fixed latency to every request the fake serves (the fake
    calls :meth:`on_request`), which lets a test model a client that is slow enough, or not,
    to stay under 5 requests per second.
    """

    def __init__(self, start: float = 0.0, advance_per_request: float = 0.0) -> None:
        self.start = start
        self.advance_per_request = advance_per_request
        self._now = start
        #: Every ``sleep`` call, in order, so a test can assert on the back-off it saw.
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self._now

    def sleep(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        self.sleeps.append(seconds)
        self._now += seconds

    def advance(self, seconds: float) -> None:
        """Move time forward without recording a sleep (time spent elsewhere)."""
        self._now += seconds

    def on_request(self) -> None:
        """Called by the fake once per request; adds the simulated request latency."""
        self._now += self.advance_per_request

    @property
    def elapsed(self) -> float:
        """Simulated seconds since the clock was created."""
        return self._now - self.start


class _ApiError(Exception):
    """An HTTP error reply; raised anywhere inside a handler, turned into a response."""

    def __init__(self, status: int, body: JSON) -> None:
        super().__init__(status, body)
        self.status = status
        self.body = body


def _error(status: int, kind: str, message: str) -> _ApiError:
    """Airtable's usual error shape: ``{"error": {"type": ..., "message": ...}}``."""
    return _ApiError(status, {"error": {"type": kind, "message": message}})


def _invalid_request() -> _ApiError:
    """Airtable's reply to a malformed parameter (e.g. ``pageSize=101``)."""
    return _error(
        422,
        "INVALID_REQUEST_UNKNOWN",
        "Invalid request: parameter validation failed. Check your request data.",
    )


_ONE_ID = re.compile(r"RECORD_ID\(\)\s*=\s*'(rec\w+)'")


def _record_ids(formula: str) -> set[str] | None:
    """The records a ``filterByFormula`` of record ids selects (``RECORD_ID()='rec…'``, or
    ``OR(...)`` of those), None without a formula; any other formula is not evaluated."""
    if not formula:
        return None
    inner = formula[3:-1] if formula.startswith("OR(") and formula.endswith(")") else formula
    parts = [p.strip() for p in inner.split(",")]
    found = [_ONE_ID.fullmatch(p) for p in parts]
    if not all(found):
        raise NotImplementedError("FakeAirtable evaluates only formulas of RECORD_ID()")
    return {m[1] for m in found if m}


def _unknown_field(name: str) -> _ApiError:
    return _error(422, "UNKNOWN_FIELD_NAME", f'Unknown field name: "{name}"')


def _bad_value(name: str) -> _ApiError:
    return _error(
        422, "INVALID_VALUE_FOR_COLUMN", f'Field "{name}" cannot accept the provided value'
    )


def _model_not_found() -> _ApiError:
    """What Airtable answers for a table name/id it cannot find (403, not 404)."""
    return _error(
        403,
        "INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND",
        "Invalid permissions, or the requested model was not found. Check that both your user"
        " and your token have the required permissions, and that the model names and/or ids"
        " are correct.",
    )


def _record_not_found(record_id: str) -> _ApiError:
    return _error(404, "MODEL_ID_NOT_FOUND", f"Could not find record {record_id}")


def _row_missing(record_id: str) -> _ApiError:
    """Batch update/delete naming a record that is not in the table."""
    return _error(422, "ROW_DOES_NOT_EXIST", f"Record ID {record_id} does not exist in this table")


def _js_number(value: float) -> int | float:
    """The Python value ``json.loads`` yields for a number Airtable (JavaScript) serialises.

    JavaScript prints integral doubles below 1e21 without a fraction (``2``, not ``2.0``) and
    everything else in exponent or decimal form, and every number is a double. So ``2.0``
    reads back as ``int`` 2, ``10**25`` reads back as ``float`` 1e25, and an int above 2**53
    loses precision exactly as it would in Airtable.
    """
    as_float = float(value)
    if as_float.is_integer() and abs(as_float) < 1e21:
        return int(as_float)
    return as_float


def _js_string(value: float) -> str:
    """``String(number)`` in JavaScript, used when typecast turns a number into text."""
    number = _js_number(value)
    if isinstance(number, int):
        return str(number)
    return re.sub(r"e([+-])0*(\d)", r"e\1\2", repr(number))


def _round_half_up(value: float, precision: int) -> float:
    """Round like Airtable's number field (half away from zero, not banker's rounding)."""
    with localcontext() as ctx:
        ctx.prec = 400
        quantum = Decimal(1).scaleb(-precision)
        return float(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))


@dataclass
class _Field:
    id: str
    name: str
    type: str
    options: dict[str, Any] = field(default_factory=dict)
    description: str | None = None

    def model(self) -> dict[str, Any]:
        """The field model of the metadata API."""
        out: dict[str, Any] = {"id": self.id, "name": self.name, "type": self.type}
        if self.description:
            out["description"] = self.description
        if self.type == "number":
            out["options"] = {"precision": self.options["precision"]}
        elif self.type == "singleSelect":
            out["options"] = {"choices": [dict(c) for c in self.options["choices"]]}
        return out


@dataclass
class _Record:
    id: str
    created_time: str
    values: dict[str, Any] = field(default_factory=dict)  # field id -> non-empty value


@dataclass
class _Table:
    id: str
    name: str
    fields: list[_Field]
    view_id: str
    description: str | None = None
    records: dict[str, _Record] = field(default_factory=dict)

    @property
    def primary_field_id(self) -> str:
        return self.fields[0].id

    def field(self, key: str) -> _Field | None:
        """Look a field up by id or by exact name, as Airtable does for writes and params."""
        for candidate in self.fields:
            if key in (candidate.id, candidate.name):
                return candidate
        return None

    def model(self, visible_field_ids: bool = False) -> dict[str, Any]:
        """The table model of ``GET /v0/meta/bases/{baseId}/tables``."""
        view: dict[str, Any] = {"id": self.view_id, "name": "Grid view", "type": "grid"}
        if visible_field_ids:
            view["visibleFieldIds"] = [f.id for f in self.fields]
        out: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "primaryFieldId": self.primary_field_id,
            "fields": [f.model() for f in self.fields],
            "views": [view],
        }
        if self.description:
            out["description"] = self.description
        return out


@dataclass
class _Route:
    kind: str
    base_id: str | None
    segments: list[str]
    meta: bool


class _AnyMethodCallback(responses.CallbackResponse):
    """One registration that serves every HTTP method under the fake's endpoint.

    A single registration also keeps ``RequestsMock(assert_all_requests_are_fired=True)``
    happy as long as the test sent at least one request to the fake.
    """

    def matches(self, request: requests.PreparedRequest) -> tuple[bool, str]:
        if not self._url_matches(self.url, str(request.url)):
            return False, "URL does not match"
        return True, ""


class FakeAirtable:
    """One Airtable base, served over ``responses`` to the real pyairtable client.

    State: tables (id ``tbl…``, name, fields with id/name/type/options; the first field is
    the primary field) and records (id ``rec`` + 14 characters, ``createdTime``, fields).
    Tables are addressed in URLs by id or by (URL-encoded) name.

    Accounting: every request is appended to :attr:`calls` as ``(kind, method, path)`` where
    kind is ``"read"`` (list records, get record), ``"write"`` (create, update, upsert,
    delete), ``"schema"`` (everything under ``/v0/meta``) or ``"other"`` (unroutable).
    Rejected requests (401, 404, 422, 429, injected faults) are counted like any other.
    """

    MAX_PAGE_SIZE = 100
    MAX_RECORDS_PER_REQUEST = 10
    RATE_LIMIT_REQUESTS = 5
    RATE_LIMIT_WINDOW = 1.0
    RATE_LIMIT_PENALTY = 30.0

    def __init__(
        self,
        base_id: str = "appTEST",
        endpoint: str = "https://airtable.test",
        clock: Clock | None = None,
        *,
        token: str | None = None,
        base_name: str = "Tracker",
        seed: int = 0,
    ) -> None:
        """
        Args:
            base_id: The only base that exists; any other base id answers 404.
            endpoint: Pass the same value to ``pyairtable.Api(endpoint_url=...)``.
            clock: Source of time for the rate limiter and ``createdTime``; a new
                :class:`FakeClock` when omitted. Any object with ``now()`` and ``sleep()``.
            token: If given, only ``Authorization: Bearer <token>`` is accepted; otherwise
                any non-empty bearer token is.
            base_name: Reported by ``GET /v0/meta/bases``.
            seed: Seeds the generator of record, table and field ids.
        """
        self.base_id = base_id
        self.endpoint = endpoint.rstrip("/")
        self.clock: Clock = clock if clock is not None else FakeClock()
        self.token = token
        self.base_name = base_name
        self.calls: list[tuple[str, str, str]] = []
        self._rng = random.Random(seed)
        self._issued_ids: set[str] = set()
        self._tables: dict[str, _Table] = {}
        self._request_count = 0
        self._fail_at: dict[int, int] = {}
        self._drop_at: set[int] = set()
        self._drop_method: str | None = None
        self._after: tuple[str, str, Callable[[], None]] | None = None
        self._fail_next: deque[int] = deque()
        self.retry_after: str | None = None  # a Retry-After on 429 and 503 (as a proxy adds)
        self._window: deque[float] = deque()
        self._penalty_until: float | None = None
        self._endpoint_path = urlsplit(self.endpoint).path.rstrip("/")

    # ------------------------------------------------------------------ test helpers

    def add_table(
        self,
        name: str,
        fields: Iterable[str | Mapping[str, Any]],
        description: str | None = None,
    ) -> str:
        """Create a table directly (no request, not counted) and return its ``tbl…`` id.

        ``fields`` are field models (``{"name", "type", "options"}``) or bare names, which
        become ``singleLineText``. The first field is the primary field. Validation is the
        same as ``POST /v0/meta/bases/{baseId}/tables``; a bad definition raises ValueError.
        """
        specs = [{"name": f, "type": "singleLineText"} if isinstance(f, str) else f for f in fields]
        try:
            table = self._new_table({"name": name, "fields": specs, "description": description})
        except _ApiError as exc:
            raise ValueError(exc.body) from None
        return table.id

    def records(self, table: str) -> list[dict[str, Any]]:
        """Current rows as ``{"id", "fields"}``, fields by name, empty fields omitted."""
        tbl = self._table_or_raise(table)
        return [
            {"id": rec.id, "fields": self._fields_out(tbl, rec, by_id=False)}
            for rec in tbl.records.values()
        ]

    def add_record(self, table: str, fields: Mapping[str, Any] | None = None) -> str:
        """Add a row as a user of the Airtable UI would (no request, not counted)."""
        tbl = self._table_or_raise(table)
        values = self._ui_values(tbl, fields or {})
        rec = _Record(self._new_id("rec"), self._timestamp(), values)
        tbl.records[rec.id] = rec
        return rec.id

    def set_field(self, table: str, record_id: str, field_name: str, value: Any) -> None:
        """A reviewer's edit in the UI: set one cell ("" or None clears it).

        Values are checked with typecast semantics (the UI creates select options on the
        fly); a value the field cannot hold raises ValueError.
        """
        tbl = self._table_or_raise(table)
        rec = tbl.records.get(record_id)
        if rec is None:
            raise KeyError(f"no record {record_id} in table {table!r}")
        for fid, val in self._ui_values(tbl, {field_name: value}, keep_empty=True).items():
            if val is None:
                rec.values.pop(fid, None)
            else:
                rec.values[fid] = val

    def delete_field(self, table: str, name: str) -> None:
        """Delete a field and its values as a user of the UI would (no request)."""
        tbl = self._table_or_raise(table)
        gone = self._field_or_raise(tbl, name)
        tbl.fields.remove(gone)
        for rec in tbl.records.values():
            rec.values.pop(gone.id, None)

    def rename_field(self, table: str, name: str, new_name: str) -> None:
        """Rename a field as a user of the UI would (no request); its values stay."""
        tbl = self._table_or_raise(table)
        renamed = self._field_or_raise(tbl, name)
        others = (f for f in tbl.fields if f is not renamed)
        if any(f.name.casefold() == new_name.casefold() for f in others):
            raise ValueError(f"a field named {new_name!r} already exists")
        renamed.name = new_name

    def delete_record(self, table: str, record_id: str) -> None:
        """Delete a row as a user of the UI would (no request, not counted)."""
        tbl = self._table_or_raise(table)
        if tbl.records.pop(record_id, None) is None:
            raise KeyError(f"no record {record_id} in table {table!r}")

    def field_names(self, table: str) -> list[str]:
        """Field names of a table in schema order, primary field first."""
        return [f.name for f in self._table_or_raise(table).fields]

    def table_names(self) -> list[str]:
        return [t.name for t in self._tables.values()]

    def reset_counts(self) -> None:
        """Forget :attr:`calls` and restart the request numbering used by ``fail_at``/``drop_at``.

        Armed faults stay armed; their numbers then count from this call.
        """
        self.calls.clear()
        self._request_count = 0

    def count(self, kind: str | None = None) -> int:
        """Requests of one kind ("read", "write", "schema", "other"), or all when omitted."""
        if kind is None:
            return len(self.calls)
        return sum(1 for k, _, _ in self.calls if k == kind)

    @property
    def request_count(self) -> int:
        """Requests served since creation or the last :meth:`reset_counts`."""
        return self._request_count

    @property
    def rate_limited_until(self) -> float | None:
        """Clock time at which the current 429 penalty ends, or None when not penalised."""
        if self._penalty_until is not None and self.clock.now() < self._penalty_until:
            return self._penalty_until
        return None

    # ------------------------------------------------------------------ fault injection

    def fail_at(self, k: int, status: int = 503) -> None:
        """Make the k-th request (1-based, all kinds) answer ``status`` without applying it."""
        if k < 1:
            raise ValueError("requests are numbered from 1")
        self._fail_at[k] = status

    def drop_at(self, k: int) -> None:
        """Apply the k-th request, then lose the reply: the client gets ``ConnectionError``."""
        if k < 1:
            raise ValueError("requests are numbered from 1")
        self._drop_at.add(k)

    def drop_every(self, method: str) -> None:
        """Lose the reply of every request of ``method`` (e.g. ``DELETE``) that was applied:
        each retry then finds the work done (a 422 for a record already deleted)."""
        self._drop_method = method.upper()

    def after_next(self, method: str, path: str, action: Callable[[], None]) -> None:
        """Run ``action`` (e.g. a reviewer's edit) right after the next ``method`` request
        whose path contains ``path`` is served: something that lands between a sync's read
        and its write."""
        self._after = (method.upper(), path, action)

    def table_id(self, name: str) -> str:
        return next(t.id for t in self._tables.values() if t.name == name)

    def fail_next(self, n: int, status: int = 503) -> None:
        """Make each of the next ``n`` requests answer ``status`` without applying it."""
        self._fail_next.extend([status] * n)

    # ------------------------------------------------------------------ wiring

    def install(self, rsps: responses.RequestsMock) -> None:
        """Serve every URL under :attr:`endpoint` (all methods) from this fake.

        Covers list records (GET and POST ``listRecords``), get record, create (POST), update
        and upsert (PATCH/PUT), delete (batch and single), ``GET /v0/meta/bases``, base schema,
        create table and create field. Don't register other responses for the same URLs.
        """
        pattern = re.compile("^" + re.escape(self.endpoint) + "/")
        rsps.add(
            _AnyMethodCallback(
                "GET", pattern, callback=self._callback, content_type="application/json"
            )
        )

    def url(self, *parts: str) -> str:
        """Build ``{endpoint}/v0/...`` for raw ``requests`` calls in tests."""
        return "/".join([self.endpoint, "v0", *parts])

    # ------------------------------------------------------------------ request pipeline

    def _callback(self, request: requests.PreparedRequest) -> Reply:
        method = (request.method or "GET").upper()
        parts = urlsplit(str(request.url))
        route = self._route(method, parts.path)
        path = unquote(parts.path[len(self._endpoint_path) :])
        self._request_count += 1
        number = self._request_count
        self.calls.append((route.kind, method, path))
        on_request = getattr(self.clock, "on_request", None)
        if callable(on_request):
            on_request()

        status = self._fail_at.pop(number, None)
        if status is None and self._fail_next:
            status = self._fail_next.popleft()
        if status is not None:
            return self._retry_after(self._reply(status, self._injected_body(status)))

        try:
            reply = self._retry_after(self._serve(method, route, parts.query, request))
        except _ApiError as exc:
            reply = self._retry_after(self._reply(exc.status, exc.body))
        if self._after is not None and self._after[0] == method and self._after[1] in path:
            action, self._after = self._after[2], None
            action()
        if number in self._drop_at or (method == self._drop_method and reply[0] < 300):
            self._drop_at.discard(number)
            raise requests.exceptions.ConnectionError(
                f"FakeAirtable dropped the reply to request {number} ({method} {path})"
            )
        return reply

    def _serve(
        self, method: str, route: _Route, query: str, request: requests.PreparedRequest
    ) -> Reply:
        self._check_auth(request)
        if route.meta and route.segments == ["bases"]:
            # GET /v0/meta/bases lists bases for the token; not tied to one base's limit.
            if method != "GET":
                raise _ApiError(404, {"error": "NOT_FOUND"})
            bases = [{"id": self.base_id, "name": self.base_name, "permissionLevel": "create"}]
            return self._reply(200, {"bases": bases})
        if route.base_id != self.base_id:
            # Mirrors the classic reply for an unknown base: 404 with a bare string.
            raise _ApiError(404, {"error": "NOT_FOUND"})
        self._check_rate_limit()
        params = parse_qs(query, keep_blank_values=True)
        body = self._json_body(request)
        if route.meta:
            return self._reply(200, self._serve_meta(method, route.segments, params, body))
        return self._reply(200, self._serve_records(method, route.segments, params, body))

    def _route(self, method: str, raw_path: str) -> _Route:
        """Split the URL path (segments decoded one by one, so ``%2F`` stays in a name)."""
        if not raw_path.startswith(self._endpoint_path + "/v0/"):
            return _Route(OTHER, None, [], False)
        raw = raw_path[len(self._endpoint_path) + len("/v0/") :]
        segments = [unquote(s) for s in raw.split("/")]
        if segments and segments[0] == "meta":
            rest = segments[1:]
            base = rest[1] if len(rest) >= 2 and rest[0] == "bases" else None
            return _Route(SCHEMA, base, rest[2:] if base else rest, True)
        if len(segments) < 2 or not segments[0] or not segments[1]:
            return _Route(OTHER, segments[0] if segments else None, [], False)
        tail = segments[1:]
        if method == "GET" or (method == "POST" and tail[1:] == ["listRecords"]):
            kind = READ
        elif method in {"POST", "PATCH", "PUT", "DELETE"}:
            kind = WRITE
        else:
            kind = OTHER
        return _Route(kind, segments[0], tail, False)

    def _check_auth(self, request: requests.PreparedRequest) -> None:
        """Mirrors 401 AUTHENTICATION_REQUIRED for a missing or malformed bearer token."""
        header = request.headers.get("Authorization", "")
        match = re.fullmatch(r"Bearer\s+(\S+)\s*", header)
        if match is None or (self.token is not None and match.group(1) != self.token):
            raise _error(401, "AUTHENTICATION_REQUIRED", "Authentication required")

    def _check_rate_limit(self) -> None:
        """Mirrors "5 requests per second per base; over that, 429 and wait 30 seconds".

        The 6th request inside any 1-second window is refused and starts a 30-second
        penalty; every request during the penalty is refused too (without extending it).
        Refused requests don't use up the window.
        """
        now = self.clock.now()
        if self._penalty_until is not None and now < self._penalty_until:
            raise self._rate_limited()
        while self._window and self._window[0] <= now - self.RATE_LIMIT_WINDOW:
            self._window.popleft()
        if len(self._window) >= self.RATE_LIMIT_REQUESTS:
            self._penalty_until = now + self.RATE_LIMIT_PENALTY
            self._window.clear()
            raise self._rate_limited()
        self._window.append(now)

    @staticmethod
    def _rate_limited() -> _ApiError:
        return _ApiError(
            429,
            {
                "errors": [
                    {
                        "error": "RATE_LIMIT_REACHED",
                        "message": "Rate limit exceeded. Please try again later",
                    }
                ]
            },
        )

    @staticmethod
    def _injected_body(status: int) -> JSON:
        if status == 429:
            return FakeAirtable._rate_limited().body
        kinds = {500: "SERVER_ERROR", 502: "BAD_GATEWAY", 503: "SERVICE_UNAVAILABLE"}
        return {"error": {"type": kinds.get(status, "INJECTED_FAILURE"), "message": "injected"}}

    def _retry_after(self, reply: Reply) -> Reply:
        """``reply`` with :attr:`retry_after` as its Retry-After when it is a 429 or 503."""
        status, headers, body = reply
        if self.retry_after is not None and status in (429, 503):
            headers = {**headers, "Retry-After": self.retry_after}
        return status, headers, body

    @staticmethod
    def _reply(status: int, body: JSON) -> Reply:
        return status, {"Content-Type": "application/json"}, json.dumps(body)

    @staticmethod
    def _json_body(request: requests.PreparedRequest) -> dict[str, Any] | None:
        raw = request.body
        if raw is None or raw in (b"", ""):
            return None
        try:
            body = json.loads(raw)
        except ValueError:
            raise _error(422, "INVALID_REQUEST_BODY", "Could not parse request body") from None
        if not isinstance(body, dict):
            raise _invalid_request()
        return body

    # ------------------------------------------------------------------ records API

    def _serve_records(
        self,
        method: str,
        tail: list[str],
        params: dict[str, list[str]],
        body: dict[str, Any] | None,
    ) -> JSON:
        table = self._table_from_url(tail[0])
        rest = tail[1:]
        if not rest:
            if method == "GET":
                return self._list(table, self._list_options_from_query(params))
            if method == "POST":
                return self._create(table, body or {})
            if method in {"PATCH", "PUT"}:
                return self._update_many(table, body or {}, replace=method == "PUT")
            if method == "DELETE":
                ids = params.get("records[]", []) + params.get("records", [])
                return {"records": self._delete(table, ids)}
        elif rest == ["listRecords"] and method == "POST":
            options = dict(body or {})
            for key in ("timeZone", "userLocale"):
                if key in params:
                    options[key] = params[key][-1]
            unknown = set(options) - _LIST_PARAMS
            if unknown:
                raise _invalid_request()
            return self._list(table, options)
        elif len(rest) == 1:
            record_id = rest[0]
            if method == "GET":
                by_id = self._flag(params.get("returnFieldsByFieldId", ["false"])[-1])
                return self._record_out(table, self._record(table, record_id), by_id)
            if method in {"PATCH", "PUT"}:
                payload = dict(body or {})
                payload["records"] = [{"id": record_id, "fields": payload.pop("fields", None)}]
                self._record(table, record_id)  # a missing record is a 404 on this route
                return self._update_many(table, payload, replace=method == "PUT")["records"][0]
            if method == "DELETE":
                self._record(table, record_id)
                return self._delete(table, [record_id])[0]
        raise _ApiError(404, {"error": "NOT_FOUND"})

    def _table_from_url(self, key: str) -> _Table:
        table = self._find_table(key)
        if table is None:
            raise _model_not_found()
        return table

    def _record(self, table: _Table, record_id: str) -> _Record:
        rec = table.records.get(record_id)
        if rec is None:
            raise _record_not_found(record_id)
        return rec

    @staticmethod
    def _flag(raw: Any) -> bool:
        if isinstance(raw, bool):
            return raw
        if raw in ("1", "true", 1):
            return True
        if raw in ("0", "false", "", 0, None):
            return False
        raise _invalid_request()

    def _list_options_from_query(self, params: dict[str, list[str]]) -> dict[str, Any]:
        """Turn GET query parameters into the body shape ``POST .../listRecords`` takes."""
        options: dict[str, Any] = {}
        sort: dict[int, dict[str, str]] = {}
        for key, values in params.items():
            value = values[-1]
            if key in {"fields[]", "fields"}:
                options["fields"] = values
            elif key in {"recordMetadata[]", "recordMetadata"}:
                options["recordMetadata"] = values
            elif match := _SORT_KEY.match(key):
                sort.setdefault(int(match.group(1)), {})[match.group(2)] = value
            elif key in {"pageSize", "maxRecords"}:
                try:
                    options[key] = int(value)
                except ValueError:
                    raise _invalid_request() from None
            elif key in _LIST_PARAMS - {"fields", "sort", "recordMetadata"}:
                options[key] = value
            else:
                raise _invalid_request()
        if sort:
            options["sort"] = [sort[i] for i in sorted(sort)]
        return options

    def _list(self, table: _Table, options: dict[str, Any]) -> JSON:
        """Mirrors List records: pages of ``pageSize`` (1..100, default 100), ``offset``
        tokens shaped ``itr…/rec…``, ``maxRecords``, ``fields``, ``sort``, ``view`` and
        ``returnFieldsByFieldId``; records in creation order, empty fields omitted.
        """
        wanted = _record_ids(str(options.get("filterByFormula") or ""))
        if options.get("cellFormat", "json") != "json":
            raise NotImplementedError("FakeAirtable only supports cellFormat=json")
        page_size = self._int_option(options, "pageSize", default=self.MAX_PAGE_SIZE)
        if not 1 <= page_size <= self.MAX_PAGE_SIZE:
            raise _invalid_request()
        max_records = self._int_option(options, "maxRecords", default=None)
        if max_records is not None and max_records < 1:
            raise _invalid_request()
        by_id = self._flag(options.get("returnFieldsByFieldId", False))
        view = options.get("view")
        if view is not None and view not in {"Grid view", table.view_id}:
            kind = "VIEW_ID_NOT_FOUND" if str(view).startswith("viw") else "VIEW_NAME_NOT_FOUND"
            raise _error(422, kind, f"View {view} not found")
        only: set[str] | None = None
        if "fields" in options:
            names = options["fields"]
            if not isinstance(names, list):
                raise _invalid_request()
            only = {self._field_or_raise(table, str(n)).id for n in names}
        rows = self._sorted(table, list(table.records.values()), options.get("sort"))
        if wanted is not None:
            rows = [r for r in rows if r.id in wanted]

        start = position = 0
        if options.get("offset"):
            start, position = self._resume(rows, str(options["offset"]))
        end = min(start + page_size, len(rows))
        if max_records is not None:
            end = min(end, start + max(0, max_records - position))
        page = rows[start:end]
        with_comments = "commentCount" in (options.get("recordMetadata") or [])
        out: dict[str, Any] = {
            "records": [self._record_out(table, r, by_id, only, with_comments) for r in page]
        }
        next_position = position + len(page)
        more = end < len(rows) and (max_records is None or next_position < max_records)
        if more:
            out["offset"] = f"itr{next_position:014d}/{rows[end].id}"
        return out

    @staticmethod
    def _int_option(options: Mapping[str, Any], key: str, default: int | None) -> Any:
        value = options.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise _invalid_request()
        return value

    @staticmethod
    def _resume(rows: list[_Record], offset: str) -> tuple[int, int]:
        """Where the next page starts: at the record named by the offset if it still exists,
        otherwise at the same position (records deleted meanwhile are simply skipped)."""
        match = _OFFSET.match(offset)
        if match is None:
            raise _error(422, "INVALID_OFFSET_VALUE", f"The value of offset {offset} is invalid")
        position, record_id = int(match.group(1)), match.group(2)
        for index, rec in enumerate(rows):
            if rec.id == record_id:
                return index, position
        return min(position, len(rows)), position

    def _sorted(self, table: _Table, rows: list[_Record], sort: Any) -> list[_Record]:
        if not sort:
            return rows
        if not isinstance(sort, list):
            raise _invalid_request()
        for spec in reversed(sort):
            if not isinstance(spec, dict) or "field" not in spec:
                raise _invalid_request()
            fld = self._field_or_raise(table, str(spec["field"]))
            direction = spec.get("direction", "asc")
            if direction not in {"asc", "desc"}:
                raise _invalid_request()

            def key(rec: _Record, fid: str = fld.id) -> tuple[bool, Any]:
                value = rec.values.get(fid)
                if isinstance(value, str):
                    value = value.casefold()
                return (value is not None, value if value is not None else 0)

            rows = sorted(rows, key=key, reverse=direction == "desc")
        return rows

    def _create(self, table: _Table, body: dict[str, Any]) -> JSON:
        """Mirrors Create records: ``{"fields"}`` for one record or ``{"records": [...]}``
        for up to 10; all-or-nothing validation."""
        self._only_keys(body, {"fields", "records", "typecast", "returnFieldsByFieldId"})
        typecast = self._flag(body.get("typecast", False))
        by_id = self._flag(body.get("returnFieldsByFieldId", False))
        single = "records" not in body
        if single:
            if "fields" not in body:
                raise self._invalid_records("created")
            items = [{"fields": body["fields"]}]
        else:
            items = self._batch(body.get("records"), "created")
        planned: list[dict[str, Any]] = []
        new_choices: list[tuple[_Field, str]] = []
        for item in items:
            if not isinstance(item, dict) or set(item) - {"fields"}:
                raise self._invalid_records("created")
            planned.append(self._validate(table, item.get("fields", {}), typecast, new_choices))
        self._add_choices(new_choices)
        created = []
        for values in planned:
            rec = _Record(self._new_id("rec"), self._timestamp(), self._non_empty(values))
            table.records[rec.id] = rec
            created.append(self._record_out(table, rec, by_id))
        return created[0] if single else {"records": created}

    def _update_many(self, table: _Table, body: dict[str, Any], replace: bool) -> JSON:
        """Mirrors Update multiple records (PATCH merges, PUT clears unnamed fields) and its
        upsert mode (``performUpsert.fieldsToMergeOn``); all-or-nothing validation."""
        allowed = {"records", "typecast", "returnFieldsByFieldId", "performUpsert"}
        self._only_keys(body, allowed)
        typecast = self._flag(body.get("typecast", False))
        by_id = self._flag(body.get("returnFieldsByFieldId", False))
        items = self._batch(body.get("records"), "updated")
        merge_on = (
            self._merge_fields(table, body["performUpsert"]) if "performUpsert" in body else None
        )

        new_choices: list[tuple[_Field, str]] = []
        plan: list[tuple[str | None, dict[str, Any]]] = []  # (record id or None to create, values)
        seen_keys: set[tuple[Any, ...]] = set()
        for item in items:
            if not isinstance(item, dict) or set(item) - {"id", "fields"}:
                raise self._invalid_records("updated")
            if not isinstance(item.get("fields"), dict):
                raise self._invalid_records("updated")
            values = self._validate(table, item["fields"], typecast, new_choices)
            if "id" in item:
                # Records that carry an id are plain updates, even in upsert mode.
                if item["id"] not in table.records:
                    raise _row_missing(str(item["id"]))
                plan.append((item["id"], values))
                continue
            if merge_on is None:
                raise self._invalid_records("updated")
            key = self._merge_key(merge_on, values)
            if key in seen_keys:
                raise _error(
                    422,
                    "INVALID_RECORDS",
                    "Two records in the request have the same values for fieldsToMergeOn",
                )
            seen_keys.add(key)
            matches = [
                rec
                for rec in table.records.values()
                if tuple(rec.values.get(f.id) for f in merge_on) == key
            ]
            if len(matches) > 1:
                names = ", ".join(f.name for f in merge_on)
                raise _error(
                    422,
                    "INVALID_RECORDS",
                    f"Cannot upsert: more than one existing record matches on {names}",
                )
            plan.append((matches[0].id if matches else None, values))

        self._add_choices(new_choices)
        out, created_ids, updated_ids = [], [], []
        for record_id, values in plan:
            if record_id is None:
                rec = _Record(self._new_id("rec"), self._timestamp(), self._non_empty(values))
                table.records[rec.id] = rec
                created_ids.append(rec.id)
            else:
                rec = table.records[record_id]
                if replace:
                    rec.values.clear()
                for fid, value in values.items():
                    if value is None:
                        rec.values.pop(fid, None)
                    else:
                        rec.values[fid] = value
                updated_ids.append(rec.id)
            out.append(self._record_out(table, rec, by_id))
        result: dict[str, Any] = {"records": out}
        if merge_on is not None:
            result["createdRecords"] = created_ids
            result["updatedRecords"] = updated_ids
        return result

    def _merge_fields(self, table: _Table, perform_upsert: Any) -> list[_Field]:
        """Mirrors ``fieldsToMergeOn``: 1 to 3 existing, non-computed fields."""
        if not isinstance(perform_upsert, dict) or set(perform_upsert) != {"fieldsToMergeOn"}:
            raise _invalid_request()
        names = perform_upsert["fieldsToMergeOn"]
        if not isinstance(names, list) or not 1 <= len(names) <= 3:
            raise _invalid_request()
        return [self._field_or_raise(table, str(n)) for n in names]

    @staticmethod
    def _merge_key(merge_on: list[_Field], values: dict[str, Any]) -> tuple[Any, ...]:
        """The external id of a record to upsert; every merge field must have a value."""
        key = tuple(values.get(f.id) for f in merge_on)
        missing = [f.name for f, v in zip(merge_on, key, strict=True) if v is None]
        if missing:
            raise _error(
                422,
                "INVALID_RECORDS",
                f"Each record must have a value for every field in fieldsToMergeOn: {missing}",
            )
        return key

    def _delete(self, table: _Table, ids: list[str]) -> list[dict[str, Any]]:
        """Mirrors Delete multiple records (``records[]`` query params, up to 10)."""
        if not ids:
            raise self._invalid_records("deleted")
        if len(ids) > self.MAX_RECORDS_PER_REQUEST:
            raise self._too_many("deleted", len(ids))
        for record_id in ids:
            if record_id not in table.records:
                raise _row_missing(record_id)
        for record_id in ids:
            table.records.pop(record_id, None)
        return [{"id": record_id, "deleted": True} for record_id in ids]

    def _batch(self, records: Any, verb: str) -> list[Any]:
        if not isinstance(records, list) or not records:
            raise self._invalid_records(verb)
        if len(records) > self.MAX_RECORDS_PER_REQUEST:
            raise self._too_many(verb, len(records))
        return records

    def _too_many(self, verb: str, n: int) -> _ApiError:
        """Mirrors the 422 INVALID_RECORDS Airtable sends for more than 10 records."""
        return _error(
            422,
            "INVALID_RECORDS",
            f"A maximum of {self.MAX_RECORDS_PER_REQUEST} records can be {verb} per request"
            f" but you have provided {n}.",
        )

    @staticmethod
    def _invalid_records(verb: str) -> _ApiError:
        what = {
            "created": 'each with a "fields" object for cell values',
            "updated": 'each with an "id" ID field and a "fields" object for cell values',
            "deleted": "",
        }[verb]
        noun = "record IDs" if verb == "deleted" else f"record objects, {what}"
        return _error(
            422, "INVALID_RECORDS", f"You must provide an array of up to 10 {noun}.".strip()
        )

    @staticmethod
    def _only_keys(body: Mapping[str, Any], allowed: set[str]) -> None:
        if set(body) - allowed:
            raise _invalid_request()

    # ------------------------------------------------------------------ values

    def _validate(
        self,
        table: _Table,
        fields: Any,
        typecast: bool,
        new_choices: list[tuple[_Field, str]],
    ) -> dict[str, Any]:
        """Map a request's ``fields`` to ``{field id: stored value or None}`` or raise 422."""
        if not isinstance(fields, dict):
            raise _invalid_request()
        out: dict[str, Any] = {}
        for key, value in fields.items():
            fld = self._field_or_raise(table, key)
            out[fld.id] = self._coerce(fld, value, typecast, new_choices)
        return out

    def _coerce(
        self, fld: _Field, value: Any, typecast: bool, new_choices: list[tuple[_Field, str]]
    ) -> Any:
        """One cell value as Airtable would store it; None means the cell is empty.

        * Text: strings of at most 100,000 characters only; with ``typecast`` a number
          becomes its JavaScript string. ``""`` clears the cell (and it then reads back as
          absent).
        * Number: int/float only (not bool); with ``typecast`` a numeric string is parsed and
          ``""`` clears. Stored rounded half-up to the field's ``precision``.
        * Single select: an existing choice name; with ``typecast`` an unknown name adds the
          choice, without it the request fails with INVALID_MULTIPLE_CHOICE_OPTIONS.
        * None clears any field.
        """
        if value is None:
            return None
        if fld.type in TEXT_TYPES:
            if isinstance(value, str) and len(value) > MAX_TEXT_CHARS:
                raise _bad_value(fld.name)
            if isinstance(value, str):
                return value or None
            if typecast and isinstance(value, int | float) and not isinstance(value, bool):
                return _js_string(value)
            raise _bad_value(fld.name)
        if fld.type == "number":
            if isinstance(value, bool):
                raise _bad_value(fld.name)
            if isinstance(value, int | float):
                number = float(value)
            elif typecast and isinstance(value, str):
                text = value.strip().replace(",", "")
                if not text:
                    return None
                try:
                    number = float(text)
                except ValueError:
                    raise _bad_value(fld.name) from None
            else:
                raise _bad_value(fld.name)
            if not math.isfinite(number):
                raise _bad_value(fld.name)
            return _js_number(_round_half_up(number, int(fld.options["precision"])))
        if fld.type == "singleSelect":
            if not isinstance(value, str):
                raise _bad_value(fld.name)
            if value == "":
                return None
            names = {c["name"] for c in fld.options["choices"]}
            if value not in names:
                if not typecast:
                    raise _error(
                        422,
                        "INVALID_MULTIPLE_CHOICE_OPTIONS",
                        f'Insufficient permissions to create new select option ""{value}""',
                    )
                new_choices.append((fld, value))
            return value
        raise NotImplementedError(f"FakeAirtable does not support field type {fld.type!r}")

    def _add_choices(self, new_choices: list[tuple[_Field, str]]) -> None:
        for fld, name in new_choices:
            if name not in {c["name"] for c in fld.options["choices"]}:
                fld.options["choices"].append({"id": self._new_id("sel"), "name": name})

    def _ui_values(
        self, table: _Table, fields: Mapping[str, Any], keep_empty: bool = False
    ) -> dict[str, Any]:
        new_choices: list[tuple[_Field, str]] = []
        try:
            values = self._validate(table, dict(fields), True, new_choices)
        except _ApiError as exc:
            raise ValueError(exc.body) from None
        self._add_choices(new_choices)
        return values if keep_empty else self._non_empty(values)

    @staticmethod
    def _non_empty(values: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in values.items() if v is not None}

    def _field_or_raise(self, table: _Table, key: str) -> _Field:
        fld = table.field(key)
        if fld is None:
            raise _unknown_field(key)
        return fld

    def _fields_out(
        self, table: _Table, rec: _Record, by_id: bool, only: set[str] | None = None
    ) -> dict[str, Any]:
        return {
            (f.id if by_id else f.name): rec.values[f.id]
            for f in table.fields
            if f.id in rec.values and (only is None or f.id in only)
        }

    def _record_out(
        self,
        table: _Table,
        rec: _Record,
        by_id: bool,
        only: set[str] | None = None,
        with_comments: bool = False,
    ) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": rec.id,
            "createdTime": rec.created_time,
            "fields": self._fields_out(table, rec, by_id, only),
        }
        if with_comments:
            out["commentCount"] = 0
        return out

    # ------------------------------------------------------------------ metadata API

    def _serve_meta(
        self,
        method: str,
        rest: list[str],
        params: dict[str, list[str]],
        body: dict[str, Any] | None,
    ) -> JSON:
        if rest == ["tables"] and method == "GET":
            include = params.get("include", []) + params.get("include[]", [])
            visible = "visibleFieldIds" in include
            return {"tables": [t.model(visible) for t in self._tables.values()]}
        if rest == ["tables"] and method == "POST":
            return self._new_table(body or {}).model()
        if len(rest) == 3 and rest[0] == "tables" and rest[2] == "fields" and method == "POST":
            table = self._table_from_url(rest[1])
            fld = self._new_field(table, body or {}, [f.name for f in table.fields])
            table.fields.append(fld)
            return fld.model()
        raise _ApiError(404, {"error": "NOT_FOUND"})

    def _new_table(self, body: Mapping[str, Any]) -> _Table:
        """Mirrors Create table: unique name, at least one field, the first is primary."""
        self._only_keys(body, {"name", "description", "fields"})
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            raise _error(422, "INVALID_TABLE_NAME", "Table name must be a non-empty string")
        if any(t.name.casefold() == name.casefold() for t in self._tables.values()):
            raise _error(422, "DUPLICATE_TABLE_NAME", f'Table name "{name}" is already in use')
        specs = body.get("fields")
        if not isinstance(specs, list) or not specs:
            raise _error(422, "INVALID_FIELDS", "A table must have at least one field")
        taken: list[str] = []
        fields = []
        for spec in specs:
            fld = self._new_field(None, spec, taken)
            taken.append(fld.name)
            fields.append(fld)
        table = _Table(
            id=self._new_id("tbl"),
            name=name,
            fields=fields,
            view_id=self._new_id("viw"),
            description=body.get("description") or None,
        )
        self._tables[table.id] = table
        return table

    def _new_field(self, table: _Table | None, spec: Any, taken: list[str]) -> _Field:
        """Mirrors Create field: unique non-empty name (case-insensitive), a supported type,
        ``precision`` 0..8 for number, ``choices`` for singleSelect, no options for text."""
        if not isinstance(spec, Mapping):
            raise _invalid_request()
        self._only_keys(spec, {"name", "type", "options", "description"})
        name, kind = spec.get("name"), spec.get("type")
        if not isinstance(name, str) or not name.strip():
            raise _error(422, "DUPLICATE_OR_EMPTY_FIELD_NAME", "Field name cannot be empty")
        if any(t.casefold() == name.casefold() for t in taken):
            raise _error(
                422, "DUPLICATE_OR_EMPTY_FIELD_NAME", f'Field name "{name}" is already in use'
            )
        if not isinstance(kind, str):
            raise _invalid_request()
        if kind not in SUPPORTED_TYPES:
            raise NotImplementedError(f"FakeAirtable does not support field type {kind!r}")
        options = spec.get("options")
        bad_options = _error(
            422, "INVALID_FIELD_TYPE_OPTIONS", f'Invalid options for field "{name}" ({kind})'
        )
        stored: dict[str, Any] = {}
        if kind in TEXT_TYPES:
            if options:
                raise bad_options
        elif kind == "number":
            precision = options.get("precision") if isinstance(options, Mapping) else None
            if (
                isinstance(precision, bool)
                or not isinstance(precision, int)
                or not 0 <= precision <= 8
            ):
                raise bad_options
            stored = {"precision": precision}
        else:
            choices = options.get("choices") if isinstance(options, Mapping) else None
            if not isinstance(choices, list):
                raise bad_options
            stored_choices: list[dict[str, str]] = []
            for choice in choices:
                if not isinstance(choice, Mapping) or not isinstance(choice.get("name"), str):
                    raise bad_options
                if choice["name"] in {c["name"] for c in stored_choices} or not choice["name"]:
                    raise bad_options
                item = {"id": self._new_id("sel"), "name": choice["name"]}
                if isinstance(choice.get("color"), str):
                    item["color"] = choice["color"]
                stored_choices.append(item)
            stored = {"choices": stored_choices}
        description = spec.get("description")
        return _Field(self._new_id("fld"), name, kind, stored, description or None)

    # ------------------------------------------------------------------ small utilities

    def _find_table(self, key: str) -> _Table | None:
        if key in self._tables:
            return self._tables[key]
        for table in self._tables.values():
            if table.name == key:
                return table
        return None

    def _table_or_raise(self, key: str) -> _Table:
        table = self._find_table(key)
        if table is None:
            raise KeyError(f"no table {key!r} in the fake base")
        return table

    def _new_id(self, prefix: str) -> str:
        """Airtable-shaped ids: a 3-letter prefix and 14 base-62 characters."""
        while True:
            candidate = prefix + "".join(self._rng.choices(_ID_ALPHABET, k=14))
            if candidate not in self._issued_ids:
                self._issued_ids.add(candidate)
                return candidate

    def _timestamp(self) -> str:
        moment = _EPOCH + timedelta(seconds=self.clock.now())
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
