"""Requests to cloud APIs: one pace, one retry policy, one clock (which tests replace).

Airtable allows 5 requests per second per base and answers 429 with a 30-second penalty;
Google answers 429 and 5xx when busy. Retries wait on the same clock as the pacer, so a
test's simulated clock sees every wait, and a 429 penalty is waited out, not retried into.
"""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

RETRY_STATUSES = {429, 500, 502, 503, 504}
# What Airtable and Google say for a base or spreadsheet they cannot find (or not show).
VAGUE_NOT_FOUND = {"NOT_FOUND", "Requested entity was not found."}
MAX_REASON = 200  # of a body that is not JSON


class Clock:
    """Wall time: ``now`` in seconds, ``sleep`` to wait."""

    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


@dataclass
class Pacer:
    """At most ``per_second`` requests in any one-second window (a sliding window, with a
    small margin so that a server counting the window's ends inclusively agrees)."""

    per_second: float
    clock: Clock
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


@dataclass
class RetryPolicy:
    """How often and how long to retry: exponential backoff from ``base`` seconds, and at
    least ``penalty`` seconds after a 429 (or what Retry-After says)."""

    retries: int = 6
    base: float = 1.0
    penalty: float = 30.0

    def delay(self, attempt: int, response: requests.Response | None) -> float:
        backoff = self.base * 2**attempt
        if response is not None and response.status_code == 429:
            after = response.headers.get("Retry-After", "")
            try:
                return max(float(after), 1.0)
            except ValueError:
                return max(self.penalty, backoff)
        return backoff


class PacedSession(requests.Session):
    """A requests session that paces every request and retries 429, 5xx and lost
    connections with backoff. ``rewrite`` can point the URLs at another host; ``count`` is
    told the method and URL of every request sent, retries included."""

    def __init__(
        self,
        pacer: Pacer,
        policy: RetryPolicy,
        rewrite: Callable[[str], str] | None = None,
        count: Callable[[str, str], None] | None = None,
    ) -> None:
        super().__init__()
        self.pacer, self.policy, self.rewrite, self.count = pacer, policy, rewrite, count

    def request(
        self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:  # type: ignore[override]
        url = str(url)
        if self.rewrite is not None:
            url = self.rewrite(url)
        for attempt in range(self.policy.retries + 1):
            self.pacer.wait()
            if self.count is not None:
                self.count(str(method).upper(), url)
            try:
                response = super().request(method, url, *args, **kwargs)
            except (requests.ConnectionError, requests.Timeout):
                if attempt == self.policy.retries:
                    raise
                self.pacer.clock.sleep(self.policy.delay(attempt, None))
                continue
            if response.status_code not in RETRY_STATUSES or attempt == self.policy.retries:
                return response
            self.pacer.clock.sleep(self.policy.delay(attempt, response))
        raise AssertionError("unreachable")


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
