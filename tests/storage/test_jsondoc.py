"""JSON documents: deterministic writes, no rewrite when unchanged, one-line read errors."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from pipeline.errors import InputError
from pipeline.storage.jsondoc import dump_document, read_document, write_document

DOC: dict[str, Any] = {
    "metadata": {"source": "lmarena", "scraped_at": "2025-01-23T00:00:00Z"},
    "models": [{"name": "Grök 4", "training_flop": 5e26, "params": 405e9, "score": 1382}],
}


def test_write_then_read_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "scraped" / "doc.json"
    assert write_document(path, DOC) is True
    assert read_document(path) == DOC
    assert "Grök 4" in path.read_text(encoding="utf-8")


def test_identical_content_is_not_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "doc.json"
    write_document(path, DOC)
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    before = path.read_bytes()
    assert write_document(path, json.loads(json.dumps(DOC))) is False
    assert path.stat().st_mtime_ns == 1_000_000_000
    assert path.read_bytes() == before


def test_changed_content_is_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "doc.json"
    write_document(path, DOC)
    changed = {**DOC, "metadata": {"source": "other"}}
    assert write_document(path, changed) is True
    assert read_document(path) == changed


def test_floats_are_json_numbers() -> None:
    text = dump_document(DOC)
    assert re.search(r'"training_flop": ?5e\+26[,}\s]', text)
    assert re.search(r'"params": ?405000000000\.0[,}\s]', text)
    assert text.endswith("}\n")
    assert json.loads(text)["models"][0]["training_flop"] == 5e26


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_floats_are_refused(tmp_path: Path, bad: float) -> None:
    path = tmp_path / "doc.json"
    write_document(path, DOC)
    before = path.read_bytes()
    with pytest.raises(ValueError):
        write_document(path, {"models": [{"training_flop": bad}]})
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["doc.json"]


def test_missing_file_reads_as_none(tmp_path: Path) -> None:
    assert read_document(tmp_path / "nope.json") is None


BAD_DOCS = [
    (
        "truncated",
        '{"models": [\n  {"a": 1},\n',
        "invalid JSON at line 3 column 1: Expecting value",
    ),
    ("list", "[]", 'expected an object with a "models" list'),
    ("no_models", '{"metadata": {}}', 'expected an object with a "models" list'),
    ("models_not_list", '{"models": {}}', 'expected an object with a "models" list'),
    ("metadata_list", '{"metadata": [], "models": []}', '"metadata" must be an object'),
    ("model_not_object", '{"models": [{}, 3]}', "record models[1]: each model must be an object"),
]


@pytest.mark.parametrize(("name", "text", "message"), BAD_DOCS, ids=[b[0] for b in BAD_DOCS])
def test_bad_document_is_one_line_input_error(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    path = tmp_path / f"{name}.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_document(path)
    assert str(info.value).startswith(str(path))
    assert str(info.value).endswith(message)
    assert "\n" not in str(info.value)


def test_not_utf8_document_is_input_error(tmp_path: Path) -> None:
    path = tmp_path / "latin.json"
    path.write_bytes(b'{"models": [{"name": "caf\xe9"}]}')
    with pytest.raises(InputError) as info:
        read_document(path)
    assert str(info.value) == f"{path}: not UTF-8 text (byte 25)"
