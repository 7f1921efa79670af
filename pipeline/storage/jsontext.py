"""Compact JSON for the state files written on every apply (the journal, the history):
orjson, about ten times faster than the standard library's encoder on large plans."""

from __future__ import annotations

from typing import Any

import orjson


def encode(value: Any) -> bytes:
    """``value`` as compact JSON in UTF-8 (no spaces); NaN and non-text keys are refused."""
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError as exc:
        raise ValueError(f"cannot write as JSON: {exc}") from None
