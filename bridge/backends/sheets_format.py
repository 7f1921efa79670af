"""How a Google worksheet looks (ARCHITECTURE §6): frozen header and key, widths fitted to
the content, number formats, a basic filter and the highlight of rows whose
``sync_status`` asks for action. Sent in the same ``spreadsheets.batchUpdate`` that adds
the sheet (or the columns it lacks), so formatting costs no request of its own."""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from typing import Any

from gspread.utils import rowcol_to_a1

from bridge.layout import STATUS, SheetLayout, action_formula

PIXELS_PER_CHARACTER, PADDING = 7, 10
PATTERNS = {
    "scientific": {"type": "SCIENTIFIC", "pattern": "0.0#e+00"},
    "probability": {"type": "NUMBER", "pattern": "0.000"},
    "grouped": {"type": "NUMBER", "pattern": "#,##0"},
}
HEADER_FORMAT = {
    "textFormat": {"bold": True},
    "backgroundColor": {"red": 0.867, "green": 0.922, "blue": 0.969},
    "wrapStrategy": "WRAP",
}
ACTION_COLOR = {"red": 0.988, "green": 0.894, "blue": 0.839}


def new_sheet_id(title: str, taken: Iterable[int]) -> int:
    """An id for a sheet about to be added, known before the reply (so the requests that
    format it can go in the same batch): from the title, never one in use."""
    used = set(taken)
    sheet_id = zlib.crc32(title.encode("utf-8")) & 0x3FFFFFFF
    while sheet_id in used:
        sheet_id += 1
    return sheet_id


def format_requests(
    sheet_id: int,
    layout: SheetLayout,
    header: list[str],
    rows: list[dict[str, str]],
    columns: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Requests formatting ``columns`` (default: every column, plus the header row, the
    filter and the highlight rule) of a sheet whose columns are ``header``."""
    widths = layout.widths(rows)
    whole = columns is None
    requests: list[dict[str, Any]] = []
    for index, column in enumerate(header):
        if not whole and column not in (columns or ()):
            continue
        span = {"sheetId": sheet_id, "startIndex": index, "endIndex": index + 1}
        pixels = widths.get(column, 12) * PIXELS_PER_CHARACTER + PADDING
        requests.append(
            {
                "updateDimensionProperties": {
                    "range": {**span, "dimension": "COLUMNS"},
                    "properties": {"pixelSize": pixels},
                    "fields": "pixelSize",
                }
            }
        )
        cells = {"sheetId": sheet_id, "startRowIndex": 1}
        cells.update(startColumnIndex=index, endColumnIndex=index + 1)
        kind = layout.number_format(column)
        if kind is not None:
            requests.append(_repeat(cells, {"numberFormat": PATTERNS[kind]}, "numberFormat"))
        elif layout.wraps(column) and not layout.is_long(column):
            requests.append(_repeat(cells, {"wrapStrategy": "WRAP"}, "wrapStrategy"))
    if not whole:
        return requests
    top = {"sheetId": sheet_id, "startRowIndex": 0, "endRowIndex": 1}
    requests.append(_repeat(top, HEADER_FORMAT, "textFormat,backgroundColor,wrapStrategy"))
    requests.append({"setBasicFilter": {"filter": {"range": {"sheetId": sheet_id}}}})
    if STATUS in header:
        letter = rowcol_to_a1(1, header.index(STATUS) + 1).rstrip("1")
        rule = {
            "ranges": [{"sheetId": sheet_id, "startRowIndex": 1}],
            "booleanRule": {
                "condition": {
                    "type": "CUSTOM_FORMULA",
                    "values": [{"userEnteredValue": "=" + action_formula(letter)}],
                },
                "format": {"backgroundColor": ACTION_COLOR},
            },
        }
        requests.append({"addConditionalFormatRule": {"rule": rule, "index": 0}})
    return requests


def _repeat(cells: dict[str, int], fmt: dict[str, Any], fields: str) -> dict[str, Any]:
    mask = ",".join(f"userEnteredFormat.{name}" for name in fields.split(","))
    return {"repeatCell": {"range": cells, "cell": {"userEnteredFormat": fmt}, "fields": mask}}
