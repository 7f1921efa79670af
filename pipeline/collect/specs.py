"""Reported facts from a database of models (Epoch AI's): one record per key with a
``specs`` object, and which of them changed since the previous collection."""

from __future__ import annotations

from typing import Any

from pipeline.collect.developers import DeveloperNames
from pipeline.collect.names import NameRules
from pipeline.collect.records import Collected, named_key
from pipeline.collect.sources import SPEC_FIELDS, SourceConfig
from pipeline.collect.tables import SourceRow
from pipeline.schema import LEGACY_VALUES
from pipeline.values import (
    MAX_FLOP,
    format_date,
    format_number,
    parse_date,
    parse_number,
    urls_in,
)

CONFIDENCES = ("high", "medium", "low", "speculative")
NOTES_LIMIT = 500
_NUMBERS = ("training_flop", "parameters", "training_tokens")


def _spec_value(name: str, text: str) -> Any:
    """One cell as a spec value; None when empty; ValueError when unreadable."""
    text = text.strip()
    if not text:
        return None
    if name in _NUMBERS:
        number = parse_number(text)
        if not number:  # empty, or 0: Epoch's data writes 0 for an unknown size
            return None
        if not 0 < number < MAX_FLOP:
            raise ValueError(f"{text!r} is not a plausible {name.replace('_', ' ')}")
        return int(number) if number.is_integer() and number < 2**53 else number
    if name == "release_date":
        return format_date(parse_date(text)) or None
    if name == "confidence":
        word = text.lower()
        word = LEGACY_VALUES["confidence"].get(word, word)
        if word not in CONFIDENCES:
            raise ValueError(f"{text!r} is not a confidence")
        return word
    if name == "source_url":
        return next(iter(urls_in(text)), None)
    return text if len(text) <= NOTES_LIMIT else text[: NOTES_LIMIT - 1].rstrip() + "…"


def row_specs(row: SourceRow, warnings: list[str]) -> dict[str, Any]:
    specs: dict[str, Any] = {}
    for name in SPEC_FIELDS:
        try:
            value = _spec_value(name, row.fields.get(name, ""))
        except ValueError as exc:
            warnings.append(f"{row.where}, field {name}: {exc}; ignored")
            continue
        if value is not None:
            specs[name] = value
    return specs


def build_spec_models(
    rows: list[SourceRow],
    source: SourceConfig,
    rules: NameRules,
    developers: DeveloperNames,
    now: str,
) -> Collected:
    """One record per key with the row's ``specs``; of rows folded into one key, the first
    with a training compute wins (else the first)."""
    result = Collected([])
    by_key: dict[str, dict[str, Any]] = {}
    for row in rows:
        name, key = named_key(row, rules, result.warnings)
        if not key:
            continue
        specs = row_specs(row, result.warnings)
        earlier = by_key.get(key)
        if earlier is not None:
            result.folded += 1
            earlier["raw_names"] = sorted({*earlier["raw_names"], name})
            if "training_flop" in earlier["specs"] or "training_flop" not in specs:
                continue
        references = [source.reference]
        if specs.get("source_url"):
            references.append(specs["source_url"])
        by_key[key] = {
            "key": key,
            "name": name,
            "raw_names": sorted({name, *(earlier["raw_names"] if earlier else [])}),
            "developer": developers(row.fields.get("developer", "")),
            "benchmarks": {},
            "sources": references,
            "specs": specs,
            "last_updated": now,
        }
    result.models = list(by_key.values())
    return result


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    return format_number(value) if isinstance(value, int | float) else str(value)


def spec_changes(models: list[dict[str, Any]], previous: dict[str, dict[str, Any]]) -> list[str]:
    """``key: field old -> new`` for each known value that changed since ``previous``
    (notes and links aside); models new to the source are not listed."""
    changes = []
    for model in models:
        old = previous.get(model["key"])
        if old is None:
            continue
        before, after = old.get("specs") or {}, model.get("specs") or {}
        for name in (
            "training_flop",
            "parameters",
            "training_tokens",
            "release_date",
            "confidence",
        ):
            if before.get(name) != after.get(name):
                changes.append(
                    f"{model['key']}: {name} {_show(before.get(name))} -> {_show(after.get(name))}"
                )
    return changes
