"""Checks of estimate records (``estimated_models.json``) before anything reads them: a
damaged or hand-edited record is refused with the file, the record and the field.

The record's shape is a pydantic model (:class:`EstimateRecord`); its first validation
error becomes the one-line message."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictStr,
    TypeAdapter,
    ValidationError,
)
from pydantic_core import ErrorDetails

from pipeline.errors import InputError
from pipeline.schema import (
    CONFIDENCE,
    STATUSES,
    VOCABULARIES,
    Classification,
    Confidence,
    Status,
)
from pipeline.values import MAX_FLOP, format_number, parse_flop

# Numbers as JSON has them: int or float, never bool, text or nan (strict, finite).
STRICT = ConfigDict(strict=True, allow_inf_nan=False)


def _plausible(flop: float) -> float:
    """A training compute a table cell may hold (``parse_flop``: positive, below 1e30)."""
    parse_flop(format_number(flop))
    return flop


Flop = Annotated[float, AfterValidator(_plausible)]
Parameters = Annotated[float, Field(gt=0)]
Probability = Annotated[float, Field(ge=0, le=1)]
# The file may hold a classification as its text: compared by value, not by type.
Classified = Annotated[Classification, Field(strict=False)]


class Alternative(BaseModel):
    """What refresh-dataset reads of a method's estimate besides the chosen one."""

    model_config = STRICT

    method: str
    training_flop: float
    confidence: Confidence


class EstimateRecord(BaseModel):
    """What refresh-dataset and classification read of an estimate record, in the order
    its fields are checked: the key, the required fields, then the optional ones (a default
    only marks a field that may be absent: the records are read as they are)."""

    model_config = STRICT

    key: Annotated[str, Field(min_length=1)]
    training_flop: Flop
    flop_low: float
    flop_high: float
    confidence: Confidence
    estimation_method: str
    threshold_classification: Classified
    status: Status
    name: str = ""
    developer: str = ""
    release_date: str = ""
    parameters: Parameters | None = None
    parameter_source: str = ""
    confidence_explanation: str = ""
    reasoning: str = ""
    sources: list[str] = []
    alternatives: list[Alternative] = []
    evidence_hash: str = ""
    p_above: Probability = 0.0
    first_seen: str | None = None


LISTS = {"sources": "must be a list of texts", "alternatives": "must be a list of objects"}
RECORD = TypeAdapter(EstimateRecord)
TEXTS = TypeAdapter(list[StrictStr])


def texts(value: Any) -> str | None:
    """Why ``value`` is not a list of texts, or None."""
    if type(value) is list and all(isinstance(text, str) for text in value):
        return None  # the usual case, decided without the validator
    try:
        TEXTS.validate_python(value)
    except ValidationError:
        return LISTS["sources"]
    return None


def _located(error: ErrorDetails) -> tuple[str, str]:
    """(field, message) of a validation error, as the one-line error names them."""
    loc, value, kind = error["loc"], error["input"], error["type"]
    if not loc:
        return "", "must be an object"
    if loc[0] in LISTS and len(loc) <= 2:  # the list itself, or an item of the wrong type
        return str(loc[0]), LISTS[str(loc[0])]
    name = str(loc[-1])
    field = name if len(loc) == 1 else f"{loc[0]}[{loc[1]}].{name}"
    if kind == "missing":
        return field, f"missing {name}"
    if kind == "value_error":  # a validator's own words (the plausible training compute)
        return field, str(error["ctx"]["error"])
    if kind in ("enum", "literal_error"):
        return field, f"{value!r} is not one of {', '.join(VOCABULARIES[name])}"
    if kind == "greater_than":
        return field, f"{value!r} is not positive"
    if kind in ("greater_than_equal", "less_than_equal"):
        return field, f"{value!r} is not between 0 and 1"
    if kind == "string_type":
        return field, f"{value!r} is not text"
    return field, f"{value!r} is not a number"


def _flaw(record: Any) -> tuple[str, str] | None:
    """(field, message) of the first field of ``record`` that fails, or None: the record's
    own fields first, then those of its alternatives."""
    try:
        RECORD.validate_python(record)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        return _located(min(errors, key=lambda e: len(e["loc"]) > 2))
    return None


# What a record holds as estimate-flops writes it: checked in plain Python, it needs no
# validator. Each test is at least as strict as EstimateRecord's; a record that fails one
# is checked by the validator, which accepts it or names the field.
TEXT_FIELDS = ("name", "developer", "release_date", "parameter_source",
               "confidence_explanation", "reasoning", "evidence_hash")  # fmt: skip
CLASSIFICATION_TEXTS = frozenset(c.value for c in Classification)


INF = math.inf
STR_ONLY = frozenset({str})
BLANKS = ("",) * len(TEXT_FIELDS)


def _plainly_valid(record: dict[str, Any]) -> bool:
    """Whether ``record`` is certainly valid: every field of the type estimate-flops
    writes (floats as floats, texts as texts) and in range. Comparisons are written out
    (a float between -inf and inf is finite: NaN compares false) as this runs for every
    record of a file changed since estimate-flops wrote it."""
    get = record.get
    key, flop, low, high = get("key"), get("training_flop"), get("flop_low"), get("flop_high")
    parameters, p, seen = get("parameters"), get("p_above", 0.0), get("first_seen")
    confidence, status = get("confidence"), get("status")
    classification, sources = get("threshold_classification"), get("sources", [])
    if not (
        type(key) is str and key != ""
        and type(flop) is float and 0 < flop < MAX_FLOP
        and type(low) is float and -INF < low < INF
        and type(high) is float and -INF < high < INF
        and type(get("estimation_method")) is str
        and type(confidence) is str and confidence in CONFIDENCE
        and type(status) is str and status in STATUSES
        and type(classification) is str and classification in CLASSIFICATION_TEXTS
        and STR_ONLY.issuperset(map(type, map(get, TEXT_FIELDS, BLANKS)))
        and (parameters is None or (type(parameters) is float and 0 < parameters < INF))
        and type(p) is float and 0 <= p <= 1
        and (seen is None or type(seen) is str)
        and type(sources) is list and STR_ONLY.issuperset(map(type, sources))
    ):  # fmt: skip
        return False
    alternatives = get("alternatives", [])
    if type(alternatives) is not list:
        return False
    for alternative in alternatives:
        if type(alternative) is not dict:
            return False
        method, flop, confidence = (
            alternative.get("method"),
            alternative.get("training_flop"),
            alternative.get("confidence"),
        )
        if not (
            type(method) is str
            and type(flop) is float
            and -INF < flop < INF
            and type(confidence) is str
            and confidence in CONFIDENCE
        ):
            return False
    return True


def estimates_by_key(models: list[dict[str, Any]], path: Path) -> dict[str, dict[str, Any]]:
    """Estimate records by key, each checked first (saved in ``path``, or about to be):
    an InputError names the file, the record and the field."""
    for index, record in enumerate(models):
        if type(record) is dict and _plainly_valid(record):
            continue
        row = f"models[{index}]"
        flaw = _flaw(record)
        if flaw is None:
            continue
        if not flaw[0]:
            raise InputError(flaw[1], file=path, row=row)
        if flaw[0] == "key":
            raise InputError("missing key", file=path, row=row, field="key")
        raise InputError(flaw[1], file=path, row=f"{row} ({record['key']})", field=flaw[0])
    return {record["key"]: record for record in models}
