"""Scraped records' optional ``first_seen`` and ``specs``: read, merged, checked and used."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_estimator import BENCH, model, reference_set, spec

from pipeline.errors import InputError
from pipeline.estimate.estimator import Estimator
from pipeline.estimate.evidence import Evidence, load_evidence
from pipeline.settings import Settings


def write(folder: Path, name: str, models: list[dict[str, Any]]) -> Path:
    path = folder / name
    path.write_text(json.dumps({"metadata": {}, "models": models}))
    return path


def test_first_seen_is_the_earliest_across_sources(tmp_path: Path) -> None:
    write(tmp_path, "a_models.json", [{"key": "m", "first_seen": "2025-05-18"}, {"key": "n"}])
    write(tmp_path, "b_models.json", [{"key": "m", "first_seen": "2025-01-23"}])
    write(tmp_path, "c_models.json", [{"key": "m", "first_seen": None}])
    evidence = load_evidence(tmp_path)
    assert evidence["m"].first_seen == "2025-01-23"
    assert evidence["n"].first_seen is None  # records without it keep being read


def test_specs_are_merged_field_by_field_first_source_first(tmp_path: Path) -> None:
    write(tmp_path, "a_models.json", [{"key": "m", "specs": {"parameters": 7e10}}])
    write(tmp_path, "b_models.json", [
        {"key": "m", "specs": {"parameters": 8e10, "training_flop": 1e24,
                               "release_date": "2024-07-23", "confidence": "Likely"}},
    ])  # fmt: skip
    specs = load_evidence(tmp_path)["m"].specs
    assert specs == {
        "parameters": 7e10, "training_flop": 1e24, "release_date": "2024-07-23",
        "confidence": "Likely",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("model_fields", "field", "words"),
    [
        ({"first_seen": "2025-13-01"}, "first_seen", "is not a date"),
        ({"first_seen": 20250123}, "first_seen", "is not a date"),
        ({"specs": []}, "specs", "must be an object"),
        ({"specs": {"training_flop": -1}}, "specs.training_flop", "not a positive number"),
        ({"specs": {"parameters": "7B"}}, "specs.parameters", "not a positive number"),
        ({"specs": {"release_date": "July"}}, "specs.release_date", "is not a date"),
        ({"specs": {"flops": 1e24}}, "specs.flops", "unknown field"),
    ],
)
def test_bad_optional_fields_are_named(
    tmp_path: Path, model_fields: dict[str, Any], field: str, words: str
) -> None:
    path = write(tmp_path, "a_models.json", [{"key": "ok"}, {"key": "m", **model_fields}])
    with pytest.raises(InputError) as caught:
        load_evidence(tmp_path)
    message = str(caught.value)
    assert str(path) in message and "models[1] (m)" in message
    assert f"field {field}" in message and words in message
    assert "\n" not in message


def test_reported_compute_is_a_known_value_below_known_models_yaml() -> None:
    evidence, known = reference_set()
    evidence["rep"] = model("rep", None, "Rep")
    evidence["rep"].specs = {"training_flop": 3e25, "confidence": "Confident",
                             "source_url": "https://example.org/rep"}  # fmt: skip
    evidence["both"] = model("both", None, "Both")
    evidence["both"].specs = {"training_flop": 1e20}
    known["both"] = spec(2e25)
    records = Estimator(evidence, known, Settings()).estimate(["rep", "both"])
    assert records["rep"]["estimation_method"] == "reported_specs"
    assert (records["rep"]["training_flop"], records["rep"]["confidence"]) == (3e25, "high")
    assert "https://example.org/rep" in records["rep"]["reasoning"]
    assert records["both"]["estimation_method"] == "known_specs"
    assert records["both"]["training_flop"] == 2e25
    assert [a["method"] for a in records["both"]["alternatives"]] == ["reported_specs"]


def test_reported_facts_without_compute_give_size_and_date() -> None:
    evidence, known = reference_set()
    item = Evidence("sized", ["Sized"], benchmarks={BENCH: 1200.0})
    item.specs = {"parameters": 7e10, "release_date": "2024-07-01"}
    evidence["sized"] = item
    estimator = Estimator(evidence, known, Settings())
    size = estimator.size_of("sized")
    assert size is not None and size.active == 7e10
    assert estimator.date_of("sized") == (
        pytest.approx(2024.5, abs=0.01),
        "2024-07-01 (reported specs)",
    )
    methods = [a["method"] for a in estimator.estimate(["sized"])["sized"]["alternatives"]]
    assert "parameter_heuristic" in methods or "size_and_benchmark" in methods


def test_first_seen_dates_a_model_unless_it_was_there_from_the_start() -> None:
    evidence, known = reference_set()
    evidence["old_70b"] = model("old_70b", None, "Old-70B", first_seen="2025-01-23")
    evidence["new_70b"] = model("new_70b", None, "New-70B", first_seen="2025-05-18")
    estimator = Estimator(evidence, known, Settings())
    assert estimator.date_of("old_70b") is None  # the first snapshot: only "by then"
    when = estimator.date_of("new_70b")
    assert when is not None and when[1] == "2025-05-18 (first seen in a leaderboard)"
    records = estimator.estimate(["old_70b", "new_70b"])
    assert records["new_70b"]["first_seen"] == "2025-05-18"
    assert "unknown date" in records["old_70b"]["reasoning"]
    assert "a model of 2025-05-18" in records["new_70b"]["reasoning"]


@pytest.mark.parametrize(
    ("specs", "source"),
    [
        (
            {"parameters": 4.2e11, "parameter_source": "safetensors metadata (Hugging Face)"},
            "safetensors metadata (Hugging Face)",
        ),
        ({"parameters": 4.2e11}, "reported specs"),
    ],
)
def test_a_reported_size_names_its_source(specs: dict[str, Any], source: str) -> None:
    evidence, known = reference_set()
    evidence["open"] = Evidence("open", ["Open"], benchmarks={BENCH: 1250.0}, specs=specs)
    record = Estimator(evidence, known, Settings()).estimate(["open"])["open"]
    assert (record["parameters"], record["parameter_source"]) == (4.2e11, source)
    reasons = [a["reasoning"] for a in record["alternatives"]]
    assert any(f"parameters, from {source}" in reason for reason in reasons)


def test_an_exact_count_replaces_the_dense_size_in_the_name() -> None:
    evidence, known = reference_set()
    specs = {"parameters": 7.06e10, "parameter_source": "safetensors metadata (Hugging Face)"}
    evidence["open_70b"] = Evidence("open_70b", ["Open-70B"], specs=specs)
    record = Estimator(evidence, known, Settings()).estimate(["open_70b"])["open_70b"]
    assert (record["parameters"], record["parameter_source"]) == (
        7.06e10, "safetensors metadata (Hugging Face)"
    )  # fmt: skip


def test_a_count_without_its_source_or_of_experts_keeps_the_name() -> None:
    evidence, known = reference_set()
    evidence["open_70b"] = Evidence("open_70b", ["Open-70B"], specs={"parameters": 7.06e10})
    hub = {"parameters": 4.67e10, "parameter_source": "safetensors metadata (Hugging Face)"}
    evidence["mix_8x7b"] = Evidence("mix_8x7b", ["Mix-8x7B"], specs=hub)
    records = Estimator(evidence, known, Settings()).estimate(["open_70b", "mix_8x7b"])
    assert records["open_70b"]["parameter_source"] == "name: 70b"  # a figure, not a count
    assert records["mix_8x7b"]["parameter_source"] == "name: 8x7b"  # active experts matter


def test_reported_compute_names_the_source_of_its_parameters() -> None:
    evidence, known = reference_set()
    evidence["rep"] = model("rep", None, "Rep")
    evidence["rep"].specs = {"training_flop": 3e25, "parameters": 4e11,
                             "parameter_source": "safetensors metadata (Hugging Face)"}  # fmt: skip
    record = Estimator(evidence, known, Settings()).estimate(["rep"])["rep"]
    assert record["estimation_method"] == "reported_specs"
    assert record["parameter_source"] == "safetensors metadata (Hugging Face)"


def test_a_parameter_source_that_is_not_text_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "a_models.json", [{"key": "m", "specs": {"parameter_source": 7}}])
    with pytest.raises(InputError) as caught:
        load_evidence(tmp_path)
    assert str(path) in str(caught.value) and "field specs.parameter_source" in str(caught.value)
