"""Checks of estimate records (``estimated_models.json``) before anything reads them: a
damaged or hand-edited record is refused with the file, the record and the field."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.errors import InputError
from pipeline.schema import VOCABULARIES
from pipeline.values import format_number, parse_flop

Check = Callable[[Any], str | None]  # why a value is wrong, or None


def _text(value: Any) -> str | None:
    return None if isinstance(value, str) else f"{value!r} is not text"


def texts(value: Any) -> str | None:
    """Why ``value`` is not a list of texts, or None."""
    ok = isinstance(value, list) and all(isinstance(item, str) for item in value)
    return None if ok else "must be a list of texts"


def _objects(value: Any) -> str | None:
    objects = isinstance(value, list) and all(isinstance(item, dict) for item in value)
    return None if objects else "must be a list of objects"


def _number(value: Any) -> str | None:
    real = isinstance(value, int | float) and not isinstance(value, bool)
    return None if real and math.isfinite(value) else f"{value!r} is not a number"


def _flop(value: Any) -> str | None:
    """A training compute a table cell may hold (``parse_flop``: positive, below 1e30)."""
    if (problem := _number(value)) is not None:
        return problem
    try:
        parse_flop(format_number(value))
    except ValueError as exc:
        return str(exc)
    return None


def _parameters(value: Any) -> str | None:
    if value is None:
        return None
    return _number(value) or (None if value > 0 else f"{value!r} is not positive")


def _probability(value: Any) -> str | None:
    return _number(value) or (None if 0 <= value <= 1 else f"{value!r} is not between 0 and 1")


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _one_of(field_name: str) -> Check:
    allowed = VOCABULARIES[field_name]
    return lambda value: (
        None if value in allowed else f"{value!r} is not one of {', '.join(allowed)}"
    )


# What refresh-dataset and classification read of an estimate record: the required
# fields, the optional ones (checked when present), and the fields of each alternative.
REQUIRED: dict[str, Check] = {
    "training_flop": _flop, "flop_low": _number, "flop_high": _number,
    "confidence": _one_of("confidence"), "estimation_method": _text,
    "threshold_classification": _one_of("threshold_classification"),
    "status": _one_of("status"),
}  # fmt: skip
OPTIONAL: dict[str, Check] = {
    "name": _text, "developer": _text, "release_date": _text, "parameters": _parameters,
    "parameter_source": _text, "confidence_explanation": _text, "reasoning": _text,
    "sources": texts, "alternatives": _objects, "evidence_hash": _text,
    "p_above": _probability, "first_seen": _optional_text,
}  # fmt: skip
ALTERNATIVE: dict[str, Check] = {
    "method": _text,
    "training_flop": _number,
    "confidence": _one_of("confidence"),
}


def _flaw(
    record: dict[str, Any], required: dict[str, Check], optional: dict[str, Check]
) -> tuple[str, str] | None:
    """(field, message) of the first field of ``record`` that fails its check, or None."""
    for name, check in [*required.items(), *optional.items()]:
        if name not in record:
            if name in required:
                return name, f"missing {name}"
        elif (problem := check(record[name])) is not None:
            return name, problem
    return None


def estimates_by_key(models: list[dict[str, Any]], path: Path) -> dict[str, dict[str, Any]]:
    """Estimate records by key, each checked first (saved in ``path``, or about to be):
    an InputError names the file, the record and the field."""
    for index, record in enumerate(models):
        row = f"models[{index}]"
        if not isinstance(record.get("key"), str) or not record["key"]:
            raise InputError("missing key", file=path, row=row, field="key")
        flaw = _flaw(record, REQUIRED, OPTIONAL)
        for number, alternative in enumerate([] if flaw else record.get("alternatives", [])):
            if (inner := _flaw(alternative, ALTERNATIVE, {})) is not None:
                flaw = (f"alternatives[{number}].{inner[0]}", inner[1])
                break
        if flaw is not None:
            raise InputError(flaw[1], file=path, row=f"{row} ({record['key']})", field=flaw[0])
    return {record["key"]: record for record in models}
