"""An idle sync (nothing changed on either side) writes nothing, not even the sync state,
and reads neither below_1e25_flop.csv nor the collected records: only a reviewer's
decision or added row asks about them."""

from __future__ import annotations

from pathlib import Path

import pytest
from bridge_support import Project, no_write, put

import bridge.manual_rows
import bridge.mirror
import bridge.state
from pipeline.curate.datasets import BELOW


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tables the mirror reads from their files."""
    opened: list[str] = []
    real = bridge.mirror.open_tables

    def spy(settings: object, names: list[str]) -> object:
        opened.extend(names)
        return real(settings, names)  # type: ignore[arg-type]

    monkeypatch.setattr(bridge.mirror, "open_tables", spy)
    return opened


@pytest.fixture
def saves(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The state files written."""
    written: list[Path] = []
    real = bridge.state.write_parts_if_changed

    def spy(path: Path, parts: list[bytes]) -> bool:
        written.append(path)
        return real(path, parts)

    monkeypatch.setattr(bridge.state, "write_parts_if_changed", spy)
    return written


def test_an_idle_sync_writes_nothing_and_reads_only_what_it_shows(
    synced: Project, reads: list[str], saves: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    synced.mirror()  # settles anything the first sync left to say
    monkeypatch.setattr(bridge.manual_rows, "recorded_keys", None)  # never called
    before, reads[:], saves[:] = synced.snapshot(), [], []
    report = synced.mirror()
    assert no_write(report)
    assert synced.snapshot() == before
    assert BELOW not in reads and reads
    assert not saves


def test_a_decision_reads_below_when_it_needs_it(synced: Project, reads: list[str]) -> None:
    with synced.editing() as book:
        put(book["Candidates"], "phi_4", {"decision": "n", "reason": "small model"})
    synced.mirror()
    assert BELOW in reads
    assert synced.rows("below")["phi_4"]["verified"] == "y"
    assert "phi_4" not in synced.rows("candidates")
