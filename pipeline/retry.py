"""One retry policy for every HTTP client (leaderboard pages, Airtable, Google Sheets).

A request that fails with 429 or 5xx, or loses its connection, is tried again, up to
``retries`` more times (tenacity runs the loop). Between tries it waits what the reply's
``Retry-After`` says, else an exponential backoff from ``base`` seconds, else (a 429 with
no Retry-After) at least ``penalty`` seconds; never more than ``max_wait`` seconds
(``max_retry_wait_seconds``), so a server asking for hours cannot stall a cycle. Waits go
through a :class:`Clock`, which tests replace with a simulated one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Protocol, TypeVar

from tenacity import RetryCallState, Retrying, stop_after_attempt

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_WAIT = 60.0  # seconds; the default of the max_retry_wait_seconds setting
Reply = TypeVar("Reply")


class TimeSource(Protocol):
    """What waits go through: ``now`` in seconds, ``sleep`` to wait (a simulated clock in
    tests)."""

    def now(self) -> float: ...
    def sleep(self, seconds: float) -> None: ...


class Clock:
    """Wall time: ``now`` in seconds, ``sleep`` to wait."""

    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def retry_after(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (a number or an HTTP date), or None."""
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry (see the module's docstring)."""

    retries: int = 6
    base: float = 1.0
    max_wait: float = MAX_WAIT
    penalty: float = 0.0

    def wait(self, attempt: int, status: int | None = None, after: str | None = None) -> float:
        """Seconds to wait after failed try number ``attempt`` (0 for the first)."""
        backoff = self.base * 2**attempt
        asked = retry_after(after) if status is not None else None
        if asked is not None:
            seconds = asked
        elif status == 429:
            seconds = max(self.penalty, backoff)
        else:
            seconds = backoff
        return min(seconds, self.max_wait)

    def run(
        self,
        attempt: Callable[[], Reply],
        sleep: Callable[[float], None],
        *,
        status: Callable[[Reply], int],
        header: Callable[[Reply], str | None],
        errors: tuple[type[BaseException], ...],
    ) -> Reply:
        """``attempt()`` until it returns a reply whose status is not worth retrying or the
        retries are spent (the last reply is returned, the last of ``errors`` raised);
        ``sleep`` waits (a :class:`Clock`'s, so tests see every wait)."""

        def worth_retrying(state: RetryCallState) -> bool:
            outcome = state.outcome
            if outcome is None:
                return False
            if outcome.failed:
                return isinstance(outcome.exception(), errors)
            return status(outcome.result()) in RETRY_STATUSES

        def wait(state: RetryCallState) -> float:
            outcome, number = state.outcome, state.attempt_number - 1
            if outcome is None or outcome.failed:
                return self.wait(number)
            reply = outcome.result()
            return self.wait(number, status(reply), header(reply))

        def give_up(state: RetryCallState) -> Reply:
            assert state.outcome is not None
            return state.outcome.result()  # the last reply, or its error raised

        retrying = Retrying(
            stop=stop_after_attempt(self.retries + 1),
            retry=worth_retrying,
            wait=wait,
            sleep=sleep,
            retry_error_callback=give_up,
        )
        return retrying(attempt)
