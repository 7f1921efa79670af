"""The one retry policy every HTTP client uses (pipeline.retry): what it retries, how long
it waits, and that no Retry-After can make it wait longer than the cap."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from pipeline.retry import RetryPolicy, retry_after
from pipeline.settings import Settings


class Clock:
    def __init__(self) -> None:
        self.sleeps: list[float] = []

    def now(self) -> float:
        return sum(self.sleeps)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


def in_hours(hours: float) -> str:
    return format_datetime(datetime.now(UTC) + timedelta(hours=hours), usegmt=True)


@pytest.mark.parametrize(
    ("status", "after", "waited"),
    [
        (429, "12", 12.0),
        (503, "12", 12.0),
        (429, "86400", 60.0),
        (429, "in 5 hours", 60.0),  # an HTTP date
        (429, None, 30.0),  # no Retry-After: the penalty (Airtable's 30 s)
        (429, "soon", 30.0),
        (500, None, 4.0),  # backoff: base * 2 ** attempt
    ],
)
def test_waits(status: int, after: str | None, waited: float) -> None:
    policy = RetryPolicy(penalty=30.0)
    if after == "in 5 hours":
        after = in_hours(5)
    assert policy.wait(2, status, after) == pytest.approx(waited, abs=1.0)


def test_backoff_is_capped_too() -> None:
    policy = RetryPolicy(retries=10, max_wait=45.0)
    assert [policy.wait(n) for n in range(8)] == [1, 2, 4, 8, 16, 32, 45, 45]


def test_retry_after_as_a_past_date_is_no_wait() -> None:
    assert retry_after(in_hours(-1)) == 0.0
    assert retry_after("") is None and retry_after("later") is None


def run(
    policy: RetryPolicy,
    attempt: Callable[[], int],
    clock: Clock,
    after: str | None = None,
    errors: tuple[type[BaseException], ...] = (),
) -> int:
    """``policy.run`` on replies that are bare status codes."""
    return policy.run(
        attempt, clock.sleep, status=lambda r: r, header=lambda r: after, errors=errors
    )


def test_a_huge_retry_after_never_blocks_for_hours() -> None:
    clock, replies = Clock(), iter([429, 429, 200])
    assert run(RetryPolicy(retries=6), lambda: next(replies), clock, after="36000") == 200
    assert clock.sleeps == [60.0, 60.0]


def test_the_last_reply_is_returned_and_the_last_error_raised() -> None:
    clock, policy = Clock(), RetryPolicy(retries=2)
    assert run(policy, lambda: 503, clock) == 503
    assert clock.sleeps == [1.0, 2.0]

    def lost() -> int:
        raise ConnectionError("reset")

    with pytest.raises(ConnectionError):
        run(policy, lost, clock, errors=(ConnectionError,))
    assert len(clock.sleeps) == 4


def test_other_errors_and_statuses_are_not_retried() -> None:
    clock, policy = Clock(), RetryPolicy()
    assert run(policy, lambda: 404, clock) == 404

    def broken() -> int:
        raise KeyError("bug")

    with pytest.raises(KeyError):
        run(policy, broken, clock, errors=(OSError,))
    assert clock.sleeps == []


def test_the_cap_is_one_setting_for_every_client() -> None:
    assert Settings().max_retry_wait_seconds == 60.0
    assert RetryPolicy().max_wait == 60.0
