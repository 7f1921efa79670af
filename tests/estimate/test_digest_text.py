"""Property: the text an evidence digest hashes is the ``repr`` of its payload, as it was
first defined (the digests are saved in every estimate record: they must not change)."""

from __future__ import annotations

import hashlib
import string
from collections import Counter
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.estimate.evidence import Evidence

texts = st.text(alphabet=string.printable + "éü日🙂'\\\"", max_size=12)
numbers = st.one_of(st.floats(allow_nan=False), st.integers(-(10**20), 10**20))
specs = st.dictionaries(
    st.sampled_from(["training_flop", "parameters", "release_date", "notes", "confidence"]),
    st.one_of(numbers, texts, st.none()),
    max_size=4,
)
extras = st.one_of(
    st.none(),
    st.tuples(st.none(), texts),
    st.tuples(st.dictionaries(texts, st.one_of(numbers, texts, st.none()), max_size=3), texts),
)


def payload_repr(item: Evidence, extra: Any) -> str:
    """The digest's text as first written: the repr of a tuple."""
    payload = (
        sorted(set(item.names)),
        item.developer,
        sorted(item.benchmarks.items()),
        sorted(item.sources),
        item.first_seen,
        sorted(item.specs.items()),
        extra,
    )
    return repr(payload)


@st.composite
def evidence(draw: st.DrawFn) -> Evidence:
    lists = st.lists(texts, max_size=4)
    return Evidence(
        draw(texts),
        names=draw(st.one_of(lists, lists.map(tuple))),
        developers=Counter(draw(st.lists(texts, max_size=3))),
        benchmarks=draw(st.dictionaries(texts, numbers, max_size=4)),
        sources=draw(st.one_of(lists, lists.map(tuple))),
        first_seen=draw(st.one_of(st.none(), texts)),
        specs=draw(specs),
    )


@settings(max_examples=400, deadline=None)
@given(evidence(), extras)
def test_the_digest_text_is_the_payloads_repr(item: Evidence, extra: Any) -> None:
    text = payload_repr(item, extra)
    assert item.digest_text(extra) == text
    assert item.digest(extra) == hashlib.sha1(text.encode()).hexdigest()[:16]


def test_a_digest_saved_before_is_the_same() -> None:
    item = Evidence(
        "gpt_4o", ["GPT-4o"], Counter({"OpenAI": 2}), {"lmarena_text.arena_score": 1285.0},
        ["lmarena_text"], "2025-01-23",
    )  # fmt: skip
    assert (
        item.digest((None, "0123456789abcdef"))
        == hashlib.sha1(
            b"(['GPT-4o'], 'OpenAI', [('lmarena_text.arena_score', 1285.0)], ['lmarena_text'], "
            b"'2025-01-23', [], (None, '0123456789abcdef'))"
        ).hexdigest()[:16]
    )
