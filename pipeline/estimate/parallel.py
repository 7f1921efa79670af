"""Estimating on two cores (:mod:`pipeline.twocores`): a forked child makes the records of
the later keys while this process makes those of the earlier ones, and hands them back as
the lines they are saved as (:func:`pipeline.storage.jsondoc.encode_lines`). The result is
the same as made in one process, in the same order:

- the keys are cut at a chunk's end, so each chunk is estimated as in one process;
- the order of the benchmarks among all the keys is found before the fork, and each
  part's predictions follow it, so each model's benchmarks are in the order of the whole;
- the child's records are decoded from its lines, which JSON holds exactly (a record never
  holds NaN or infinity: encoding refuses them).

Used for at least :data:`SPLIT_FROM` keys, where forking is safe (not in the worker).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

import orjson

from pipeline import twocores
from pipeline.estimate import estimator as estimating
from pipeline.storage.jsondoc import BATCH, encode_lines

if TYPE_CHECKING:
    from pipeline.estimate.estimator import Estimator

SPLIT_FROM = 20_000  # fewer keys: forking costs more than it saves
CHILD_SHARE = 0.5  # the child's part of the keys (this process also decodes its records)

Made = list[tuple[str, dict[str, Any]]]
Encoded = tuple[Made, list[memoryview]]


def estimate_encoded(estimator: Estimator, keys: list[str], digests: dict[str, str]) -> Encoded:
    """(key, record) for each of ``keys`` some method applies to, in order, and each
    record's line as saved (``digests``: those known already; the others are made)."""
    chunk = estimating.CHUNK
    cut = max(chunk, round(len(keys) * (1 - CHILD_SHARE) / chunk) * chunk)
    if len(keys) < SPLIT_FROM or cut >= len(keys) or not twocores.may_fork():
        return _made(estimator, keys, digests)
    estimator.digest(keys[0])  # what every digest shares: made once, before the fork
    order = estimator.benchmark_order(keys)
    (made, lines), (theirs, their_lines) = twocores.in_two(
        partial(_made, estimator, keys[:cut], digests, order),
        partial(_made, estimator, keys[cut:], digests, order),
        _packed,
        _unpacked,
    )
    return made + theirs, lines + their_lines


def _made(
    estimator: Estimator,
    keys: list[str],
    digests: dict[str, str],
    order: list[str] | None = None,
) -> Encoded:
    """The records of ``keys`` and their lines (``order``: the benchmarks' of all the keys
    estimated together)."""
    predictions = estimator.predictions(keys, order)
    made = list(estimator.iter_estimates(keys, digests, predictions))
    return made, encode_lines([record for _, record in made])


def _packed(result: Encoded) -> Iterator[bytes | memoryview]:
    """The child's answer: how many lines, each one's length, then the lines."""
    lines = result[1]
    yield array("Q", [len(lines), *map(len, lines)]).tobytes()
    yield from lines


def _unpacked(answer: memoryview) -> Encoded | None:
    """The records and lines of a child's answer (None unless it is whole); the records are
    decoded from the lines about a megabyte at a time."""
    count = _numbers(answer[:8])
    start = 8 + 8 * count[0] if count else len(answer) + 1
    lengths = _numbers(answer[8:start]) if start <= len(answer) else array("Q")
    if start + sum(lengths) != len(answer):
        return None
    lines: list[memoryview] = []
    records: list[dict[str, Any]] = []
    batch, batched = [], 0
    for length in lengths:
        line = answer[start : start + length]
        start += length
        lines.append(line)
        batch.append(line)
        batched += length
        if batched >= BATCH:
            records += _decoded(batch)
            batch, batched = [], 0
    records += _decoded(batch)
    return [(record["key"], record) for record in records], lines


def _decoded(lines: list[memoryview]) -> list[dict[str, Any]]:
    return orjson.loads(b"".join([b"[", b",".join(lines), b"]"])) if lines else []


def _numbers(data: memoryview) -> array[int]:
    numbers = array("Q")
    if len(data) % 8 == 0:
        numbers.frombytes(data)
    return numbers
