"""``tracker run``: one cycle end to end on the local workbook, a reviewer's decisions
applied by the next cycle, a failing stage that stops the cycle, a failing source that is
only a warning, and ``--skip-collect`` (README "Two commands", "Deployment")."""

from __future__ import annotations

import shutil

from curate_support import set_cells
from openpyxl import load_workbook
from worker_support import (
    CYCLE_STAGES,
    HEARTBEAT,
    PNG_SIGNATURE,
    Home,
    changed,
    error_lines,
    stages,
    warning_lines,
)

ACCEPTED, REJECTED = "o3", "phi_4"  # candidates after the first cycle (o3 has no mapping)
DECISIONS = {
    ACCEPTED: {"decision": "y", "reason": "reported by the developer"},
    REJECTED: {"decision": "n", "reason": "small model"},
}


def test_first_cycle_on_a_fresh_data_directory_builds_everything(fresh: Home) -> None:
    result = fresh.cli("run")

    assert result.exit_code == 0, result.output
    assert len(fresh.rows("candidates")) > 50
    assert len(fresh.rows("below")) > 50
    assert load_workbook(fresh.workbook, read_only=True).sheetnames == [
        "Candidates",
        "Staging",
        "Published",
        "Guide",
    ]
    assert set(fresh.sheet_keys("candidates")) == set(fresh.rows("candidates"))
    page = (fresh.reports / "index.html").read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "data:image/png;base64," in page
    assert (fresh.reports / "compute_over_time.png").read_bytes().startswith(PNG_SIGNATURE)
    beat = fresh.heartbeat()
    assert beat["result"] == "ok" and beat["message"] == ""
    assert beat["last_start"] <= beat["last_end"]
    assert beat["counts"]["decisions"] == 0
    summary = stages(result.output)
    assert list(summary) == list(CYCLE_STAGES)  # each stage, in order, with its seconds
    assert all(seconds >= 0 for _, seconds in summary.values())
    assert summary["sync"][0].startswith("local: 0 reviewer changes (0 decisions)")
    assert "Sheets: local, " in result.output
    assert "Traceback" not in result.output
    health = fresh.cli("health")
    assert health.exit_code == 0 and health.output.startswith("ok: last cycle ended")


def test_the_next_cycle_applies_the_reviewers_decisions(fresh: Home) -> None:
    fresh.run()
    assert {ACCEPTED, REJECTED} <= set(fresh.rows("candidates"))
    fresh.decide(DECISIONS)

    result = fresh.run()

    assert ACCEPTED in fresh.rows("staging")
    assert fresh.rows("staging")[ACCEPTED]["verified"] == "y"
    assert REJECTED in fresh.rows("below") and REJECTED not in fresh.rows("candidates")
    assert REJECTED not in fresh.sheet_keys("candidates")
    assert ACCEPTED in fresh.sheet_keys("staging")
    assert "Reviewer decisions applied: 2 " in result.output
    assert "(2 decisions)" in stages(result.output)["sync"][0]
    assert fresh.heartbeat()["counts"]["decisions"] == 2

    history = fresh.cli("history", ACCEPTED)
    assert history.exit_code == 0, history.output
    rows = [line for line in history.output.splitlines() if f"│ {ACCEPTED} " in line]
    from_sheet = [line for line in rows if "│ sheet " in line]
    assert any("│ staging " in line and "AddRow" in line for line in from_sheet), history.output
    assert any("│ pipeline " in line for line in rows)  # the first cycle added it
    moved = fresh.cli("history", REJECTED)
    assert any("│ sheet " in line and "MoveRow" in line for line in moved.output.splitlines())


def test_decisions_applied_once_the_cycle_after_is_idle(cycled: Home) -> None:
    cycled.decide(DECISIONS)
    cycled.run()
    before = cycled.snapshot(skip=(HEARTBEAT,))

    result = cycled.run()

    assert "Reviewer decisions applied: 0 " in result.output
    assert changed(before, cycled.snapshot(skip=(HEARTBEAT,))) == []


# -- a stage that fails -----------------------------------------------------------------


def test_bad_input_stops_the_cycle_at_refresh_and_nothing_downstream_changes(
    cycled: Home,
) -> None:
    set_cells(cycled.file("candidates"), ACCEPTED, training_flop="lots")
    cycled.decide(DECISIONS)  # waiting in the sheet: must not be applied by a failed cycle
    before = cycled.snapshot(skip=(HEARTBEAT,))

    result = cycled.cli("run")

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    (line,) = error_lines(result)
    assert line.startswith("Error: the cycle stopped at refresh: bad input, nothing written")
    assert "'lots' is not a number" in line and ACCEPTED in line
    assert list(stages(result.output)) == ["collect", "estimate", "refresh"]
    assert changed(before, cycled.snapshot(skip=(HEARTBEAT,))) == []  # workbook, report too
    beat = cycled.heartbeat()
    assert beat["result"] == "failed" and beat["message"].startswith("refresh: bad input")
    health = cycled.cli("health")
    assert health.exit_code == 1
    assert "the last cycle failed at" in health.output and "refresh: bad input" in health.output


def test_after_the_input_is_fixed_the_next_cycle_recovers(cycled: Home) -> None:
    good = cycled.file("candidates").read_bytes()
    set_cells(cycled.file("candidates"), ACCEPTED, training_flop="lots")
    assert cycled.cli("run").exit_code == 1
    cycled.file("candidates").write_bytes(good)
    cycled.decide(DECISIONS)

    result = cycled.run()

    assert "Reviewer decisions applied: 2 " in result.output
    assert cycled.heartbeat()["result"] == "ok" and cycled.heartbeat()["message"] == ""
    assert cycled.cli("health").exit_code == 0


def test_one_failing_source_is_a_warning_naming_it(cycled: Home) -> None:
    cycled.add_source("gone_export", "raw/lmarena/missing_export.csv")

    result = cycled.cli("run")

    assert result.exit_code == 0, result.output
    (warning,) = warning_lines(result)
    assert warning.startswith("warning: collect: gone_export: ")
    assert warning.endswith("raw/lmarena/missing_export.csv: file not found")
    assert stages(result.output)["collect"][0].startswith("1/2 sources")
    assert list(stages(result.output)) == list(CYCLE_STAGES)
    assert cycled.heartbeat()["result"] == "ok"
    assert cycled.cli("health").exit_code == 0


def test_every_source_failing_stops_the_cycle_at_collect(cycled: Home) -> None:
    shutil.rmtree(cycled.data / "raw" / "lmarena")
    before = cycled.snapshot(skip=(HEARTBEAT,))

    result = cycled.cli("run")

    assert result.exit_code == 1
    (line,) = error_lines(result)
    assert line.startswith("Error: the cycle stopped at collect: every source failed (")
    assert "lmarena_text: no file matches" in line
    assert list(stages(result.output)) == ["collect"]
    assert changed(before, cycled.snapshot(skip=(HEARTBEAT,))) == []
    assert cycled.heartbeat()["result"] == "failed"
    assert cycled.cli("health").exit_code == 1


# -- --skip-collect ---------------------------------------------------------------------


def test_skip_collect_runs_every_other_stage(cycled: Home) -> None:
    # Without the raw exports a collect would fail: a success shows it did not run.
    shutil.rmtree(cycled.data / "raw" / "lmarena")
    cycled.decide(DECISIONS)

    result = cycled.cli("run", "--skip-collect")

    assert result.exit_code == 0, result.output
    assert list(stages(result.output)) == ["estimate", "refresh", "sync", "report"]
    assert "collect:" not in result.output
    assert warning_lines(result) == []
    assert "Reviewer decisions applied: 2 " in result.output
    assert ACCEPTED in cycled.rows("staging")
    assert "collect" not in cycled.heartbeat()["counts"]
    assert cycled.heartbeat()["result"] == "ok"


# -- the same cycle under ``tracker worker --once`` (log lines on stderr) --------------------


def test_worker_once_logs_each_stage_and_a_warning_per_failed_source(cycled: Home) -> None:
    cycled.add_source("gone_export", "raw/lmarena/missing_export.csv")

    result = cycled.cli("worker", "--once")

    assert result.exit_code == 0, result.output
    logged = result.stderr.splitlines()
    for stage in CYCLE_STAGES:
        assert any(f" INFO tracker.worker: {stage}: started" in line for line in logged)
    (warning,) = [line for line in logged if " WARNING tracker.worker: " in line]
    assert warning.split(" WARNING tracker.worker: ")[1].startswith("collect: gone_export: ")
    (closing,) = [line for line in logged if " tracker.worker: cycle " in line]
    assert " INFO tracker.worker: cycle ok in " in closing
    assert "; sync local: 0 reviewer changes (0 decisions), 0 cells written; " in closing
    assert cycled.heartbeat()["result"] == "ok"


def test_worker_once_exits_1_when_the_cycle_fails(cycled: Home) -> None:
    set_cells(cycled.file("candidates"), ACCEPTED, training_flop="lots")

    result = cycled.cli("worker", "--once")

    assert result.exit_code == 1
    (closing,) = [line for line in result.stderr.splitlines() if "tracker.worker: cycle " in line]
    assert " ERROR tracker.worker: cycle failed in " in closing
    assert closing.endswith("'lots' is not a number)")
    assert "Traceback" not in result.output
    assert cycled.heartbeat()["result"] == "failed"
