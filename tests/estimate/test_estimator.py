"""Estimator: the methods, their combination and calibration, and each model's record."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from pipeline.estimate.estimator import Estimator
from pipeline.estimate.evidence import Evidence
from pipeline.estimate.known import KnownModel
from pipeline.settings import Settings

BENCH = "src.score"
FLOP_FIELDS = ("training_flop", "flop_low", "flop_high")
REFERENCES = [(1, 1000.0), (3, 1050.0), (7, 1100.0), (13, 1150.0), (34, 1200.0),
              (70, 1250.0), (180, 1300.0), (400, 1350.0)]  # fmt: skip


def spec(flop: float | None = None, **fields: Any) -> KnownModel:
    return KnownModel(**{"name": "Spec", "confidence": "high", "training_flop": flop, **fields})


def model(key: str, score: float | None = None, *names: str, **fields: Any) -> Evidence:
    return Evidence(key, list(names), benchmarks={} if score is None else {BENCH: score}, **fields)


def law(score: float) -> float:
    return 12 + 0.01 * score


def reference_set() -> tuple[dict[str, Evidence], dict[str, KnownModel]]:
    """Reference models near log10 FLOP = 12 + 0.01 x score, each off the line by 0.1 dex."""
    evidence, known = {}, {}
    for i, (size, score) in enumerate(REFERENCES):
        key = f"ref{i}_{size}b"
        evidence[key] = model(key, score)
        off = 0.1 if i % 2 else -0.1
        known[key] = spec(10 ** (law(score) + off), release_date=f"{2022 + i % 4}-06-01")
    return evidence, known


@pytest.fixture
def estimator() -> Estimator:
    evidence, known = reference_set()
    evidence |= {
        "alpha_70b": model("alpha_70b", 1330.0, "Alpha-70B-2024-01-10"),
        "beta_7b": model("beta_7b", 1150.0, "Beta-7B-2024-03-01"),
        "gamma": model("gamma", 1350.0, "Gamma"),
        "delta": model("delta", None, "Delta"),
        "hw_70b": model("hw_70b", None, "HW-70B"),
    }
    known["alpha_70b"] = spec(
        10**25.3, source="https://example.org/alpha", release_date="2024-01-10"
    )
    known["hw_70b"] = spec(
        confidence="medium",
        hardware={"chip": "H100", "count": 1000, "hours": 2000},
        source="https://example.org/hw",
    )
    settings = Settings.model_validate(
        {"estimation": {"hardware": {"chips": {"H100": {"peak_flops": 1e15}}}}}
    )
    return Estimator(evidence, known, settings)


def methods(record: dict[str, Any]) -> list[str]:
    return [record["estimation_method"], *(alt["method"] for alt in record["alternatives"])]


def test_known_value_first_every_method_kept(estimator: Estimator) -> None:
    records = estimator.estimate()
    assert methods(records["alpha_70b"])[0] == "known_specs"
    assert set(methods(records["alpha_70b"])[1:]) == {
        "size_and_benchmark", "parameter_heuristic", "benchmark_interpolation",
    }  # fmt: skip
    assert methods(records["gamma"]) == ["benchmark_interpolation"]


def test_the_estimate_is_the_most_precise_after_calibration(estimator: Estimator) -> None:
    for record in estimator.estimate().values():
        if record["estimation_method"] == "known_specs":
            continue
        spreads = [(r["flop_high"] / r["flop_low"]) for r in [record, *record["alternatives"]]]
        assert spreads[0] <= min(spreads) * 1.01


def test_methods_reading_the_same_evidence_are_not_combined(estimator: Estimator) -> None:
    record = estimator.estimate(["beta_7b"])["beta_7b"]
    alternatives = [{**record, "method": record["estimation_method"]}, *record["alternatives"]]
    combined = [r for r in alternatives if r["method"] == "combined"]
    assert len(combined) == 1
    # size_and_benchmark reads the size and the score that the other two read
    assert "size_and_benchmark" not in combined[0]["reasoning"]
    assert "parameter_heuristic" in combined[0]["reasoning"]


def test_independent_methods_are_combined(estimator: Estimator) -> None:
    record = estimator.estimate(["hw_70b"])["hw_70b"]
    assert record["estimation_method"] == "combined"
    assert set(methods(record)) == {"combined", "hardware", "parameter_heuristic"}
    assert "Inverse-variance weighted geometric mean of" in record["reasoning"]
    parts = {alt["method"]: alt for alt in record["alternatives"]}
    low, high = sorted(math.log10(parts[m]["training_flop"]) for m in parts)
    assert low <= math.log10(record["training_flop"]) <= high
    narrowest = min(a["flop_high"] / a["flop_low"] for a in parts.values())
    assert record["flop_high"] / record["flop_low"] <= narrowest * 1.0001


def test_hardware_method(estimator: Estimator) -> None:
    record = estimator.estimate(["hw_70b"])["hw_70b"]
    hardware = next(a for a in record["alternatives"] if a["method"] == "hardware")
    assert hardware["training_flop"] == pytest.approx(1000 * 2000 * 3600 * 1e15 * 0.4)
    assert (
        "1000 x H100" in hardware["reasoning"]
        and "40% utilisation (default)" in (hardware["reasoning"])
    )
    assert "https://example.org/hw" in hardware["reasoning"]


def test_fine_tune_adds_to_the_base_model() -> None:
    evidence, known = reference_set()
    known["base_model_x"] = spec(1e25, parameters=70e9)
    known["tuned"] = spec(
        confidence="medium", base_model="base_model_x", finetune_tokens=1e13,
        source="https://example.org/tuned",
    )  # fmt: skip
    evidence["tuned"] = model("tuned", None, "Tuned")
    record = Estimator(evidence, known, Settings()).estimate(["tuned"])["tuned"]
    assert record["estimation_method"] == "fine_tune"
    assert record["training_flop"] == pytest.approx(1e25 + 6 * 70e9 * 1e13, rel=1e-3)
    assert "Fine-tune of base_model_x" in record["reasoning"]


def test_intervals_are_calibrated_on_leave_one_out_residuals(estimator: Estimator) -> None:
    calibration = estimator.calibration["benchmark_interpolation"]
    assert calibration.n == len(REFERENCES) + 1  # alpha_70b is a reference too
    record = estimator.estimate(["gamma"])["gamma"]
    assert f"calibrated on {calibration.n} reference models" in record["reasoning"]
    uncalibrated = Estimator(
        estimator.evidence, estimator.known, Settings(), calibrated=False
    ).estimate(["gamma"])["gamma"]
    assert uncalibrated["training_flop"] == record["training_flop"]
    ratio = math.log10(record["flop_high"] / record["flop_low"]) / math.log10(
        uncalibrated["flop_high"] / uncalibrated["flop_low"]
    )
    assert ratio == pytest.approx(calibration.scale, rel=0.02)


def test_calibration_can_be_switched_off() -> None:
    evidence, known = reference_set()
    settings = Settings.model_validate({"estimation": {"calibrate": False}})
    assert Estimator(evidence, known, settings).calibration == {}


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
    assert record["p_above"] > 0.99  # the whole interval is above 1e25
    assert record["threshold_classification"] == "high_confidence_above_1e25"
    assert record["status"] == "confirmed_above_1e25"


def test_probability_follows_the_estimate(estimator: Estimator) -> None:
    for record in estimator.estimate().values():
        assert 0 <= record["p_above"] <= 1
        expected = (
            "high_confidence_above_1e25" if record["p_above"] >= 0.9
            else "high_confidence_below_1e25" if record["p_above"] <= 0.1
            else "not_sure"
        )  # fmt: skip
        assert record["threshold_classification"] == expected


def test_model_without_any_method_has_no_record(estimator: Estimator) -> None:
    assert "delta" not in estimator.estimate()
    assert estimator.estimate(["delta"]) == {}


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
