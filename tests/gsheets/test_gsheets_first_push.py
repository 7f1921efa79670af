"""The first push into an empty spreadsheet, and the idle sync after it (ARCHITECTURE §6, §10):
one metadata read, one structure request adding the three sheets, one RAW values write;
then one read and nothing else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gsheets_support import TITLES, Rig, csv_header, read_csv, write_csv

from bridge.mirror import MirrorReport

FORMULA_LIKE = {
    "notes": "=1+1",
    "reasoning": "+1 555 0100 (call the lab)",
    "confidence_explanation": "-5 dB noise, see appendix",
    "sources": "@epochai on X",
    "parameter_source": "42",
}


@pytest.fixture
def pushed(project: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Rig, MirrorReport]:
    """The pipeline's output, grok_3's text cells set to formula-like text, one sync."""
    rig = Rig.after_pipeline(project, tmp_path_factory)
    path = rig.file("candidates")
    rows = read_csv(path)
    rows["grok_3"].update(FORMULA_LIKE)
    write_csv(path, csv_header(path), list(rows.values()))
    return rig, rig.sync()


def test_first_push_makes_three_requests(pushed: tuple[Rig, MirrorReport]) -> None:
    rig, report = pushed
    assert rig.counts() == {"metadata": 1, "read": 0, "write": 1, "structure": 1}
    assert [(c.kind, c.method, c.status) for c in rig.fake.calls] == [
        ("metadata", "GET", 200),
        ("structure", "POST", 200),
        ("write", "POST", 200),
    ]
    assert report.pushed and report.notices == [
        f"Started {rig.file('published')} from {rig.data / 'raw/epoch/published_data.csv'}"
    ]


def test_the_structure_request_adds_three_sheets_with_a_frozen_header(
    pushed: tuple[Rig, MirrorReport],
) -> None:
    rig, _ = pushed
    requests = rig.fake.calls[1].body["requests"]
    added = [r["addSheet"]["properties"]["title"] for r in requests if "addSheet" in r]
    assert added == list(TITLES.values())
    widths = {"Candidates": 21, "Staging": 21, "Published": 32}
    for title, width in widths.items():
        sheet = rig.fake.sheet(title)
        assert (sheet.frozen_row_count, sheet.frozen_column_count) == (1, 1)
        assert len(rig.header(title)) == width <= sheet.column_count
        assert sheet.row_count >= len(rig.fake.values(title))
    assert rig.fake.titles() == ["Candidates", "Staging", "Published"]


# Pixels of the first screen's columns: 7 a character of the workbook's widths, plus 10.
PIXELS = [234, 94, 101, 101, 206, 73, 192, 248]


def test_the_candidates_sheet_is_laid_out_for_deciding(pushed: tuple[Rig, MirrorReport]) -> None:
    rig, _ = pushed
    assert rig.header("Candidates")[:8] == [
        "model", "developer", "training_flop", "p_above_1e25", "threshold_classification",
        "decision", "reason", "sync_status",
    ]  # fmt: skip
    sheet = rig.fake.sheet("Candidates")
    assert [sheet.column_pixels[i] for i in range(8)] == PIXELS
    assert len(sheet.column_pixels) == 21 and sheet.basic_filter is not None
    (rule,) = sheet.conditional_rules
    formula = rule["booleanRule"]["condition"]["values"][0]["userEnteredValue"]
    assert formula.startswith('=AND($H2<>"",LEFT($H2,8)<>"applied:"')
    patterns = {
        f["range"]["startColumnIndex"]: f["cell"]["userEnteredFormat"]["numberFormat"]["pattern"]
        for f in sheet.formats
        if "numberFormat" in f["cell"]["userEnteredFormat"]
    }
    header = rig.header("Candidates")
    assert patterns == {
        header.index("training_flop"): "0.0#e+00",
        header.index("p_above_1e25"): "0.000",
        header.index("parameters"): "#,##0",
    }


def test_values_are_written_raw_and_equal_the_csv_through_the_codec(
    pushed: tuple[Rig, MirrorReport],
) -> None:
    rig, _ = pushed
    assert rig.fake.calls[2].body["valueInputOption"] == "RAW"
    for table, title in TITLES.items():
        assert rig.fake.values(title) == rig.expected_values(table), title
    assert rig.fake.values("Staging") == [rig.layout("staging").header]
    assert len(rig.sheet("Candidates")) == len(rig.rows("candidates")) > 50
    assert len(rig.sheet("Published")) == 26


def test_numbers_are_numbers_and_text_stays_text(pushed: tuple[Rig, MirrorReport]) -> None:
    rig, _ = pushed
    grok = rig.by_key("Candidates")["grok_3"]
    assert grok["training_flop"] == 3.5e26 and isinstance(grok["training_flop"], float)
    assert grok["release_date"] == "2025-02-17"  # a date is written as text, never a serial
    assert grok["verified"] == ""
    assert grok["sync_status"] == "published: as 'Grok-3'; no review needed"
    params = [r["parameters"] for r in rig.sheet("Candidates") if r["parameters"] != ""]
    assert params and all(type(p) is int for p in params)
    for column, text in FORMULA_LIKE.items():
        cell = rig.fake.cell("Candidates", rig.a1("Candidates", "grok_3", column))
        assert cell is not None and (cell.value, cell.formula) == (text, None), column


def test_the_metadata_is_remembered_in_the_state_file(pushed: tuple[Rig, MirrorReport]) -> None:
    rig, _ = pushed
    cache = json.loads(rig.state.read_text())["cache"]["gsheets"]["sheets"]
    assert cache == {
        s.title: {"id": s.sheet_id, "rows": s.row_count, "cols": s.column_count}
        for s in rig.fake.sheets
    }


def test_an_idle_second_sync_reads_once_and_writes_nothing(
    pushed: tuple[Rig, MirrorReport],
) -> None:
    rig, _ = pushed
    files, values = rig.files(), rig.values()
    report = rig.sync()
    assert rig.counts() == {"metadata": 0, "read": 1, "write": 0, "structure": 0}
    assert not report.pushed and not report.written and not report.local.changes
    assert not any(report.changes.values())
    assert rig.files() == files and rig.values() == values
    params = rig.fake.calls[0].params
    assert params["valueRenderOption"] == ["UNFORMATTED_VALUE"]
    assert params["ranges"] == ["'Candidates'", "'Staging'", "'Published'"]
