"""Requests to cloud APIs: one pace, one retry policy, one clock (which tests replace).

Airtable allows 5 requests per second per base and answers 429 with a 30-second penalty;
Google answers 429 and 5xx when busy. Retries wait on the same clock as the pacer, so a
test's simulated clock sees every wait, and a 429 penalty is waited out, not retried into.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

RETRY_STATUSES = {429, 500, 502, 503, 504}


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
