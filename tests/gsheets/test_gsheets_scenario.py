"""A reviewer's afternoon in the Google spreadsheet (the issue's list), then one sync.

Decisions y, n and "maybe", dates typed into release_date, a Staging correction, a
Published correction that flows to its staging row, the Candidates sheet sorted, a row
inserted, one moved, one deleted and a row pasted twice. Everything typed goes through
USER_ENTERED, as in the Sheets UI.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from gsheets_support import (
    ABOVE,
    BELOW,
    FLOWED,
    O3_EDIT,
    PUBLISHED_EDIT,
    RESTORED,
    STAMP,
    Rig,
    afternoon_edits,
    no_write,
    note_lines,
    stage,
)

from bridge.mirror import MirrorReport
from pipeline.curate.mapping import MappingFile

MAPPING = MappingFile.load(Path(__file__).resolve().parents[2] / "configs/model_name_mapping.yaml")


def published_as(key: str) -> str:
    """The quiet status of a candidate Epoch's data already has."""
    name = MAPPING.mapping.get(key)
    return f"published: as {name!r}; no review needed" if name else ""


EDITED = {"grok_3", "phi_4", "gpt_4.1", "o1", "o1_preview", "o1_mini", "o3_mini"}


@dataclass
class Afternoon:
    rig: Rig
    before: dict[str, dict[str, dict[str, str]]]
    order: list[str]  # the Candidates keys in sheet order, after the reviewer's edits
    phi_row: int
    empty_rows: list[int]  # row numbers left empty in Candidates (the inserted row)
    used: int  # the last used row of Candidates before the sync
    report: MirrorReport


@pytest.fixture
def afternoon(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Afternoon:
    """The pipeline's output, two models staged from the sheet, the afternoon, one sync."""
    rig = Rig.after_pipeline(project, tmp_path_factory)
    stage(rig)
    before = {t: rig.rows(t) for t in ("candidates", "below", "staging", "published")}
    afternoon_edits(rig)
    order, phi_row = rig.keys("Candidates"), rig.row_of("Candidates", "phi_4")
    values = rig.fake.values("Candidates")
    empty = [n for n, line in enumerate(values, start=1) if not line]
    return Afternoon(rig, before, order, phi_row, empty, len(values), rig.sync())


def test_the_sync_reads_twice_and_writes_once(afternoon: Afternoon) -> None:
    # the second read: the sheets again just before writing (an edit typed meanwhile)
    assert afternoon.rig.counts() == {"metadata": 0, "read": 2, "write": 1, "structure": 0}
    assert set(afternoon.report.written) == {"candidates", "below", "staging", "published"}


def test_decision_y_adds_the_model_to_staging(afternoon: Afternoon) -> None:
    rig = afternoon.rig
    staged, candidate = rig.rows("staging")["grok_3"], rig.rows("candidates")["grok_3"]
    assert (staged["verified"], staged["status"], staged["notes"]) == (
        "y",
        "confirmed_above_1e25",
        ABOVE,
    )
    assert (candidate["verified"], candidate["notes"]) == ("y", ABOVE)
    assert "grok_3" not in rig.keys("Candidates")  # confirmed: it lives in Staging
    staged_row = rig.by_key("Staging")["grok_3"]
    assert staged_row["training_flop"] == 3.5e26
    assert staged_row["sync_status"] == "applied: confirmed above 1e25 in Candidates"
    assert set(rig.keys("Staging")) == {"o3", "gpt_4o", "grok_3"}


def test_decision_n_moves_the_model_below_and_clears_its_row(afternoon: Afternoon) -> None:
    rig = afternoon.rig
    below = rig.rows("below")["phi_4"]
    assert (below["verified"], below["status"], below["notes"]) == (
        "y",
        "confirmed_below_1e25",
        BELOW,
    )
    assert below["threshold_classification"] == "high_confidence_below_1e25"
    assert "phi_4" not in rig.rows("candidates")
    assert "phi_4" not in rig.keys("Candidates")
    values = rig.fake.values("Candidates")
    assert values[afternoon.phi_row - 1] == []  # cleared, not deleted: the rows below stay
    kept = [k for k in afternoon.order if k not in ("phi_4", "grok_3")]  # grok_3: confirmed
    assert rig.keys("Candidates")[: len(kept)] == kept


def test_a_decision_not_understood_waits(afternoon: Afternoon) -> None:
    rig = afternoon.rig
    assert rig.rows("candidates")["gpt_4.1"] == afternoon.before["candidates"]["gpt_4.1"]
    row = rig.by_key("Candidates")["gpt_4.1"]
    assert row["sync_status"] == 'decision "maybe" not understood: use y or n'
    assert (row["decision"], row["reason"]) == ("maybe", "unsure")


def test_dates_typed_into_release_date_read_back_as_iso(afternoon: Afternoon) -> None:
    rig = afternoon.rig
    for key, day in (("o1", "2024-12-05"), ("o1_preview", "2024-09-12")):
        row = rig.rows("candidates")[key]
        assert (row["release_date"], row["verified"]) == (day, "")  # pinned, not verified
        assert row["notes"].splitlines()[-1] == (
            f"[{STAMP}] Sheet edit by a reviewer: release_date = {day}; "
            "pinned against re-estimation"
        )
        cell = rig.by_key("Candidates")[key]
        assert isinstance(cell["release_date"], int)  # still the serial number typed
        assert cell["sync_status"] == "applied: release_date pinned; the row still needs a decision"


def test_a_staging_correction_is_applied_and_verified(afternoon: Afternoon) -> None:
    rig = afternoon.rig
    o3 = rig.rows("staging")["o3"]
    assert (o3["training_flop"], o3["verified"], o3["last_updated"]) == ("2e+26", "y", STAMP)
    assert note_lines(o3["notes"], O3_EDIT) == 1
    row = rig.by_key("Staging")["o3"]
    assert (row["training_flop"], row["sync_status"]) == (2e26, "applied: training_flop")


def test_a_published_correction_leaves_a_verified_staging_row_in_conflict(
    afternoon: Afternoon,
) -> None:
    rig = afternoon.rig
    published = rig.rows("published")["GPT-4o"]
    assert published["Training compute notes"] == "Corrected by a reviewer"
    assert note_lines(published["Accessibility notes"], PUBLISHED_EDIT) == 1
    staged = rig.rows("staging")["gpt_4o"]
    assert staged["reasoning"] != "Corrected by a reviewer"
    assert note_lines(staged["notes"], FLOWED) == 0
    assert rig.status("Published", "GPT-4o").startswith(
        "conflict: verified staging row gpt_4o has reasoning"
    )


def test_a_deleted_row_is_restored_at_the_end(afternoon: Afternoon) -> None:
    rig = afternoon.rig
    assert rig.rows("candidates")["o1_mini"] == afternoon.before["candidates"]["o1_mini"]
    assert rig.status("Candidates", "o1_mini") == RESTORED
    assert rig.row_of("Candidates", "o1_mini") == afternoon.used + 1  # below the last row


def test_a_pasted_duplicate_is_flagged_on_both_rows(afternoon: Afternoon) -> None:
    rig = afternoon.rig
    assert rig.rows("candidates")["o3_mini"] == afternoon.before["candidates"]["o3_mini"]
    copies = [r for r in rig.sheet("Candidates") if r["model"] == "o3_mini"][:2]
    assert {c["training_flop"] for c in copies} == {4.72e25, 9e24}
    first, second = copies
    assert first["sync_status"] == f"duplicate key: also on row {second['_row']}"
    assert second["sync_status"] == f"duplicate key: also on row {first['_row']}"


def test_a_pasted_duplicate_stays_on_two_rows(afternoon: Afternoon) -> None:
    assert afternoon.rig.keys("Candidates").count("o3_mini") == 2


def test_sorting_inserting_and_moving_change_nothing_else(afternoon: Afternoon) -> None:
    rig = afternoon.rig
    assert rig.header("Candidates") == rig.layout("candidates").header
    now, before = rig.rows("candidates"), afternoon.before["candidates"]
    assert {k: v for k, v in now.items() if k not in EDITED} == {
        k: v for k, v in before.items() if k not in EDITED
    }
    untouched = EDITED | {"gpt_4o", "o3"}
    rest = [r for r in rig.sheet("Candidates") if r["model"] not in untouched]
    assert [r["model"] for r in rest] == [k for k in afternoon.order if k not in untouched]
    assert all(r["sync_status"] in ("", published_as(r["model"])) for r in rest)
    values = rig.fake.values("Candidates")
    assert len(afternoon.empty_rows) == 1  # the inserted row
    assert all(values[n - 1] == [] for n in afternoon.empty_rows)


def test_a_second_sync_makes_no_write_call(afternoon: Afternoon) -> None:
    rig = afternoon.rig
    files, values = rig.files(), rig.values()
    report = rig.sync()
    assert rig.counts() == {"metadata": 0, "read": 1, "write": 0, "structure": 0}
    assert no_write(rig, report) and not report.local.changes
    assert rig.files() == files and rig.values() == values
