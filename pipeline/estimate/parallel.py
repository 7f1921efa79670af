"""Estimating on two cores (:mod:`pipeline.twocores`): a forked child makes the records of
the later keys while this process makes those of the earlier ones, and hands them back as
the lines they are saved as (:func:`pipeline.storage.jsondoc.encode_lines`). The result is
the same as made in one process, in the same order:

- the keys are cut at a chunk's end, so each chunk is estimated as in one process;
- the order of the benchmarks among all the keys is found before the fork, and each
  part's predictions follow it, so each model's benchmarks are in the order of the whole;
- the child's records are decoded from its lines, which JSON holds exactly (a record never
  holds NaN or infinity: encoding refuses them), and only when they are wanted: each
  record's key, compute, method and class come back with the lines, which is all an
  ``--update`` that finds the file unchanged needs.

Used for at least :data:`SPLIT_FROM` keys, where forking is safe (not in the worker).
"""

from __future__ import annotations

import marshal
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import orjson

from pipeline import twocores
from pipeline.estimate import estimator as estimating
from pipeline.estimate.interpolation import benchmark_order
from pipeline.storage.jsondoc import BATCH, encode_lines

if TYPE_CHECKING:
    from pipeline.estimate.estimator import Estimator

SPLIT_FROM = 20_000  # fewer keys: forking costs more than it saves
CHILD_SHARE = 0.5  # the child's part of the keys (this process also decodes its records)

Made = list[tuple[str, dict[str, Any]]]
Summary = tuple[str, float, str, str]  # a record's key, compute, method and class
SUMMED = itemgetter("key", "training_flop", "estimation_method", "threshold_classification")


@dataclass
class Estimated:
    """The records of the keys estimated, in key order: each one's line as saved and its
    summary; the records themselves as far as they are decoded (:meth:`records`)."""

    made: Made
    lines: list[memoryview]
    summaries: list[Summary]
    undecoded: list[memoryview] = field(default_factory=list)  # lines of the later records

    def records(self) -> Made:
        """(key, record) for every record, the later ones decoded from their lines now
        (a megabyte of lines at a time) if they were not yet."""
        if self.undecoded:
            for batch in _batches(self.undecoded):
                self.made += [(record["key"], record) for record in _decoded(batch)]
            self.undecoded = []
        return self.made


def estimate_encoded(
    estimator: Estimator, keys: list[str], digests: dict[str, str], decode: bool = True
) -> Estimated:
    """The records of each of ``keys`` some method applies to (``digests``: those known
    already; the others are made); with ``decode`` false, those the child made are left
    as lines until :meth:`Estimated.records` is called."""
    chunk = estimating.CHUNK
    cut = max(chunk, round(len(keys) * (1 - CHILD_SHARE) / chunk) * chunk)
    if len(keys) < SPLIT_FROM or cut >= len(keys) or not twocores.may_fork():
        return _made(estimator, keys, digests)
    estimator.digest(keys[0])  # what every digest shares: made once, before the fork
    order = benchmark_order(estimator.evidence, keys)
    mine, theirs = twocores.in_two(
        partial(_made, estimator, keys[:cut], digests, order),
        partial(_made, estimator, keys[cut:], digests, order),
        _packed,
        _unpacked,
    )
    both = Estimated(
        mine.made + theirs.made,
        mine.lines + theirs.lines,
        mine.summaries + theirs.summaries,
        theirs.undecoded,
    )
    if decode:
        both.records()
    return both


def _made(
    estimator: Estimator,
    keys: list[str],
    digests: dict[str, str],
    order: list[str] | None = None,
) -> Estimated:
    """The records of ``keys`` and their lines (``order``: the benchmarks' of all the keys
    estimated together)."""
    made = list(estimator.iter_estimates(keys, digests, order))
    records = [record for _, record in made]
    return Estimated(made, encode_lines(records), list(map(SUMMED, records)))


def _packed(result: Estimated) -> Iterator[bytes | memoryview]:
    """The child's answer: how many lines and the size of the summaries; each line's
    length; the lines; the summaries (marshalled)."""
    lines, summaries = result.lines, marshal.dumps(result.summaries)
    yield array("Q", [len(lines), len(summaries), *map(len, lines)]).tobytes()
    yield from lines
    yield summaries


def _unpacked(answer: memoryview) -> Estimated | None:
    """The lines and summaries of a child's answer, the records left undecoded; None unless
    the answer is whole."""
    head = _numbers(answer[:16])
    start = 16 + 8 * head[0] if len(head) == 2 else len(answer) + 1
    lengths = _numbers(answer[16:start]) if start <= len(answer) else array("Q")
    if len(head) != 2 or start + sum(lengths) + head[1] != len(answer):
        return None
    lines = []
    for length in lengths:
        lines.append(answer[start : start + length])
        start += length
    try:
        summaries = marshal.loads(answer[start:])
    except (EOFError, ValueError, TypeError):
        return None
    if not isinstance(summaries, list) or len(summaries) != len(lines):
        return None
    return Estimated([], lines, summaries, lines)


def _batches(lines: list[memoryview]) -> Iterator[list[memoryview]]:
    """``lines`` a megabyte at a time."""
    batch, batched = [], 0
    for line in lines:
        batch.append(line)
        batched += len(line)
        if batched >= BATCH:
            yield batch
            batch, batched = [], 0
    if batch:
        yield batch


def _decoded(lines: list[memoryview]) -> list[dict[str, Any]]:
    return orjson.loads(b"".join([b"[", b",".join(lines), b"]"]))


def _numbers(data: memoryview) -> array[int]:
    numbers = array("Q")
    if len(data) % 8 == 0:
        numbers.frombytes(data)
    return numbers
