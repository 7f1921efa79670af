"""JSON documents of the form ``{"metadata": {...}, "models": [...]}`` (scraped and estimated)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline.errors import InputError
from pipeline.storage.atomic import write_chunks_if_changed


def read_document(path: str | Path) -> dict[str, Any] | None:
    """Read a metadata/models document; ``None`` when the file does not exist."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", file=path) from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}", file=path
        ) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("models"), list):
        raise InputError('expected an object with a "models" list', file=path)
    if not isinstance(doc.get("metadata", {}), dict):
        raise InputError('"metadata" must be an object', file=path)
    for index, model in enumerate(doc["models"]):
        if not isinstance(model, dict):
            raise InputError("each model must be an object", file=path, row=f"models[{index}]")
    return doc


def document_chunks(doc: dict[str, Any]) -> Iterator[str]:
    """Metadata indented, then one model per line: readable, diffable by model, and fast
    (the C encoder serialises each line). Floats are JSON numbers; NaN is refused."""
    metadata = json.dumps(doc.get("metadata", {}), indent=2, ensure_ascii=False, allow_nan=False)
    encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
    yield '{\n  "metadata": ' + metadata.replace("\n", "\n  ") + ',\n  "models": '
    if not doc["models"]:
        yield "[]\n}\n"
        return
    yield "[\n"
    for index, model in enumerate(doc["models"]):
        yield (",\n    " if index else "    ") + encode(model)
    yield "\n  ]\n}\n"


def dump_document(doc: dict[str, Any]) -> str:
    """The text :func:`write_document` writes."""
    return "".join(document_chunks(doc))


def write_document(path: str | Path, doc: dict[str, Any]) -> bool:
    """Write atomically unless the file already holds exactly this text; True if written.
    The text is streamed to the file, never held whole in memory."""
    return write_chunks_if_changed(path, document_chunks(doc))
