"""Fetching a leaderboard page with httpx: timeouts, a user agent, the one retry policy."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

import httpx

from pipeline.errors import SourceError
from pipeline.retry import MAX_WAIT, RETRY_STATUSES, RetryPolicy
from pipeline.settings import Collect


def make_client(settings: Collect, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    return httpx.Client(
        timeout=httpx.Timeout(settings.timeout_seconds, connect=min(settings.timeout_seconds, 10)),
        headers={"User-Agent": settings.user_agent, "Accept": "text/html,application/xhtml+xml"},
        follow_redirects=True,
        transport=transport,
    )


def fetch_page(
    source: str,
    url: str,
    settings: Collect,
    client: httpx.Client,
    sleep: Callable[[float], None] = time.sleep,
    max_wait: float = MAX_WAIT,
) -> str:
    """The page's text, retried by the project's one retry policy (``pipeline.retry``);
    SourceError with a one-line reason once retries are spent."""

    def get() -> httpx.Response:
        try:
            return client.get(url)
        except httpx.ConnectError as exc:
            if _name_lookup_failed(exc):
                raise SourceError(source, f"cannot resolve host of {url} (offline?)") from None
            raise

    policy = RetryPolicy(settings.retries, max_wait=max_wait)
    attempts = settings.retries + 1
    try:
        response = policy.run(
            get,
            sleep,
            status=lambda r: r.status_code,
            header=lambda r: r.headers.get("Retry-After"),
            errors=(httpx.TransportError,),
        )
    except httpx.TransportError as exc:
        if isinstance(exc, httpx.TimeoutException):
            reason = f"timed out after {settings.timeout_seconds:g} s"
        elif isinstance(exc, httpx.ConnectError):
            reason = f"cannot connect to {url} ({exc})"
        else:
            reason = f"connection failed ({type(exc).__name__}: {exc})"
        raise SourceError(source, f"{reason} ({attempts} attempts)") from None
    if response.status_code < 400:
        return response.text
    reason = f"HTTP {response.status_code} {response.reason_phrase} from {url}"
    if response.status_code in RETRY_STATUSES:
        reason = f"{reason} ({attempts} attempts)"
    raise SourceError(source, reason)


def _name_lookup_failed(exc: BaseException) -> bool:
    """Whether a connection failed at the host's name lookup: a ``socket.gaierror`` among
    its causes (httpx raises ConnectError from httpcore's, raised from the socket's)."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, socket.gaierror):
            return True
        cause = cause.__cause__ or cause.__context__
    return False
