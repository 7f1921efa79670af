"""Pinned fields (ARCHITECTURE §6): a reviewer's correction of an unverified candidate.

The corrected value is kept against re-estimation, without marking the row verified (only
a decision does): the row stays in the review queue. Which fields are pinned is read from
the row's own audit notes, so the pin travels with the row; the value is the row's cell. A
pinned ``training_flop`` is taken as exact: the classification, status and
``p_above_1e25`` are recomputed from it, and the reasoning says so first. A pinned row
stays in the candidates, whatever its classification, until a person decides.
"""

from __future__ import annotations

import re

from pipeline.estimate.classify import classify, status_for
from pipeline.settings import Thresholds
from pipeline.values import format_number, parse_flop

PINNED = "pinned against re-estimation"
CORRECTION = "Reviewer correction: training_flop {value}"
PROBABILITY = "p_above_1e25"
_FIELD = re.compile(r"(?:: |; )([a-z][a-z0-9_.]*) = ")


def pin_suffix() -> str:
    """What ends the audit note of a pinning correction."""
    return f"; {PINNED}"


def pinned_fields(notes: str) -> set[str]:
    """The fields the row's audit notes say a reviewer pinned."""
    fields: set[str] = set()
    for line in notes.splitlines():
        if line.rstrip().endswith(PINNED):
            fields.update(_FIELD.findall(line))
    return fields


def with_pins(
    desired: dict[str, str], current: dict[str, str], pins: set[str], thresholds: Thresholds
) -> dict[str, str]:
    """``desired`` (the automated cells of a row) with the pinned cells of ``current`` and,
    when ``training_flop`` is pinned, what follows from it."""
    row = dict(desired)
    for column in pins:
        if column in current:
            row[column] = current[column]
    if "training_flop" in pins:
        row.update(from_corrected_flop(row, thresholds))
    return row


def from_corrected_flop(row: dict[str, str], thresholds: Thresholds) -> dict[str, str]:
    """Classification, status, ``p_above_1e25`` (where the row has it) and reasoning of a
    row whose ``training_flop`` a reviewer corrected; {} when the value is not a number."""
    try:
        flop = parse_flop(row.get("training_flop", ""))
    except ValueError:
        return {}
    if flop is None:
        return {}
    # A reviewer's figure is taken as exact: the probability is 1, 0 or, at the threshold, 0.5.
    p_above = 1.0 if flop > thresholds.threshold else 0.0 if flop < thresholds.threshold else 0.5
    classification = classify(p_above, thresholds)
    cells = {
        "threshold_classification": classification.value,
        "status": status_for(classification, row.get("confidence", "")),
    }
    if PROBABILITY in row:
        cells[PROBABILITY] = format_number(p_above)
    said = CORRECTION.format(value=format_number(flop))
    reasoning = row.get("reasoning", "")
    if not reasoning.startswith(said):
        earlier = re.sub(r"^Reviewer correction: training_flop \S+\. (Estimate: )?", "", reasoning)
        cells["reasoning"] = f"{said}. Estimate: {earlier}" if earlier else f"{said}."
    return cells
