"""Airtable's 100,000-character limit for a text cell: longer text is shortened in the base
(and the sync says so); the full text stays in the local files, and the shortened cell
never reads back as a reviewer edit."""

from __future__ import annotations

from pathlib import Path

import pytest
from airtable_support import SMALL, Base, csv_text, new_base, read_table
from fakes.airtable_fake import MAX_TEXT_CHARS


@pytest.fixture
def base(project: Path, monkeypatch: pytest.MonkeyPatch) -> Base:
    base = new_base(project, monkeypatch)
    base.keep_candidates(SMALL)
    return base


def test_text_over_100000_characters_is_shortened_in_the_base_and_kept_locally(
    base: Base,
) -> None:
    long = "a long reasoning; " * 7_000  # 126,000 characters
    header, rows = read_table(base.file("candidates"))
    for row in rows:
        if row["model"] == "grok_3":
            row["reasoning"] = long
    base.file("candidates").write_text(csv_text(header, rows), encoding="utf-8")
    report = base.sync()
    cell = base.by_key("candidates")["grok_3"]["reasoning"]
    assert len(cell) == MAX_TEXT_CHARS and cell.endswith("…") and long.startswith(cell[:-1])
    assert any(
        "Shortened in the sheet to 100,000 characters" in n and "candidates grok_3 reasoning" in n
        for n in report.notices
    )
    base.edit("candidates", "grok_3", {"parameter_source": "the lab's paper"})
    base.sync()
    kept = base.rows("candidates")["grok_3"]
    assert kept["reasoning"] == long and kept["parameter_source"] == "the lab's paper"
    base.sync()
    assert base.counts()["write"] == 0
    assert base.rows("candidates")["grok_3"]["reasoning"] == long
