"""Network failures as httpx raises them, for transports that fail a request."""

from __future__ import annotations

import socket

import httpx


def unresolved_host(text: str = "[Errno -2] Name or service not known") -> httpx.ConnectError:
    """A failed name lookup: httpx's ConnectError raised from the socket's gaierror (through
    httpcore's ConnectError), as a real request to an unknown host fails."""
    lookup = socket.gaierror(socket.EAI_NONAME, text)
    inner = httpx.ConnectError(text)
    inner.__cause__ = lookup
    error = httpx.ConnectError(text)
    error.__cause__ = inner
    return error
