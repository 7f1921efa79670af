"""A failed file write at any point of a full cycle on the local workbook.

Every write of data goes through pipeline.storage.atomic (a temporary file, then
``os.replace``). For every write k of the fault-free second cycle (``tracker run`` with the
workload of resilience_support) an identical start runs the cycle with write k failing,
then cycles without faults until one succeeds (at most two more). The failing cycle must
exit 1 and leave no temporary file; the project must end where the fault-free cycle ended:
the same local files and workbook, no key twice, every reviewer edit applied once.

Two faults, alternating with k: at odd k the rename fails (``os.replace`` raises EIO), at
even k the disk is full (writing the temporary file raises ENOSPC). Both leave the disk in
the same state — write k did not land, its temporary file is removed — so one fault per k
covers every point; how each is reported is checked on its own at the end.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest
from harness import invoke
from resilience_support import (
    SHEET_SIDE,
    End,
    LocalSite,
    Site,
    Stamps,
    assert_edits_once,
    differences,
    end_state,
    failing_write,
    planted_site,
    run_until_ok,
    temp_files,
)

# The writes of the fault-free second cycle, in order (data/-relative targets).
WRITES = [
    "state/worker.json",  # 1 heartbeat: the cycle starts
    "scraped/lmarena_text_2025_01_23_models.json",  # collect: the export with the new model
    "state/sources.json",  # each source's last outcome (a new day)
    "estimated/estimated_models.json",  # estimate
    "state/estimated_fingerprint.json",  # 5 the estimates as written
    "state/apply_journal.json",  # refresh: the new candidate, under the apply journal
    "clean/above_1e25_flop.csv",
    "state/apply_journal.json",  # sync, pull: the Published edit (staging is verified)
    "published/published_data.csv",
    "state/apply_journal.json",  # 10 the Staging correction
    "staging/above_1e25_flop_staging.csv",
    "state/apply_journal.json",  # the y decision
    "clean/above_1e25_flop.csv",
    "staging/above_1e25_flop_staging.csv",
    "state/apply_journal.json",  # 15 the n decision: below first, then out of candidates
    "clean/below_1e25_flop.csv",
    "clean/above_1e25_flop.csv",
    "state/bridge_local.json",  # push: the write-ahead journal (what the sheet will hold)
    "sheets/tracker.xlsx",
    "state/bridge_local.json",  # the push landed: the journal becomes the base
    "reports/compute_over_time.png",  # report
    "reports/index.html",
    "state/worker.json",  # heartbeat: the cycle ended
]

# Write k fails, so writes 1..k-1 landed. From k = 9 on the pull's first apply journal
# (write 8) has landed — its plan is in effect or replayed by the next command — and up to
# k = 18 the push's journal (write 18) has not: reviewer edits are applied locally and the
# sync state does not know; the next sync answers them as applied (test_cycle_kills.py).


class Start(NamedTuple):
    before: Site  # after the first cycle, with the workload planted
    after: End  # the fault-free second cycle's end state
    written: list[str]  # the targets it wrote


@pytest.fixture(scope="module")
def start(stamps: Stamps, tmp_path_factory: pytest.TempPathFactory) -> Start:
    root = tmp_path_factory.mktemp("local_faults")
    site = planted_site(LocalSite, root / "first")
    reference = site.clone(root / "reference")
    stamps.under_test()
    with failing_write(0, "replace") as targets:
        outcome = reference.run()
    assert outcome.ok, outcome.output
    after = end_state(reference)
    assert_edits_once(reference)
    stamps.under_test()
    assert reference.run().ok  # a cycle with nothing new changes nothing
    assert differences(end_state(reference), after) == []
    return Start(site, after, [str(Path(t).relative_to(reference.data)) for t in targets])


def test_the_fault_free_cycle_writes_these_files_in_this_order(start: Start) -> None:
    assert start.written == WRITES


def fault_at(k: int) -> str:
    return "replace" if k % 2 else "write"


CASES = [
    pytest.param(k, id=f"write{k:02d}-{fault_at(k)}-{name.replace('/', '-')}")
    for k, name in enumerate(WRITES, start=1)
]


@pytest.mark.parametrize("k", CASES)
def test_a_failed_write_at_any_point_of_a_cycle_converges(
    k: int, start: Start, stamps: Stamps, tmp_path: Path
) -> None:
    site = start.before.clone(tmp_path / "project")
    stamps.under_test()
    fault = fault_at(k)
    with failing_write(k, fault) as targets:
        first = site.run()
    # It stopped at write k; after it only the heartbeat records the failure (unless the
    # failed write was that of the heartbeat itself).
    after = [Path(t).name for t in targets[k if fault == "replace" else k - 1 :]]
    assert after == ([] if WRITES[k - 1] == "state/worker.json" else ["worker.json"])
    assert first.exit_code == 1, first.output
    assert temp_files(site) == []
    outcomes = run_until_ok(site, first, stamps)
    assert outcomes[-1].ok, [o.output for o in outcomes]
    assert_edits_once(site)
    differ = differences(end_state(site), start.after)
    assert [d for d in differ if d not in SHEET_SIDE] == []  # the local data converges
    assert differ == []


@pytest.mark.parametrize(
    "fault",
    ["replace", "write"],
)
def test_a_failed_write_stops_the_cycle_with_one_line_naming_the_file(
    fault: str, start: Start, stamps: Stamps, tmp_path: Path
) -> None:
    site = start.before.clone(tmp_path / "project")
    stamps.under_test()
    with failing_write(7, fault):  # the refresh's write of the candidates
        outcome = site.run()
    assert (outcome.exit_code, outcome.exception) == (1, None), outcome.output
    assert outcome.output.count("Error: ") == 1
    assert "above_1e25_flop.csv" in outcome.error  # (a failed rename names its temp file)


@pytest.mark.parametrize("fault", ["replace", "write"])
def test_health_reports_a_cycle_that_failed_on_a_write(
    fault: str, start: Start, stamps: Stamps, tmp_path: Path
) -> None:
    site = start.before.clone(tmp_path / "project")
    stamps.under_test()
    with failing_write(6, fault):
        assert site.run().exit_code == 1
    health = invoke(site.data, site.configs, "health")
    assert health.exit_code == 1, health.output
