"""The rows the saved estimates ask for: read on two cores from a file as estimate-flops
wrote it, the rows its records give; any other file read and checked as records."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from pipeline import twocores
from pipeline.curate import desired
from pipeline.curate.desired import desired_rows, saved_rows
from pipeline.errors import InputError
from pipeline.estimate.runner import checks, load_previous
from pipeline.paths import DataPaths
from pipeline.settings import Settings
from pipeline.storage.fingerprint import record_fingerprint
from pipeline.storage.jsondoc import models_text, read_document, write_document


@pytest.fixture
def estimated(run: Callable[..., Result], settings: Settings) -> DataPaths:
    assert run("collect-all").exit_code == 0
    assert run("estimate-flops").exit_code == 0
    return DataPaths(settings.data_dir)


@pytest.fixture
def answers(child_answers: list[bool], monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Two processes for a few models; whether each child's answer was whole."""
    monkeypatch.setattr(desired, "SPLIT_FROM", 4)
    return child_answers


def as_records(paths: DataPaths) -> dict[str, dict[str, str]]:
    return desired_rows(load_previous(paths).values())


def test_saved_rows_on_two_cores_are_the_records_rows(
    estimated: DataPaths, answers: list[bool]
) -> None:
    rows = saved_rows(estimated)
    assert answers == [True]
    expected = as_records(estimated)
    assert len(expected) > 100
    assert list(rows) == list(expected)
    assert rows == expected


def test_a_key_given_twice_keeps_its_place_and_takes_the_later_row(
    estimated: DataPaths, answers: list[bool]
) -> None:
    doc = read_document(estimated.estimated)
    assert doc is not None
    models = doc["models"]
    models.append({**models[0], "training_flop": 7e27})  # in the child's half
    write_document(estimated.estimated, doc)
    record_fingerprint(estimated.estimated, estimated.estimated_fingerprint, checks())
    rows = saved_rows(estimated)
    assert answers == [True]
    assert list(rows) == list(as_records(estimated))
    assert rows[models[0]["key"]]["training_flop"] == "7e+27"


def test_when_the_child_fails_its_rows_are_read_here(
    estimated: DataPaths, answers: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(twocores, "_child", lambda *args: os._exit(1))
    assert saved_rows(estimated) == as_records(estimated)
    assert answers == []


def test_a_file_not_as_written_is_checked_record_by_record(
    estimated: DataPaths, answers: list[bool]
) -> None:
    text = estimated.estimated.read_text()
    estimated.estimated.write_text(text.replace('"confidence":"', '"confidence":1,"x":"', 1))
    with pytest.raises(InputError, match="rebuilds it"):
        saved_rows(estimated)
    assert answers == []


def test_no_estimates_no_rows(tmp_path: Path) -> None:
    assert saved_rows(DataPaths(tmp_path)) == {}


@pytest.mark.parametrize(
    "text",
    [
        "",
        '{\n  "metadata": {},\n  "models": []\n}\n',
        '{"metadata": {}, "models": [{"key": "a"}]}',
        '{\n  "metadata": {},\n  "models": [\n  {"key": "a"}\n  ]\n}\n',
        '{\n  "metadata": {},\n  "models": [\n    {"key": "a"},\n  ]\n}\n',
        '{\n  "metadata": {},\n  "models": [\n  ]\n}\n',
    ],
)
def test_models_text_only_of_a_document_laid_out_as_written(tmp_path: Path, text: str) -> None:
    path = tmp_path / "doc.json"
    path.write_text(text)
    assert models_text(path) is None
    assert models_text(tmp_path / "missing.json") is None


@pytest.mark.parametrize("n", [1, 2, 20_000])
def test_models_text_decodes_to_the_models_in_batches(tmp_path: Path, n: int) -> None:
    path = tmp_path / "doc.json"
    models = [{"key": f"m{i}", "note": "x\n  ]\n},", "n": i * 1.5} for i in range(n)]
    write_document(path, {"metadata": {"models": ["a"]}, "models": models})
    found = models_text(path)
    assert found is not None
    batches = list(found.batches(found.start, found.end))
    assert [model for batch in batches for model in batch] == models
    middle = found.middle()
    halves = [*found.batches(found.start, middle), *found.batches(middle, found.end)]
    assert [model for batch in halves for model in batch] == models
    assert len(batches) == (1 if n < 20_000 else 2)  # a megabyte at a time


def test_a_malformed_line_in_a_file_as_recorded_is_read_as_records(
    estimated: DataPaths, answers: list[bool]
) -> None:
    """A file whose record says it is as written, but whose text does not decode (a
    fault of the disk): read the slow way, which says what is wrong."""
    text = estimated.estimated.read_bytes()
    at = text.index(b'"confidence":"')
    with estimated.estimated.open("r+b") as handle:
        handle.seek(at)
        handle.write(b"{")
    record_fingerprint(estimated.estimated, estimated.estimated_fingerprint, checks())
    with pytest.raises(InputError, match="rebuilds it"):
        saved_rows(estimated)
