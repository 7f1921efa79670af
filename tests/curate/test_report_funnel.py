"""The report's review funnel and label placement."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pipeline.report import Point, page
from pipeline.report_funnel import funnel, spaced


def entry(day: str, table: str, key: str, change: str = "AddRow") -> dict[str, str]:
    return {"time": f"{day}T06:00:00Z", "table": table, "key": key, "change": change}


def test_the_funnel_counts_each_model_once_on_its_first_day() -> None:
    series = funnel(
        [
            entry("2026-01-01", "candidates", "a"),
            entry("2026-01-01", "candidates", "b"),
            entry("2026-01-03", "candidates", "c"),
            entry("2026-01-05", "candidates", "a"),  # re-added later: still counted once
            entry("2026-01-04", "staging", "a"),
            entry("2026-01-06", "published", "GPT-A"),
            entry("2026-01-06", "staging", "b", change="UpdateField"),
        ]
    )
    assert series == {
        "candidates": [(date(2026, 1, 1), 2), (date(2026, 1, 3), 3)],
        "confirmed": [(date(2026, 1, 4), 1)],
        "published": [(date(2026, 1, 6), 1)],
    }


def test_labels_keep_apart() -> None:
    points = [(0.0, 26.0), (10.0, 26.05), (300.0, 26.0), (0.0, 25.0)]
    assert spaced(points, gap_x=120, gap_y=0.18) == [0, 2, 3]


def test_candidates_are_listed_with_p_above_and_first_seen(tmp_path: Path) -> None:
    candidate = Point("Gemini X", "Google", date(2025, 1, 2), 8e24, False, "candidate",
                      "0.42", True)  # fmt: skip
    text = page([candidate], {}, b"", 1e25, "-", b"png")
    assert "<td>Gemini X</td>" in text and "<td>0.42</td>" in text
    assert "2025-01-02 (first seen)" in text and "Review funnel" in text
