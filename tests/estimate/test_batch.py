"""The estimates made a chunk at a time in array passes are the records the one-model path
makes (``Estimator.methods`` then ``Estimator.record``), to the byte."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

from click.testing import Result

from pipeline.estimate.estimator import Estimator
from pipeline.estimate.evidence import Evidence, load_evidence
from pipeline.estimate.hardware import load_checked
from pipeline.estimate.interpolation import predict_all
from pipeline.estimate.known import KnownModel
from pipeline.paths import ConfigPaths, DataPaths
from pipeline.settings import Settings

BENCHES = ("arena.score", "other.score", "third.overall")


def one_at_a_time(estimator: Estimator) -> dict[str, str]:
    """Each model's record made alone, as JSON text."""
    keys = list(estimator.evidence)
    predictions = predict_all(estimator.evidence, estimator.fits, keys, estimator.named)
    out = {}
    for key in keys:
        results = estimator.methods(key, predictions.get(key, []))
        if results:
            out[key] = json.dumps(estimator.record(key, results))
    return out


def batched(estimator: Estimator) -> dict[str, str]:
    return {key: json.dumps(record) for key, record in estimator.estimate().items()}


def synthetic(seed: int) -> tuple[dict[str, Evidence], dict[str, KnownModel]]:
    """References on a size-and-score law, and models of every kind of size, date and
    score (sizes from the name, a mixture of experts, a source's exact count, none)."""
    rng = random.Random(seed)
    evidence: dict[str, Evidence] = {}
    known: dict[str, KnownModel] = {}
    for i in range(40):
        size = rng.choice([1, 3, 7, 13, 34, 70, 180, 400])
        key = f"ref{i}_{size}b"
        scores = {b: rng.uniform(900, 1400) for b in BENCHES if rng.random() < 0.7}
        evidence[key] = Evidence(key, [f"Ref{i}-{size}B"], benchmarks=scores)
        flop = 6 * size * 1e9 * 10 ** rng.uniform(11.5, 13.5)
        fields: dict[str, Any] = {"release_date": f"{2021 + i % 5}-0{1 + i % 9}-15"}
        if i % 3 == 0:
            fields = {}
        known[key] = KnownModel(
            name=key, confidence=rng.choice(["high", "medium", "low"]), training_flop=flop,
            **fields,
        )  # fmt: skip
    sizes = ["7b", "70b", "1.5b", "135m", "8x7b", "235b_a22b", "17b_128e", "", "", "405b"]
    for i in range(400):
        size = rng.choice(sizes)
        key = "_".join(filter(None, ["model", str(i), size]))
        name = f"Model-{i}{'-' + size if size else ''}" + rng.choice(
            ["", "-2024-05-13", "-0613", "-v2", "-20231106"]
        )
        scores = {b: round(rng.uniform(800, 1500), 1) for b in BENCHES if rng.random() < 0.5}
        specs: dict[str, Any] = {}
        if rng.random() < 0.1:
            specs = {"parameters": rng.choice([7e9, 1.2e11]), "parameter_source": "the Hub"}
        elif rng.random() < 0.1:
            specs = {"release_date": "2023-02-01"}
        evidence[key] = Evidence(
            key, [name], benchmarks=scores, sources=["src"], specs=specs,
            first_seen=rng.choice([None, "2023-01-01", "2024-07-02"]),
        )  # fmt: skip
    return evidence, known


def test_synthetic_models_batched_as_one_at_a_time() -> None:
    for seed in range(3):
        evidence, known = synthetic(seed)
        estimator = Estimator(evidence, known, Settings())
        made = batched(estimator)
        assert len(made) > 300
        assert made == one_at_a_time(estimator)


def test_withheld_references_batched_as_one_at_a_time() -> None:
    evidence, known = synthetic(3)
    withheld = frozenset(list(known)[:5])
    estimator = Estimator(evidence, known, Settings(), withheld=withheld)
    made = batched(estimator)
    assert withheld <= made.keys()
    assert made == one_at_a_time(estimator)


def test_uncalibrated_batched_as_one_at_a_time() -> None:
    evidence, known = synthetic(7)
    estimator = Estimator(evidence, known, Settings(), calibrated=False)
    assert batched(estimator) == one_at_a_time(estimator)


def test_sample_batched_as_one_at_a_time(run: Callable[..., Result], settings: Settings) -> None:
    assert run("collect-all").exit_code == 0
    evidence = load_evidence(DataPaths(settings.data_dir).scraped)
    known = load_checked(ConfigPaths(settings.config_dir).known_models, settings.estimation)
    estimator = Estimator(evidence, known, settings)
    made = batched(estimator)
    assert len(made) > 100
    assert made == one_at_a_time(estimator)
