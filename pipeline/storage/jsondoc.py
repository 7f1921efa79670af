"""JSON documents of the form ``{"metadata": {...}, "models": [...]}`` (scraped and estimated).

Read and written with orjson (faster than the standard library, several times so in writing
documents of a hundred thousand models); what orjson refuses goes the standard library's way,
so every document reads and writes as before: the same values (except an integer beyond 64
bits, read as the nearest float, as JavaScript reads it) and the same one-line errors."""

from __future__ import annotations

import gc
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from pipeline.errors import InputError
from pipeline.storage.atomic import write_parts_if_changed
from pipeline.storage.fingerprint import Fingerprint, fingerprint_of
from pipeline.storage.jsontext import decode

# Types the standard library refuses: orjson must not write them either (as it would
# dates and dataclasses by default), so that the fallback raises the usual TypeError.
PASSTHROUGH = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def read_document(path: str | Path) -> dict[str, Any] | None:
    """Read a metadata/models document; ``None`` when the file does not exist."""
    read = read_document_with_fingerprint(path)
    return None if read is None else read[0]


def read_document_with_fingerprint(
    path: str | Path,
) -> tuple[dict[str, Any], Fingerprint] | None:
    """:func:`read_document`, with the fingerprint of the file as read
    (:mod:`pipeline.storage.fingerprint`)."""
    path = Path(path)
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return None
    with handle, collector_paused():
        try:
            doc = _by_line(handle)
        except orjson.JSONDecodeError:
            doc = None
        if doc is None:  # not as written here: the whole text at once
            handle.seek(0)
            doc = _decode(handle.read(), path)
        status = os.fstat(handle.fileno())  # after reading: any write since shows
    return _checked(doc, path), fingerprint_of(status)


@dataclass(frozen=True)
class ModelsText:
    """The models of a document laid out as :func:`document_chunks` writes it, undecoded:
    ``text[start:end]``, one model a line, each line but the last ending in a comma; and
    the fingerprint of the file as read."""

    text: bytes
    start: int
    end: int
    fingerprint: Fingerprint

    def batches(self, start: int, end: int) -> Iterator[list[Any]]:
        """The models of the lines from ``start`` to ``end`` (where lines begin), decoded
        about a megabyte at a time: each batch of lines is a JSON list once bracketed."""
        text = self.text
        while start < end:
            stop = text.find(b"\n", min(start + BATCH, end - 1), end) + 1 or end
            yield orjson.loads(b"".join([b"[", text[start:stop].rstrip(b",\n"), b"]"]))
            start = stop

    def middle(self) -> int:
        """Where the line that holds the middle of the models begins."""
        found = self.text.find(b"\n", (self.start + self.end) // 2, self.end)
        return self.end if found < 0 else found + 1


def models_text(path: str | Path) -> ModelsText | None:
    """The models of the document at ``path`` (:class:`ModelsText`); None when there is no
    such file, or it is not laid out as written here."""
    try:
        with Path(path).open("rb") as handle:
            data = handle.read()
            status = os.fstat(handle.fileno())  # after reading: any write since shows
    except FileNotFoundError:
        return None
    found = data.find(b"\n" + MODELS)  # a text holds no line end: only the top level's
    start, end = found + 1 + len(MODELS), len(data) - len(END) - 2
    tail = b"\n" + END + b"}\n"
    if data[:2] != b"{\n" or found < 0 or data[-len(tail) :] != tail or end <= start:
        return None
    if data[start : start + 4] != b"    " or data[end - 2 : end] == b",\n":
        return None
    return ModelsText(data, start, end, fingerprint_of(status))


@contextmanager
def collector_paused() -> Iterator[None]:
    """Values decoded from JSON hold no reference cycles: the cycle collector, which would
    go through them again and again while they are made, waits until they are. (So do
    other values without cycles made by the hundred thousand, such as estimates.)"""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()  # what was made joins the oldest generation, unscanned
            gc.unfreeze()
            gc.enable()


MODELS, END, BATCH = b'  "models": [\n', b"  ]\n", 1 << 20
NO_MODELS = b'  "models": []\n'


def _head(handle: BinaryIO, ends: tuple[bytes, ...] = (MODELS,)) -> list[bytes] | None:
    """The lines before the models (the opening brace and the metadata) of a document laid
    out as :func:`document_chunks` writes it, the models' first line (one of ``ends``) read
    past; None when it is not laid out so."""
    if handle.read(2) != b"{\n":
        return None
    head = [b"{\n"]
    for line in handle:
        if line in ends:
            return head
        head.append(line)
    return None


def _by_line(handle: BinaryIO) -> dict[str, Any] | None:
    """The document read about a megabyte of models at a time, when it is laid out as
    :func:`document_chunks` writes it (the metadata, then one model per line); None when it
    is not. Each batch of whole lines is decoded as a list: the same values as the whole
    text gives, with no more than a batch of text held besides them."""
    head = _head(handle)
    if head is None:
        return None
    models: list[Any] = []
    comma = False  # the batch before ended in a comma: a model must follow
    while lines := handle.readlines(BATCH):
        last = END in lines
        if last:  # the models end here: then only the closing brace
            end = lines.index(END)
            if b"".join(lines[end + 1 :]) + handle.read() != b"}\n" or (comma and not end):
                return None
            lines = lines[:end]
        elif lines[-1].endswith(b",\n"):
            lines[-1], comma = lines[-1][:-2], True
        else:
            return None
        models += orjson.loads(b"".join([b"[", *lines, b"]"]))
        if last:
            doc = orjson.loads(b"".join(head) + b'  "models": []\n}')
            if isinstance(doc, dict):
                doc["models"] = models
            return doc
    return None


def _decode(data: bytes, path: Path) -> Any:
    """The JSON value in ``data`` (:func:`jsontext.decode`), or a one-line error saying why
    the text is not JSON."""
    try:
        return decode(data)
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", file=path) from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}", file=path
        ) from None


def _checked(doc: Any, path: Path) -> dict[str, Any]:
    if not isinstance(doc, dict) or not isinstance(doc.get("models"), list):
        raise InputError('expected an object with a "models" list', file=path)
    if not isinstance(doc.get("metadata", {}), dict):
        raise InputError('"metadata" must be an object', file=path)
    for index, model in enumerate(doc["models"]):
        if not isinstance(model, dict):
            raise InputError("each model must be an object", file=path, row=f"models[{index}]")
    return doc


def document_chunks(doc: dict[str, Any]) -> Iterator[bytes]:
    """Metadata indented, then one model per line, compact: readable, diffable by model,
    and fast. Floats are JSON numbers (shortest round-trip form, as Python prints them);
    NaN and infinity are refused (ValueError)."""
    yield from encoded_chunks(doc.get("metadata", {}), map(encode_model, doc["models"]))


FIRST, NEXT = b"[\n    ", b",\n    "  # before the first model's line, before the others
PART = 256  # models encoded into one text by encode_lines


def encoded_chunks(
    metadata: dict[str, Any], parts: Iterable[bytes | memoryview]
) -> Iterator[bytes]:
    """:func:`document_chunks` of ``metadata`` and models already encoded: ``parts``, each
    one model's line (:func:`encode_model`, :func:`encode_lines`) or several joined by
    ``NEXT``."""
    text = json.dumps(metadata, indent=2, ensure_ascii=False, allow_nan=False)
    yield ('{\n  "metadata": ' + text.replace("\n", "\n  ") + ',\n  "models": ').encode("utf-8")
    separator = FIRST
    for part in parts:
        yield separator + part
        separator = NEXT
    yield b"[]\n}\n" if separator is FIRST else b"\n  ]\n}\n"


def encode_lines(models: Sequence[dict[str, Any]]) -> list[memoryview]:
    """Each model's line as :func:`document_chunks` writes it, in order, for
    :func:`encoded_chunks`: views into texts of a few hundred lines each. (Kept one a line,
    orjson's texts would hold several times their size in memory: each is made in a larger
    buffer, then cut.) Models encoded in the order they were made are read from memory in
    that order, about twice as fast as in another."""
    lines: list[memoryview] = []
    for at in range(0, len(models), PART):
        encoded = [encode_model(model) for model in models[at : at + PART]]
        block, start = memoryview(b"".join(encoded)), 0
        for line in encoded:
            end = start + len(line)
            lines.append(block[start:end])
            start = end
    return lines


def holds_document(
    path: str | Path, metadata: dict[str, Any], parts: Iterable[bytes | memoryview], stamp: str
) -> bool:
    """Whether ``path`` holds exactly what :func:`encoded_chunks` writes of ``metadata`` and
    ``parts``, but for the metadata's ``stamp`` field (the time it was made), taken as the
    file has it. Compared as bytes, a part at a time: the file is not decoded."""
    path = Path(path)
    try:
        handle = path.open("rb", buffering=BATCH)
    except FileNotFoundError:
        return False
    with handle:
        saved = _metadata_of(handle)
        if saved is None or stamp not in saved:
            return False
        handle.seek(0)
        read = handle.read
        for part in encoded_chunks({**metadata, stamp: saved[stamp]}, parts):
            if read(len(part)) != part:
                return False
        return read(1) == b""


def _metadata_of(handle: BinaryIO) -> dict[str, Any] | None:
    """The metadata of a document laid out as :func:`encoded_chunks` writes it, read from
    its first lines alone; None when it is not laid out so."""
    head = _head(handle, (MODELS, NO_MODELS))
    if head is None:
        return None
    try:
        doc = orjson.loads(b"".join(head) + b'  "models": []\n}')
    except orjson.JSONDecodeError:
        return None
    metadata = doc.get("metadata") if isinstance(doc, dict) else None
    return metadata if isinstance(metadata, dict) else None


def write_encoded(
    path: str | Path, metadata: dict[str, Any], parts: Iterable[bytes | memoryview]
) -> bool:
    """:func:`write_document` of ``metadata`` and models already encoded
    (:func:`encoded_chunks`)."""
    return write_parts_if_changed(path, _megabytes(encoded_chunks(metadata, parts)))


def _megabytes(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """``chunks`` joined about a megabyte at a time: written in a few large writes, not one
    small one per model."""
    pending: list[bytes] = []
    size = 0
    for chunk in chunks:
        pending.append(chunk)
        size += len(chunk)
        if size >= BATCH:
            yield b"".join(pending)
            pending, size = [], 0
    if pending:
        yield b"".join(pending)


STRICT = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def encode_model(model: dict[str, Any]) -> bytes:
    """One model as compact JSON. orjson writes NaN and infinity as null: a line with
    more nulls than the model has top-level None values (a nested None, a NaN, "null" in
    a text) is encoded again by the standard library, which refuses NaN; so is a model
    orjson cannot write (an integer beyond 64 bits, a key that is not text)."""
    try:
        line = orjson.dumps(model, option=PASSTHROUGH)
    except orjson.JSONEncodeError:
        return STRICT.encode(model).encode("utf-8")
    nulls = line.count(b"null")
    if nulls and nulls != list(model.values()).count(None):
        STRICT.encode(model)  # raises ValueError on NaN or infinity
    return line


def dump_document(doc: dict[str, Any]) -> str:
    """The text :func:`write_document` writes."""
    return b"".join(document_chunks(doc)).decode("utf-8")


def write_document(path: str | Path, doc: dict[str, Any]) -> bool:
    """Write atomically unless the file already holds exactly this text; True if written.
    The text is streamed to the file, a megabyte at a time, never held whole in memory."""
    return write_parts_if_changed(path, _megabytes(document_chunks(doc)))
