"""Models sharing their size, date or scores share their figures, kept once made: their
records are still those the one-model path makes, to the byte, each its own."""

from __future__ import annotations

from dataclasses import fields

import pytest
from test_batch import batched, one_at_a_time, synthetic

from pipeline.estimate import batch
from pipeline.estimate.estimator import Estimator
from pipeline.estimate.evidence import Evidence
from pipeline.estimate.heuristics import Size
from pipeline.estimate.interpolation import Prediction
from pipeline.settings import Settings


def with_twins(seed: int) -> Estimator:
    """The synthetic models, with twenty models alike but for their key, and scores of 0
    and -0 (equal numbers written otherwise)."""
    evidence, known = synthetic(seed)
    for i in range(20):
        key = f"twin{i}_70b"
        evidence[key] = Evidence(
            key, [f"Twin-{i}-70B"], benchmarks={"arena.score": 1234.5, "other.score": 1100.0},
            sources=["src"], first_seen="2024-07-02",
        )  # fmt: skip
    for i, score in enumerate([0.0, -0.0, 0.0, -0.0]):
        for key in (f"zero{i}", f"zero{i}_7b"):  # without a size, and with one
            evidence[key] = Evidence(key, [key], benchmarks={"arena.score": score})
    return Estimator(evidence, known, Settings())


@pytest.mark.parametrize("kept", [0, 1, batch.KEPT])
def test_shared_figures_are_the_one_model_paths(kept: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "KEPT", kept)
    for seed in range(2):
        estimator = with_twins(seed)
        assert batched(estimator) == one_at_a_time(estimator)


def test_each_record_holds_its_own_alternatives() -> None:
    records = with_twins(0).estimate()
    twins = [records[f"twin{i}_70b"] for i in range(20)]
    alternatives = [id(alternative) for r in twins for alternative in r["alternatives"]]
    assert len(alternatives) == len(set(alternatives)) >= 20
    twins[0]["alternatives"][0]["reasoning"] = "changed"
    assert twins[1]["alternatives"][0]["reasoning"] != "changed"


def test_scores_of_0_and_minus_0_are_each_written_their_way() -> None:
    estimator = with_twins(1)  # with interpolation fits
    made = batch.Batch(estimator)
    size = estimator.size_of("zero0_7b")
    scored = {f"s{i}": (size, {"arena.score": score}) for i, score in enumerate([0.0, -0.0])}
    figures = made.scored(scored, estimator.scored_fits)
    assert "arena.score 0 -> " in figures["s0"].saved["reasoning"]
    assert "arena.score -0 -> " in figures["s1"].saved["reasoning"]
    bench = next(iter(estimator.fits))
    for score, text in [(0.0, f"{bench} 0 -> "), (-0.0, f"{bench} -0 -> ")]:
        predictions = [Prediction(bench, score, 22.0, 0.5, True)]
        assert text in made.interpolated(predictions).saved["reasoning"]


def test_figures_are_kept_by_every_field_of_a_size() -> None:
    size = Size(7e9, 2e9, "8x7b", moe_guess=True, source="the Hub")
    assert batch.SIZE(size) == tuple(getattr(size, f.name) for f in fields(Size))
