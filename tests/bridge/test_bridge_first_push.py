"""The first push to the local workbook: sheets, header, formatting, cells (ARCHITECTURE §6)."""

from __future__ import annotations

from bridge_support import TITLES, Project, no_write
from openpyxl import load_workbook

from bridge.codec import from_sheet, normal
from bridge.outcome import Outcome

SCHEMA = [
    "model", "developer", "release_date", "parameters", "parameter_source", "training_flop",
    "confidence", "confidence_explanation", "estimation_method", "alternative_methods",
    "threshold_classification", "p_above_1e25", "status", "reasoning", "sources", "verified",
    "last_updated", "notes",
]  # fmt: skip


def test_first_push_creates_the_three_sheets(fresh: Project) -> None:
    report = fresh.mirror()
    assert report.pushed and not report.local.changes and report.written == []
    book = load_workbook(fresh.workbook)
    assert book.sheetnames == ["Candidates", "Staging", "Published"]
    assert report.notices == [
        f"Started {fresh.file('published')} from {fresh.data / 'raw/epoch/published_data.csv'}"
    ]
    assert all(isinstance(o, Outcome) and not o.statuses for o in report.outcomes.values())


def test_headers_are_the_columns_plus_reviewer_and_worker_columns(fresh: Project) -> None:
    fresh.mirror()
    book = load_workbook(fresh.workbook)
    headers = {t: [c.value for c in book[title][1]] for t, title in TITLES.items()}
    assert headers["candidates"] == [*SCHEMA, "decision", "reason", "sync_status"]
    assert headers["staging"] == [*SCHEMA, "publish", "published_name", "sync_status"]
    published = list(fresh.rows("published")["Grok 4"])
    assert headers["published"] == [*published, "sync_status"]
    for title in TITLES.values():
        sheet = book[title]
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.bold for cell in sheet[1])


def test_decision_and_publish_offer_a_list(fresh: Project) -> None:
    fresh.mirror()
    book = load_workbook(fresh.workbook)
    rules = {
        sheet.title: [
            (r.type, r.formula1, str(r.sqref)) for r in sheet.data_validations.dataValidation
        ]
        for sheet in book
    }
    assert rules == {
        "Candidates": [("list", '"y,n"', "S2:S1048576")],
        "Staging": [("list", '"y"', "S2:S1048576")],
        "Published": [],
    }


def test_long_text_is_wrapped(fresh: Project) -> None:
    fresh.mirror()
    sheet = load_workbook(fresh.workbook)["Candidates"]
    reasoning, developer = SCHEMA.index("reasoning") + 1, SCHEMA.index("developer") + 1
    assert sheet.cell(2, reasoning).alignment.wrap_text
    assert not sheet.cell(2, developer).alignment.wrap_text


def test_rows_match_the_csv_files_cell_for_cell(fresh: Project) -> None:
    fresh.mirror()
    book = load_workbook(fresh.workbook)
    for table, title in TITLES.items():
        layout, local = fresh.layout(table), list(fresh.rows(table).values())
        rows = list(book[title].iter_rows(min_row=2, values_only=True))
        assert len(rows) == len(local)
        for values, row in zip(rows, local, strict=True):
            read = {c: from_sheet(layout, c, v) for c, v in zip(layout.header, values, strict=True)}
            want = {c: normal(layout, c, row.get(c, "")) for c in layout.header}
            assert read == want
    assert len(fresh.rows("candidates")) > 50


def test_numbers_are_numbers_and_text_is_text(fresh: Project) -> None:
    fresh.mirror()
    grok = fresh.sheet_by_key("candidates")["grok_3"]
    assert grok["training_flop"] == 3.5e26
    assert grok["release_date"] == "2025-02-17"
    assert grok["parameters"] is None and grok["decision"] is None
    gemma = fresh.sheet_by_key("candidates")["gemma_3_27b"]
    assert gemma["parameters"] == 27000000000 and isinstance(gemma["parameters"], int)
    assert fresh.sheet_by_key("published")["Grok 4"]["Training compute (FLOP)"] == 5e26


def test_a_second_sync_writes_nothing(fresh: Project) -> None:
    fresh.mirror()
    before = fresh.snapshot()
    report = fresh.mirror()
    assert no_write(report)
    assert report.calls == {"read": 1}
    assert fresh.snapshot() == before


def test_bridge_sync_command_builds_the_workbook(fresh: Project) -> None:
    result = fresh.cli("bridge", "sync")
    assert result.exit_code == 0, result.output
    assert "0 conflicts and 0 problems waiting in the sheet" in result.output
    assert fresh.workbook.exists()
    again = fresh.cli("bridge", "sync")
    assert "0 cells to write" in again.output
