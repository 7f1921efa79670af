"""Property: a model seen for the first time makes the Evidence that merging it into an
empty one makes."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.estimate.evidence import Evidence, _first, _merge

texts = st.text(alphabet="abAB é-_ ", max_size=4)
models = st.fixed_dictionaries(
    {"key": st.just("m")},
    optional={
        "name": st.one_of(texts, st.none(), st.integers()),
        "raw_names": st.lists(texts, max_size=4),
        "developer": st.one_of(texts, st.none()),
        "benchmarks": st.dictionaries(texts, st.one_of(st.integers(-5, 5), st.floats(-9, 9))),
        "sources": st.lists(texts, max_size=4),
        "first_seen": st.one_of(st.none(), st.just(""), st.just("2025-01-02")),
        "specs": st.one_of(
            st.none(), st.dictionaries(st.sampled_from(["parameters", "notes"]), st.none() | texts)
        ),
    },
)


def fields(item: Evidence) -> tuple[Any, ...]:
    return (
        item.key, item.names, list(item.developers.items()), list(item.benchmarks.items()),
        item.sources, item.first_seen, list(item.specs.items()), type(item.developers),
    )  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(models)
def test_a_first_model_makes_what_merging_makes(model: dict[str, Any]) -> None:
    merged = Evidence("m")
    _merge(merged, model, {}, "s.")
    assert fields(_first("m", model, {}, "s.")) == fields(merged)
