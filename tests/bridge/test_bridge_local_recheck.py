"""The recheck before a push on the workbook (ARCHITECTURE §7): a workbook that still holds
the bytes the sync read is not read again; one a reviewer saved in between is, and the cell
typed there is not written over."""

from __future__ import annotations

from typing import Any

from bridge_support import Project

from bridge.backends.local import LocalBackend
from bridge.layout import SheetLayout
from bridge.model import SheetData
from pipeline.storage.csvtable import CsvTable


def set_local(project: Project, table: str, key: str, column: str, value: str) -> None:
    csv_table = CsvTable.read(project.file(table), "model")
    csv_table.set_cell(key, column, value)
    csv_table.save()


class SavedAfterRead(LocalBackend):
    """A workbook a reviewer saves just after the sync's first read."""

    def __init__(self, project: Project, cells: dict[str, Any]) -> None:
        super().__init__(project.workbook)
        self.project, self.cells = project, cells

    def read(self, layouts: list[SheetLayout]) -> dict[str, SheetData]:
        result = super().read(layouts)
        if self.calls["read"] == 1:
            self.project.edit("staging", "o3", self.cells)
        return result


def test_an_unchanged_workbook_is_read_once_by_a_sync_that_writes(synced: Project) -> None:
    set_local(synced, "staging", "o3", "training_flop", "1.9e+26")
    report = synced.mirror()
    assert report.pushed and report.calls["read"] == 1
    assert synced.sheet_by_key("staging")["o3"]["training_flop"] == 1.9e26


def test_a_cell_typed_after_the_read_is_not_written_over(synced: Project) -> None:
    set_local(synced, "staging", "o3", "training_flop", "1.9e+26")
    backend = SavedAfterRead(synced, {"training_flop": 2.2e26})
    report = synced.mirror(backend=backend)
    assert report.calls["read"] == 2  # read again: the workbook changed since
    assert synced.sheet_by_key("staging")["o3"]["training_flop"] == 2.2e26
    again = synced.mirror()  # the reviewer's value is an edit, in conflict with the local one
    assert again.outcomes["staging"].status_of("o3").startswith("conflict: training_flop")
    assert synced.rows("staging")["o3"]["training_flop"] == "1.9e+26"
    assert synced.sheet_by_key("staging")["o3"]["training_flop"] == 2.2e26
