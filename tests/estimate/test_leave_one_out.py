"""The evaluation's hold-out: no known value of the held-out model reaches its estimate —
not from known_models.yaml, not from a source's ``specs``, not through the fits."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from ruamel.yaml import YAML
from test_estimator import model, reference_set, spec

from pipeline.estimate.estimator import Estimator
from pipeline.estimate.evaluate import evaluate
from pipeline.settings import Settings

Run = Callable[..., Result]
KEY = "held_70b"


def world(flop: float) -> tuple[dict, dict]:
    """References plus ``held_70b``, whose compute ``flop`` is known in every place."""
    evidence, known = reference_set()
    evidence[KEY] = model(KEY, 1240.0, "Held-70B", first_seen="2025-01-23")
    evidence[KEY].specs = {"training_flop": flop, "parameters": 7.1e10,
                           "release_date": "2021-01-01", "confidence": "Confident"}  # fmt: skip
    known[KEY] = spec(flop, parameters=7e10, release_date="2021-01-01",
                      hardware={"chip": "H100", "count": 10, "hours": 1})  # fmt: skip
    return evidence, known


SETTINGS = Settings.model_validate(
    {"estimation": {"hardware": {"chips": {"H100": {"peak_flops": 1e15}}}}}
)


def held_out(flop: float) -> dict:
    evidence, known = world(flop)
    return Estimator(evidence, known, SETTINGS, withheld=frozenset({KEY})).estimate([KEY])[KEY]


def never_known() -> dict:
    evidence, known = world(1e25)
    del known[KEY]
    evidence[KEY].specs = {}
    return Estimator(evidence, known, SETTINGS).estimate([KEY])[KEY]


def comparable(record: dict) -> dict:
    return {k: v for k, v in record.items() if k not in ("evidence_hash", "sources")}


@pytest.mark.parametrize("flop", [1e21, 1e25, 1e28])
def test_the_held_out_estimate_is_the_one_made_without_its_known_values(flop: float) -> None:
    assert comparable(held_out(flop)) == comparable(never_known())


def test_no_method_of_the_held_out_model_reads_its_known_values() -> None:
    record = held_out(1e28)
    methods = [record["estimation_method"], *(a["method"] for a in record["alternatives"])]
    assert not {"known_specs", "reported_specs", "hardware"} & set(methods)
    assert record["release_date"] == ""
    assert "2021" not in json.dumps(record)  # the known release date is not used either


@pytest.mark.parametrize("key", ["llama_3.1_405b", "gpt_4o", "qwen2_72b"])
def test_evaluation_estimates_ignore_the_held_out_models_known_values(
    run: Run, project: Path, settings: Settings, key: str
) -> None:
    assert run("collect-all").exit_code == 0
    before = next(c for c in evaluate(settings).cases if c.key == key)
    path = project / "configs" / "known_models.yaml"
    yaml = YAML()
    known = yaml.load(path)
    # absurd values everywhere this one model's compute, size or date can be known
    known[key].update(training_flop=9.9e28, release_date="2010-01-01", parameters=1e9)
    yaml.dump(known, path)
    scraped = sorted((project / "data" / "scraped").glob("*_models.json"))[0]
    doc = json.loads(scraped.read_text())
    for record in doc["models"]:
        if record["key"] == key:
            record["specs"] = {"training_flop": 1e15, "parameters": 5e8,
                               "release_date": "2011-01-01"}  # fmt: skip
    scraped.write_text(json.dumps(doc))
    after = next(c for c in evaluate(settings).cases if c.key == key)
    assert after.truth == before.truth
    assert (after.estimate, after.low, after.high, after.p_above, after.method) == (
        before.estimate, before.low, before.high, before.p_above, before.method,
    )  # fmt: skip
