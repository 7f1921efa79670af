"""The first push to the local workbook: sheets, header, formatting, cells (ARCHITECTURE §6)."""

from __future__ import annotations

from bridge_support import TITLES, Project, no_write, published_statuses
from openpyxl import load_workbook

from bridge.codec import from_sheet, normal
from bridge.outcome import Outcome

DECIDING = ["model", "developer", "training_flop", "p_above_1e25", "threshold_classification"]
EVIDENCE = [
    "release_date", "parameters", "parameter_source", "confidence", "confidence_explanation",
    "estimation_method", "alternative_methods", "status", "reasoning", "sources", "verified",
    "last_updated", "notes",
]  # fmt: skip
# Column widths (characters) of the first screen: fitted to the content, capped.
WIDTHS = {"A": 32, "B": 12, "C": 13, "D": 13, "E": 28, "F": 9, "G": 26, "H": 34}


def test_first_push_creates_the_three_sheets(fresh: Project) -> None:
    report = fresh.mirror()
    assert report.pushed and not report.local.changes and report.written == []
    book = load_workbook(fresh.workbook)
    assert book.sheetnames == ["Candidates", "Staging", "Published", "Guide"]
    assert report.notices == [
        f"Started {fresh.file('published')} from {fresh.data / 'raw/epoch/published_data.csv'}"
    ]
    assert all(isinstance(o, Outcome) for o in report.outcomes.values())
    assert not any(o.statuses for o in report.outcomes.values())
    quiet = report.outcomes["candidates"].quiet
    assert quiet == published_statuses(fresh)
    assert quiet["gpt_4o"] == "published: as 'GPT-4o'; no review needed"


def test_headers_are_the_columns_plus_reviewer_and_worker_columns(fresh: Project) -> None:
    fresh.mirror()
    book = load_workbook(fresh.workbook)
    headers = {t: [c.value for c in book[title][1]] for t, title in TITLES.items()}
    assert headers["candidates"] == [*DECIDING, "decision", "reason", "sync_status", *EVIDENCE]
    assert headers["staging"] == [*DECIDING, "publish", "published_name", "sync_status", *EVIDENCE]
    front = ["Model", "Organization", "Training compute (FLOP)", "sync_status"]
    published = [c for c in fresh.rows("published")["Grok 4"] if c not in front]
    assert headers["published"] == [*front, *published]
    for title in TITLES.values():
        sheet = book[title]
        assert sheet.freeze_panes == "B2"  # the header and the key column
        assert all(cell.font.bold for cell in sheet[1])


def test_the_first_screen_fits_key_flop_decision_reason_and_status(fresh: Project) -> None:
    fresh.mirror()
    sheet = load_workbook(fresh.workbook)["Candidates"]
    widths = {letter: sheet.column_dimensions[letter].width for letter in WIDTHS}
    assert widths == WIDTHS
    # A landscape A4 page, 10.9 in between the margins at 75%, holds 1395 pixels: columns
    # of width w take 7w + 5 (Arial 10); LibreOffice's rendering (docs/workbook.png) shows
    # them all on the first page.
    assert sum(7 * w + 5 for w in widths.values()) <= 1395
    assert sheet.page_setup.scale == 75
    keys = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert max(len(k) for k in keys) <= WIDTHS["A"] and "gemini_2.0_flash_thinking" in "".join(keys)
    assert sheet.page_setup.orientation == "landscape"


def test_numbers_are_formatted_for_reading(fresh: Project) -> None:
    fresh.mirror()
    sheet = load_workbook(fresh.workbook)["Candidates"]
    grok = 2 + [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)].index("grok_3")
    assert sheet.cell(grok, 3).number_format == "0.0#e+00"  # 3.5e+26
    column = 1 + len(DECIDING) + 3 + 1  # parameters
    sized = next(r for r in sheet.iter_rows(min_row=2) if r[column - 1].value is not None)
    assert sized[column - 1].number_format == "#,##0"


def test_problem_rows_are_highlighted_by_a_rule_and_filterable(fresh: Project) -> None:
    fresh.mirror()
    sheet = load_workbook(fresh.workbook)["Candidates"]
    assert sheet.auto_filter.ref == f"A1:U{sheet.max_row}"
    (rules,) = list(sheet.conditional_formatting)
    assert str(rules.sqref) == "A2:U1048576"
    (formula,) = rules.rules[0].formula
    assert formula == (
        'AND($H2<>"",LEFT($H2,8)<>"applied:",LEFT($H2,9)<>"restored:",LEFT($H2,8)<>"waiting:",'
        'LEFT($H2,10)<>"published:")'
    )


def test_the_guide_explains_every_column(fresh: Project) -> None:
    fresh.mirror()
    guide = load_workbook(fresh.workbook)["Guide"]
    rows = list(guide.iter_rows(values_only=True))
    assert rows[0] == ("sheet", "column", "what it means", "what the worker does with it")
    described = {(sheet, column) for sheet, column, *_ in rows[1:]}
    assert ("Candidates", "decision") in described and ("Published", "Model") in described
    assert len(rows) - 1 == 21 + 21 + 32


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
        "Candidates": [("list", '"y,n"', "F2:F1048576")],
        "Staging": [("list", '"y"', "F2:F1048576")],
        "Published": [],
        "Guide": [],
    }


def test_long_text_is_wrapped(fresh: Project) -> None:
    fresh.mirror()
    sheet = load_workbook(fresh.workbook)["Candidates"]
    header = [c.value for c in sheet[1]]
    reasoning, developer = header.index("reasoning") + 1, header.index("developer") + 1
    assert sheet.cell(2, reasoning).alignment.wrap_text
    assert not sheet.cell(2, developer).alignment.wrap_text


def test_rows_match_the_csv_files_cell_for_cell(fresh: Project) -> None:
    fresh.mirror()
    book = load_workbook(fresh.workbook)
    statuses = published_statuses(fresh)
    for table, title in TITLES.items():
        layout, local = fresh.layout(table), list(fresh.rows(table).values())
        rows = list(book[title].iter_rows(min_row=2, values_only=True))
        assert len(rows) == len(local)
        for values, row in zip(rows, local, strict=True):
            read = {c: from_sheet(layout, c, v) for c, v in zip(layout.header, values, strict=True)}
            want = {c: normal(layout, c, row.get(c, "")) for c in layout.header}
            if table == "candidates":
                want["sync_status"] = statuses.get(row["model"], "")
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
