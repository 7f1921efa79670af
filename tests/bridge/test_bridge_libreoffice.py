"""The pushed workbook as LibreOffice Calc reads it: every sheet exported to CSV holds the
Candidates rows, numbers as numbers, formula-like text as text."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest
from bridge_support import Project, published_statuses

from bridge.codec import normal
from pipeline.storage.csvtable import CsvTable

OFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(
    OFFICE is None,
    reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-calc",
)
# Separator ',', quote '"', UTF-8, from line 1, cells as stored (not as shown), every sheet.
FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
TRICKY = {
    "notes": "=1+1",
    "reasoning": '@SUM(A1:A3)\nsecond line, with a comma and "quotes"',
    "sources": "-5",
    "parameter_source": "+44 20 7946 0000",
    "confidence_explanation": "ünïcødé ✓ 中文",
}


def export(workbook: Path, out: Path) -> Path:
    """The Candidates sheet as LibreOffice writes it to CSV."""
    profile = (out / "profile").as_uri()
    command = [OFFICE or "soffice", f"-env:UserInstallation={profile}", "--headless",
               "--convert-to", FILTER, "--outdir", str(out), str(workbook)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    every_sheet = out / f"{workbook.stem}-Candidates.csv"
    return every_sheet if every_sheet.exists() else out / f"{workbook.stem}.csv"  # older: first


def test_libreoffice_reads_the_candidates_sheet(fresh: Project, tmp_path: Path) -> None:
    table = CsvTable.read(fresh.file("candidates"), "model")
    for column, value in TRICKY.items():
        table.set_cell("grok_3", column, value)
    table.save()
    fresh.mirror()
    exported = export(fresh.workbook, tmp_path / "out")
    with exported.open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    layout = fresh.layout("candidates")
    assert header == layout.header
    local = list(fresh.rows("candidates").values())
    statuses = published_statuses(fresh)
    assert len(rows) == len(local)
    for values, row in zip(rows, local, strict=True):
        read = dict(zip(header, values, strict=True))
        for column in layout.header:
            want = normal(layout, column, row.get(column, ""))
            if column == "sync_status":
                want = statuses.get(row["model"], "")
            if column in layout.numbers and want:
                assert float(read[column]) == float(want), (row["model"], column)
            else:
                assert read[column] == want, (row["model"], column)
    exported_rows = [dict(zip(header, values, strict=True)) for values in rows]
    grok = next(r for r in exported_rows if r["model"] == "grok_3")
    assert {c: grok[c] for c in TRICKY} == TRICKY
