"""A known figure that leaves a model not sure is combined with the methods' estimates made
without it; one that decides on its own is shown as given."""

from __future__ import annotations

import math

from test_estimator import law, model, reference_set, spec

from pipeline.estimate.estimator import Estimator
from pipeline.settings import Settings

SETTINGS = Settings()
KEY = "ref6_180b"  # score 1300: log10 FLOP near 25, the threshold


def estimator(confidence: str, flop: float) -> Estimator:
    evidence, known = reference_set()
    known[KEY] = spec(flop, confidence=confidence)
    return Estimator(evidence, known, SETTINGS)


def test_an_undecided_known_figure_is_combined_with_the_held_out_methods() -> None:
    record = estimator("speculative", 10**24.9).estimate([KEY])[KEY]
    assert record["estimation_method"] == "combined"
    alternatives = {a["method"]: a for a in record["alternatives"]}
    assert alternatives["known_specs"]["training_flop"] == round(10**24.9, -22)
    assert "own figure withheld" in record["reasoning"]
    assert "known_specs" in record["reasoning"]
    known = alternatives["known_specs"]
    assert record["flop_high"] / record["flop_low"] < known["flop_high"] / known["flop_low"]


def test_the_methods_in_the_combination_never_saw_the_known_figure() -> None:
    # the same model with two different (undecided) figures: the benchmark part is the same
    parts = []
    for flop in (10**24.85, 10**25.1):
        record = estimator("speculative", flop).estimate([KEY])[KEY]
        part = record["reasoning"].split("benchmark_interpolation ")[1].split(" ")[0]
        parts.append(part)
    assert parts[0] == parts[1]
    held_out = estimator("speculative", 10**24.85).without(KEY).estimate([KEY])[KEY]
    results = [{**held_out, "method": held_out["estimation_method"]}, *held_out["alternatives"]]
    benchmark = next(r for r in results if r["method"] == "benchmark_interpolation")
    assert parts[0] == f"{benchmark['training_flop']:.3g}"


def test_a_known_figure_that_decides_alone_is_shown_as_given() -> None:
    flop = 10 ** (law(1300.0) + 0.8)  # far above 1e25, high confidence
    record = estimator("high", flop).estimate([KEY])[KEY]
    assert record["estimation_method"] == "known_specs"
    assert math.isclose(record["training_flop"], flop, rel_tol=1e-3)


def test_estimates_are_redone_when_the_fits_change() -> None:
    evidence, known = reference_set()
    evidence["new"] = model("new", 1275.0, "New")
    before = Estimator(evidence, known, SETTINGS).digest("new")
    assert Estimator(evidence, known, SETTINGS).digest("new") == before  # stable
    evidence["ref_extra"] = model("ref_extra", 1225.0)
    known["ref_extra"] = spec(10 ** (law(1225.0) + 0.4))  # a new reference model
    assert Estimator(evidence, known, SETTINGS).digest("new") != before


def test_an_estimator_without_a_model_has_its_own_fingerprint() -> None:
    evidence, known = reference_set()
    full = Estimator(evidence, known, SETTINGS)
    before = full.digest(KEY)  # computed (and cached) before the copy is made
    assert full.without("ref0_1b").digest(KEY) != before
