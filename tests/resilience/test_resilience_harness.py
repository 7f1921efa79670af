"""The comparisons the resilience tests rely on see what they must: normalising the stamps
of the cycle under test never hides an edit applied twice, a row re-stamped by a retry, a
row missing from the sheet or a torn file."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from resilience_support import (
    ABOVE,
    FILES,
    LocalSite,
    Site,
    Stamps,
    differences,
    edits_applied_once,
    end_state,
    files_are_whole,
    planted_site,
    tables,
)


@pytest.fixture(scope="module")
def cycled(stamps: Stamps, tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The workload's second cycle, run without faults."""
    site = planted_site(LocalSite, tmp_path_factory.mktemp("harness") / "project")
    stamps.under_test()
    assert site.run().ok
    return site


@pytest.fixture
def copy(cycled: Site, tmp_path: Path) -> Site:
    return cycled.clone(tmp_path / "copy")


def set_cell(site: Site, table: str, key: str, column: str, value: str) -> None:
    """Rewrite one cell of a local table (csv module, the project's dialect)."""
    path = site.data / FILES[table]
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, rows = list(reader.fieldnames or []), list(reader)
    for row in rows:
        if row["model"] == key:
            row[column] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_a_clone_compares_equal_also_after_a_rewrite_of_the_same_cell(
    cycled: Site, copy: Site
) -> None:
    same = tables(copy)["candidates"]["gpt_4.5"]["last_updated"]
    set_cell(copy, "candidates", "gpt_4.5", "last_updated", same)
    assert differences(end_state(copy), end_state(cycled)) == []
    assert edits_applied_once(copy) == []


def test_a_note_applied_again_at_a_later_time_is_seen(
    cycled: Site, copy: Site, stamps: Stamps
) -> None:
    notes = copy.data / FILES["staging"]
    before = tables(copy)["staging"]["grok_3"]["notes"]
    set_cell(copy, "staging", "grok_3", "notes", f"{before}\n[{stamps.under_test()}] {ABOVE}")
    assert "staging grok_3: 2 copies of" in " ".join(edits_applied_once(copy))
    assert differences(end_state(copy), end_state(cycled)) == [
        f"file {notes.relative_to(copy.data)} differs"
    ]


def test_a_row_restamped_by_a_retry_is_seen(cycled: Site, copy: Site, stamps: Stamps) -> None:
    row = tables(copy)["candidates"]["gpt_4.5"]  # untouched by the cycle under test
    assert row["last_updated"].startswith("2030-")
    set_cell(copy, "candidates", "gpt_4.5", "last_updated", stamps.under_test())
    assert differences(end_state(copy), end_state(cycled)) == [
        "file clean/above_1e25_flop.csv differs"
    ]


def test_a_row_missing_from_the_workbook_is_seen(cycled: Site, copy: Site) -> None:
    from bridge_support import editing

    with editing(copy.workbook) as book:  # type: ignore[attr-defined]
        book["Candidates"].delete_rows(2)  # the first row, whichever model it is
    assert differences(end_state(copy), end_state(cycled)) == ["file sheets/tracker.xlsx differs"]


def test_a_torn_file_is_seen(copy: Site) -> None:
    path = copy.data / FILES["below"]
    data = path.read_bytes()
    path.write_bytes(data + data[len(data) // 2 :])
    assert files_are_whole(copy) != []
