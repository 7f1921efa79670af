"""Leaderboard rows -> scraped model records, one per key."""

from __future__ import annotations

import pytest

from pipeline.collect.names import NameRules
from pipeline.collect.records import build_models, parse_score
from pipeline.collect.sources import SourceConfig
from pipeline.collect.tables import SourceRow

T1, T2 = "2025-01-23T00:00:00Z", "2025-05-18T00:00:00Z"
SOURCE = SourceConfig(
    name="arena",
    type="csv_file",
    path="raw/arena.csv",
    provenance="https://lmarena.ai/leaderboard/text",
    description="a test export",
    columns={"model": ["Model"], "developer": ["Organization"], "votes": ["Votes"]},
    benchmarks={"arena_score": ["Score"]},
)


def row(number: int, model: str, score: str = "1285", votes: str = "1", org: str = "") -> SourceRow:
    return SourceRow(
        f"arena.csv row {number}",
        {"model": model, "developer": org, "votes": votes},
        {"arena_score": score},
    )


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("6,437", 6437.0),
        ("117745", 117745.0),
        (" 1,382 ", 1382.0),
        ("88.5%", 88.5),
        ("12\u202f345", 12345.0),
        ("", None),
        ("-", None),
        ("—", None),
        ("N/A", None),
    ],
)
def test_parse_score(text: str, number: float | None) -> None:
    assert parse_score(text) == number


@pytest.mark.parametrize("text", ["abc", "1.2.3", "nan", "inf", "+8/-6"])
def test_parse_score_rejects_text(text: str) -> None:
    with pytest.raises(ValueError):
        parse_score(text)


def test_a_record_per_row(rules: NameRules) -> None:
    result = build_models([row(2, "Gemma-2-27B-it", "1220", "73,168", "Google")], SOURCE, rules, T1)
    assert result.warnings == []
    assert result.models == [
        {
            "key": "gemma_2_27b",
            "name": "Gemma-2-27B-it",
            "raw_names": ["Gemma-2-27B-it"],
            "developer": "Google",
            "benchmarks": {"arena_score": 1220.0},
            "details": {"votes": 73168},
            "sources": ["https://lmarena.ai/leaderboard/text (a test export)"],
            "last_updated": T1,
        }
    ]


def test_non_numeric_benchmark_is_a_warning(rules: NameRules) -> None:
    result = build_models([row(7, "Gemma-2-27B-it", score="n.a.")], SOURCE, rules, T1)
    assert result.warnings == [
        "arena.csv row 7, field arena_score: 'n.a.' is not a number; ignored"
    ]
    assert [(m["key"], m["benchmarks"]) for m in result.models] == [("gemma_2_27b", {})]


def test_non_numeric_votes_is_a_warning(rules: NameRules) -> None:
    result = build_models([row(3, "Gemma-2-27B-it", votes="many")], SOURCE, rules, T1)
    assert result.warnings == ["arena.csv row 3, field votes: 'many' is not a number; ignored"]
    assert result.models[0]["details"] == {}


@pytest.mark.parametrize("name", ["", "   ", "🥇🏆"])
def test_row_without_a_model_name_is_skipped(rules: NameRules, name: str) -> None:
    rows = [row(2, name), row(3, "o1-mini")]
    result = build_models(rows, SOURCE, rules, T1)
    assert result.warnings == ["arena.csv row 2, field model: empty model name; row skipped"]
    assert [m["key"] for m in result.models] == ["o1_mini"]


def test_folded_rows_keep_the_most_voted_scores(rules: NameRules) -> None:
    rows = [
        row(4, "ChatGPT-4o-latest (2024-11-20)", "1365", "35,328", "OpenAI"),
        row(15, "GPT-4o-2024-05-13", "1285", "117,745", "OpenAI"),
        row(29, "GPT-4o-2024-08-06", "1265", "47,975", "OpenAI"),
    ]
    result = build_models(rows, SOURCE, rules, T1)
    assert result.folded == 2
    [model] = result.models
    assert model["key"] == "gpt_4o"
    assert model["name"] == "GPT-4o-2024-05-13"
    assert model["benchmarks"] == {"arena_score": 1285.0}
    assert model["details"] == {"votes": 117745}
    assert model["raw_names"] == [
        "ChatGPT-4o-latest (2024-11-20)",
        "GPT-4o-2024-05-13",
        "GPT-4o-2024-08-06",
    ]


def test_last_updated_kept_when_nothing_changed(rules: NameRules) -> None:
    first = build_models(
        [row(2, "o1-mini", "1305"), row(3, "o1-preview", "1335")], SOURCE, rules, T1
    )
    previous = {model["key"]: model for model in first.models}
    again = build_models(
        [row(2, "o1-mini", "1305"), row(3, "o1-preview", "1340")], SOURCE, rules, T2, previous
    )
    assert {m["key"]: m["last_updated"] for m in again.models} == {"o1_mini": T1, "o1_preview": T2}


@pytest.mark.parametrize("score", ["1e99", "-2e6", "inf", "NaN"])
def test_implausible_benchmark_is_a_warning(rules: NameRules, score: str) -> None:
    result = build_models([row(4, "Gemma-2-27B-it", score=score)], SOURCE, rules, T1)
    assert result.warnings == [
        f"arena.csv row 4, field arena_score: {score!r} is not a plausible score; ignored"
    ]
    assert result.models[0]["benchmarks"] == {}
