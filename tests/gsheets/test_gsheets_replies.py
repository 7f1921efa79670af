"""Error replies in one line (bridge.backends.http.describe, shared by the Airtable and Google
Sheets backends): the JSON error's message in either API's shape, else an HTML page's title
or the body's text; the reply's own status, never gspread's -1 for a body that is not JSON."""

from __future__ import annotations

import json

import pytest
import requests
from gspread.exceptions import APIError

from bridge.backends.http import describe

MISSING = "spreadsheet s1: check GSHEETS_SPREADSHEET_ID"


def reply(status: int, body: object, reason: str = "") -> requests.Response:
    response = requests.Response()
    response.status_code, response.reason = status, reason
    response._content = (body if isinstance(body, str) else json.dumps(body)).encode()
    return response


@pytest.mark.parametrize(
    ("response", "line"),
    [
        (reply(403, {"error": {"code": 403, "message": "No access", "status": "X"}}), "No access"),
        (reply(401, {"error": {"type": "AUTHENTICATION_REQUIRED", "message": "Auth"}}), "Auth"),
        (reply(422, {"error": {"type": "INVALID_REQUEST_UNKNOWN"}}), "INVALID_REQUEST_UNKNOWN"),
        (reply(429, {"errors": [{"error": "RATE_LIMIT_REACHED", "message": "Slow"}]}), "Slow"),
        (reply(404, {"error": "NOT_FOUND"}), f"NOT_FOUND ({MISSING})"),
        (reply(404, {"error": {"message": "Requested entity was not found."}}), "Requested"),
        (reply(404, {"error": {"message": "Could not find record rec1"}}), "Could not find"),
        (reply(500, {"error": {"message": "two\nlines"}}), "two lines"),
        (reply(502, "<html><title>502 Bad Gateway</title><h1>502</h1></html>"), "Bad Gateway"),
        (reply(503, "<html>\r\n<body><p>Down\r\nfor maintenance</p></body></html>"), "Down for"),
        (reply(504, "", "Gateway Timeout"), "Gateway Timeout"),
        (reply(500, "x" * 1000), "x" * 197 + "..."),
    ],
)
def test_an_error_reply_is_one_line_with_its_status(response: requests.Response, line: str) -> None:
    text = describe(response, MISSING)
    assert text.startswith(f"HTTP {response.status_code} {line}") and "\n" not in text
    assert (MISSING in text) == ("NOT_FOUND" in line or "Requested" in line)


def test_gspread_s_status_for_a_page_that_is_not_json_is_not_used() -> None:
    page = reply(502, "<html><head><title>502 Bad Gateway</title></head></html>")
    assert APIError(page).code == -1
    assert describe(APIError(page).response) == "HTTP 502 Bad Gateway"
