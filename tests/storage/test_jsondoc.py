"""JSON documents: deterministic writes, no rewrite when unchanged, one-line read errors."""

from __future__ import annotations

import contextlib
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


def test_models_are_written_one_per_line_compact() -> None:
    text = dump_document({"metadata": {"n": 2}, "models": [{"a": 1, "b": [None]}, {"c": "x"}]})
    assert text == (
        '{\n  "metadata": {\n    "n": 2\n  },\n  "models": [\n'
        '    {"a":1,"b":[null]},\n    {"c":"x"}\n  ]\n}\n'
    )


LAID_OUT = '{\n  "metadata": {},\n  "models": [\n    {"a": 1},\n    {"b": 2}\n  ]\n}\n'
READ_AS_JSON = [
    ("written", dump_document(DOC)),
    ("earlier_layout", LAID_OUT),
    ("indented", json.dumps({"metadata": {}, "models": [{"a": [1, 2]}, {"b": 2}]}, indent=2)),
    ("two_on_a_line", LAID_OUT.replace('1},\n    {"b"', '1}, {"b"')),
    ("models_in_metadata_text", LAID_OUT.replace("{},", '{"x": "  \\"models\\": ["},')),
    ("nan_literal", LAID_OUT.replace('"a": 1', '"a": NaN')),
    ("crlf", LAID_OUT.replace("\n", "\r\n")),
    ("empty", '{\n  "metadata": {},\n  "models": []\n}\n'),
    ("empty_laid_out", '{\n  "metadata": {},\n  "models": [\n  ]\n}\n'),
    ("model_over_lines", LAID_OUT.replace('{"a": 1}', '{"a": [{"x": 1},\n    {"y": 2}]}')),
    ("metadata_after", '{\n  "models": [\n    {"a": 1}\n  ],\n  "metadata": {"n": 1}\n}\n'),
]


@pytest.fixture(params=[1, 1 << 20], ids=["line_by_line", "megabyte"])
def batch(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Models decoded a line at a time, or as many as a megabyte holds."""
    from pipeline.storage import jsondoc

    monkeypatch.setattr(jsondoc, "BATCH", request.param)


@pytest.mark.parametrize(("name", "text"), READ_AS_JSON, ids=[c[0] for c in READ_AS_JSON])
def test_any_layout_reads_as_the_standard_library_reads_it(
    tmp_path: Path, name: str, text: str, batch: None
) -> None:
    path = tmp_path / f"{name}.json"
    path.write_text(text, encoding="utf-8")
    expected = json.loads(text)
    assert json.dumps(read_document(path)) == json.dumps(expected)  # NaN compares unequal


NOT_JSON = [
    ("trailing_comma", LAID_OUT.replace('{"b": 2}\n', '{"b": 2},\n'), "line 6 column 3"),
    ("missing_comma", LAID_OUT.replace("1},\n", "1}\n"), "line 5 column 5"),
    ("after_the_end", LAID_OUT + "{}\n", "line 8 column 1: Extra data"),
    ("no_comma_before", LAID_OUT.replace("{},\n", "{}\n"), "line 3 column 3"),
]


@pytest.mark.parametrize(("name", "text", "where"), NOT_JSON, ids=[c[0] for c in NOT_JSON])
def test_a_broken_line_layout_is_invalid_json(
    tmp_path: Path, name: str, text: str, where: str, batch: None
) -> None:
    path = tmp_path / f"{name}.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_document(path)
    assert str(info.value).startswith(f"{path}: invalid JSON at {where}")


@pytest.mark.parametrize(
    "model",
    [{"a": [float("nan")]}, {"a": {"b": float("inf")}}, {"a": None, "b": [None, float("nan")]}],
)
def test_nested_non_finite_floats_are_refused(model: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        dump_document({"models": [model]})


def test_null_in_texts_and_nested_none_are_written() -> None:
    doc = {"metadata": {}, "models": [{"a": "null", "b": {"c": None}, "d": None}]}
    assert json.loads(dump_document(doc)) == doc


def test_what_orjson_cannot_write_is_written_by_the_standard_library(tmp_path: Path) -> None:
    """An integer beyond 64 bits is written exactly; reading gives the nearest float (as a
    JavaScript reader would): the tracker's numbers that large are floats."""
    doc = {"metadata": {}, "models": [{"n": 10**30, "f": 5e26}, {1: "key"}]}
    text = dump_document(doc)
    assert '{"n":1000000000000000000000000000000,"f":5e+26}' in text
    assert '{"1":"key"}' in text
    path = tmp_path / "doc.json"
    write_document(path, doc)
    assert read_document(path) == {"metadata": {}, "models": [{"n": 1e30, "f": 5e26}, {"1": "key"}]}


def test_types_json_refuses_are_refused() -> None:
    import datetime

    with pytest.raises(TypeError):
        dump_document({"models": [{"when": datetime.date(2025, 1, 1)}]})


def test_a_document_as_written_is_never_decoded_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.storage import jsondoc

    def whole(data: bytes, path: Path) -> None:
        raise AssertionError("read whole")

    path = tmp_path / "doc.json"
    write_document(path, DOC)
    monkeypatch.setattr(jsondoc, "_decode", whole)
    assert read_document(path) == DOC
    path.write_text(json.dumps(DOC, indent=2), encoding="utf-8")
    with pytest.raises(AssertionError, match="read whole"):
        read_document(path)


@pytest.mark.parametrize("text", [dump_document(DOC), "{not json"], ids=["read", "refused"])
def test_the_cycle_collector_runs_again_after_a_read(tmp_path: Path, text: str) -> None:
    import gc

    path = tmp_path / "doc.json"
    path.write_text(text, encoding="utf-8")
    with contextlib.suppress(InputError):
        read_document(path)
    assert gc.isenabled()
