"""Airtable (pyairtable): one table per sheet in a base.

Reads page through ``Table.iterate`` (100 records a request); new rows are written with
``batch_upsert`` on the key field, so a retry after a lost response never duplicates a
record; changed cells with ``batch_update`` by record id; rows that leave with
``batch_delete``; all 10 records a request. Missing tables and fields are created through
the metadata API the first time they are needed, and the base's schema is remembered
between runs (and read again when a remembered table id is gone). A field is the column it
names in any case and with any surrounding spaces (one a reviewer renamed ``Decision `` is
``decision``). Numbers are JSON
numbers; long text is long text. A client-side pacer keeps to 5 requests a second, and a
429 is waited out (Airtable's 30-second penalty) by the project's retry policy.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping
from http import HTTPStatus
from pathlib import Path
from typing import Any

import requests
from pyairtable import Api

from bridge.backends.http import Clock, api_error, describe, not_json, pace, request_options
from bridge.codec import canonical_header, from_sheet, to_sheet
from bridge.layout import SheetLayout
from bridge.model import SheetChanges, SheetData, SheetRow, first_positions
from pipeline.errors import ConfigError, TrackerError
from pipeline.retry import MAX_WAIT, TimeSource
from pipeline.settings import Settings

DEFAULT_ENDPOINT = "https://api.airtable.com"
MAX_TEXT = 100_000  # Airtable's limit for long text
MODEL_NOT_FOUND = "INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND"
UNKNOWN_FIELD = "UNKNOWN_FIELD_NAME"  # a remembered field deleted or renamed in the base
BATCH = 10  # records per write request
IDS_PER_READ = 50  # records read again by id in one request (the URL stays short)
GONE = (HTTPStatus.NOT_FOUND, HTTPStatus.UNPROCESSABLE_ENTITY)  # a delete of missing records
CHOICES = {"decision": ("y", "n")}  # single-select fields and their options


def field_columns(layout: SheetLayout, fields: list[str]) -> dict[str, str]:
    """Field name -> the column it holds: a field names a column in any case and with any
    surrounding spaces; of two fields naming one column, only the first is read."""
    columns = canonical_header(fields, layout)
    return {fields[index]: column for column, index in first_positions(columns).items()}


def column_fields(layout: SheetLayout, fields: list[str]) -> dict[str, str]:
    """Column -> the name of the field that holds it (:func:`field_columns` reversed)."""
    return {column: field for field, column in field_columns(layout, fields).items()}


class AirtableError(TrackerError):
    """An Airtable request failed after its retries; ``status`` is the HTTP status of its
    reply, when there was one."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ModelNotFound(AirtableError):
    """Airtable cannot find the table asked for by id, or the token may not use it (403
    INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND), or a field asked for by name (422
    UNKNOWN_FIELD_NAME): the remembered schema may be stale."""


def secret(env: Mapping[str, str], name: str) -> str | None:
    """``NAME`` from the environment, or the contents of the file ``NAME_FILE`` names."""
    if env.get(name):
        return env[name].strip()
    path = env.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"cannot read {name}_FILE ({exc.strerror})", file=path) from None
    return None


class AirtableBackend:
    name = "airtable"
    stable_refs = True
    max_text = MAX_TEXT
    plain_text = False
    number_digits = None
    number_decimals = 8  # the number fields' precision
    typed_numbers = True  # a number field refuses text
    deletes_rows = False  # records have no row numbers

    def __init__(
        self,
        token: str,
        base_id: str,
        *,
        endpoint: str | None = None,
        clock: TimeSource | None = None,
        requests_per_second: float = 5.0,
        retries: int = 6,
        timeout: float = 30.0,
        max_wait: float = MAX_WAIT,
    ) -> None:
        self.base_id = base_id
        self.clock = clock or Clock()
        # pyairtable's own urllib3 retries are off (retry_strategy=None): its session gets
        # the project's pacing and retry policy as a transport adapter instead, whose
        # waits run on ``clock``.
        self.api = Api(
            token,
            # pyairtable annotates (int, int); requests takes a float read timeout.
            timeout=(10, timeout),  # type: ignore[arg-type]
            retry_strategy=None,
            endpoint_url=endpoint or DEFAULT_ENDPOINT,
        )
        self.calls: Counter[str] = Counter()
        self.cache: dict[str, Any] = {}
        self._fresh = False  # whether the schema was read in this run
        pace(
            self.api.session,
            self.clock,
            per_second=requests_per_second,
            retries=retries,
            max_wait=max_wait,
            count=self._count,
        )
        self.base = self.api.base(base_id)

    @classmethod
    def from_env(cls, settings: Settings, env: Mapping[str, str] = os.environ) -> AirtableBackend:
        token, base_id = secret(env, "AIRTABLE_TOKEN"), env.get("AIRTABLE_BASE_ID", "").strip()
        if not token or not base_id:
            message = "the airtable backend needs AIRTABLE_TOKEN and AIRTABLE_BASE_ID"
            raise ConfigError(f"{message} (README: Deployment)")
        return cls(
            token,
            base_id,
            endpoint=env.get("AIRTABLE_ENDPOINT_URL") or None,
            requests_per_second=settings.bridge.requests_per_second,
            **request_options(settings),
        )

    def _count(self, method: str, url: str) -> None:
        """Requests by kind: schema (metadata API), read (listing records), write."""
        if "/v0/meta/" in url:
            self.calls["schema"] += 1
        elif method == "GET" or url.endswith("/listRecords"):
            self.calls["read"] += 1
        else:
            self.calls["write"] += 1

    def location(self) -> str:
        return f"https://airtable.com/{self.base_id}"

    def write_blocked(self) -> str | None:
        return None

    # -- schema -------------------------------------------------------------------------

    def _tables(self, refresh: bool = False) -> dict[str, dict[str, Any]]:
        """{table name: {"id": ..., "fields": [names]}}, read once and remembered."""
        if refresh or "tables" not in self.cache:
            self._fresh = True
            schema = self._call(lambda: self.base.schema(force=True))
            self.cache["tables"] = {
                table.name: {"id": table.id, "fields": [f.name for f in table.fields]}
                for table in schema.tables
            }
        return self.cache["tables"]

    @staticmethod
    def field_spec(layout: SheetLayout, column: str) -> dict[str, Any]:
        """A field whose type fits the column: numbers with their precision (a probability
        keeps 3 decimals), ``decision`` a single select, long text long."""
        if column in layout.numbers:
            precision = 3 if layout.number_format(column) == "probability" else 8
            return {"name": column, "type": "number", "options": {"precision": precision}}
        if column in CHOICES:
            choices = [{"name": name} for name in CHOICES[column]]
            return {"name": column, "type": "singleSelect", "options": {"choices": choices}}
        kind = "multilineText" if layout.is_long(column) else "singleLineText"
        return {"name": column, "type": kind}

    def _call(self, action: Any, table: str | None = None) -> Any:
        """``action()``, its failure made one line; ``table`` names the table it uses."""
        try:
            return action()
        except requests.HTTPError as exc:
            if exc.response is None:
                raise AirtableError(f"Airtable: {exc}") from None
            missing = f"base {self.base_id}: check AIRTABLE_BASE_ID"
            message = f"Airtable: {describe(exc.response, missing)}"
            status = exc.response.status_code
            if api_error(exc.response).get("type") in (MODEL_NOT_FOUND, UNKNOWN_FIELD):
                where = f"{message} (table {table})" if table else message
                raise ModelNotFound(where, status) from None
            raise AirtableError(message, status) from None
        except requests.JSONDecodeError as exc:
            raise AirtableError(f"Airtable: {not_json(exc)}") from None
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise AirtableError(
                f"Airtable: cannot reach {self.api.endpoint_url} ({type(exc).__name__})"
            ) from None

    # -- reading ------------------------------------------------------------------------

    def read(self, layouts: list[SheetLayout]) -> dict[str, SheetData]:
        tables = self._tables()
        if any(layout.title not in tables for layout in layouts) and not self._fresh:
            tables = self._tables(refresh=True)  # created since (an interrupted first push?)
        result = {}
        for layout in layouts:
            try:
                result[layout.table] = self._read_table(layout, tables)
            except ModelNotFound:
                if self._fresh:
                    raise
                # The remembered id or a field is gone (a table deleted or replaced, a field
                # deleted or renamed in the base): read the schema again; a table or field
                # still missing is created by the push and refilled, never read as emptied.
                tables = self._tables(refresh=True)
                result[layout.table] = self._read_table(layout, tables)
        self.cache["refs"] = {
            layout.table: {row.key: row.ref for row in result[layout.table].rows if row.key}
            for layout in layouts
        }
        return result

    def read_rows(self, layout: SheetLayout, rows: list[SheetRow]) -> SheetData:
        """The records of ``rows`` as they are now (a record gone is missing): what a push
        is about to write, read again by id, 50 ids a request."""
        info = self._tables()[layout.title]
        columns = field_columns(layout, info["fields"])
        header = canonical_header(info["fields"], layout)
        data, table = SheetData(layout, header), self.base.table(info["id"])
        refs = [row.ref for row in rows]
        for start in range(0, len(refs), IDS_PER_READ):
            ids = ",".join(f"RECORD_ID()='{ref}'" for ref in refs[start : start + IDS_PER_READ])
            formula = f"OR({ids})"
            pages = self._call(
                lambda f=formula: list(table.iterate(fields=info["fields"], formula=f)),
                layout.title,
            )
            for record in (r for page in pages for r in page):
                cells = _cells(layout, columns, record["fields"])
                key = cells.get(layout.key, "").strip()
                data.rows.append(SheetRow(key, cells, record["id"], len(data.rows) + 2))
        return data

    def _read_table(self, layout: SheetLayout, tables: dict[str, dict[str, Any]]) -> SheetData:
        """Every record of the layout's table (exists=False when the schema has none)."""
        info = tables.get(layout.title)
        if info is None:
            return SheetData(layout, exists=False)
        columns = field_columns(layout, info["fields"])
        data = SheetData(layout, canonical_header(info["fields"], layout))
        table = self.base.table(info["id"])
        # Only the remembered fields: a deleted one fails the read (UNKNOWN_FIELD_NAME)
        # instead of reading as a column a reviewer emptied.
        fields = list(info["fields"])
        pages = self._call(lambda: list(table.iterate(page_size=100, fields=fields)), layout.title)
        for page in pages:
            for record in page:
                cells = _cells(layout, columns, record["fields"])
                position = len(data.rows) + 2
                data.rows.append(
                    SheetRow(cells.get(layout.key, "").strip(), cells, record["id"], position)
                )
        return data

    # -- writing ------------------------------------------------------------------------

    def write(self, changes: dict[str, SheetChanges]) -> None:
        tables = self._tables()
        for change in changes.values():
            table = self._prepare(change, tables)
            names = column_fields(change.layout, tables[change.layout.title]["fields"])
            self._records(table, change.layout, change, names)

    def _prepare(self, change: SheetChanges, tables: dict[str, dict[str, Any]]) -> Any:
        """The table, created with its fields, or with the fields it lacks added."""
        layout = change.layout
        if layout.title not in tables:
            order = [layout.key, *[h for h in change.header if h != layout.key]]
            fields = [self.field_spec(layout, c) for c in order]
            payload = {"name": layout.title, "fields": fields}
            # Base.create_table would read the whole schema again; one POST is enough.
            created = self._call(lambda: self.api.post(self.base.urls.tables, json=payload))
            tables[layout.title] = {"id": created["id"], "fields": order}
        info = tables[layout.title]
        table = self.base.table(info["id"])
        known = column_fields(layout, info["fields"])
        for column in [c for c in change.header if c not in known]:
            spec = self.field_spec(layout, column)
            self._call(
                lambda s=spec: table.create_field(s["name"], s["type"], options=s.get("options"))
            )
            info["fields"].append(column)
        return table

    def _records(
        self, table: Any, layout: SheetLayout, change: SheetChanges, names: dict[str, str]
    ) -> None:
        """Write one table's changes; ``names`` gives each column's field name."""

        def fields(cells: dict[str, str]) -> dict[str, Any]:
            return {names.get(c, c): to_sheet(layout, c, v) for c, v in cells.items()}

        updates = [{"id": row.ref, "fields": fields(cells)} for row, cells in change.updates]
        appends = [
            {"fields": {k: v for k, v in fields(cells).items() if v is not None}}
            for cells in change.appends
        ]
        removals = [row.ref for row in change.removals]
        if updates:
            self._call(lambda: table.batch_update(updates))
        refs = self.cache.setdefault("refs", {}).setdefault(layout.table, {})
        if appends:
            key_field = names.get(layout.key, layout.key)
            done = self._call(lambda: table.batch_upsert(appends, key_fields=[key_field]))
            for record in done["records"]:  # remembered: the next read changes nothing
                key = from_sheet(layout, layout.key, record["fields"].get(key_field, ""))
                refs[key.strip()] = record["id"]
        for start in range(0, len(removals), BATCH):
            self._delete(table, layout, removals[start : start + BATCH])
        if removals:
            for row in change.removals:
                refs.pop(row.key, None)

    def _delete(self, table: Any, layout: SheetLayout, ids: list[str]) -> None:
        """One DELETE of at most 10 records. Refused because a record is missing (a retry
        after a lost reply finds its work done): the records still there are read back one
        by one and deleted; any other failure is raised."""
        try:
            self._call(lambda: table.batch_delete(ids), layout.title)
        except ModelNotFound:
            raise
        except AirtableError as exc:
            if exc.status not in GONE:
                raise
            left = [ref for ref in ids if self._exists(table, ref, layout.title)]
            if left:
                self._call(lambda: table.batch_delete(left), layout.title)

    def _exists(self, table: Any, ref: str, title: str) -> bool:
        """Whether the record ``ref`` is still in the table (404: it is gone)."""
        try:
            self._call(lambda: table.get(ref), title)
        except ModelNotFound:
            raise
        except AirtableError as exc:
            if exc.status != HTTPStatus.NOT_FOUND:
                raise
            return False
        return True


def _cells(layout: SheetLayout, columns: dict[str, str], fields: dict[str, Any]) -> dict[str, str]:
    """A record's fields as canonical cells by column (a field :func:`field_columns` leaves
    out is not read)."""
    return {
        columns[name]: from_sheet(layout, columns[name], value)
        for name, value in fields.items()
        if name in columns
    }
