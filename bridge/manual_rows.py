"""Rows reviewers add to the Candidates sheet become manual entries in
``data/raw/manual/models.yaml``: the next ``tracker run`` collects them and makes them
candidates with the reviewer's figures as known specs (the manual source's ``specs``)."""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedSeq

from pipeline.collect.names import NameRules, normalise
from pipeline.collect.sources import load_sources
from pipeline.errors import TrackerError
from pipeline.paths import ConfigPaths, DataPaths
from pipeline.schema import canonical
from pipeline.storage.atomic import atomic_write_text
from pipeline.values import parse_date, parse_flop, parse_number
from pipeline.yamlfile import load_yaml

ADDED = "applied: added as a manual entry; a candidate on the next cycle"
CANDIDATES_NOTE = "Added in the Candidates sheet by a reviewer"


@dataclass(frozen=True)
class ManualEntries:
    """The manual models file, the rules that turn its names into keys, and the keys the
    pipeline already knows from its scraped and estimated records: ``known`` when a cycle
    has them in hand, else read from the files under ``data_dir`` when first asked for
    (only a row added in Candidates asks: an idle sync never reads those large files)."""

    path: Path
    rules: NameRules = field(default_factory=NameRules)
    known: frozenset[str] | None = None
    data_dir: Path | None = None

    @cached_property
    def recorded(self) -> frozenset[str]:
        """The keys of every scraped and estimated record."""
        if self.known is not None or self.data_dir is None:
            return self.known or frozenset()
        return recorded_keys(DataPaths(self.data_dir))

    def entries(self) -> dict[str, dict[str, Any]]:
        """The file's entries by key (a missing file: none); a file that cannot be read
        raises TrackerError naming it."""
        data = load_yaml(self.path, required=False)
        if data is not None and not isinstance(data, list):
            raise TrackerError(f"{self.path}: expected a list of models")
        found = {}
        for entry in data or []:
            name = entry.get("name") or entry.get("model") if isinstance(entry, dict) else None
            if name:
                found[normalise(str(name), self.rules)] = entry
        return found


def manual_entries(
    data_dir: Path, configs: ConfigPaths, recorded: frozenset[str] | None = None
) -> ManualEntries | None:
    """The enabled manual source's file, or None when no source reads one (or the
    configuration cannot be read: rows added in Candidates then wait). ``recorded``: the
    keys the pipeline knows, when a cycle has them in hand (else read from its files)."""
    try:
        sources = load_sources(configs.scrapers)
        rules = NameRules.load(configs.aliases)
    except TrackerError:
        return None
    source = next((s for s in sources if s.type == "manual_yaml" and s.enabled and s.path), None)
    if source is None:
        return None
    return ManualEntries(source.input_path(data_dir), rules, recorded, data_dir)


def recorded_keys(paths: DataPaths) -> frozenset[str]:
    """Keys of every scraped and estimated record (unreadable files are skipped). Each
    record is let go as soon as it is parsed, only its key kept: a large file is never
    held as records."""
    files = [paths.estimated, *sorted(paths.scraped.glob("*_models.json"))]
    keys: set[str] = set()
    for path in files:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"), object_hook=_key_of)
        except (FileNotFoundError, UnicodeDecodeError, json.JSONDecodeError):
            continue
        models = doc.get("models") if isinstance(doc, dict) else None
        if isinstance(models, list):
            keys.update(str(model) for model in models if isinstance(model, _Key))
    return frozenset(keys)


class _Key(str):
    """A record's key, standing in for the record once parsed."""


def _key_of(obj: dict[str, Any]) -> Any:
    """A parsed object with a text ``key`` (a record) as its key alone; others as they are."""
    key = obj.get("key")
    return _Key(key) if isinstance(key, str) and "models" not in obj else obj


def entry_from_row(key: str, cells: dict[str, str], note: str) -> dict[str, Any]:
    """A manual entry (the manual source's field names) from a valid Candidates row."""
    entry: dict[str, Any] = {"name": key}
    text = {column: cells.get(column, "").strip() for column in cells}
    if text.get("developer"):
        entry["developer"] = text["developer"]
    if released := parse_date(text.get("release_date", "")):
        entry["date"] = released
    parameters = parse_number(text.get("parameters", ""))
    if parameters is not None:
        entry["parameters"] = int(parameters) if parameters.is_integer() else parameters
    flop = parse_flop(text.get("training_flop", ""))
    if flop is not None:
        entry["compute"] = flop
    if text.get("confidence"):
        entry["confidence"] = canonical("confidence", text["confidence"])
    if text.get("sources"):
        entry["sources"] = [s for s in re.split(r"[;\s]+", text["sources"]) if s]
    entry["notes"] = f"{text['notes']} {note}" if text.get("notes") else note
    return entry


def append_entry(path: Path, entry: dict[str, Any]) -> None:
    """Add ``entry`` at the end of the manual models file, keeping its comments, written
    atomically."""
    yaml = YAML()
    yaml.width = 4096
    text = path.read_bytes().decode("utf-8") if path.exists() else ""
    data = yaml.load(text) if text.strip() else None
    prefix = ""
    if data is None:  # no list yet, perhaps comments: they stay above it
        data = CommentedSeq()
        prefix = text if text.endswith("\n") or not text else f"{text}\n"
    data.fa.set_block_style()
    data.append(entry)
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    output = prefix + buffer.getvalue()
    if "\r\n" in text:  # keep the file's line endings
        output = output.replace("\r\n", "\n").replace("\n", "\r\n")
    atomic_write_text(path, output)
