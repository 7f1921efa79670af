"""The review funnel over time (``tracker report``'s second chart): how many models had
become candidates, been confirmed (added to staging) and been published by each day,
from ``data/state/history.jsonl``; and label placement that keeps labels apart."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from pipeline.curate.datasets import CANDIDATES, PUBLISHED, STAGING

STAGES: dict[str, str] = {CANDIDATES: "candidates", STAGING: "confirmed", PUBLISHED: "published"}


def funnel(entries: Iterable[dict[str, Any]]) -> dict[str, list[tuple[date, int]]]:
    """Per stage, (day, models that had reached it by that day): each model counts once,
    on the first day a row for it was added to the stage's table."""
    first: dict[str, dict[str, date]] = {stage: {} for stage in STAGES.values()}
    for entry in entries:
        stage = STAGES.get(str(entry.get("table", "")))
        if stage is None or entry.get("change") not in ("AddRow", "MoveRow"):
            continue
        try:
            day = date.fromisoformat(str(entry.get("time", ""))[:10])
        except ValueError:
            continue
        key = str(entry.get("key", ""))
        if key and (key not in first[stage] or day < first[stage][key]):
            first[stage][key] = day
    series = {}
    for stage, days in first.items():
        total, points = 0, []
        for day in sorted(set(days.values())):
            total += sum(1 for d in days.values() if d == day)
            points.append((day, total))
        series[stage] = points
    return series


def spaced(points: Sequence[tuple[float, float]], gap_x: float, gap_y: float) -> list[int]:
    """Indexes of the points (in the order given, most important first) to label so that
    no two labels are closer than ``gap_x`` and ``gap_y`` in both directions."""
    chosen: list[int] = []
    for index, (x, y) in enumerate(points):
        if all(abs(x - points[c][0]) >= gap_x or abs(y - points[c][1]) >= gap_y for c in chosen):
            chosen.append(index)
    return chosen


def log10(value: float) -> float:
    return math.log10(value) if value > 0 else 0.0
