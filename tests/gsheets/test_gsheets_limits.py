"""Google's limits (ARCHITECTURE §10): a request body of at most 10 MiB, so a large push is
split into the fewest ``values:batchUpdate`` requests that fit; 50,000 characters a cell,
so longer text is shortened in the sheet (and said), never lost locally; a grid too narrow
for the columns is widened."""

from __future__ import annotations

import math
from itertools import pairwise
from pathlib import Path

import pytest
from fakes.sheets_fake import MAX_BODY_BYTES, MAX_CELL_CHARS
from gsheets_support import Rig, add_candidates, csv_header, read_csv, write_csv

from bridge.backends.gsheets import BODY_BUDGET, batches, json_size


@pytest.fixture
def rig(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Rig:
    return Rig.after_pipeline(project, tmp_path_factory)


def test_a_20000_row_first_push_is_split_into_the_fewest_requests_that_fit(rig: Rig) -> None:
    add_candidates(rig, 20_000)
    report = rig.sync()
    writes = [c for c in rig.fake.calls if c.kind == "write"]
    assert report.pushed and all(c.status == 200 for c in rig.fake.calls)
    assert all(c.size <= BODY_BUDGET < MAX_BODY_BYTES for c in writes)
    total = sum(c.size for c in writes)
    assert total > MAX_BODY_BYTES  # one body would have been refused
    assert len(writes) == math.ceil(total / BODY_BUDGET)
    # Fewest: no two consecutive requests would fit in one.
    parts = [c.body["data"] for c in writes]
    joined = [json_size({**writes[0].body, "data": a + b}) for a, b in pairwise(parts)]
    assert all(size > BODY_BUDGET for size in joined)
    assert rig.fake.values("Candidates") == rig.expected_values("candidates")
    assert len(rig.fake.values("Candidates")) > 20_000


def test_ranges_are_packed_in_order_within_the_budget() -> None:
    data = [{"range": f"'T'!A{i}", "values": [["x" * (i % 50)]]} for i in range(1, 400)]
    parts = batches(data, budget=1_000)
    assert [item for part in parts for item in part] == data
    sizes = [json_size({"valueInputOption": "RAW", "data": part}) for part in parts]
    assert max(sizes) <= 1_000
    assert batches([], budget=1_000) == []
    huge = {"range": "'T'!A1", "values": [["y" * 2_000]]}
    assert batches([huge, data[0]], budget=1_000) == [[huge], [data[0]]]


def test_text_over_50000_characters_is_shortened_in_the_sheet_and_kept_locally(
    rig: Rig,
) -> None:
    path = rig.file("candidates")
    rows = read_csv(path)
    long = "a long reasoning; " * 4_000  # 72,000 characters
    rows["grok_3"]["reasoning"] = long
    write_csv(path, csv_header(path), list(rows.values()))
    report = rig.sync()
    cell = rig.by_key("Candidates")["grok_3"]["reasoning"]
    assert len(cell) == MAX_CELL_CHARS and cell.endswith("…")
    assert long.startswith(cell[:-1])
    assert any(
        "Shortened in the sheet to 50,000 characters" in n and "candidates grok_3 reasoning" in n
        for n in report.notices
    )
    # Unedited, the shortened cell is no reviewer edit: the full text stays, nothing is written.
    rig.type("Candidates", "grok_3", {"parameter_source": "the lab's paper"})
    rig.sync()
    kept = rig.rows("candidates")["grok_3"]
    assert kept["reasoning"] == long
    assert kept["parameter_source"] == "the lab's paper"
    rig.sync()
    assert rig.counts()["write"] == 0
    assert rig.rows("candidates")["grok_3"]["reasoning"] == long


def test_a_grid_narrower_than_the_columns_is_widened(rig: Rig) -> None:
    rig.sync()
    width = len(rig.header("Candidates"))
    rig.fake.resize("Candidates", cols=width)  # a reviewer deleted the empty columns
    path = rig.file("candidates")
    header, rows = csv_header(path), list(read_csv(path).values())
    for row in rows:
        row["extra_note"] = f"note for {row['model']}"
    write_csv(path, [*header, "extra_note"], rows)
    rig.sync()
    structure = [c for c in rig.fake.calls if c.kind == "structure"]
    (request,) = structure[0].body["requests"]
    sheet = rig.fake.sheet("Candidates")
    grow = request["appendDimension"]
    assert (grow["sheetId"], grow["dimension"], grow["length"]) == (sheet.sheet_id, "COLUMNS", 1)
    assert sheet.column_count == width + 1
    assert rig.header("Candidates")[-1] == "extra_note"
    assert rig.by_key("Candidates")["grok_3"]["extra_note"] == "note for grok_3"
