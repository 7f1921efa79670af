"""Parameter heuristics: model size and date read from the name.

Names give sizes as ``405b``, ``1.7b``, ``135m``; mixtures of experts as ``8x7b`` (N =
active experts x expert size, top-2 routing unless configured), ``235b_a22b`` (235B total,
22B active) or ``17b_128e`` (17B active in 128 experts; total unknown). The year is that of
a date stamp in any of the model's names (``-2024-05-13``, ``-2407``). What size and date
imply for compute is learnt from the reference models (``sizefit``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pipeline.collect.names import split_date, tokenise
from pipeline.estimate.result import count

_SIZE = re.compile(r"^(\d+(?:\.\d+)?)([bm])$")
_MOE = re.compile(r"^(\d+)x(\d+(?:\.\d+)?)b$")
_ACTIVE = re.compile(r"^a(\d+(?:\.\d+)?)b$")
_EXPERTS = re.compile(r"^\d+e$")


@dataclass(frozen=True)
class Size:
    total: float | None
    active: float
    text: str
    moe_guess: bool = False
    source: str = ""  # where a size not read from the name comes from (parameter_source)


def _scale(unit: str) -> float:
    return 1e9 if unit == "b" else 1e6


def parse_size(key: str, active_experts: int = 2) -> Size | None:
    """The size a key states, or None. The first size token wins."""
    tokens = key.split("_")
    for index, token in enumerate(tokens):
        if not token.endswith(("b", "m")):  # neither pattern can match
            continue
        nxt = tokens[index + 1] if index + 1 < len(tokens) else ""
        if not nxt.startswith("a") and not nxt.endswith(("e", "e\n")):
            nxt = ""  # neither _ACTIVE nor _EXPERTS can match: as good as none
        size = _token_size(token, nxt, active_experts)
        if size is not None:
            return size
    return None


@lru_cache(maxsize=1 << 12)
def _token_size(token: str, nxt: str, active_experts: int) -> Size | None:
    """The size one token of a key states (``nxt``: the token after it), or None: made
    once for each, as sizes recur across keys."""
    if match := _MOE.match(token):
        experts, size = int(match[1]), float(match[2]) * 1e9
        return Size(experts * size, min(active_experts, experts) * size, token, moe_guess=True)
    if match := _SIZE.match(token):
        total = float(match[1]) * _scale(match[2])
        if active := _ACTIVE.match(nxt):
            return Size(total, float(active[1]) * 1e9, f"{token}_{nxt}")
        if _EXPERTS.match(nxt):
            return Size(None, total, f"{token}_{nxt}")
        return Size(total, total, token)
    return None


# The end of a plain (ASCII) name whose last token is all digits: only such a name can end
# in a date stamp (every form ``split_date`` knows ends in a number token).
_NUMBER_LAST = re.compile(r"(?:^|[^a-z0-9.])\.*\d+[^a-z0-9]*$")


def era_year(names: list[str]) -> int | None:
    """The earliest year found in a date stamp of any of the names."""
    years = []
    for name in names:
        if name.isascii() and not _NUMBER_LAST.search(name.lower()):
            continue
        _, stamp = split_date(tokenise(name))
        if not stamp:
            continue
        text = "".join(stamp)
        if len(stamp) == 2 and len(stamp[1]) == 4:  # MM_YYYY
            years.append(int(stamp[1]))
        elif len(text) >= 6:  # YYYY...
            years.append(int(text[:4]))
        elif len(text) == 4 and int(text[2:]) <= 12 and 23 <= int(text[:2]) <= 30:  # YYMM
            years.append(2000 + int(text[:2]))
    return min(years) if years else None


def size_source(size: Size) -> str:
    """The ``parameter_source`` of a size: where it came from, or the name's size token."""
    return size.source or f"name: {size.text}"


def describe_size(size: Size) -> str:
    if size.source:
        return f"{count(size.active)} parameters, from {size.source}"
    if size.total is None:
        return f"{count(size.active)} active parameters from the name ({size.text})"
    if size.active != size.total:
        return (
            f"{count(size.total)} parameters from the name ({size.text}, "
            f"{count(size.active)} active)"
        )
    return f"{count(size.total)} parameters from the name ({size.text})"
