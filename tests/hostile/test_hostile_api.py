"""Hostile sheet APIs: ``tracker bridge sync --backend airtable|gsheets`` against the
stateful fakes (tests/fakes) answering 401, 403, 404, 422/400, a 429 storm that outlasts
the retries, 500, timeouts, connection resets and bodies that are not JSON. The project is
after a first push, with a reviewer's y decision typed into the sheet and not yet synced.

A failure is exactly one line (``Error: ...``), exit 1, no file changed and no sheet write,
except where the fault hits the push: then the pulled decision is already applied locally
and the journal kept (ARCHITECTURE §7: re-run and it converges), and the sheet is untouched."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from airtable_support import TOKEN, Base, new_base, serving
from gsheets_support import SID, Rig
from hostile_support import (
    CANDIDATES,
    HISTORY,
    STAGING,
    Home,
    Like,
    Line,
    cases,
    changed,
    no_traceback,
    one_line,
)

PROXY_PAGE = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad"
    b" Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
ATTEMPTS = 7  # the first try and the 6 retries of bridge.retries


@dataclass(frozen=True)
class ApiCase:
    """A fault armed on the fake before ``bridge sync``: the one line it must print, the
    exit status, the files (relative to the project) the sync changes, and how many
    requests the fake sees (retries included)."""

    id: str
    fault: Callable[[Any, pytest.MonkeyPatch], None]
    line: Line
    exit: int = 1
    writes: frozenset[str] = frozenset()
    requests: int | None = None
    check: Callable[[Any], None] | None = None
    bug: str | None = None


# -- faults shared by both fakes ---------------------------------------------------------------


def intercept(fake: Any, reply: Callable[[int, Any], Any]) -> None:
    """Let ``reply(n, request)`` answer the n-th request (1-based, from now) instead of the
    fake when it returns a reply; None passes the request on."""
    real, seen = fake._callback, [0]

    def callback(request: requests.PreparedRequest) -> Any:
        seen[0] += 1
        answer = reply(seen[0], request)
        return real(request) if answer is None else answer

    fake._callback = callback  # install() registers the bound callback it finds here


def raising(error: Callable[[], Exception], times: int = ATTEMPTS):
    def fault(rig: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        def reply(n: int, request: Any) -> Any:
            if n <= times:
                raise error()
            return None

        intercept(rig.fake, reply)

    return fault


def answering(status: int, body: bytes, kind: str, times: int = 1):
    def fault(rig: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        intercept(
            rig.fake, lambda n, r: (status, {"Content-Type": kind}, body) if n <= times else None
        )

    return fault


def failing(times: int, status: int, *message: str):
    return lambda rig, monkeypatch: rig.fake.fail_next(times, status, *message)


def failing_at(k: int, status: int, *message: str):
    return lambda rig, monkeypatch: rig.fake.fail_at(k, status, *message)


TIMEOUT = raising(lambda: requests.exceptions.ReadTimeout("Read timed out. (read timeout=30)"))
RESET = raising(
    lambda: requests.exceptions.ConnectionError(ConnectionResetError(104, "Connection reset"))
)
TRUNCATED_JSON = answering(200, b'{"records": [{"id": "rec', "application/json")
PROXY = answering(502, PROXY_PAGE, "text/html", times=ATTEMPTS)
SINGLE_LINE_502 = Like(r"Error: (Airtable|Google Sheets): HTTP 502 [^<]*")


def decision_applied_journal_kept(state: str) -> Callable[[Any], None]:
    def check(rig: Any) -> None:
        journal = json.loads((rig.root / "data" / "state" / state).read_text())["journal"]
        assert journal is not None

    return check


# -- Airtable -------------------------------------------------------------------------------------


def wrong_token(base: Base, monkeypatch: pytest.MonkeyPatch) -> None:
    base.fake.token = TOKEN
    monkeypatch.setenv("AIRTABLE_TOKEN", "patWRONG0000000000.0000000000")


def missing_base(base: Base, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRTABLE_BASE_ID", "appMISSING")


def table_deleted(base: Base, monkeypatch: pytest.MonkeyPatch) -> None:
    tables = base.fake._tables  # no UI helper deletes a table
    (found,) = [tid for tid, table in tables.items() if table.name == "Published"]
    del tables[found]


def published_recreated(base: Base) -> None:
    assert "Published" in base.fake.table_names()
    assert len(base.records("published")) == len(base.rows("published"))


def penalties_waited(base: Base) -> None:
    """Each 429 was waited out for Airtable's 30 s penalty (the last with its backoff)."""
    assert base.clock.sleeps[-6:] == [30.0] * 5 + [32.0], base.clock.sleeps


AIRTABLE_PUSHED = frozenset({CANDIDATES, STAGING, HISTORY, "data/state/bridge_airtable.json"})
AIRTABLE = [
    ApiCase(
        "airtable_401_wrong_token",
        wrong_token,
        "Error: Airtable: HTTP 401 Authentication required",
        requests=1,
    ),
    ApiCase(
        "airtable_403_forbidden", failing(1, 403), "Error: Airtable: HTTP 403 injected", requests=1
    ),
    ApiCase(
        "airtable_403_table_deleted_in_the_base",
        table_deleted,
        Like(r"airtable \(https://airtable\.com/appTEST\): .*"),
        exit=0,
        writes=AIRTABLE_PUSHED,
        check=published_recreated,
    ),
    ApiCase(
        "airtable_404_base_not_found",
        missing_base,
        Like(r"Error: Airtable: HTTP 404 .*appMISSING.*AIRTABLE_BASE_ID.*"),
        requests=1,
    ),
    ApiCase(
        "airtable_422_invalid_request",
        failing(1, 422),
        "Error: Airtable: HTTP 422 injected",
        requests=1,
    ),
    ApiCase(
        "airtable_422_on_the_first_write",
        # 3 reads (one page per sheet), 1 read again, the first write (a delete) refused;
        # the record is read back, still there, so the delete is sent again: refused again
        lambda rig, monkeypatch: (rig.fake.fail_at(5, 422), rig.fake.fail_at(7, 422)),
        "Error: Airtable: HTTP 422 injected",
        writes=AIRTABLE_PUSHED,
        requests=7,
        check=decision_applied_journal_kept("bridge_airtable.json"),
    ),
    ApiCase(
        "airtable_429_storm",
        failing(ATTEMPTS, 429),
        "Error: Airtable: HTTP 429 Rate limit exceeded. Please try again later",
        requests=ATTEMPTS,
        check=penalties_waited,
    ),
    ApiCase(
        "airtable_500_storm",
        failing(ATTEMPTS, 500),
        "Error: Airtable: HTTP 500 injected",
        requests=ATTEMPTS,
    ),
    ApiCase(
        "airtable_timeout",
        TIMEOUT,
        "Error: Airtable: cannot reach https://airtable.test (ReadTimeout)",
    ),
    ApiCase(
        "airtable_connection_reset",
        RESET,
        "Error: Airtable: cannot reach https://airtable.test (ConnectionError)",
    ),
    ApiCase(
        "airtable_truncated_json_body",
        TRUNCATED_JSON,
        Like(r"Error: Airtable: .*"),
    ),
    ApiCase(
        "airtable_html_error_body",
        PROXY,
        SINGLE_LINE_502,
    ),
]


@pytest.fixture
def airtable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Base:
    base = new_base(tmp_path / "p", monkeypatch)
    base.sync()
    base.edit("candidates", "grok_3", {"decision": "y", "reason": "reported 3.5e26"})
    monkeypatch.setenv("AIRTABLE_TOKEN", TOKEN)
    monkeypatch.setenv("AIRTABLE_BASE_ID", base.fake.base_id)
    monkeypatch.setenv("AIRTABLE_ENDPOINT_URL", base.fake.endpoint)
    monkeypatch.setattr("bridge.backends.airtable.Clock", lambda: base.clock)
    base.clock.advance(60)
    base.fake.reset_counts()
    return base


def airtable_sheets(base: Base) -> dict[str, list[dict[str, Any]]]:
    return {name: base.fake.records(name) for name in base.fake.table_names()}


@pytest.mark.parametrize("case", cases(AIRTABLE))
def test_hostile_airtable(airtable: Base, monkeypatch: pytest.MonkeyPatch, case: ApiCase) -> None:
    case.fault(airtable, monkeypatch)
    check_sync(airtable, case, lambda: serving(airtable.fake), airtable_sheets, "airtable")


# -- Google Sheets --------------------------------------------------------------------------------


def missing_spreadsheet(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GSHEETS_SPREADSHEET_ID", "sheetMISSING")


def auth_required(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    rig.fake.require_auth = True


GSHEETS_PUSHED = frozenset({CANDIDATES, STAGING, HISTORY, "data/state/bridge_gsheets.json"})
UNAUTHENTICATED = (
    "Error: Google Sheets: HTTP 401 Request is missing required authentication credential."
    " Expected OAuth 2 access token, login cookie or other valid authentication credential."
    " See https://developers.google.com/identity/sign-in/web/devconsole-project."
)
GSHEETS = [
    ApiCase("gsheets_401_unauthenticated", auth_required, UNAUTHENTICATED, requests=1),
    ApiCase(
        "gsheets_403_forbidden",
        failing(1, 403),
        "Error: Google Sheets: HTTP 403 The caller does not have permission",
        requests=1,
    ),
    ApiCase(
        "gsheets_404_spreadsheet_not_found",
        missing_spreadsheet,
        Like(r"Error: Google Sheets: HTTP 404 .*sheetMISSING.*GSHEETS_SPREADSHEET_ID.*"),
        requests=1,
    ),
    ApiCase(
        "gsheets_400_invalid_write",
        failing_at(3, 400, "Invalid data[0]: Unable to parse range: Candidates!A999999"),
        "Error: Google Sheets: HTTP 400 Invalid data[0]: Unable to parse range: Candidates!A999999",
        writes=GSHEETS_PUSHED,
        requests=3,  # the read, the read again before writing, the write
        check=decision_applied_journal_kept("bridge_gsheets.json"),
    ),
    ApiCase(
        "gsheets_429_storm",
        failing(ATTEMPTS, 429),
        "Error: Google Sheets: HTTP 429 Quota exceeded.",
        requests=ATTEMPTS,
    ),
    ApiCase(
        "gsheets_500_storm",
        failing(ATTEMPTS, 500),
        "Error: Google Sheets: HTTP 500 Internal error encountered.",
        requests=ATTEMPTS,
    ),
    ApiCase("gsheets_timeout", TIMEOUT, "Error: Google Sheets: cannot reach the API (ReadTimeout)"),
    ApiCase(
        "gsheets_connection_reset",
        RESET,
        "Error: Google Sheets: cannot reach the API (ConnectionError)",
    ),
    ApiCase(
        "gsheets_truncated_json_body",
        answering(200, b'{"valueRanges": [{"range": "Candidates!A1', "application/json"),
        Like(r"Error: Google Sheets: .*"),
    ),
    ApiCase(
        "gsheets_html_error_body",
        PROXY,
        SINGLE_LINE_502,
    ),
]


@pytest.fixture
def gsheets(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Rig:
    rig = Rig.after_pipeline(tmp_path / "p", tmp_path_factory)
    rig.sync()
    rig.type("Candidates", "gpt_4o", {"decision": "y", "reason": "known model"})
    monkeypatch.setenv("GSHEETS_SPREADSHEET_ID", SID)
    monkeypatch.setenv("GSHEETS_ENDPOINT_URL", rig.base_url)
    monkeypatch.setattr("bridge.backends.gsheets.Clock", lambda: rig.clock)
    rig.clock.advance(60)
    rig.fake.reset_counts()
    return rig


@contextmanager
def serving_sheets(rig: Rig) -> Iterator[None]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rig.fake.install(rsps)
        yield


@pytest.mark.parametrize("case", cases(GSHEETS))
def test_hostile_gsheets(gsheets: Rig, monkeypatch: pytest.MonkeyPatch, case: ApiCase) -> None:
    case.fault(gsheets, monkeypatch)
    check_sync(gsheets, case, lambda: serving_sheets(gsheets), lambda rig: rig.values(), "gsheets")


# -- the check --------------------------------------------------------------------------------


def check_sync(
    rig: Any,
    case: ApiCase,
    serve: Callable[[], Any],
    sheets: Callable[[Any], Any],
    backend: str,
) -> None:
    home = Home(rig.root)
    before, sheet_before = home.snapshot(), sheets(rig)
    with serve():
        result = home.cli("bridge", "sync", "--backend", backend)
    no_traceback(result)
    assert result.exit_code == case.exit, result.output
    one_line(home, result, case.line)
    if case.exit:
        assert len(result.output.splitlines()) == 1, result.output
        assert sheets(rig) == sheet_before  # no sheet write landed
    assert changed(before, home.snapshot()) == set(case.writes), result.output
    if case.requests is not None:
        assert rig.fake.count() == case.requests
    if case.check is not None:
        case.check(rig)
