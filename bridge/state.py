"""Per backend, in ``data/state/bridge_<backend>.json``: the base (each sheet as the worker
last left it) and the write-ahead journal of a push in progress (ARCHITECTURE §7)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from pipeline.errors import InputError
from pipeline.storage.atomic import write_parts_if_changed
from pipeline.storage.jsontext import decode

Rows = dict[str, dict[str, str]]
DAMAGED = "damaged sync state; `tracker bridge rebase` starts again from the sheets"
# Rows are written by orjson (UTF-8, keys sorted) and read back from the file's bytes, each
# text its own string; what orjson refuses (a lone surrogate, a key not a string) goes the
# standard library's way, every other character escaped.
ENCODE = json.JSONEncoder(ensure_ascii=True, sort_keys=True).encode


@dataclass
class BridgeState:
    path: Path
    bases: dict[str, Rows] = field(default_factory=dict)
    journal: dict[str, Rows] | None = None
    cache: dict[str, Any] = field(default_factory=dict)
    saved: bytes = field(default=b"", repr=False, compare=False)  # digest of the file's bytes

    @classmethod
    def load(cls, state_dir: Path, backend: str) -> BridgeState:
        """The state saved for ``backend`` (empty when there is none); InputError when the
        file is damaged: not JSON, or not objects down to each table's rows (each backend's
        cache)."""
        path = state_dir / f"bridge_{backend}.json"
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return cls(path)
        saved = _digest([raw])
        try:
            data = decode(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise InputError(DAMAGED, file=path) from None
        del raw
        if not isinstance(data, dict):
            raise InputError(DAMAGED, file=path)
        bases, journal = data.get("bases") or {}, data.get("journal")
        cache = data.get("cache") or {}
        tables = _is_tables(bases) and (journal is None or _is_tables(journal))
        if not tables or not _is_objects(cache):
            raise InputError(DAMAGED, file=path)
        return cls(path, bases, journal, cache, saved)

    def save(self) -> None:
        """Write the state, unless the file already holds it (compared by digest, so an idle
        sync neither writes nor reads back the file)."""
        data = {"bases": self.bases, "journal": self.journal, "cache": self.cache}
        parts = [*_chunks(data, depth=2), b"\n"]
        digest = _digest(parts)
        if digest == self.saved and self.path.exists():
            return
        write_parts_if_changed(self.path, parts)
        self.saved = digest

    def base_of(self, table: str) -> Rows:
        return self.bases.get(table, {})

    def journal_of(self, table: str) -> Rows:
        return (self.journal or {}).get(table, {})

    def begin_push(self, intended: dict[str, Rows]) -> None:
        """Record what the push is about to leave in each sheet, before the first write."""
        self.journal = intended
        self.save()

    def finish_push(self) -> None:
        """The push landed: what it intended is the new base."""
        if self.journal is not None:
            self.bases.update(self.journal)
        self.journal = None
        self.save()


def _digest(parts: Iterable[bytes]) -> bytes:
    digest = hashlib.blake2b()
    for part in parts:
        digest.update(part)
    return digest.digest()


def _is_objects(value: Any) -> bool:
    """An object whose values are all objects."""
    return isinstance(value, dict) and all(isinstance(item, dict) for item in value.values())


def _is_tables(value: Any) -> bool:
    """Rows by table, as ``bases`` and ``journal`` hold them: each table an object of rows."""
    return _is_objects(value) and all(_is_objects(rows) for rows in value.values())


def _encode(value: Any) -> bytes:
    """One value as JSON, keys sorted: orjson's, or :data:`ENCODE`'s where orjson refuses."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return ENCODE(value).encode("utf-8")


def _chunks(value: Any, depth: int) -> Iterator[bytes]:
    """``value`` as JSON, keys sorted, in pieces: objects down to ``depth`` levels key by
    key, each table's rows below in one piece (by orjson: many small pieces would take
    several times their size in memory)."""
    if depth == 0 or not isinstance(value, dict) or not value:
        yield _encode(value)
        return
    yield b"{"
    for index, key in enumerate(sorted(value)):
        yield (b", " if index else b"") + _encode(str(key)) + b": "
        yield from _chunks(value[key], depth - 1)
    yield b"}"
