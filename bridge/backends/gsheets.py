"""Google Sheets (gspread's HTTP client): one worksheet per table in a spreadsheet.

A sync reads all three sheets with one ``values:batchGet`` (UNFORMATTED_VALUE) and writes
every changed cell with ``values:batchUpdate`` (RAW, so text is never interpreted), in the
fewest requests whose bodies stay under Google's 10 MiB limit; ``spreadsheets.batchUpdate``
is used only to add a sheet (formatted in the same request: :mod:`bridge.backends.sheets_format`)
or grow its grid. The spreadsheet's
metadata is read once and remembered. Rows that leave are cleared, not deleted (deleting
would be a structural request); cleared rows read as empty and are skipped.
``GSHEETS_ENDPOINT_URL`` points every request at another host and, without credentials,
requests go unauthenticated (emulators, proxies).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Mapping
from typing import Any

import gspread
import requests
from google.auth.exceptions import GoogleAuthError
from gspread.client import Client
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient
from gspread.utils import a1_to_rowcol, rowcol_to_a1

from bridge.backends.airtable import secret
from bridge.backends.http import (
    PENALTY,
    Clock,
    PacedAdapter,
    Pacer,
    RetryPolicy,
    describe,
    not_json,
)
from bridge.backends.sheets_format import format_requests, new_sheet_id
from bridge.codec import HEADER_SCAN, canonical_header, find_header, from_sheet, to_sheet
from bridge.layout import SheetLayout
from bridge.model import SheetChanges, SheetData, SheetRow, first_positions
from pipeline.errors import ConfigError, InputError, TrackerError
from pipeline.retry import MAX_WAIT
from pipeline.settings import Settings

GOOGLE = "https://sheets.googleapis.com"
MAX_TEXT = 50_000  # Google Sheets' limit for one cell
MAX_BODY = 10 * 1024 * 1024  # Google's limit for one request body, in bytes
BODY_BUDGET = MAX_BODY - 256 * 1024  # what one values write may carry (a safety margin)
READ = {
    "valueRenderOption": "UNFORMATTED_VALUE",
    "dateTimeRenderOption": "SERIAL_NUMBER",
    "majorDimension": "ROWS",
}
SCOPES = ["https://www.googleapis.com/auth/spreadsheets"]
SPARE_ROWS = 200


class SheetsError(TrackerError):
    """A Google Sheets request failed after its retries."""


def quoted(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


class SheetsBackend:
    name = "gsheets"
    stable_refs = False
    max_text = MAX_TEXT
    plain_text = False
    number_digits = None
    number_decimals = None
    typed_numbers = False
    deletes_rows = False  # rows are cleared, not deleted

    def __init__(
        self,
        spreadsheet_id: str,
        *,
        credentials: Any = None,
        endpoint: str | None = None,
        clock: Clock | None = None,
        retries: int = 6,
        timeout: float = 30.0,
        max_wait: float = MAX_WAIT,
    ) -> None:
        self.id = spreadsheet_id
        self.calls: Counter[str] = Counter()
        self.cache: dict[str, Any] = {}
        self.clock = clock or Clock()
        base = (endpoint or GOOGLE).rstrip("/")
        rewrite = (lambda url: url.replace(GOOGLE, base, 1)) if base != GOOGLE else None
        self.credentials = credentials
        # With credentials, gspread's supported path: an AuthorizedSession that fetches a
        # token before the first request and again when one expires or is refused (401).
        # Without (an emulator behind GSHEETS_ENDPOINT_URL), a plain session.
        if credentials is None:
            client = Client(auth=None, session=requests.Session())
        else:
            client = gspread.authorize(credentials)
        self.http: HTTPClient = client.http_client
        self.session = self.http.session
        policy = RetryPolicy(retries, max_wait=max_wait, penalty=PENALTY)
        PacedAdapter(Pacer(10.0, self.clock), policy, rewrite, self._count).mount_on(self.session)
        self.http.set_timeout((10, timeout))
        self._fresh = False  # whether the metadata was read in this run

    @classmethod
    def from_env(cls, settings: Settings, env: Mapping[str, str] = os.environ) -> SheetsBackend:
        spreadsheet = env.get("GSHEETS_SPREADSHEET_ID", "").strip()
        if not spreadsheet:
            raise ConfigError(
                "the gsheets backend needs GSHEETS_SPREADSHEET_ID (README: Deployment)"
            )
        endpoint = env.get("GSHEETS_ENDPOINT_URL") or None
        path = env.get("GOOGLE_APPLICATION_CREDENTIALS", "").strip()
        credentials = None
        if path:
            credentials = _service_account(path)
        elif endpoint is None:
            needed = "GOOGLE_APPLICATION_CREDENTIALS (a service account key file)"
            raise ConfigError(f"the gsheets backend needs {needed}")
        config = settings.bridge
        return cls(
            spreadsheet,
            credentials=credentials,
            endpoint=endpoint,
            retries=config.retries,
            timeout=config.timeout_seconds,
            max_wait=settings.max_retry_wait_seconds,
        )

    def _count(self, method: str, url: str) -> None:
        if ":batchUpdate" in url and "/values" not in url:
            self.calls["structure"] += 1
        elif "/values" in url:
            self.calls["read" if method == "GET" else "write"] += 1
        else:
            self.calls["metadata"] += 1

    def location(self) -> str:
        return f"https://docs.google.com/spreadsheets/d/{self.id}"

    def write_blocked(self) -> str | None:
        return None

    def _call(self, action: Any) -> Any:
        """``action()``, its failure made one line (the reply's own status, not gspread's
        -1 for a body that is not JSON)."""
        try:
            return action()
        except GoogleAuthError as exc:
            reason = " ".join(str(exc).split())
            raise SheetsError(
                f"Google Sheets: the service account was refused ({reason})"
            ) from None
        except APIError as exc:
            missing = f"spreadsheet {self.id}: check GSHEETS_SPREADSHEET_ID"
            raise SheetsError(f"Google Sheets: {describe(exc.response, missing)}") from None
        except requests.JSONDecodeError as exc:
            raise SheetsError(f"Google Sheets: {not_json(exc)}") from None
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise SheetsError(
                f"Google Sheets: cannot reach the API ({type(exc).__name__})"
            ) from None

    # -- metadata -------------------------------------------------------------------------

    def _sheets(self, refresh: bool = False) -> dict[str, dict[str, int]]:
        """{title: {"id", "rows", "cols"}}, read once and remembered."""
        if refresh or "sheets" not in self.cache:
            self._fresh = True
            meta = self._call(lambda: self.http.fetch_sheet_metadata(self.id))
            self.cache["sheets"] = {
                s["properties"]["title"]: {
                    "id": s["properties"]["sheetId"],
                    "rows": s["properties"].get("gridProperties", {}).get("rowCount", 1000),
                    "cols": s["properties"].get("gridProperties", {}).get("columnCount", 26),
                }
                for s in meta.get("sheets", [])
            }
        return self.cache["sheets"]

    # -- reading --------------------------------------------------------------------------

    def read(self, layouts: list[SheetLayout]) -> dict[str, SheetData]:
        sheets = self._sheets()
        if any(layout.title not in sheets for layout in layouts) and not self._fresh:
            sheets = self._sheets(refresh=True)  # added since (an interrupted first push?)
        present = [layout for layout in layouts if layout.title in sheets]
        try:
            ranges = self._batch_get(present)
        except SheetsError as exc:
            if "Unable to parse range" not in str(exc):
                raise
            sheets = self._sheets(refresh=True)  # a sheet was renamed or removed since
            present = [layout for layout in layouts if layout.title in sheets]
            ranges = self._batch_get(present)
        result = {layout.table: SheetData(layout, exists=False) for layout in layouts}
        for layout, values in zip(present, ranges, strict=True):
            result[layout.table] = self._sheet(layout, values)
        return result

    def _batch_get(self, layouts: list[SheetLayout]) -> list[list[list[Any]]]:
        if not layouts:
            return []
        titles = [quoted(layout.title) for layout in layouts]
        body = self._call(lambda: self.http.values_batch_get(self.id, titles, params=READ))
        found = body.get("valueRanges", [])
        for layout, value_range in zip(layouts, found, strict=False):
            self._grid_from(layout.title, value_range.get("range", ""))
        return [vr.get("values", []) for vr in found]

    def _grid_from(self, title: str, a1: str) -> None:
        """A whole-sheet range comes back as the whole grid ('T'!A1:Z1000): keep its size,
        so a grid a reviewer shrank is grown again before writing past it."""
        corner = a1.rsplit("!", 1)[-1].split(":")[-1]
        try:
            rows, cols = a1_to_rowcol(corner)
        except Exception:
            return
        sheet = self.cache.get("sheets", {}).get(title)
        if sheet is not None:
            sheet.update(rows=rows, cols=cols)

    @staticmethod
    def _sheet(layout: SheetLayout, values: list[list[Any]]) -> SheetData:
        """Rows below the header row: the first that names the key column (case and
        spaces ignored), so a title row above it is skipped. Without one, the sheet is
        refused rather than read with a data row as its header."""
        index = find_header(values, layout)
        if index is None and any(v not in ("", None) for row in values for v in row):
            raise InputError(
                f"no header row (no cell of the first {HEADER_SCAN} rows reads"
                f" {layout.key!r}); put the header row back above the data",
                file=f"Google sheet {layout.title!r}",
            )
        index = index or 0
        header = canonical_header(values[index] if values else [], layout)
        data = SheetData(layout, header, last_row=max(1, len(values)))
        positions = first_positions(header)
        for number, row in enumerate(values[index + 1 :], start=index + 2):
            if all(v in ("", None) for v in row):
                continue
            cells = {
                c: from_sheet(layout, c, row[i] if i < len(row) else None)
                for c, i in positions.items()
            }
            data.rows.append(SheetRow(cells.get(layout.key, "").strip(), cells, number, number))
        return data

    # -- writing --------------------------------------------------------------------------

    def write(self, changes: dict[str, SheetChanges]) -> None:
        sheets = self._sheets()
        structure, data = [], []
        for change in changes.values():
            structure += self._grow(change, sheets)
            data += self._values(change)
        if structure:
            reply = self._call(lambda: self.http.batch_update(self.id, {"requests": structure}))
            for item in reply.get("replies", []):
                props = (item.get("addSheet") or {}).get("properties")
                if props:
                    grid = props.get("gridProperties", {})
                    sheets[props["title"]] = {
                        "id": props["sheetId"],
                        "rows": grid.get("rowCount", 1000),
                        "cols": grid.get("columnCount", 26),
                    }
        for part in batches(data):
            body = {"valueInputOption": "RAW", "data": part}
            self._call(lambda b=body: self.http.values_batch_update(self.id, b))

    def _grow(
        self, change: SheetChanges, sheets: dict[str, dict[str, int]]
    ) -> list[dict[str, Any]]:
        """addSheet or appendDimension requests so every cell written fits the grid."""
        layout = change.layout
        rows_needed = change.last_row + len(change.appends) + 1
        cols_needed = len(change.columns_after)
        if change.create or layout.title not in sheets:
            rows, cols = max(1000, rows_needed + SPARE_ROWS), max(26, cols_needed)
            sheet_id = new_sheet_id(layout.title, (s["id"] for s in sheets.values()))
            sheets[layout.title] = {"id": sheet_id, "rows": rows, "cols": cols}
            grid = {"rowCount": rows, "columnCount": cols}
            grid.update(frozenRowCount=1, frozenColumnCount=1)  # the header and the key
            props = {"title": layout.title, "sheetId": sheet_id, "gridProperties": grid}
            formats = format_requests(sheet_id, layout, change.columns_after, change.appends)
            return [{"addSheet": {"properties": props}}, *formats]
        info, grow = sheets[layout.title], []
        if rows_needed > info["rows"]:
            extra = rows_needed - info["rows"] + SPARE_ROWS
            grow.append(
                {"appendDimension": {"sheetId": info["id"], "dimension": "ROWS", "length": extra}}
            )
            info["rows"] += extra
        if cols_needed > info["cols"]:
            extra = cols_needed - info["cols"]
            grow.append(
                {
                    "appendDimension": {
                        "sheetId": info["id"],
                        "dimension": "COLUMNS",
                        "length": extra,
                    }
                }
            )
            info["cols"] += extra
        return grow

    @staticmethod
    def _values(change: SheetChanges) -> list[dict[str, Any]]:
        layout, title = change.layout, quoted(change.layout.title)
        header = change.columns_after
        position = {column: index + 1 for column, index in first_positions(header).items()}
        data: list[dict[str, Any]] = []

        def put(row: int, cells: dict[str, str]) -> None:
            """One range per run of adjacent cells of ``row``."""
            values = {position[c]: to_sheet(layout, c, v) for c, v in cells.items()}
            columns = sorted(values)
            runs: list[list[int]] = []
            for column in columns:
                if runs and runs[-1][-1] == column - 1:
                    runs[-1].append(column)
                else:
                    runs.append([column])
            for run in runs:
                cell_range = f"{rowcol_to_a1(row, run[0])}:{rowcol_to_a1(row, run[-1])}"
                row_values = ["" if values[c] is None else values[c] for c in run]
                data.append({"range": f"{title}!{cell_range}", "values": [row_values]})

        if change.create:
            put(1, {c: c for c in header})
        elif change.add_columns:
            put(1, {c: c for c in change.add_columns})
        for row, cells in change.updates:
            put(row.ref, cells)
        for offset, cells in enumerate(change.appends, start=1):
            put(
                change.last_row + offset,
                {c: v for c, v in cells.items() if v != ""} or {layout.key: ""},
            )
        for row in change.removals:
            put(row.ref, {c: "" for c in change.existing_header if c})
        return data


def json_size(value: Any) -> int:
    """Bytes of ``value`` as JSON the way requests sends it (ASCII, with escapes)."""
    return len(json.dumps(value, allow_nan=False))


def batches(data: list[dict[str, Any]], budget: int = BODY_BUDGET) -> list[list[dict[str, Any]]]:
    """The value ranges, in order, split into the fewest ``values:batchUpdate`` bodies of at
    most ``budget`` bytes each (a range larger than that alone goes in a body of its own)."""
    empty = json_size({"valueInputOption": "RAW", "data": []})
    parts: list[list[dict[str, Any]]] = []
    size = empty
    for item in data:
        extra = json_size(item)
        if parts and parts[-1] and size + 2 + extra <= budget:
            parts[-1].append(item)
            size += 2 + extra  # ", " between two items
        else:
            parts.append([item])
            size = empty + extra
    return parts


def _service_account(path: str) -> Any:
    """google-auth service-account credentials from a key file, for the Sheets scope."""
    from google.oauth2.service_account import Credentials

    try:
        return Credentials.from_service_account_file(path, scopes=SCOPES)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"not a service account key file ({exc})", file=path) from None


__all__ = ["SheetsBackend", "secret"]
