"""Hostile HTML and HTTP for collect-all: a saved page whose layout changed (html_file) and
the live leaderboard page (html_table) answering 401, 403, 404, a 429 storm, 500, timing
out, resetting the connection or sending no table. Fetching goes through httpx with a fake
transport, as in tests/collect (``responses`` does not intercept httpx). The project has
four sources, all collected once: a failing one keeps its previous output and the others go
on (exit 0), unless it is the only one asked for. See hostile_support.py for how a case
reads."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest
from fakes.network import unresolved_host
from hostile_support import (
    PAGE,
    PAGE_URL,
    SAVED_PAGE,
    Case,
    Home,
    Web,
    cases,
    planted,
    serve_pages,
    verify,
)

KEPT = " (previous output kept)"
SAVED = "{data}/raw/pages/openlm_arena.html"
TABLES = (
    "Model | Arena Elo | MMLU | License; 🤖 Model | ⭐ Arena Elo | 📈 Coding | 👀 Vision |"
    " 🎯 Arena Hard | 📚 MMLU | 🗳️ Votes |"
)
RENAMED = (
    "LLM | Arena Elo | MMLU | License; 🤖 LLM | ⭐ Arena Elo | 📈 Coding | 👀 Vision |"
    " 🎯 Arena Hard | 📚 MMLU | 🗳️ Votes | O"
)
EMPTY_BODY = re.sub(r"<tbody>.*?</tbody>", "<tbody></tbody>", PAGE, flags=re.DOTALL)
ALL = ("collect-all",)


def web_case(
    id: str,
    reply: Callable[[httpx.Request], httpx.Response],
    line: str,
    *,
    only: bool = False,
    waits: list[float] | None = None,
) -> tuple[Case, Callable[[httpx.Request], httpx.Response], list[float] | None]:
    args = ("collect-all", "--source", "openlm_arena") if only else ALL
    exit_code = 1 if only else 0
    also = () if only else ("3 of 4 sources collected.",)
    return Case(id, lambda home: None, args, exit_code, line, also=also), reply, waits


def status(code: int, **headers: str) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(code, headers=headers)


def raising(error: Exception) -> Callable[[httpx.Request], httpx.Response]:
    def reply(request: httpx.Request) -> httpx.Response:
        raise error

    return reply


def fail(reason: str) -> str:
    return f"fail  openlm_arena: {reason}{KEPT}"


HTML_CASES = [
    Case(
        "saved_page_headers_renamed",
        planted(SAVED_PAGE, PAGE.replace("Model</th>", "LLM</th>")),
        ("collect-all", "--source", "openlm_saved"),
        1,
        f"Error: every source failed (openlm_saved: no leaderboard table in {SAVED} (tables:"
        f" {RENAMED}))",
        also=(f"fail  openlm_saved: no leaderboard table in {SAVED} (tables: {RENAMED}){KEPT}",),
    ),
    Case(
        "saved_page_without_a_table",
        planted(SAVED_PAGE, "<html><body><p>Down for maintenance</p></body></html>"),
        ("collect-all", "--source", "openlm_saved"),
        1,
        f"Error: every source failed (openlm_saved: no leaderboard table in {SAVED} (tables:"
        " no tables))",
    ),
    Case(
        "saved_page_with_an_empty_table",
        planted(SAVED_PAGE, EMPTY_BODY),
        ALL,
        0,
        f"fail  openlm_saved: the leaderboard table in {SAVED} has no rows (tables:"
        f" {TABLES}){KEPT}",
        also=("3 of 4 sources collected.",),
    ),
    Case(
        "saved_page_missing",
        lambda home: home.path(SAVED_PAGE).unlink(),
        ALL,
        0,
        f"fail  openlm_saved: {SAVED}: file not found{KEPT}",
    ),
    Case(
        "saved_page_not_utf8_is_read",
        planted(SAVED_PAGE, PAGE.encode("utf-8").replace("🤖".encode(), b"\xff")),
        ALL,
        0,
        "4 of 4 sources collected.",
        also=(
            "ok    openlm_saved: 27 models, 3 names folded into existing keys (unchanged:"
            " {data}/scraped/openlm_saved_models.json)",
        ),
    ),
]

WEB = [
    web_case("http_401", status(401), fail(f"HTTP 401 Unauthorized from {PAGE_URL}"), waits=[]),
    web_case("http_403", status(403), fail(f"HTTP 403 Forbidden from {PAGE_URL}"), waits=[]),
    web_case("http_404", status(404), fail(f"HTTP 404 Not Found from {PAGE_URL}"), waits=[]),
    web_case(
        "http_429_storm",
        status(429, **{"Retry-After": "120"}),
        fail(f"HTTP 429 Too Many Requests from {PAGE_URL} (3 attempts)"),
        waits=[60.0, 60.0],
    ),
    web_case(
        "http_500_storm",
        status(500),
        fail(f"HTTP 500 Internal Server Error from {PAGE_URL} (3 attempts)"),
        waits=[1.0, 2.0],
    ),
    web_case(
        "http_503_storm_as_the_only_source",
        status(503),
        "Error: every source failed (openlm_arena: HTTP 503 Service Unavailable from"
        f" {PAGE_URL} (3 attempts))",
        only=True,
    ),
    web_case(
        "http_timeout",
        raising(httpx.ReadTimeout("timed out")),
        fail("timed out after 20 s (3 attempts)"),
        waits=[1.0, 2.0],
    ),
    web_case(
        "http_connection_reset",
        raising(httpx.ReadError("[Errno 104] Connection reset by peer")),
        fail("connection failed (ReadError: [Errno 104] Connection reset by peer) (3 attempts)"),
    ),
    web_case(
        "http_host_not_found",
        raising(unresolved_host("[Errno -2] Name or service not known")),
        fail(f"cannot resolve host of {PAGE_URL} (offline?)"),
        waits=[],
    ),
    web_case(
        "http_200_without_a_table",
        lambda request: httpx.Response(200, text="<html><body>Just a moment...</body></html>"),
        fail(f"no leaderboard table in {PAGE_URL} (tables: no tables)"),
    ),
    web_case(
        "http_200_headers_renamed",
        lambda request: httpx.Response(200, text=PAGE.replace("Model</th>", "LLM</th>")),
        fail(f"no leaderboard table in {PAGE_URL} (tables: {RENAMED})"),
    ),
]


@pytest.fixture(autouse=True)
def _web(monkeypatch: pytest.MonkeyPatch) -> Web:
    """The live page answers normally unless a case says otherwise."""
    return serve_pages(monkeypatch)


@pytest.mark.parametrize("case", cases(HTML_CASES))
def test_hostile_html(collect_home: Home, case: Case) -> None:
    verify(collect_home, case)


@pytest.mark.parametrize(
    ("case", "reply", "waits"),
    [pytest.param(*item, id=item[0].id) for item in WEB],
)
def test_hostile_http(
    collect_home: Home,
    monkeypatch: pytest.MonkeyPatch,
    case: Case,
    reply: Callable[[httpx.Request], httpx.Response],
    waits: list[float] | None,
) -> None:
    web = serve_pages(monkeypatch, reply)
    verify(collect_home, case)
    assert set(web.requests) == {PAGE_URL}
    if waits is not None:
        assert web.slept == waits
