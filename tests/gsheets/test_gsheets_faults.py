"""The issue's fault test: every request of a sync fails (or is applied and its reply
lost), the sync may stop with one line; a sync without faults afterwards must reach the
very state a fault-free run reaches: same files, same sheet values, no duplicate keys,
every reviewer edit applied exactly once.

Three syncs are put through it, on ~15 candidates: the first push (metadata, structure,
values), the reviewer's afternoon (read, values) and a sync that grows the grid (read,
structure, values). Faults are fatal with ``retries=0`` and retried with the default."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from gsheets_support import (
    ABOVE,
    BELOW,
    FLOWED,
    O3_EDIT,
    PUBLISHED_EDIT,
    SCENARIO_KEYS,
    Rig,
    add_candidates,
    afternoon_edits,
    note_lines,
    stage,
)

from bridge.backends.gsheets import SheetsError


def trimmed(rig: Rig) -> None:
    """Before the first push: the candidates trimmed to 15 rows."""
    rig.trim_candidates(SCENARIO_KEYS)


def afternoon(rig: Rig) -> None:
    """After the first push, two models staged from the sheet and the reviewer's afternoon
    (without the pasted duplicate: a key on two rows is never settled, see the scenario)."""
    trimmed(rig)
    stage(rig)
    afternoon_edits(rig, duplicate=False)


def growth(rig: Rig) -> None:
    """A Candidates tab of 20 rows made before the first push; then 8 more candidates
    locally and two reviewer edits: the sync appends past the grid."""
    trimmed(rig)
    rig.fake.add_sheet("Candidates", rows=20, frozen_rows=1)
    rig.sync()
    add_candidates(rig, 8)
    rig.type("Candidates", "grok_3", {"decision": "y", "reason": "reported 3.5e26"})
    rig.type("Candidates", "phi_4", {"decision": "N", "reason": "small model"})


WORKLOADS: dict[str, tuple[Callable[[Rig], None], list[str]]] = {
    "first_push": (trimmed, ["metadata", "structure", "write"]),
    "afternoon": (afternoon, ["read", "read", "write"]),  # read again just before writing
    "growth": (growth, ["read", "read", "structure", "write"]),
}


@dataclass
class End:
    tables: dict[str, bytes]
    values: dict[str, list[list[Any]]]
    bases: dict[str, Any]


def end_state(rig: Rig) -> End:
    state = json.loads(rig.state.read_text())
    assert state["journal"] is None
    return End(rig.tables(), rig.values(), state["bases"])


_REFERENCE: dict[str, End] = {}


def start(name: str, project: Path, factory: pytest.TempPathFactory) -> Rig:
    rig = Rig.after_pipeline(project, factory)
    WORKLOADS[name][0](rig)
    return rig


def reference(name: str, factory: pytest.TempPathFactory) -> End:
    """The workload's sync run without faults (and a second, idle sync), once."""
    if name not in _REFERENCE:
        rig = start(name, factory.mktemp(f"reference_{name}"), factory)
        rig.sync()
        assert [c.kind for c in rig.fake.calls] == WORKLOADS[name][1]
        rig.sync()
        assert rig.counts()["write"] == rig.counts()["structure"] == 0
        _REFERENCE[name] = end_state(rig)
    return _REFERENCE[name]


def edits_applied_once(rig: Rig, name: str) -> None:
    for title in ("Candidates", "Staging", "Published"):
        keys = rig.keys(title)
        assert len(keys) == len(set(keys)), title
    if name == "first_push":
        return
    below, staging = rig.rows("below"), rig.rows("staging")
    assert below["phi_4"]["notes"] == BELOW and "phi_4" not in rig.rows("candidates")
    assert staging["grok_3"]["notes"] == ABOVE
    if name == "afternoon":
        assert note_lines(staging["o3"]["notes"], O3_EDIT) == 1
        assert note_lines(staging["gpt_4o"]["notes"], FLOWED) == 0  # verified: a conflict
        published = rig.rows("published")["GPT-4o"]["Accessibility notes"]
        assert note_lines(published, PUBLISHED_EDIT) == 1


CASES = [
    pytest.param(
        name,
        k,
        fault,
        retries,
        id=f"{name}-{k}-{kind}-{fault}-retries{retries}",
    )
    for name, (_, kinds) in WORKLOADS.items()
    for k, kind in enumerate(kinds, start=1)
    for fault in ("fail", "drop")
    for retries in (0, 6)
]


@pytest.mark.parametrize(("name", "k", "fault", "retries"), CASES)
def test_a_fault_at_any_request_converges(
    name: str,
    k: int,
    fault: str,
    retries: int,
    project: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    expected = reference(name, tmp_path_factory)
    rig = start(name, project, tmp_path_factory)
    (rig.fake.fail_at if fault == "fail" else rig.fake.drop_at)(k)
    try:
        rig.sync(backend=rig.backend(retries=retries))
    except SheetsError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("Google Sheets: ")
    rig.sync()
    edits_applied_once(rig, name)
    assert end_state(rig) == expected
    rig.sync()
    assert rig.counts()["write"] == rig.counts()["structure"] == 0


@pytest.fixture
def failed_push(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Rig:
    """The afternoon, a sync whose values write fails (the local files have taken the
    edits), then a sync without faults."""
    rig = start("afternoon", project, tmp_path_factory)
    rig.fake.fail_at(3)  # the write: after the read and the read again
    with pytest.raises(SheetsError, match=r"^Google Sheets: HTTP 503 "):
        rig.sync(backend=rig.backend(retries=0))
    assert json.loads(rig.state.read_text())["journal"] is not None
    rig.sync()
    return rig


def test_after_a_failed_push_every_edit_is_applied_once(failed_push: Rig) -> None:
    edits_applied_once(failed_push, "afternoon")
    assert failed_push.rows("candidates")["o1"]["release_date"] == "2024-12-05"


def test_after_a_failed_push_the_n_row_is_cleared(failed_push: Rig) -> None:
    assert "phi_4" not in failed_push.keys("Candidates")  # not "not applied: ..."


def test_after_a_failed_push_the_reviewers_see_what_was_applied(failed_push: Rig) -> None:
    assert "grok_3" not in failed_push.keys("Candidates")  # confirmed: it lives in Staging
    assert failed_push.status("Staging", "grok_3") == "applied: confirmed above 1e25 in Candidates"
