"""The rows the estimates ask for: each model's automated cells in the candidates or below
table (:func:`row_from_estimate`), by key.

Read from the saved estimates, only these rows are kept, not the records: each megabyte of
lines is decoded and made into rows before the next. A file exactly as estimate-flops
wrote it (:mod:`pipeline.storage.fingerprint`) is read this way on two cores when it is
large (:mod:`pipeline.twocores`); any other file is read and checked record by record as
before (:func:`pipeline.estimate.runner.load_previous`).
"""

from __future__ import annotations

import contextlib
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
from pipeline.storage.jsondoc import ModelsText, collector_paused, models_text
from pipeline.values import format_number

Rows = dict[str, dict[str, str]]

SPLIT_FROM = 20 << 20  # bytes of models (about 12,000): less, forking costs more than it saves


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
    models = models_text(paths.estimated)
    if models is not None and as_recorded(
        models.fingerprint, paths.estimated, paths.estimated_fingerprint, checks()
    ):
        with contextlib.suppress(orjson.JSONDecodeError), collector_paused():
            return _rows_of(models)
    return desired_rows(load_previous(paths).values())


def _rows_of(models: ModelsText) -> Rows:
    """The rows of a file as estimate-flops wrote it; on two cores when it is large."""
    start, end = models.start, models.end
    if end - start < SPLIT_FROM or not twocores.may_fork():
        return _rows(models, start, end)
    middle = models.middle()
    mine, theirs = twocores.in_two(
        partial(_rows, models, start, middle),
        partial(_rows, models, middle, end),
        lambda rows: [marshal.dumps(rows)],
        _unmarshalled,
    )
    mine.update(theirs)  # in order: a key in both halves keeps its place, takes the later row
    return mine


def _rows(models: ModelsText, start: int, end: int) -> Rows:
    """The rows of the models between ``start`` and ``end``."""
    rows: Rows = {}
    for batch in models.batches(start, end):
        rows.update(desired_rows(batch))
    return rows


def _unmarshalled(answer: memoryview) -> Rows | None:
    try:
        rows = marshal.loads(answer)
    except (EOFError, ValueError, TypeError):
        return None
    return rows if isinstance(rows, dict) else None
