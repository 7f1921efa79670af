"""The workbook's file at its edges: what XlsxWriter writes (text never a formula, the look
of every sheet) and what python-calamine reads back (a sheet holding formulas through
openpyxl; a workbook LibreOffice saved) (ARCHITECTURE §6)."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
import xlsxwriter
from bridge_support import Project, no_write
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from bridge.backends.local import LocalBackend
from bridge.backends.workbook_read import has_formulas
from bridge.codec import from_sheet, normal, same
from pipeline.storage.csvtable import CsvTable

OFFICE = shutil.which("soffice") or shutil.which("libreoffice")
# Text a streaming writer or an XML reader could take for something else.
AWKWARD = {
    "notes": "<r>not rich text</r>",
    "reasoning": "_x0041_ stays, and _x005F_ too",
    "sources": "crlf\r\nline",
    "parameter_source": "=SUM(A1:A3)",
    "confidence_explanation": "ünïcødé ✓ 中文 &amp; <b>",
}


def set_local(project: Project, key: str, cells: dict[str, str]) -> None:
    table = CsvTable.read(project.file("candidates"), "model")
    for column, value in cells.items():
        table.set_cell(key, column, value)
    table.save()


def read_back(project: Project, table: str = "candidates") -> dict[str, dict[str, str]]:
    """The sheet as the local backend reads it: canonical cells by key."""
    layout = project.layout(table)
    data = LocalBackend(project.workbook).read([layout])[table]
    return {row.key: row.cells for row in data.rows}


def sheet_xml(workbook: Path, number: int = 1) -> bytes:
    with zipfile.ZipFile(workbook) as archive:
        return archive.read(f"xl/worksheets/sheet{number}.xml")


def test_awkward_text_reads_back_as_itself_and_is_never_a_formula(fresh: Project) -> None:
    set_local(fresh, "grok_3", AWKWARD)
    fresh.mirror()
    layout = fresh.layout("candidates")
    grok = read_back(fresh)["grok_3"]
    assert {c: grok[c] for c in AWKWARD} == {c: normal(layout, c, t) for c, t in AWKWARD.items()}
    assert b"<f>" not in sheet_xml(fresh.workbook)  # no cell of the new workbook is a formula
    again = fresh.mirror()
    assert no_write(again) and not again.local.changes


def test_long_text_of_emoji_or_markup_is_written_whole(fresh: Project) -> None:
    """The workbook holds 32,767 characters a cell, whatever their UTF-16 length."""
    cells = {"notes": "😀" * 20_000, "reasoning": "<r>" + "&" * 32_000 + "</r>"}
    set_local(fresh, "grok_3", cells)
    fresh.mirror()
    grok = read_back(fresh)["grok_3"]
    assert {c: grok[c] for c in cells} == cells
    assert no_write(fresh.mirror())


def test_awkward_text_written_into_a_saved_workbook_reads_back_as_itself(
    synced: Project,
) -> None:
    """The workbook exists: openpyxl changes it in place, and calamine reads it."""
    set_local(synced, "grok_3", AWKWARD)
    assert synced.mirror().pushed
    layout = synced.layout("candidates")
    grok = read_back(synced)["grok_3"]
    assert {c: grok[c] for c in AWKWARD} == {c: normal(layout, c, t) for c, t in AWKWARD.items()}
    again = synced.mirror()
    assert no_write(again) and not again.local.changes


def save_with_shared_texts(workbook: Path) -> None:
    """The workbook's values saved as Excel and LibreOffice save them: every text in the
    shared table, escaped their way ("_x0041_" as "_x005F_x0041_"); the look left out."""
    values = CalamineWorkbook.from_path(str(workbook))
    names = values.sheet_names
    rows = {name: values.get_sheet_by_name(name).to_python() for name in names}
    book = xlsxwriter.Workbook(workbook, {"strings_to_formulas": False})
    for name in names:
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows[name]):
            for c, value in enumerate(row):
                if value != "":
                    sheet.write(r, c, value)
    book.close()
    assert b"x005F" in zipfile.ZipFile(workbook).read("xl/sharedStrings.xml")


def test_escape_like_text_survives_a_change_to_a_workbook_saved_with_shared_texts(
    synced: Project,
) -> None:
    """openpyxl, which changes a saved workbook in place, reads "_x005F_" in a shared text
    its own way: the texts it did not write are still themselves afterwards."""
    texts = {"notes": "_x0041_ stays", "reasoning": "ax005F_b stays, _x005F_ too"}
    set_local(synced, "grok_3", texts)
    synced.mirror()
    save_with_shared_texts(synced.workbook)
    set_local(synced, "phi_4", {"notes": "changed here"})
    assert synced.mirror().pushed  # in place, grok_3's cells untouched
    assert {c: read_back(synced)["grok_3"][c] for c in texts} == texts
    again = synced.mirror()
    assert no_write(again) and not again.local.changes
    assert {c: synced.rows("candidates")["grok_3"][c] for c in texts} == texts


def test_every_sheet_keeps_its_look_in_the_new_workbook(fresh: Project) -> None:
    fresh.mirror()
    book = load_workbook(fresh.workbook)
    for title in ("Candidates", "Staging", "Published"):
        sheet = book[title]
        assert sheet.freeze_panes == "B2"
        (rules,) = list(sheet.conditional_formatting)
        assert str(rules.sqref).startswith("A2:") and str(rules.sqref).endswith("1048576")
        assert sheet.print_title_rows == "$1:$1" and sheet.print_title_cols == "$A:$A"
        assert (sheet.page_margins.left, sheet.page_margins.top) == (0.4, 1.0)
        assert int(sheet.page_setup.paperSize) == 9  # A4
        assert book._fonts[0].name == "Arial" and book._fonts[0].sz == 10
    guide = book["Guide"]
    assert guide.freeze_panes == "A2" and guide.page_setup.orientation == "landscape"
    assert guide.column_dimensions["C"].width == 60 and guide.cell(2, 3).alignment.wrap_text


def test_a_formula_saved_without_its_value_reads_as_its_text(synced: Project) -> None:
    synced.edit("candidates", "grok_3", {"reason": "=1+1"})  # openpyxl saves no value
    assert b"<f>" in sheet_xml(synced.workbook)
    rows = read_back(synced)
    assert rows["grok_3"]["reason"] == "=1+1"
    assert rows["gemma_3_27b"]["parameters"] == "27000000000" and len(rows) > 50


def test_a_date_cell_reads_as_a_date_time_as_before(synced: Project) -> None:
    synced.edit("candidates", "grok_3", {"notes": datetime(2025, 1, 2)})
    assert read_back(synced)["grok_3"]["notes"] == "2025-01-02T00:00:00"


def test_a_damaged_workbook_is_one_clear_error(fresh: Project) -> None:
    fresh.mirror()
    fresh.workbook.write_bytes(fresh.workbook.read_bytes()[:2000])
    with pytest.raises(Exception, match=r"tracker\.xlsx: cannot open the workbook"):
        read_back(fresh)


@pytest.mark.skipif(OFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_a_workbook_saved_by_libreoffice_reads_back_the_same(
    synced: Project, tmp_path: Path
) -> None:
    """LibreOffice saves shared strings, formulas with their values and dates its own way."""
    synced.edit("candidates", "grok_3", {"reason": "=2*3", "notes": datetime(2025, 1, 2)})
    before = {t: read_back(synced, t) for t in ("candidates", "staging", "published")}
    out = tmp_path / "out"
    profile = (tmp_path / "profile").as_uri()
    command = [OFFICE or "soffice", f"-env:UserInstallation={profile}", "--headless",
               "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out),
               str(synced.workbook)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    shutil.copyfile(out / synced.workbook.name, synced.workbook)
    assert b"<f" in sheet_xml(synced.workbook)  # the formula, with the value LibreOffice saved
    after = {t: read_back(synced, t) for t in before}
    before["candidates"]["grok_3"]["reason"] = "6"
    for table, rows in before.items():
        layout = synced.layout(table)
        assert list(after[table]) == list(rows)
        for key, cells in rows.items():
            read = after[table][key]
            assert read.keys() == cells.keys()
            # LibreOffice keeps 15 significant digits: 3.500000000000001e+26 -> 3.5e+26
            assert all(same(layout, c, cells[c], read[c]) for c in cells), (table, key)
    layout = synced.layout("candidates")
    assert (
        from_sheet(layout, "notes", datetime(2025, 1, 2)) == after["candidates"]["grok_3"]["notes"]
    )


@pytest.mark.parametrize(
    ("xml", "formulas"),
    [
        (b'<c r="A1"><f>1+1</f><v>2</v></c>', True),
        (b'<c r="A2"><f t="shared" si="0"/><v>2</v></c>', True),
        (b'<x:c r="A1"><x:f>1+1</x:f></x:c>', True),
        (b'<c r="A1" t="e"><v>#N/A</v></c>', True),
        (b'<autoFilter ref="A1:B2"><filterColumn colId="0"><filters/></filterColumn>', False),
        (b'<c r="A1" t="inlineStr"><is><t>ratio:fine &lt;b&gt;</t></is></c>', False),
    ],
)
def test_a_sheet_is_read_with_openpyxl_only_when_it_holds_formulas_or_errors(
    xml: bytes, formulas: bool
) -> None:
    assert has_formulas(xml) is formulas
