"""The candidates/below/staging schema and its vocabularies (ARCHITECTURE §4)."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, get_args

KEY = "model"
COLUMNS = [
    "model", "developer", "release_date", "parameters", "parameter_source", "training_flop",
    "confidence", "confidence_explanation", "estimation_method", "alternative_methods",
    "threshold_classification", "p_above_1e25", "status", "reasoning", "sources", "verified",
    "last_updated", "notes",
]  # fmt: skip

Confidence = Literal["high", "medium", "low", "speculative"]
CONFIDENCE: tuple[str, ...] = get_args(Confidence)


class Classification(StrEnum):
    """``threshold_classification``: where an estimate puts a model against 1e25 FLOP."""

    ABOVE = "high_confidence_above_1e25"
    NOT_SURE = "not_sure"
    BELOW = "high_confidence_below_1e25"


CLASSIFICATIONS = tuple(Classification)
Status = Literal[
    "confirmed_above_1e25", "likely_above_1e25", "uncertain", "likely_below_1e25",
    "confirmed_below_1e25",
]  # fmt: skip
STATUSES: tuple[str, ...] = get_args(Status)
VERIFIED = "y"

# Legacy and foreign spellings readers accept, and what they mean.
LEGACY_VALUES: dict[str, dict[str, str]] = {
    "confidence": {
        "confident": "high", "likely": "medium", "speculative": "speculative",
        "unknown": "low",
    },
    "threshold_classification": {
        "uncertain": Classification.NOT_SURE, "not sure": Classification.NOT_SURE,
        "high_confidence_above": Classification.ABOVE, "above": Classification.ABOVE,
        "high_confidence_below": Classification.BELOW, "below": Classification.BELOW,
    },
    "status": {"not_sure": "uncertain", "confirmed_above": "confirmed_above_1e25",
               "confirmed_below": "confirmed_below_1e25"},
    "verified": {"yes": VERIFIED, "true": VERIFIED, "1": VERIFIED, "x": VERIFIED,
                 "no": "", "n": "", "false": "", "0": ""},
}  # fmt: skip

VOCABULARIES: dict[str, tuple[str, ...]] = {
    "confidence": CONFIDENCE,
    "threshold_classification": CLASSIFICATIONS,
    "status": STATUSES,
    "verified": (VERIFIED,),
}

# Columns the pipeline computes; ``model``, ``verified`` and ``notes`` belong to people.
AUTOMATED = [c for c in COLUMNS if c not in (KEY, "verified", "notes", "last_updated")]


def canonical(field: str, value: str) -> str:
    """The vocabulary value a cell means; ValueError when it means nothing known."""
    text = value.strip()
    allowed = VOCABULARIES.get(field)
    if allowed is None or text == "" or text in allowed:
        return text
    lowered = text.lower()
    if lowered in allowed:
        return lowered
    if lowered in LEGACY_VALUES.get(field, {}):
        return str(LEGACY_VALUES[field][lowered])  # plain text, as cells hold
    raise ValueError(f"{value!r} is not one of {', '.join(allowed)}")


def is_verified(cells: dict[str, str]) -> bool:
    """A row people have confirmed: automation never changes, drops or moves it."""
    try:
        return canonical("verified", cells.get("verified", "")) == VERIFIED
    except ValueError:
        return bool(cells.get("verified", "").strip())
