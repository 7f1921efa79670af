"""Estimator: method priority, alternatives and the record written for each model."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pipeline.estimate.estimator import Estimator
from pipeline.estimate.evidence import Evidence
from pipeline.estimate.known import KnownModel
from pipeline.settings import Settings

BENCH = "src.score"
FLOP_FIELDS = ("training_flop", "flop_low", "flop_high")


def spec(flop: float, **fields: Any) -> KnownModel:
    return KnownModel(name="Spec", confidence="high", training_flop=flop, **fields)


def model(key: str, score: float | None = None, *names: str) -> Evidence:
    return Evidence(key, list(names), benchmarks={} if score is None else {BENCH: score})


@pytest.fixture
def estimator() -> Estimator:
    """Reference models on log10 FLOP = 12 + 0.01 * score, plus the models under test."""
    scores = {"ref_a": 1000.0, "ref_b": 1100.0, "ref_c": 1200.0, "ref_d": 1300.0, "ref_e": 1400.0}
    evidence = {key: model(key, score) for key, score in scores.items()}
    known = {key: spec(10 ** (12 + 0.01 * score)) for key, score in scores.items()}
    evidence |= {
        "alpha_70b": model("alpha_70b", 1330.0, "Alpha-70B-2024-01-10"),
        "beta_7b": model("beta_7b", 1150.0, "Beta-7B-2024-03-01"),
        "gamma": model("gamma", 1350.0, "Gamma"),
        "delta": model("delta", None, "Delta"),
    }
    known["alpha_70b"] = spec(
        10**25.3,  # on the line too
        source="https://example.org/alpha",
        release_date="2024-01-10",
    )
    return Estimator(evidence, known, Settings())


def methods(record: dict[str, Any]) -> list[str]:
    return [record["estimation_method"], *(alt["method"] for alt in record["alternatives"])]


def test_priority_and_alternatives(estimator: Estimator) -> None:
    records = estimator.estimate()
    assert methods(records["alpha_70b"]) == [
        "known_specs",
        "parameter_heuristic",
        "benchmark_interpolation",
    ]
    assert methods(records["beta_7b"]) == ["parameter_heuristic", "benchmark_interpolation"]
    assert methods(records["gamma"]) == ["benchmark_interpolation"]
    assert methods(records["ref_a"]) == ["known_specs", "benchmark_interpolation"]


def test_model_without_any_method_has_no_record(estimator: Estimator) -> None:
    assert "delta" not in estimator.estimate()
    assert estimator.estimate(["delta"]) == {}


def test_known_record(estimator: Estimator) -> None:
    record = estimator.estimate(["alpha_70b"])["alpha_70b"]
    assert (record["training_flop"], record["flop_low"], record["flop_high"]) == (
        2e25,
        1.41e25,
        2.82e25,
    )  # +/- 0.15 dex for high confidence
    assert (record["confidence"], record["release_date"]) == ("high", "2024-01-10")
    assert (record["parameters"], record["parameter_source"]) == (70e9, "name: 70b")
    assert record["sources"] == ["https://example.org/alpha"]
    assert record["reasoning"].startswith(
        "Known: Spec, reported training compute 2e+25 FLOP (https://example.org/alpha)"
    )
    assert (record["threshold_classification"], record["status"]) == ("not_sure", "uncertain")


def test_heuristic_record(estimator: Estimator) -> None:
    record = estimator.estimate(["beta_7b"])["beta_7b"]
    assert record["training_flop"] == 6.3e23  # 6 x 7e9 x 1.5e13 (a 2024 model)
    assert record["confidence"] == "medium"
    assert record["threshold_classification"] == "high_confidence_below_1e25"
    assert record["status"] == "likely_below_1e25"


def test_interpolation_record(estimator: Estimator) -> None:
    assert set(estimator.fits) == {BENCH}
    record = estimator.estimate(["gamma"])["gamma"]
    assert record["training_flop"] == 3.16e25  # 10 ** (12 + 0.01 * 1350)
    assert record["parameters"] is None and record["parameter_source"] == ""
    assert record["benchmarks"] == {BENCH: 1350.0}


def test_estimate_only_requested_keys(estimator: Estimator) -> None:
    assert set(estimator.estimate(["gamma", "beta_7b"])) == {"gamma", "beta_7b"}


def test_known_model_without_evidence_when_asked_for() -> None:
    known = {"solo": spec(3e25)}
    record = Estimator({}, known, Settings()).estimate(["solo"])["solo"]
    assert (record["name"], record["estimation_method"]) == ("solo", "known_specs")


def test_flop_values_are_json_numbers() -> None:
    known = {"int_7b": KnownModel(name="I", confidence="low", parameters=7, training_tokens=10**9)}
    evidence = {"int_7b": model("int_7b", None, "Int-7B")}
    records = Estimator(evidence, known, Settings()).estimate()
    loaded = json.loads(json.dumps(records))["int_7b"]
    assert loaded["training_flop"] == 4.2e10
    for item in [loaded, *loaded["alternatives"]]:
        assert all(type(item[name]) is float for name in FLOP_FIELDS), item
    assert type(loaded["parameters"]) is float


def test_evidence_hash_follows_evidence(estimator: Estimator) -> None:
    before = estimator.estimate(["gamma"])["gamma"]["evidence_hash"]
    assert estimator.estimate(["gamma"])["gamma"]["evidence_hash"] == before
    estimator.evidence["gamma"].benchmarks[BENCH] = 1360.0
    assert estimator.estimate(["gamma"])["gamma"]["evidence_hash"] != before
