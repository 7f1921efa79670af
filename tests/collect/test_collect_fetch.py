"""Fetching a leaderboard page: user agent, retries with backoff, one-line failures."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
import pytest
from fakes.network import unresolved_host

from pipeline.collect.fetch import fetch_page, make_client
from pipeline.errors import SourceError
from pipeline.settings import Collect, Settings

URL = "https://openlm.test/chatbot-arena/"
PAGE = "<html><table></table></html>"


@dataclass
class Server:
    """A fake server: answers with ``replies`` in turn (the last one repeats)."""

    replies: list[httpx.Response | Exception]
    requests: list[httpx.Request] = field(default_factory=list)
    slept: list[float] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies[min(len(self.requests), len(self.replies)) - 1]
        if isinstance(reply, Exception):
            raise reply
        return reply

    def fetch(self, settings: Collect) -> str:
        with make_client(settings, transport=httpx.MockTransport(self.handle)) as client:
            return fetch_page("openlm_arena", URL, settings, client, sleep=self.slept.append)

    def fail(self, settings: Collect) -> str:
        with pytest.raises(SourceError) as caught:
            self.fetch(settings)
        return str(caught.value)


def ok() -> httpx.Response:
    return httpx.Response(200, text=PAGE)


def test_page_text_and_user_agent(settings: Settings) -> None:
    server = Server([ok()])
    assert server.fetch(settings.collect) == PAGE
    [request] = server.requests
    assert request.headers["User-Agent"] == settings.collect.user_agent
    assert request.headers["User-Agent"].startswith("tracker/0.1 (training-compute research;")
    assert server.slept == []


@pytest.mark.parametrize(
    ("status", "phrase"), [(401, "Unauthorized"), (403, "Forbidden"), (404, "Not Found")]
)
def test_client_errors_fail_at_once(settings: Settings, status: int, phrase: str) -> None:
    server = Server([httpx.Response(status), ok()])
    assert (
        server.fail(settings.collect) == f"source openlm_arena: HTTP {status} {phrase} from {URL}"
    )
    assert (len(server.requests), server.slept) == (1, [])


@pytest.mark.parametrize(("retry_after", "slept"), [("3", 3.0), ("3600", 60.0), ("soon", 1.0)])
def test_429_waits_as_told(settings: Settings, retry_after: str, slept: float) -> None:
    server = Server([httpx.Response(429, headers={"Retry-After": retry_after}), ok()])
    assert server.fetch(settings.collect) == PAGE
    assert (len(server.requests), server.slept) == (2, [slept])


@pytest.mark.parametrize("retries", [0, 2, 4])
def test_server_error_storm_spends_every_retry(settings: Settings, retries: int) -> None:
    collect = settings.collect.model_copy(update={"retries": retries})
    server = Server([httpx.Response(500)])
    message = server.fail(collect)
    assert message == (
        f"source openlm_arena: HTTP 500 Internal Server Error from {URL} ({retries + 1} attempts)"
    )
    assert len(server.requests) == retries + 1
    assert server.slept == [2.0**n for n in range(retries)]


@pytest.mark.parametrize(
    "error",
    [
        httpx.ReadTimeout("timed out"),
        httpx.ConnectTimeout("timed out"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        httpx.ReadError("[Errno 104] Connection reset by peer"),
        httpx.ConnectError("[Errno 111] Connection refused"),
        httpx.Response(503),
    ],
    ids=lambda error: type(error).__name__,
)
def test_transient_failures_are_retried(settings: Settings, error: Exception) -> None:
    server = Server([error, ok()])
    assert server.fetch(settings.collect) == PAGE
    assert (len(server.requests), server.slept) == (2, [1.0])


def test_timeouts_every_time(settings: Settings) -> None:
    server = Server([httpx.ReadTimeout("timed out")])
    assert server.fail(settings.collect) == "source openlm_arena: timed out after 20 s (3 attempts)"
    assert len(server.requests) == 3


def test_connection_reset_every_time(settings: Settings) -> None:
    server = Server([httpx.ReadError("[Errno 104] Connection reset by peer")])
    assert server.fail(settings.collect) == (
        "source openlm_arena: connection failed"
        " (ReadError: [Errno 104] Connection reset by peer) (3 attempts)"
    )


@pytest.mark.parametrize(
    "text",
    ["[Errno -2] Name or service not known", "[Errno -3] Temporary failure in name resolution"],
)
def test_unknown_host_fails_at_once(settings: Settings, text: str) -> None:
    server = Server([unresolved_host(text), ok()])
    assert server.fail(settings.collect) == (
        f"source openlm_arena: cannot resolve host of {URL} (offline?)"
    )
    assert (len(server.requests), server.slept) == (1, [])


def test_a_failed_connection_is_told_apart_by_its_cause_not_its_text(settings: Settings) -> None:
    server = Server([httpx.ConnectError("Name or service not known"), ok()])

    assert server.fetch(settings.collect) == PAGE  # not a failed lookup: retried
    assert len(server.requests) == 2


def test_a_retry_after_of_hours_waits_only_the_cap(settings: Settings) -> None:
    later = "Wed, 21 Oct 2099 07:28:00 GMT"
    server = Server([httpx.Response(503, headers={"Retry-After": later}), ok()])
    with make_client(settings.collect, transport=httpx.MockTransport(server.handle)) as client:
        text = fetch_page(
            "openlm_arena", URL, settings.collect, client, sleep=server.slept.append, max_wait=45
        )
    assert text == PAGE and server.slept == [45.0]
