"""Requests to cloud APIs: one pace, the project's one retry policy, one clock (which
tests replace).

Airtable allows 5 requests per second per base and answers 429 with a 30-second penalty;
Google answers 429 and 5xx when busy. Retries wait on the same clock as the pacer, so a
test's simulated clock sees every wait, and a 429 penalty is waited out, not retried into.
The pacing and retries live in a transport adapter mounted on each client's own session
(pyairtable's ``Api.session``, google-auth's ``AuthorizedSession`` under gspread).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypedDict

import requests
from requests.adapters import HTTPAdapter

from pipeline.retry import Clock, RetryPolicy, TimeSource
from pipeline.settings import Settings

__all__ = ["Clock", "PacedAdapter", "Pacer", "RetryPolicy", "api_error", "describe", "not_json"]

PENALTY = 30.0  # seconds: what Airtable (and Google, when busy) want after a 429
# What Airtable and Google say for a base or spreadsheet they cannot find (or not show).
VAGUE_NOT_FOUND = {"NOT_FOUND", "Requested entity was not found."}
MAX_REASON = 200  # of a body that is not JSON


@dataclass
class Pacer:
    """At most ``per_second`` requests in any one-second window (a sliding window, with a
    small margin so that a server counting the window's ends inclusively agrees)."""

    per_second: float
    clock: TimeSource
    margin: float = 0.01
    _sent: deque[float] = field(default_factory=deque, init=False)

    def wait(self) -> None:
        limit = max(1, int(self.per_second))
        now = self.clock.now()
        while self._sent and self._sent[0] <= now - 1.0 - self.margin:
            self._sent.popleft()
        if len(self._sent) >= limit:
            pause = self._sent[0] + 1.0 + self.margin - now
            self.clock.sleep(pause)
            now += pause
            self._sent.popleft()
        self._sent.append(now)


class PacedAdapter(HTTPAdapter):
    """requests' transport, mounted on a client's own session: paces every try, retries
    429, 5xx and lost connections by the project's retry policy (``pipeline.retry``).
    ``rewrite`` can point the URLs at another host; ``count`` is told the method and URL of
    every request sent, retries included."""

    def __init__(
        self,
        pacer: Pacer,
        policy: RetryPolicy,
        rewrite: Callable[[str], str] | None = None,
        count: Callable[[str, str], None] | None = None,
    ) -> None:
        super().__init__()
        self.pacer, self.policy, self.rewrite, self.count = pacer, policy, rewrite, count

    def mount_on(self, session: requests.Session) -> None:
        session.mount("https://", self)
        session.mount("http://", self)

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        if self.rewrite is not None:
            request.url = self.rewrite(str(request.url))

        def attempt() -> requests.Response:
            self.pacer.wait()
            if self.count is not None:
                self.count(str(request.method).upper(), str(request.url))
            return super(PacedAdapter, self).send(request, *args, **kwargs)

        return self.policy.run(
            attempt,
            self.pacer.clock.sleep,
            status=lambda r: r.status_code,
            header=lambda r: r.headers.get("Retry-After"),
            errors=(requests.ConnectionError, requests.Timeout),
        )


class RequestOptions(TypedDict):
    """What the settings say of every request a cloud backend sends."""

    retries: int
    timeout: float
    max_wait: float


def request_options(settings: Settings) -> RequestOptions:
    """The ``bridge`` settings' retries and timeout, and the longest wait of a retry."""
    return RequestOptions(
        retries=settings.bridge.retries,
        timeout=settings.bridge.timeout_seconds,
        max_wait=settings.max_retry_wait_seconds,
    )


def pace(
    session: requests.Session,
    clock: TimeSource,
    *,
    per_second: float,
    retries: int,
    max_wait: float,
    rewrite: Callable[[str], str] | None = None,
    count: Callable[[str, str], None] | None = None,
) -> PacedAdapter:
    """Mount on ``session`` the pace of ``per_second`` requests and the project's retry
    policy (a 429 waits out ``PENALTY``); the adapter mounted is returned."""
    policy = RetryPolicy(retries, max_wait=max_wait, penalty=PENALTY)
    adapter = PacedAdapter(Pacer(per_second, clock), policy, rewrite, count)
    adapter.mount_on(session)
    return adapter


def api_error(response: requests.Response) -> dict[str, Any]:
    """The error object of a JSON reply: Airtable's ``error`` (a bare string becomes its
    ``type``) or first of ``errors``, Google's ``error``; {} for any other body."""
    try:
        body = response.json()
    except ValueError:
        return {}
    if not isinstance(body, dict):
        return {}
    error = body.get("error") or (body.get("errors") or [{}])[0]
    if isinstance(error, dict):
        return error
    return {"type": error} if isinstance(error, str) else {"message": str(error)}


def describe(response: requests.Response, missing: str = "") -> str:
    """An error reply in one line, ``HTTP <status> <reason>``: the JSON error's message
    (or type), else an HTML page's title or the body's text. ``missing`` says what a 404
    is about when its reason does not (the base or spreadsheet, and where its id is set)."""
    status, error = response.status_code, api_error(response)
    reason = str(error.get("message") or error.get("type") or error.get("error") or "")
    if not reason:
        title = re.search(r"<title[^>]*>(.*?)</title>", response.text, re.I | re.S)
        text = title.group(1) if title else re.sub(r"<[^>]*>", " ", response.text)
        text = " ".join(text.split()).removeprefix(f"{status} ") or response.reason or ""
        reason = text if len(text) <= MAX_REASON else text[: MAX_REASON - 3] + "..."
    reason = " ".join(reason.split())  # one line, whatever the body held
    if missing and status == 404 and reason in VAGUE_NOT_FOUND:
        reason = f"{reason} ({missing})"
    return f"HTTP {status} {reason}".rstrip()


def not_json(exc: ValueError) -> str:
    """A reply that should be JSON but is not (cut off, or a proxy's page), in one line."""
    return f"a reply is not valid JSON ({' '.join(str(exc).split())})"
