"""The write-ahead journal (ARCHITECTURE §7.6): a push that dies before or after its write is
finished by the next sync, which ends where an uninterrupted sync would have."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from bridge_support import STAMP, Project, no_write, put, row_number, workbook_values
from harness import FILES

from bridge.backends.local import LocalBackend
from bridge.model import SheetChanges
from bridge.pull import CONFIRMED_HERE
from bridge.state import BridgeState

NOTE = f"[{STAMP}] Manual review: confirmed above 1e25 FLOP. Reason: reported"


class NetworkDown(LocalBackend):
    """A backend whose write fails before anything reaches the sheet."""

    def write(self, changes: dict[str, SheetChanges]) -> None:
        self.calls["write"] += 1
        raise ConnectionError("network unreachable")


def review(project: Project) -> None:
    """Edits of every kind: a decision, a correction, a deleted row."""
    with project.editing() as book:
        put(book["Candidates"], "grok_3", {"decision": "y", "reason": "reported"})
        put(book["Candidates"], "phi_4", {"decision": "n", "reason": "small"})
        book["Candidates"].delete_rows(row_number(book["Candidates"], "o1_mini"))
        put(book["Staging"], "o3", {"training_flop": 2e26})


def twins(synced: Project, tmp_path: Path) -> tuple[Project, Project]:
    """The reviewed project and an identical copy, for an uninterrupted run to compare."""
    review(synced)
    shutil.copytree(synced.root, tmp_path / "twin")
    return synced, Project(tmp_path / "twin")


def assert_same_result(project: Project, reference: Project) -> None:
    for name in FILES.values():
        assert (project.data / name).read_bytes() == (reference.data / name).read_bytes(), name
    assert workbook_values(project.workbook) == workbook_values(reference.workbook)
    staged = project.rows("staging")["grok_3"]["notes"]
    assert staged.splitlines().count(NOTE) == 1
    assert [r["model"] for r in project.sheet("candidates")].count("o1_mini") == 1
    assert [r["model"] for r in project.sheet("staging")].count("grok_3") == 1
    assert no_write(project.mirror())


def test_a_write_that_fails_leaves_the_sheet_and_keeps_the_journal(
    synced: Project, tmp_path: Path
) -> None:
    project, _ = twins(synced, tmp_path)
    sheet = project.workbook.read_bytes()
    with pytest.raises(ConnectionError):
        project.mirror(backend=NetworkDown(project.workbook))
    assert project.workbook.read_bytes() == sheet
    assert "grok_3" in project.rows("staging")  # the pull was applied before the push
    journal = BridgeState.load(project.data / "state", "local").journal
    assert journal is not None and "grok_3" in journal["staging"]


def test_a_sync_after_a_failed_write_converges(synced: Project, tmp_path: Path) -> None:
    project, reference = twins(synced, tmp_path)
    reference.mirror()
    with pytest.raises(ConnectionError):
        project.mirror(backend=NetworkDown(project.workbook))
    project.mirror()
    assert_same_result(project, reference)


def test_a_sync_after_a_failed_write_applies_nothing_twice(synced: Project, tmp_path: Path) -> None:
    project, reference = twins(synced, tmp_path)
    reference.mirror()
    with pytest.raises(ConnectionError):
        project.mirror(backend=NetworkDown(project.workbook))
    retry = project.mirror()
    assert not retry.local.changes and retry.pushed
    for name in FILES.values():
        assert (project.data / name).read_bytes() == (reference.data / name).read_bytes(), name
    assert project.rows("staging")["grok_3"]["notes"].splitlines().count(NOTE) == 1
    assert [r["model"] for r in project.sheet("candidates")].count("o1_mini") == 1
    ours, theirs = (
        [{**row, "sync_status": None} for row in p.sheet("staging")] for p in (project, reference)
    )
    assert ours == theirs


def test_a_row_moved_below_leaves_the_sheet_after_a_failed_write(synced: Project) -> None:
    review(synced)
    with pytest.raises(ConnectionError):
        synced.mirror(backend=NetworkDown(synced.workbook))
    retry = synced.mirror()
    assert "phi_4" in synced.rows("below") and "phi_4" not in synced.rows("candidates")
    assert retry.outcomes["candidates"].status_of("phi_4") == ""
    assert "phi_4" not in synced.sheet_by_key("candidates")


def test_applied_statuses_survive_a_failed_write(synced: Project) -> None:
    review(synced)
    with pytest.raises(ConnectionError):
        synced.mirror(backend=NetworkDown(synced.workbook))
    synced.mirror()
    assert synced.status("staging", "grok_3") == CONFIRMED_HERE
    assert synced.status("staging", "o3") == "applied: training_flop"


def test_a_crash_after_the_write_converges(
    synced: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, reference = twins(synced, tmp_path)
    reference.mirror()
    finish, crashes = BridgeState.finish_push, []

    def crash_once(state: BridgeState) -> None:
        if not crashes:
            crashes.append(state.path)
            raise KeyboardInterrupt("killed after the write")
        finish(state)

    monkeypatch.setattr(BridgeState, "finish_push", crash_once)
    with pytest.raises(KeyboardInterrupt):
        project.mirror()
    assert crashes and BridgeState.load(project.data / "state", "local").journal is not None
    retry = project.mirror()
    assert not retry.local.changes and not retry.pushed
    assert_same_result(project, reference)


def test_a_reviewer_edit_made_between_the_crash_and_the_retry_is_kept(
    synced: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    review(synced)
    with monkeypatch.context() as patch:  # the push lands, its journal is never cleared
        patch.setattr(BridgeState, "finish_push", lambda state: None)
        synced.mirror()
    synced.edit("candidates", "gpt_4.1", {"training_flop": 1.5e26})
    synced.mirror()
    row = synced.rows("candidates")["gpt_4.1"]
    assert (row["training_flop"], row["verified"]) == ("1.5e+26", "")  # pinned, not verified
    assert row["notes"].endswith("pinned against re-estimation")
    assert synced.rows("staging")["grok_3"]["notes"].splitlines().count(NOTE) == 1
