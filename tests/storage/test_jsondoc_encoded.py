"""Documents written from models encoded beforehand: the bytes :func:`write_document`
writes, and a file known to hold them without decoding it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipeline.storage import jsondoc
from pipeline.storage.jsondoc import (
    document_chunks,
    encode_lines,
    encoded_chunks,
    holds_document,
    write_document,
    write_encoded,
)

STAMP = "generated_at"


def models(n: int) -> list[dict[str, Any]]:
    return [{"key": f"m{i}", "flop": 1.5e24 * (i + 1), "name": "Grök", "p": None} for i in range(n)]


def doc(n: int, stamp: str = "2026-01-01T00:00:00Z") -> dict[str, Any]:
    return {"metadata": {STAMP: stamp, "model_count": n}, "models": models(n)}


@pytest.mark.parametrize("n", [0, 1, 2, jsondoc.PART, jsondoc.PART + 1, 3 * jsondoc.PART + 7])
def test_encoded_models_are_written_as_the_document_is(tmp_path: Path, n: int) -> None:
    document = doc(n)
    parts = encode_lines(document["models"])
    lines = [jsondoc.encode_model(model) for model in document["models"]]
    assert [bytes(part) for part in parts] == lines
    expected = b"".join(document_chunks(document))
    assert b"".join(encoded_chunks(document["metadata"], parts)) == expected
    assert b"".join(encoded_chunks(document["metadata"], lines)) == expected
    joined = [jsondoc.NEXT.join(lines[at : at + 3]) for at in range(0, n, 3)]
    assert b"".join(encoded_chunks(document["metadata"], joined)) == expected
    path = tmp_path / "doc.json"
    assert write_encoded(path, document["metadata"], parts) is True
    assert path.read_bytes() == expected
    assert write_document(path, document) is False


@pytest.mark.parametrize("n", [0, 1, jsondoc.PART + 1])
def test_a_file_holds_the_document_whatever_its_stamp(tmp_path: Path, n: int) -> None:
    path = tmp_path / "doc.json"
    write_document(path, doc(n, stamp="2025-05-05T05:05:05Z"))
    fresh = doc(n, stamp="")
    parts = encode_lines(fresh["models"])
    assert holds_document(path, fresh["metadata"], parts, STAMP)


def without_line(text: bytes, part: bytes) -> bytes:
    return b"".join(line for line in text.splitlines(keepends=True) if part not in line)


EDITS = {
    "a_model_in_the_middle": lambda t: t.replace(
        b'"m150","flop":2.265e+26', b'"m150","flop":2.3e+26'
    ),
    "a_model_less": lambda t: without_line(t, b'"m150"'),
    "metadata": lambda t: t.replace(b'"model_count": 300', b'"model_count": 301'),
    "no_stamp": lambda t: without_line(t, b'"generated_at"'),
    "indented_otherwise": lambda t: t.replace(b"\n    {", b"\n   {"),
    "truncated": lambda t: t[:-3],
    "longer": lambda t: t + b"\n",
    "empty": lambda t: b"",
    "metadata_not_json": lambda t: t.replace(b'"model_count"', b"model_count"),
}


@pytest.mark.parametrize("case", list(EDITS))
def test_a_file_that_differs_in_any_byte_does_not_hold_it(tmp_path: Path, case: str) -> None:
    path = tmp_path / "doc.json"
    write_document(path, doc(300))
    text = path.read_bytes()
    edited = EDITS[case](text)
    assert edited != text
    path.write_bytes(edited)
    fresh = doc(300, stamp="")
    assert not holds_document(path, fresh["metadata"], encode_lines(fresh["models"]), STAMP)


def test_a_missing_file_does_not_hold_it(tmp_path: Path) -> None:
    assert not holds_document(tmp_path / "nope.json", {STAMP: ""}, [], STAMP)


@pytest.mark.parametrize("batch", [1, 100, 1 << 20])
def test_documents_are_written_whole_in_any_size_of_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    monkeypatch.setattr(jsondoc, "BATCH", batch)
    document = doc(40)
    expected = b"".join(document_chunks(document))
    path = tmp_path / "doc.json"
    assert write_document(path, document) is True
    assert path.read_bytes() == expected
    path.unlink()
    assert write_encoded(path, document["metadata"], encode_lines(document["models"])) is True
    assert path.read_bytes() == expected
