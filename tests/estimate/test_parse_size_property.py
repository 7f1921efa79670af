"""Property: a key's size is read token by token as it was first read, whatever the key
(the sizes of recurring tokens are made once)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.estimate.heuristics import (
    _ACTIVE,
    _EXPERTS,
    _MOE,
    _SIZE,
    Size,
    _scale,
    parse_size,
)


def first_reading(key: str, active_experts: int = 2) -> Size | None:
    """``parse_size`` as first written."""
    tokens = key.split("_")
    for index, token in enumerate(tokens):
        if not token.endswith(("b", "m")):
            continue
        if match := _MOE.match(token):
            experts, size = int(match[1]), float(match[2]) * 1e9
            return Size(experts * size, min(active_experts, experts) * size, token, moe_guess=True)
        if match := _SIZE.match(token):
            total = float(match[1]) * _scale(match[2])
            nxt = tokens[index + 1] if index + 1 < len(tokens) else ""
            if active := _ACTIVE.match(nxt):
                return Size(total, float(active[1]) * 1e9, f"{token}_{nxt}")
            if _EXPERTS.match(nxt):
                return Size(None, total, f"{token}_{nxt}")
            return Size(total, total, token)
    return None


tokens = st.one_of(
    st.sampled_from(["7b", "1.5b", "135m", "8x7b", "a22b", "128e", "12e\n", "a3b\n", "v2",
                     "llama", "e", "a", "70b", "0.5m", "3x", "x7b", ""]),
    st.text(alphabet="0123456789.bmxae\n", max_size=5),
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(tokens, min_size=1, max_size=5), st.integers(1, 8))
def test_a_keys_size_is_read_as_before(parts: list[str], experts: int) -> None:
    key = "_".join(parts)
    assert parse_size(key, experts) == first_reading(key, experts)
