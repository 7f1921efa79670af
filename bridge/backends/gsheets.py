"""Google Sheets (gspread's HTTP client): one worksheet per table in a spreadsheet.

A sync reads all three sheets with one ``values:batchGet`` (UNFORMATTED_VALUE) and writes
every changed cell with ``values:batchUpdate`` (RAW, so text is never interpreted), in the
fewest requests whose bodies stay under Google's 10 MiB limit; ``spreadsheets.batchUpdate``
is used only to add a sheet (formatted in the same request: :mod:`bridge.backends.sheets_format`)
or grow its grid. The spreadsheet's
metadata is read once and remembered. Rows that leave are cleared, not deleted (deleting
would be a structural request); cleared rows read as empty and are skipped. The header row
is found like the workbook's (:func:`bridge.codec.find_header`): under a title row, or
rebuilt above the rows when it was deleted; a sheet renamed by a reviewer is found by its
header (read in the same request as the others) and remembered under its new title.
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
from gspread.http_client import HTTPClient, ParamsType
from gspread.utils import a1_to_rowcol, rowcol_to_a1

from bridge.backends.airtable import secret
from bridge.backends.http import Clock, api_error, describe, not_json, pace, request_options
from bridge.backends.sheets_format import format_requests, new_sheet_id
from bridge.codec import canonical_header, find_header, from_sheet, matches, to_sheet
from bridge.layout import SheetLayout
from bridge.model import SheetChanges, SheetData, SheetRow, first_positions
from pipeline.errors import ConfigError, TrackerError
from pipeline.retry import MAX_WAIT, TimeSource
from pipeline.settings import Settings

GOOGLE = "https://sheets.googleapis.com"
MAX_TEXT = 50_000  # Google Sheets' limit for one cell
MAX_BODY = 10 * 1024 * 1024  # Google's limit for one request body, in bytes
BODY_BUDGET = MAX_BODY - 256 * 1024  # what one values write may carry (a safety margin)
READ: ParamsType = {
    "valueRenderOption": "UNFORMATTED_VALUE",
    "dateTimeRenderOption": "SERIAL_NUMBER",
    "majorDimension": "ROWS",
}
SCOPES = ["https://www.googleapis.com/auth/spreadsheets"]
SPARE_ROWS = 200
RENAMED = "renamed"  # cache: {layout title: the title a reviewer gave its sheet}


class SheetsError(TrackerError):
    """A Google Sheets request failed after its retries."""


class UnknownRange(SheetsError):
    """A read named a sheet the spreadsheet no longer has (renamed or removed since its
    titles were read): Google's 400 "Unable to parse range"."""


def sheets_error(response: requests.Response, missing: str) -> SheetsError:
    """The error for a refused request, of the class that says what went wrong."""
    message = str(api_error(response).get("message") or "")
    unknown = response.status_code == 400 and message.startswith("Unable to parse range")
    kind = UnknownRange if unknown else SheetsError
    return kind(f"Google Sheets: {describe(response, missing)}")


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
        clock: TimeSource | None = None,
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
            # gspread annotates auth as required; with a session given it is never used.
            client = Client(auth=None, session=requests.Session())  # type: ignore[arg-type]
        else:
            client = gspread.authorize(credentials)
        self.http: HTTPClient = client.http_client
        self.session = self.http.session
        pace(
            self.session,
            self.clock,
            per_second=10.0,
            retries=retries,
            max_wait=max_wait,
            rewrite=rewrite,
            count=self._count,
        )
        self.http.set_timeout((10, timeout))
        self._fresh = False  # whether the metadata was read in this run
        # Per layout title, as last read: the 1-based row of its header, or 0 when the
        # header row was deleted (the push writes it back above the rows).
        self._header_rows: dict[str, int] = {}
        self._layout_titles: set[str] = set()  # every layout title read in this run

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
        return cls(
            spreadsheet,
            credentials=credentials,
            endpoint=endpoint,
            **request_options(settings),
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
            raise sheets_error(exc.response, missing) from None
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
        self._layout_titles.update(layout.title for layout in layouts)
        sheets = self._sheets()
        if any(self._title(layout, sheets) is None for layout in layouts) and not self._fresh:
            sheets = self._sheets(refresh=True)  # added since (an interrupted first push?)
        try:
            present, others, ranges = self._read_present(layouts, sheets)
        except UnknownRange:
            sheets = self._sheets(refresh=True)  # a sheet was renamed or removed since
            present, others, ranges = self._read_present(layouts, sheets)
        result = {layout.table: SheetData(layout, exists=False) for layout in layouts}
        found = dict(zip([title for _, title in present] + others, ranges, strict=True))
        renamed = self.cache.setdefault(RENAMED, {})
        for layout, title in present:
            if title != layout.title and not matches(found[title], layout):
                renamed.pop(layout.title, None)  # no longer this layout's sheet
                continue
            result[layout.table] = self._sheet(layout, found[title])
        for layout in layouts:
            if result[layout.table].exists:
                continue
            match = next((t for t in others if matches(found[t], layout)), None)
            if match is not None:
                others.remove(match)
                renamed[layout.title] = match
                result[layout.table] = self._sheet(layout, found[match])
        if not renamed:
            self.cache.pop(RENAMED, None)
        return result

    def _title(self, layout: SheetLayout, sheets: Mapping[str, Any]) -> str | None:
        """The title of the layout's sheet: its own, else the one a reviewer renamed it to."""
        if layout.title in sheets:
            self.cache.get(RENAMED, {}).pop(layout.title, None)
            return layout.title
        title = self.cache.get(RENAMED, {}).get(layout.title)
        return title if title in sheets else None

    def _read_present(
        self, layouts: list[SheetLayout], sheets: Mapping[str, Any]
    ) -> tuple[list[tuple[SheetLayout, str]], list[str], list[list[list[Any]]]]:
        """One ``values:batchGet`` of the layouts' sheets and, when one is missing while
        another is there (a sheet renamed, not a first push), of the sheets of no layout."""
        present = [(layout, self._title(layout, sheets)) for layout in layouts]
        found = [(layout, title) for layout, title in present if title is not None]
        others: list[str] = []
        if found and len(found) < len(layouts):
            taken = self._layout_titles | {title for _, title in found}
            taken |= set(self.cache.get(RENAMED, {}).values())
            others = [title for title in sheets if title not in taken]
        ranges = self._batch_get([title for _, title in found] + others)
        return found, others, ranges

    def _batch_get(self, titles: list[str]) -> list[list[list[Any]]]:
        if not titles:
            return []
        quoted_titles = [quoted(title) for title in titles]
        body = self._call(lambda: self.http.values_batch_get(self.id, quoted_titles, params=READ))
        found = body.get("valueRanges", [])
        for title, value_range in zip(titles, found, strict=False):
            self._grid_from(title, value_range.get("range", ""))
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

    def _sheet(self, layout: SheetLayout, values: list[list[Any]]) -> SheetData:
        """Rows below the header row: the first that names the key column (case and
        spaces ignored), so a title row above it is skipped. A sheet whose header row was
        deleted is read in the worker's column order, numbered as they will be once the
        push has written the header back above them (never with a data row as header)."""
        index = find_header(values, layout)
        if index is None and any(v not in ("", None) for row in values for v in row):
            self._header_rows[layout.title] = 0
            data = SheetData(layout, list(layout.header), last_row=len(values) + 1)
            positions, body, first = {c: i for i, c in enumerate(layout.header)}, values, 2
        else:
            index = index or 0
            self._header_rows[layout.title] = index + 1
            header = canonical_header(values[index] if values else [], layout)
            data = SheetData(layout, header, last_row=max(1, len(values)))
            positions, body, first = first_positions(header), values[index + 1 :], index + 2
        for number, row in enumerate(body, start=first):
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
            title = None if change.create else self._title(change.layout, sheets)
            data += self._values(change, title or change.layout.title)
        if structure:
            reply = self._call(lambda: self.http.batch_update(self.id, {"requests": structure}))
            for change in changes.values():  # a header row rebuilt is row 1 from now on
                if self._header_rows.get(change.layout.title) == 0:
                    self._header_rows[change.layout.title] = 1
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
        title = self._title(layout, sheets)
        if change.create or title is None:
            rows, cols = max(1000, rows_needed + SPARE_ROWS), max(26, cols_needed)
            sheet_id = new_sheet_id(layout.title, (s["id"] for s in sheets.values()))
            sheets[layout.title] = {"id": sheet_id, "rows": rows, "cols": cols}
            grid = {"rowCount": rows, "columnCount": cols}
            grid.update(frozenRowCount=1, frozenColumnCount=1)  # the header and the key
            props = {"title": layout.title, "sheetId": sheet_id, "gridProperties": grid}
            formats = format_requests(sheet_id, layout, change.columns_after, change.appends)
            return [{"addSheet": {"properties": props}}, *formats]
        info = sheets[title]
        grow: list[dict[str, Any]] = []
        if self._header_rows.get(layout.title) == 0:  # the header row was deleted
            first = {"sheetId": info["id"], "dimension": "ROWS", "startIndex": 0, "endIndex": 1}
            grow.append({"insertDimension": {"range": first, "inheritFromBefore": False}})
            info["rows"] += 1
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

    def _values(self, change: SheetChanges, sheet_title: str) -> list[dict[str, Any]]:
        """The value ranges of one sheet's changes; the header's own row (under a title
        row, or row 1 again when it was deleted) gets the columns the push adds."""
        layout, title = change.layout, quoted(sheet_title)
        header_row = self._header_rows.get(layout.title, 1)
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

        if change.create or header_row == 0:
            put(1, {c: c for c in header})
        elif change.add_columns:
            put(header_row, {c: c for c in change.add_columns})
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
