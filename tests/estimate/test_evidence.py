"""Evidence merged per key across every scraped source."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from pipeline.errors import InputError
from pipeline.estimate.evidence import Evidence, load_evidence


def write(folder: Path, name: str, models: list[dict[str, Any]], source: str = "") -> None:
    metadata = {"source": source} if source else {}
    (folder / name).write_text(json.dumps({"metadata": metadata, "models": models}))


def test_merge_across_sources(tmp_path: Path) -> None:
    write(tmp_path, "a_models.json", [
        {"key": "gpt_4o", "name": "GPT-4o-2024-05-13", "developer": "OpenAI",
         "benchmarks": {"arena_score": 1285}, "sources": ["https://a.example"]},
    ], source="arena_jan")  # fmt: skip
    write(tmp_path, "b_models.json", [
        {"key": "gpt_4o", "name": "gpt-4o-2024-08-06", "raw_names": ["GPT-4o-2024-05-13"],
         "developer": "OpenAI", "benchmarks": {"arena_score": 1290.5},
         "sources": ["https://b.example", "https://a.example"]},
        {"key": "o1", "developer": " "},
    ])  # fmt: skip
    evidence = load_evidence(tmp_path)
    item = evidence["gpt_4o"]
    assert item.names == ["GPT-4o-2024-05-13", "gpt-4o-2024-08-06"]
    assert item.benchmarks == {"arena_jan.arena_score": 1285.0, "b.arena_score": 1290.5}
    assert item.sources == ["https://a.example", "https://b.example"]
    assert item.developer == "OpenAI"
    assert (evidence["o1"].name, evidence["o1"].developer) == ("o1", "")


def test_no_files_no_evidence(tmp_path: Path) -> None:
    assert load_evidence(tmp_path) == {}
    assert load_evidence(tmp_path / "missing") == {}


def test_majority_developer() -> None:
    item = Evidence("x")
    item.developers.update(["Meta AI", "Meta", "Meta AI"])
    assert item.developer == "Meta AI"
    item.developers.update(["Meta"])
    assert item.developer == "Meta"  # a tie goes to the shorter name


def test_digest_ignores_order_and_follows_content() -> None:
    one = Evidence("x", ["A", "B"], benchmarks={"s.a": 1.0, "s.b": 2.0}, sources=["u", "v"])
    two = Evidence("x", ["B", "A"], benchmarks={"s.b": 2.0, "s.a": 1.0}, sources=["v", "u"])
    assert one.digest() == two.digest()
    assert one.digest({"spec": 1}) != one.digest()
    two.benchmarks["s.a"] = 1.5
    assert one.digest() != two.digest()


@pytest.mark.parametrize(
    ("model", "where"),
    [({"name": "x"}, "record models[0], field key"), ({"key": "x", "benchmarks": 3}, "benchmarks")],
)
def test_bad_model(tmp_path: Path, model: dict[str, Any], where: str) -> None:
    write(tmp_path, "a_models.json", [model])
    with pytest.raises(InputError, match=re.escape(where)):
        load_evidence(tmp_path)


@pytest.mark.parametrize("value", [True, "n/a", None, [1]])
def test_a_score_that_is_not_a_number_names_file_record_and_field(
    tmp_path: Path, value: object
) -> None:
    write(tmp_path, "a_models.json", [{"key": "gpt_4o", "benchmarks": {"arena_score": value}}])
    with pytest.raises(InputError) as caught:
        load_evidence(tmp_path)
    assert str(caught.value) == (
        f"{tmp_path / 'a_models.json'}, record models[0] (gpt_4o), field benchmarks.arena_score:"
        f" {value!r} is not a plausible score"
    )


GOOD = {"key": "a", "name": "A", "raw_names": ["A"], "sources": ["s"],
        "benchmarks": {"score": 1200.0}, "first_seen": "2024-05-01"}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"benchmarks": {"score": float("nan")}}, "benchmarks.score"),
        ({"benchmarks": {"score": 2e6}}, "benchmarks.score"),
        ({"benchmarks": {"score": False}}, "benchmarks.score"),
        ({"raw_names": ["A", 3]}, "raw_names"),
        ({"sources": "s"}, "sources"),
        ({"first_seen": "2024-13-01"}, "first_seen"),
        ({"specs": {"parameters": -1}}, "specs.parameters"),
    ],
)
def test_a_bad_model_after_plain_ones_names_its_row_and_field(
    tmp_path: Path, change: dict[str, Any], field: str
) -> None:
    models = [GOOD, {**GOOD, "key": "b"}, {**GOOD, "key": "c", **change}]
    write(tmp_path, "a_models.json", models)
    with pytest.raises(InputError) as caught:
        load_evidence(tmp_path)
    assert (caught.value.row, caught.value.field) == ("models[2] (c)", field)
