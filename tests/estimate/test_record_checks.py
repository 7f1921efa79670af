"""Records read back from JSON are checked field by field: a scraped record's names and
sources (evidence), an estimate record (estimate-flops' previous run, refresh-dataset)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from pipeline.curate.refresh import run_refresh
from pipeline.errors import InputError
from pipeline.estimate.evidence import load_evidence
from pipeline.estimate.records import estimates_by_key
from pipeline.settings import Settings

FILE = Path("estimated_models.json")


def record(key: str = "model_a", **overrides: Any) -> dict[str, Any]:
    """An estimate record as estimate-flops writes it."""
    values: dict[str, Any] = {
        "key": key, "name": "Model A", "developer": "Acme", "raw_names": ["Model A"],
        "sources": ["https://example.com/a"], "benchmarks": {"s.arena_score": 1300.0},
        "release_date": "2025-01-01", "parameters": 4e11, "parameter_source": "known",
        "training_flop": 1e26, "flop_low": 5e25, "flop_high": 2e26, "confidence": "high",
        "confidence_explanation": "Known model specification",
        "estimation_method": "known_specs", "reasoning": "Reported",
        "alternatives": [{"method": "benchmark_interpolation", "training_flop": 8e25,
                          "flop_low": 1e25, "flop_high": 6e26, "confidence": "low",
                          "reasoning": "Fit"}],
        "evidence_hash": "0123456789abcdef",
        "threshold_classification": "high_confidence_above_1e25",
        "status": "confirmed_above_1e25",
    }  # fmt: skip
    values.update(overrides)
    return values


def refused(models: list[dict[str, Any]]) -> str:
    with pytest.raises(InputError) as caught:
        estimates_by_key(models, FILE)
    return str(caught.value)


def test_valid_records_by_key() -> None:
    models = [record(), record("model_b", parameters=None, alternatives=[])]
    assert estimates_by_key(models, FILE) == {"model_a": models[0], "model_b": models[1]}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"training_flop": None}, "training_flop", "None is not a number"),
        ({"training_flop": "3e25"}, "training_flop", "'3e25' is not a number"),
        ({"training_flop": True}, "training_flop", "True is not a number"),
        ({"training_flop": float("nan")}, "training_flop", "nan is not a number"),
        ({"training_flop": 0}, "training_flop", "'0' is not positive"),
        ({"training_flop": 1e30}, "training_flop", "'1e+30' is implausibly large"),
        ({"flop_high": "wide"}, "flop_high", "'wide' is not a number"),
        ({"confidence": "sure"}, "confidence", "'sure' is not one of high, medium"),
        ({"status": "confirmed"}, "status", "'confirmed' is not one of confirmed_above_1e25"),
        ({"threshold_classification": "above"}, "threshold_classification", "'above' is not"),
        ({"estimation_method": 3}, "estimation_method", "3 is not text"),
        ({"parameters": -1}, "parameters", "-1 is not positive"),
        ({"p_above": 1.5}, "p_above", "1.5 is not between 0 and 1"),
        ({"p_above": None}, "p_above", "None is not a number"),
        ({"first_seen": 20250101}, "first_seen", "20250101 is not text"),
        ({"sources": "https://example.com/a"}, "sources", "must be a list of texts"),
        ({"alternatives": {"method": "x"}}, "alternatives", "must be a list of objects"),
        ({"alternatives": ["x"]}, "alternatives", "must be a list of objects"),
        ({"alternatives": [{"method": "x", "training_flop": 1e25, "confidence": "sure"}]},
         "alternatives[0].confidence", "'sure' is not one of high, medium"),
        ({"alternatives": [{"method": "x", "confidence": "low"}]},
         "alternatives[0].training_flop", "missing training_flop"),
    ],
)  # fmt: skip
def test_a_bad_field_is_named(change: dict[str, Any], field: str, message: str) -> None:
    line = refused([record(), record("model_b", **change)])
    assert line.startswith(f"{FILE}, record models[1] (model_b), field {field}: {message}"), line


@pytest.mark.parametrize("name", ["training_flop", "flop_low", "confidence", "status"])
def test_a_required_field_is_missing(name: str) -> None:
    bad = record()
    del bad[name]
    assert refused([bad]) == f"{FILE}, record models[0] (model_a), field {name}: missing {name}"


def test_the_first_bad_field_of_the_record_comes_before_its_alternatives() -> None:
    bad = record("model_b", alternatives=[{"method": "x"}], p_above=2)
    line = refused([bad])
    assert line == f"{FILE}, record models[0] (model_b), field p_above: 2 is not between 0 and 1"


def test_a_record_that_is_not_an_object() -> None:
    assert refused([record(), "model_b"]) == f"{FILE}, record models[1]: must be an object"


@pytest.mark.parametrize("key", [None, "", 7])
def test_a_record_without_key(key: Any) -> None:
    assert refused([record(), record(key)]) == f"{FILE}, record models[1], field key: missing key"


def test_refresh_checks_estimates_given_in_memory(settings: Settings) -> None:
    """A dry-run cycle hands refresh the estimates it computed: checked like saved ones."""
    with pytest.raises(InputError, match=re.escape("field threshold_classification: 'maybe'")):
        run_refresh(settings, dry_run=True, estimates=[record(threshold_classification="maybe")])
    assert not (settings.data_dir / "clean").exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("raw_names", 5), ("sources", "https://a.example"), ("raw_names", ["A", None])],
)
def test_scraped_names_and_sources_are_lists_of_texts(
    tmp_path: Path, field: str, value: Any
) -> None:
    path = tmp_path / "a_models.json"
    path.write_text(json.dumps({"models": [{"key": "x"}, {"key": "gpt_4o", field: value}]}))
    with pytest.raises(InputError) as caught:
        load_evidence(tmp_path)
    expected = f"{path}, record models[1] (gpt_4o), field {field}: must be a list of texts"
    assert str(caught.value) == expected


ODD_VALUES: list[Any] = [
    None, "", "x", "high", "not_sure", True, 0, 1, -1.0, 0.0, 0.5, 2.0, 1e30, 1e26,
    float("nan"), float("inf"), [], ["a"], [1], {}, [{"method": "m"}],
]  # fmt: skip


@pytest.mark.parametrize("name", [*record(), "p_above", "first_seen"])
def test_records_accepted_without_the_validator_are_valid(name: str) -> None:
    """The plain check passes a record only where the full check does too (each field of a
    valid record, and of its alternative, replaced by odd values, or removed)."""
    from pipeline.estimate.records import _flaw, _plainly_valid

    assert _plainly_valid(record(p_above=0.5, first_seen="2025-01-01"))
    variants = [record(**{name: value}) for value in ODD_VALUES]
    variants.append({k: v for k, v in record().items() if k != name})
    if name in record()["alternatives"][0]:
        variants += [
            record(alternatives=[{**record()["alternatives"][0], name: value}])
            for value in ODD_VALUES
        ]
    for variant in variants:
        if _plainly_valid(variant):
            assert _flaw(variant) is None, variant
