"""Compact JSON for the state files written on every apply (the journal, the history):
orjson, about ten times faster than the standard library's encoder on large plans."""

from __future__ import annotations

from typing import Any

import orjson


def encode(value: Any) -> bytes:
    """``value`` as compact JSON in UTF-8 (no spaces); a key of a text enum (a table's
    name) is written as its text."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
    except orjson.JSONEncodeError as exc:
        raise ValueError(f"cannot write as JSON: {exc}") from None
