"""API calls per sync (ARCHITECTURE §10): a grid that must grow costs exactly one structure
request; a 1%-edited sync of a 1,000-row table is one read and one write."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gsheets_support import Rig, add_candidates

GROW = {"metadata": 0, "read": 1, "write": 1, "structure": 1}
# A sync that writes reads the sheets again just before its write (an edit typed meanwhile).
READS_AND_ONE_WRITE = {"metadata": 0, "read": 2, "write": 1, "structure": 0}
IDLE = {"metadata": 0, "read": 1, "write": 0, "structure": 0}


@pytest.fixture
def rig(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Rig:
    return Rig.after_pipeline(project, tmp_path_factory)


def test_appending_past_the_grid_adds_rows_in_one_structure_request(rig: Rig) -> None:
    rig.sync()
    sheet = rig.fake.sheet("Candidates")
    assert sheet.row_count == 1000
    add_candidates(rig, 1000)
    rig.sync()
    assert rig.counts() == GROW
    structure = next(c for c in rig.fake.calls if c.kind == "structure")
    (request,) = structure.body["requests"]
    grow = request["appendDimension"]
    assert (grow["sheetId"], grow["dimension"]) == (sheet.sheet_id, "ROWS")
    used = len(rig.fake.values("Candidates"))
    assert used == len(rig.rows("candidates")) + 1 > 1000
    assert sheet.row_count == 1000 + grow["length"] >= used + 200  # spare rows for next time
    assert rig.fake.values("Candidates") == rig.expected_values("candidates")
    cache = json.loads(rig.state.read_text())["cache"]["gsheets"]["sheets"]
    assert cache["Candidates"]["rows"] == sheet.row_count


def test_the_spare_rows_spare_the_next_structure_request(rig: Rig) -> None:
    rig.sync()
    add_candidates(rig, 1000)
    rig.sync()
    add_candidates(rig, 150, prefix="later_model")
    rig.sync()
    # appends only: nothing is read again before the write
    assert rig.counts() == {"metadata": 0, "read": 1, "write": 1, "structure": 0}
    assert rig.fake.values("Candidates") == rig.expected_values("candidates")


def test_a_one_percent_edit_of_1000_rows_is_one_read_and_one_write(rig: Rig) -> None:
    keys = add_candidates(rig, 1000 - len(rig.rows("candidates")))
    assert len(rig.rows("candidates")) == 1000
    rig.sync()
    assert rig.counts() == {"metadata": 1, "read": 0, "write": 1, "structure": 1}
    assert rig.fake.sheet("Candidates").row_count >= 1001  # created large enough at once
    edited = keys[::90][:10]
    for key in edited[:4]:
        rig.type("Candidates", key, {"training_flop": "4.2e25"})
    for key in edited[4:7]:
        rig.type("Candidates", key, {"decision": "y", "reason": "checked"})
    for key in edited[7:]:
        rig.type("Candidates", key, {"decision": "no", "reason": "checked"})
    rows = {key: rig.row_of("Candidates", key) for key in edited}
    report = rig.sync()
    assert rig.counts() == READS_AND_ONE_WRITE
    (write,) = [c for c in rig.fake.calls if c.kind == "write"]
    written = {r["range"].split("!")[1] for r in write.body["data"] if "Candidates" in r["range"]}
    assert {int("".join(ch for ch in a1.split(":")[0] if ch.isdigit())) for a1 in written} == set(
        rows.values()
    )  # only the edited rows of Candidates are written
    assert len(rig.rows("candidates")) == 997 and set(rig.rows("staging")) == set(edited[4:7])
    assert {k: rig.rows("candidates")[k]["training_flop"] for k in edited[:4]} == dict.fromkeys(
        edited[:4], "4.2e+25"
    )
    assert set(edited[7:]) <= set(rig.rows("below"))
    assert report.pushed
    rig.sync()
    assert rig.counts() == IDLE
