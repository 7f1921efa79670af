"""JSON documents of the form ``{"metadata": {...}, "models": [...]}`` (scraped and estimated)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipeline.errors import InputError
from pipeline.storage.atomic import atomic_write_text


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


def dump_document(doc: dict[str, Any]) -> str:
    """Metadata indented, then one model per line: readable, diffable by model, and fast
    (the C encoder serialises each line). Floats are JSON numbers; NaN is refused."""
    metadata = json.dumps(doc.get("metadata", {}), indent=2, ensure_ascii=False, allow_nan=False)
    encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
    models = ",\n".join(f"    {encode(model)}" for model in doc["models"])
    body = f"[\n{models}\n  ]" if models else "[]"
    metadata = metadata.replace("\n", "\n  ")
    return f'{{\n  "metadata": {metadata},\n  "models": {body}\n}}\n'


def write_document(path: str | Path, doc: dict[str, Any]) -> bool:
    """Write atomically unless the file already holds exactly this text; True if written."""
    path = Path(path)
    text = dump_document(doc)
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (FileNotFoundError, UnicodeDecodeError):
        pass
    atomic_write_text(path, text)
    return True
