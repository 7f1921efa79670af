"""The rows the estimates ask for: each model's automated cells in the candidates or below
table (:func:`row_from_estimate`), by key.

Read from the saved estimates, only these rows are kept, not the records: each megabyte of
lines is decoded and made into rows before the next. A file exactly as estimate-flops
wrote it (:mod:`pipeline.storage.fingerprint`) is read this way on two cores when it is
large (:mod:`pipeline.twocores`); any other file is read and checked record by record as
before (:func:`pipeline.estimate.runner.load_previous`).
"""

from __future__ import annotations

import marshal
from collections.abc import Iterable
from functools import partial
from typing import Any

import orjson

from pipeline import twocores
from pipeline.estimate.probability import format_probability
from pipeline.estimate.runner import checks, load_previous
from pipeline.paths import DataPaths
from pipeline.schema import KEY
from pipeline.storage.fingerprint import as_recorded
from pipeline.storage.jsondoc import BATCH, collector_paused, model_lines
from pipeline.values import format_number

Rows = dict[str, dict[str, str]]

SPLIT_FROM = 20_000  # fewer models: forking costs more than it saves


def row_from_estimate(estimate: dict[str, Any]) -> dict[str, str]:
    """The automated cells of a candidates/below row for one estimate record."""
    get = estimate.get
    alternatives = "; ".join(
        [
            f"{alt['method']}: {format_number(alt['training_flop'])} ({alt['confidence']})"
            for alt in get("alternatives", ())
        ]
    )
    return {
        KEY: estimate["key"],
        "developer": get("developer", ""),
        "release_date": get("release_date", ""),
        "parameters": format_number(get("parameters")),
        "parameter_source": get("parameter_source", ""),
        "training_flop": format_number(estimate["training_flop"]),
        "confidence": estimate["confidence"],
        "confidence_explanation": get("confidence_explanation", ""),
        "estimation_method": estimate["estimation_method"],
        "alternative_methods": alternatives,
        "threshold_classification": estimate["threshold_classification"],
        "p_above_1e25": format_probability(get("p_above")),
        "status": estimate["status"],
        "reasoning": get("reasoning", ""),
        "sources": "; ".join(get("sources", ())),
    }


def desired_rows(estimates: Iterable[dict[str, Any]]) -> Rows:
    """Each estimate's row by its key (a key given twice: the later estimate's row)."""
    return {estimate["key"]: row_from_estimate(estimate) for estimate in estimates}


def saved_rows(paths: DataPaths) -> Rows:
    """The rows of the saved estimates (none when there are none); a damaged file says how
    to rebuild it."""
    read = model_lines(paths.estimated)
    recorded = read is not None and as_recorded(
        read[1], paths.estimated, paths.estimated_fingerprint, checks()
    )
    if read is None or not recorded:
        return desired_rows(load_previous(paths).values())
    lines = read[0]
    with collector_paused():  # rows hold no reference cycles
        if len(lines) < SPLIT_FROM or not twocores.may_fork():
            return _rows(lines)
        half = len(lines) // 2
        mine, theirs = twocores.in_two(
            partial(_rows, lines[:half]),
            partial(_rows, lines[half:]),
            lambda rows: [marshal.dumps(rows)],
            _unmarshalled,
        )
    mine.update(theirs)  # in order: a key in both halves keeps its place, takes the later row
    return mine


def _rows(lines: list[memoryview]) -> Rows:
    """The rows of estimate records' ``lines``, decoded about a megabyte at a time."""
    rows: Rows = {}
    batch: list[memoryview] = []
    batched = 0
    for line in lines:
        batch.append(line)
        batched += len(line)
        if batched >= BATCH:
            rows.update(desired_rows(orjson.loads(b"".join([b"[", b",".join(batch), b"]"]))))
            batch, batched = [], 0
    if batch:
        rows.update(desired_rows(orjson.loads(b"".join([b"[", b",".join(batch), b"]"]))))
    return rows


def _unmarshalled(answer: memoryview) -> Rows | None:
    try:
        rows = marshal.loads(answer)
    except (EOFError, ValueError, TypeError):
        return None
    return rows if isinstance(rows, dict) else None
