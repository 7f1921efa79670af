"""A reviewer's afternoon in the workbook, then one sync (the issue's list).

Decisions y, n and "maybe", a Staging correction, a Published correction that flows to
its staging row, the Candidates sheet sorted, a row deleted and a row pasted twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from bridge_support import (
    RESTORED,
    STAMP,
    Project,
    append_values,
    column_number,
    no_write,
    published_statuses,
    put,
    row_number,
    row_values,
    sort_rows,
)

from bridge.mirror import MirrorReport
from bridge.pull import CONFIRMED_HERE

ABOVE = f"[{STAMP}] Manual review: confirmed above 1e25 FLOP. Reason: reported 3.5e26"
BELOW = f"[{STAMP}] Manual review: confirmed below 1e25 FLOP. Reason: small model"
EDIT_NOTE = "Sheet edit by a reviewer: training_flop = 2e+26"
EDITED = {"grok_3", "phi_4", "gpt_4.1", "o1_mini", "o3_mini"}
CHANGED = {
    "candidates": {"grok_3", "phi_4"},
    "below": {"phi_4"},
    "staging": {"grok_3", "o3", "gpt_4o"},
    "published": {"GPT-4o"},
}


@dataclass
class Afternoon:
    project: Project
    before: dict[str, dict[str, dict[str, str]]]
    report: MirrorReport


@pytest.fixture
def afternoon(synced: Project) -> Afternoon:
    before = {t: synced.rows(t) for t in ("candidates", "below", "staging", "published")}
    with synced.editing() as book:
        candidates = book["Candidates"]
        sort_rows(candidates, "training_flop")
        put(candidates, "grok_3", {"decision": "y", "reason": "reported 3.5e26"})
        put(candidates, "phi_4", {"decision": "N", "reason": "small model"})
        put(candidates, "gpt_4.1", {"decision": "maybe", "reason": "unsure"})
        candidates.delete_rows(row_number(candidates, "o1_mini"))
        pasted = row_values(candidates, row_number(candidates, "o3_mini"))
        pasted[column_number(candidates, "training_flop") - 1] = (
            9e24  # training_flop of the pasted copy
        )
        append_values(candidates, pasted)
        put(book["Staging"], "o3", {"training_flop": 2e26})
        put(book["Published"], "GPT-4o", {"Training compute notes": "Corrected by a reviewer"})
    return Afternoon(synced, before, synced.mirror())


def test_decision_y_adds_the_model_to_staging(afternoon: Afternoon) -> None:
    project = afternoon.project
    staged, candidate = project.rows("staging")["grok_3"], project.rows("candidates")["grok_3"]
    assert staged["verified"] == "y" and staged["status"] == "confirmed_above_1e25"
    assert staged["notes"] == ABOVE
    assert candidate["verified"] == "y" and candidate["notes"] == ABOVE
    assert "grok_3" not in project.sheet_by_key("candidates")  # it lives in Staging now
    assert project.status("staging", "grok_3") == CONFIRMED_HERE
    assert "grok_3" in project.sheet_by_key("staging")


def test_decision_n_moves_the_model_below(afternoon: Afternoon) -> None:
    project = afternoon.project
    below = project.rows("below")["phi_4"]
    assert below["verified"] == "y" and below["status"] == "confirmed_below_1e25"
    assert below["threshold_classification"] == "high_confidence_below_1e25"
    assert below["notes"] == BELOW
    assert "phi_4" not in project.rows("candidates")
    assert "phi_4" not in project.sheet_by_key("candidates")


def test_a_decision_not_understood_waits(afternoon: Afternoon) -> None:
    project = afternoon.project
    assert project.rows("candidates")["gpt_4.1"] == afternoon.before["candidates"]["gpt_4.1"]
    row = project.sheet_by_key("candidates")["gpt_4.1"]
    assert row["sync_status"] == 'decision "maybe" not understood: use y or n'
    assert (row["decision"], row["reason"]) == ("maybe", "unsure")


def test_a_staging_correction_is_applied_and_verified(afternoon: Afternoon) -> None:
    project = afternoon.project
    o3 = project.rows("staging")["o3"]
    assert o3["training_flop"] == "2e+26" and o3["verified"] == "y"
    assert o3["notes"].splitlines()[-1] == f"[{STAMP}] {EDIT_NOTE}"
    assert o3["last_updated"] == STAMP
    assert project.status("staging", "o3") == "applied: training_flop"


def test_a_published_correction_leaves_a_verified_staging_row_in_conflict(
    afternoon: Afternoon,
) -> None:
    project = afternoon.project
    published = project.rows("published")["GPT-4o"]
    assert published["Training compute notes"] == "Corrected by a reviewer"
    assert published["Accessibility notes"].endswith(
        f"[{STAMP}] Sheet edit by a reviewer: Training compute notes = Corrected by a reviewer"
    )
    assert project.rows("staging")["gpt_4o"] == afternoon.before["staging"]["gpt_4o"]
    assert project.status("published", "GPT-4o").startswith(
        "conflict: verified staging row gpt_4o has reasoning"
    )


def test_a_deleted_row_is_restored(afternoon: Afternoon) -> None:
    project = afternoon.project
    assert project.rows("candidates")["o1_mini"] == afternoon.before["candidates"]["o1_mini"]
    assert project.status("candidates", "o1_mini") == RESTORED
    assert project.status("candidates", "o1_mini").startswith("restored:")


def test_a_key_on_two_rows_gets_a_status_and_its_edits_wait(afternoon: Afternoon) -> None:
    project = afternoon.project
    assert project.rows("candidates")["o3_mini"] == afternoon.before["candidates"]["o3_mini"]
    copies = [r for r in project.sheet("candidates") if r["model"] == "o3_mini"]
    assert {c["training_flop"] for c in copies} >= {4.72e25, 9e24}
    for copy in copies[:2]:
        assert re.fullmatch(r"duplicate key: also on row \d+", copy["sync_status"])


def test_a_key_on_two_rows_stays_on_two_rows(afternoon: Afternoon) -> None:
    copies = [r for r in afternoon.project.sheet("candidates") if r["model"] == "o3_mini"]
    assert len(copies) == 2


def test_sorting_changed_nothing_else(afternoon: Afternoon) -> None:
    project = afternoon.project
    for table, changed in CHANGED.items():
        now, before = project.rows(table), afternoon.before[table]
        assert now.keys() - changed == before.keys() - changed
        assert {k: now[k] for k in now.keys() - changed} == {
            k: before[k] for k in before.keys() - changed
        }
    rest = [r for r in project.sheet("candidates") if r["model"] not in EDITED]
    flops = [r["training_flop"] for r in rest]
    assert flops == sorted(flops)  # the reviewer's order is kept
    published = published_statuses(project)
    assert all(r["sync_status"] == published.get(r["model"]) for r in rest)


def test_the_sync_reports_what_it_did(afternoon: Afternoon) -> None:
    report = afternoon.report
    assert report.pushed
    assert set(report.written) == {"published", "staging", "candidates", "below"}
    assert sorted(report.outcomes["candidates"].events) == [
        "decision n for phi_4: moved to below_1e25_flop.csv",
        "decision y for grok_3: added to staging",
    ]
    assert report.outcomes["staging"].events == ["staging o3: training_flop = 2e+26"]


def test_a_second_sync_makes_no_write(afternoon: Afternoon) -> None:
    before = afternoon.project.snapshot()
    assert no_write(afternoon.project.mirror())
    assert afternoon.project.snapshot() == before
