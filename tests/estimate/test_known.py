"""configs/known_models.yaml: the shipped file and one-line errors for bad entries."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from pipeline.errors import ConfigError
from pipeline.estimate.hardware import check_entries
from pipeline.estimate.known import KnownModel, load_known
from pipeline.settings import Settings

SHIPPED = Path(__file__).resolve().parents[2] / "configs" / "known_models.yaml"


def test_shipped_known_models_load() -> None:
    known = load_known(SHIPPED)
    assert len(known) >= 50
    assert all(spec.source.startswith(("https://", "http://")) for spec in known.values())
    assert all((spec.flop or 0) > 0 for spec in known.values())


@pytest.mark.parametrize("key", ["gemini_2.5_pro", "o1"])
def test_shipped_known_models_skip_rows_not_by_epoch(key: str) -> None:
    # The last two rows of published_data.csv are an earlier tool's estimates.
    assert key not in load_known(SHIPPED)


def test_shipped_llama_2_7b_correction() -> None:
    assert load_known(SHIPPED)["llama_2_7b"].parameters == 7e9


def test_flop_from_parameters_and_tokens() -> None:
    spec = KnownModel(name="X", confidence="high", parameters=7, training_tokens=2)
    assert (spec.flop, spec.how) == (84, "6 x parameters x training tokens")
    spec = KnownModel(name="X", confidence="high", training_flop=3e25, parameters=1e9)
    assert (spec.flop, spec.how) == (3e25, "reported training compute")


def test_missing_file_is_empty(tmp_path: Path) -> None:
    assert load_known(tmp_path / "known_models.yaml") == {}


GOOD = 'name: "X"\n  confidence: high\n  source: "https://example.org/x"\n'


@pytest.mark.parametrize(
    ("entry", "field", "words"),
    [
        ('name: "X"\n  confidence: high\n  parameters: 7e9\n', "training_flop", "training_flop"),
        (GOOD + "  training_flop: 1e31\n", "training_flop", "less than"),
        ('name: "X"\n  confidence: high\n  training_flop: 1e25\n  source: "a paper"\n',
         "source", "not an http(s) URL"),
        (GOOD + "  training_flop: 1e25\n  flops: 1e25\n", "flops", "Extra inputs"),
        (GOOD + "  training_flop: -1\n", "training_flop", "greater than 0"),
        ('name: "X"\n  confidence: sure\n  training_flop: 1e25\n', "confidence", "'high'"),
    ],
)  # fmt: skip
def test_bad_entry(tmp_path: Path, entry: str, field: str | None, words: str) -> None:
    path = tmp_path / "known_models.yaml"
    path.write_text(f"good_model:\n  {GOOD}  training_flop: 1e25\nbad_model:\n  {entry}")
    with pytest.raises(ConfigError) as info:
        load_known(path)
    error = info.value
    assert (error.file, error.row, error.field) == (str(path), "bad_model", field)
    assert words in str(error)
    assert str(error).startswith(f"{path}, record bad_model")
    assert "\n" not in str(error)


def test_name_that_is_not_a_key(tmp_path: Path) -> None:
    path = tmp_path / "known_models.yaml"
    path.write_text(f"GPT 4o:\n  {GOOD}  training_flop: 1e25\n")
    with pytest.raises(ConfigError) as info:
        load_known(path)
    assert (info.value.file, info.value.row) == (str(path), "GPT 4o")
    assert "'GPT 4o' is not a model key" in str(info.value)


def test_duplicate_key(tmp_path: Path) -> None:
    path = tmp_path / "known_models.yaml"
    entry = f"  {GOOD}  training_flop: 1e25\n"
    path.write_text(f"gpt_4o:\n{entry}llama_3_70b:\n{entry}gpt_4o:\n{entry}")
    with pytest.raises(ConfigError) as info:
        load_known(path)
    message = str(info.value)
    assert info.value.file == str(path)
    assert "duplicate key" in message and "gpt_4o" in message
    assert 'line 11: found duplicate key "gpt_4o"' in message


def test_entry_that_is_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "known_models.yaml"
    path.write_text("gpt_4o: 3.8e25\n")
    with pytest.raises(ConfigError, match="record gpt_4o: each model needs a mapping"):
        load_known(path)


def test_shipped_hardware_and_fine_tunes_are_checked() -> None:
    known = load_known(SHIPPED)
    check_entries(known, Settings().estimation, SHIPPED)  # the shipped chip table
    assert {k for k, s in known.items() if s.hardware} >= {"llama_3.1_405b", "falcon_180b"}
    assert known["flan_palm_540b"].base_model == "palm_540b"


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        ({"hardware": {"chip": "A100", "count": 0, "hours": 1}}, "greater than 0"),
        ({"base_model": "palm_540b"}, "needs finetune_flop or finetune_tokens"),
        ({"base_model": "Not A Key", "finetune_flop": 1e20}, "is not a model key"),
        ({}, "give training_flop, parameters and training_tokens, hardware or base_model"),
    ],
)
def test_bad_method_entries(entry: dict, words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        KnownModel(name="X", confidence="medium", **entry)


def test_unknown_base_model_is_named(tmp_path: Path) -> None:
    path = tmp_path / "known_models.yaml"
    path.write_text(
        "tuned:\n  name: T\n  confidence: low\n  base_model: nowhere\n  finetune_flop: 1e20\n"
    )
    with pytest.raises(ConfigError, match="base model 'nowhere' is not in this file") as caught:
        check_entries(load_known(path), Settings().estimation, path)
    assert "tuned" in str(caught.value) and "base_model" in str(caught.value)
