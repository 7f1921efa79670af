"""Edits mean what they say (ARCHITECTURE §6): a correction of an unverified candidate pins
the field and the row keeps waiting for a decision; a confirmed model leaves Candidates; a
decision on a row that is no longer a candidate is cleared with what happened instead."""

from __future__ import annotations

from bridge_support import STAMP, Project, append_values

from pipeline.curate.datasets import open_tables
from pipeline.curate.review import new_candidates

PINNED = (
    f"[{STAMP}] Sheet edit by a reviewer: training_flop = 8.1e+25; pinned against re-estimation"
)


def waiting(project: Project) -> list[str]:
    tables = open_tables(project.settings(), ["candidates", "staging"])
    return new_candidates(tables["candidates"], tables["staging"])


def test_a_correction_pins_the_field_and_the_row_still_waits(synced: Project) -> None:
    assert synced.rows("candidates")["gemini_2.0_flash"]["training_flop"] == "9.04e+25"
    synced.edit("candidates", "gemini_2.0_flash", {"training_flop": 8.1e25})
    synced.mirror()
    row = synced.rows("candidates")["gemini_2.0_flash"]
    assert (row["training_flop"], row["verified"], row["notes"]) == ("8.1e+25", "", PINNED)
    assert row["reasoning"].startswith("Reviewer correction: training_flop 8.1e+25. Estimate: ")
    assert "gemini_2.0_flash" in waiting(synced) and "gemini_2.0_flash" not in synced.rows(
        "staging"
    )
    status = "applied: training_flop pinned; the row still needs a decision"
    assert synced.status("candidates", "gemini_2.0_flash") == status


def test_a_pinned_value_survives_re_estimation(synced: Project) -> None:
    synced.edit("candidates", "gemini_2.0_flash", {"training_flop": 8.1e25})
    synced.mirror()
    before = synced.rows("candidates")["gemini_2.0_flash"]
    assert synced.cli("refresh-dataset", "--reset").exit_code == 0
    assert synced.rows("candidates")["gemini_2.0_flash"] == before


def test_a_correction_below_the_threshold_recomputes_and_stays_for_review(
    synced: Project,
) -> None:
    synced.edit("candidates", "gemini_2.0_flash", {"training_flop": 3e24})
    synced.mirror()
    assert synced.cli("refresh-dataset").exit_code == 0
    row = synced.rows("candidates")["gemini_2.0_flash"]
    assert (row["training_flop"], row["threshold_classification"]) == (
        "3e+24",
        "high_confidence_below_1e25",
    )
    assert "gemini_2.0_flash" not in synced.rows("below") and "gemini_2.0_flash" in waiting(synced)


def test_a_confirmed_model_leaves_candidates_and_lives_in_staging(synced: Project) -> None:
    synced.edit("candidates", "grok_3", {"decision": "y", "reason": "reported 3.5e26"})
    synced.mirror()
    assert "grok_3" not in synced.sheet_by_key("candidates")
    assert synced.sheet_by_key("staging")["grok_3"]["verified"] == "y"
    assert {"gpt_4o", "o3"}.isdisjoint(synced.sheet_by_key("candidates"))


def test_a_decision_on_a_row_no_longer_a_candidate_is_cleared(synced: Project) -> None:
    decisions = synced.root / "later.csv"
    decisions.write_text("model,decision,reason\nphi_4,n,small model\n")
    assert synced.cli("review-candidates", "--decisions", str(decisions)).exit_code == 0
    synced.edit("candidates", "phi_4", {"decision": "y", "reason": "big"})
    report = synced.mirror()
    assert not report.local.changes
    row = synced.sheet_by_key("candidates")["phi_4"]
    assert (row["decision"], row["reason"]) == (None, None)
    assert row["sync_status"] == (
        "cleared: phi_4 is no longer a candidate, it was confirmed below 1e25; "
        "your decision was not applied"
    )
    synced.mirror()
    assert "phi_4" not in synced.sheet_by_key("candidates")


def test_an_edit_of_a_confirmed_row_points_to_staging(synced: Project) -> None:
    """A stale copy of a confirmed row (a sheet saved before it left) edited in Candidates."""
    with synced.editing() as book:
        append_values(book["Candidates"], ["gpt_4o", "OpenAI", 9e25])
    synced.mirror()
    status = synced.status("candidates", "gpt_4o")
    assert "cleared: gpt_4o is no longer a candidate, it was confirmed above 1e25" in status
    assert synced.rows("staging")["gpt_4o"]["training_flop"] != "9e+25"
    synced.mirror()
    assert "gpt_4o" not in synced.sheet_by_key("candidates")
