"""Fetching a leaderboard page with httpx: timeouts, a user agent, retries with backoff."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from pipeline.errors import SourceError
from pipeline.settings import Collect

RETRY_STATUSES = {429, 500, 502, 503, 504}
MAX_RETRY_AFTER = 60.0
_NO_HOST = (
    "name or service not known",
    "temporary failure in name resolution",
    "nodename nor servname",
    "no address associated",
    "getaddrinfo failed",
)


def make_client(settings: Collect, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    return httpx.Client(
        timeout=httpx.Timeout(settings.timeout_seconds, connect=min(settings.timeout_seconds, 10)),
        headers={"User-Agent": settings.user_agent, "Accept": "text/html,application/xhtml+xml"},
        follow_redirects=True,
        transport=transport,
    )


def _retry_after(response: httpx.Response, default: float) -> float:
    value = response.headers.get("Retry-After", "")
    try:
        return min(max(float(value), 0.0), MAX_RETRY_AFTER)
    except ValueError:
        return default


def fetch_page(
    source: str,
    url: str,
    settings: Collect,
    client: httpx.Client,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """The page's text; SourceError with a one-line reason once retries are spent."""
    attempts = settings.retries + 1
    reason = ""
    for attempt in range(attempts):
        delay = float(2**attempt)
        try:
            response = client.get(url)
        except httpx.TimeoutException:
            reason = f"timed out after {settings.timeout_seconds:g} s"
        except httpx.ConnectError as exc:
            if any(text in str(exc).lower() for text in _NO_HOST):
                raise SourceError(source, f"cannot resolve host of {url} (offline?)") from None
            reason = f"cannot connect to {url} ({exc})"
        except httpx.TransportError as exc:
            reason = f"connection failed ({type(exc).__name__}: {exc})"
        else:
            if response.status_code < 400:
                return response.text
            reason = f"HTTP {response.status_code} {response.reason_phrase} from {url}"
            if response.status_code not in RETRY_STATUSES:
                raise SourceError(source, reason)
            delay = _retry_after(response, delay)
        if attempt + 1 < attempts:
            sleep(delay)
    raise SourceError(source, f"{reason} ({attempts} attempts)")
