"""Stopping a cycle: SIGTERM (and SIGINT) end it after the current stage with consistent
files; after a SIGKILL at chosen points of a sync the next run converges; the scheduled
worker stops on SIGTERM.

The signal is sent when the subprocess prints ``<stage>: started``. Most stages take a few
milliseconds, too short to be sure the signal lands while the stage still runs, so the
stage is held (gated_tracker.py ``--hold``): after its ``started`` line it waits until the
cycle's stop event is set, that is until the signal has been handled, then does its real
work. SIGKILL points are reached the same way (``--pause``). One test uses the plain binary
on the sync stage, which takes long enough (a few hundred ms) to be hit without help.
"""

from __future__ import annotations

import json
import signal
from datetime import UTC, datetime, timedelta

import pytest
from worker_ops_support import (
    STAGES,
    Project,
    assert_files_sound,
    assert_no_duplicates,
    clean_env,
    comparable,
    differences,
    stage_lines,
)

STOPPED = "Stopped at your request after the last stage shown; run again to finish."
# What each stage writes first (on a fresh project none of these exists yet).
OUTPUT = {
    "collect": "scraped/lmarena_text_models.json",
    "estimate": "estimated/estimated_models.json",
    "refresh": "clean/above_1e25_flop.csv",
    "sync": "sheets/tracker.xlsx",
    "report": "reports/index.html",
}


def assert_stopped_after(project: Project, out: str, stage: str) -> None:
    """The cycle ran the stages up to ``stage`` and skipped the rest; files are sound."""
    done = list(STAGES[: STAGES.index(stage) + 1])
    following = STAGES[len(done)]
    lines = stage_lines(out)
    assert list(lines) == [*done, following], out
    assert all(lines[name][0] == "started" and len(lines[name]) == 2 for name in done)
    assert lines[following] == ["skipped: stop requested"]
    assert STOPPED in out
    for name in STAGES:
        assert (project.data / OUTPUT[name]).exists() == (name in done), name
    beat = project.heartbeat()
    assert beat["result"] == "stopped"
    assert beat["message"] == ""
    assert set(beat["counts"]) >= set(done) and not set(beat["counts"]) & set(STAGES[len(done) :])
    assert beat["last_end"] >= beat["last_start"]
    assert not project.lock_file.exists()
    assert_files_sound(project)  # includes: no *.tmp file anywhere under data/


@pytest.mark.parametrize("stage", ["collect", "estimate", "refresh", "sync"])
def test_sigterm_mid_cycle_stops_after_the_stage_and_the_next_run_finishes(
    fresh: Project, fresh_reference: dict[str, object], stage: str
) -> None:
    run = fresh.start("run", hold=stage)
    run.expect(rf" {stage}: started$")
    run.signal(signal.SIGTERM)
    code, out, err = run.finish()
    assert code == 0, out + err
    assert_stopped_after(fresh, out, stage)
    health = fresh.invoke("health")
    assert health.exit_code == 1
    assert "the last cycle was stopped before its end" in health.stderr

    code, out, err = fresh.run("run")
    assert code == 0, out + err
    assert set(stage_lines(out)) == set(STAGES)
    assert fresh.heartbeat()["result"] == "ok"
    assert fresh.invoke("health").exit_code == 0
    assert_files_sound(fresh)
    assert_no_duplicates(fresh)
    # Equal to one uninterrupted cycle, times aside (see comparable()).
    assert not differences(comparable(fresh), fresh_reference)


def test_sigint_is_a_stop_request_too(fresh: Project) -> None:
    run = fresh.start("run", hold="refresh")
    run.expect(r" refresh: started$")
    run.signal(signal.SIGINT)
    code, out, err = run.finish()
    assert code == 0, out + err
    assert_stopped_after(fresh, out, "refresh")


def test_sigterm_to_the_plain_binary_during_sync(fresh: Project) -> None:
    """No hooks: the first sync of a fresh project writes ~3,000 cells, long enough for the
    signal sent on ``sync: started`` to arrive before the stage ends."""
    run = fresh.start("run")
    run.expect(r" sync: started$")
    run.signal(signal.SIGTERM)
    code, out, err = run.finish()
    assert code == 0, out + err
    assert_stopped_after(fresh, out, "sync")


# --- SIGKILL during a sync with reviewer input ------------------------------------------


KILL_POINTS = [
    # the "n" decision half applied: the row in candidates and below, apply journal on disk
    "applying@4",
    "journaled",  # every pull applied, push journal saved, workbook not written
    "saving",  # the new workbook half written to its temporary file
    "written",  # the workbook replaced, the sync state not updated (journal still there)
]


def killed_at(project: Project, point: str) -> None:
    """The files show the kill came where it was meant to."""
    state = json.loads((project.state / "bridge_local.json").read_text())
    tmp = list(project.workbook.parent.glob(".tracker.xlsx.*.tmp"))
    if point == "applying@4":
        assert (project.state / "apply_journal.json").exists()
        assert "hunyuan_turbos" in project.keys("candidates")
        assert "hunyuan_turbos" in project.keys("below")
    if point in ("journaled", "saving", "written"):
        assert state["journal"] is not None
        assert "hunyuan_turbos" not in project.keys("candidates")
    assert bool(tmp) == (point == "saving")


@pytest.mark.parametrize("point", KILL_POINTS)
def test_sigkill_mid_sync_then_a_normal_run_converges(
    reviewed: Project, reviewed_reference: dict[str, dict[str, object]], point: str
) -> None:
    run = reviewed.start("run", pause=f"sync:{point}")
    run.expect(rf"^PAUSED {point.partition('@')[0]}$")
    run.signal(signal.SIGKILL)
    assert run.finish()[0] == -signal.SIGKILL
    assert reviewed.lock_file.exists()  # the killed run's holder file stays behind
    killed_at(reviewed, point)

    # The next run takes the lock at once (the kernel dropped the dead process's flock).
    code, out, err = reviewed.run("run", env=clean_env(worker__lock_wait_seconds="0"))
    assert code == 0, out + err
    assert reviewed.heartbeat()["result"] == "ok"
    assert not reviewed.lock_file.exists()
    assert not (reviewed.state / "apply_journal.json").exists()
    leftovers = sorted(p.name for p in reviewed.data.rglob("*.tmp"))
    if point == "saving":
        # A hard kill leaves the temporary file it was writing; nothing removes it (it is
        # harmless: never read). Everything else must be sound.
        assert len(leftovers) == 1 and leftovers[0].startswith(".tracker.xlsx."), leftovers
        for path in reviewed.data.rglob("*.tmp"):
            path.unlink()
    assert_files_sound(reviewed)
    assert_no_duplicates(reviewed)
    # Nothing lost: the reviewer's decisions and correction are in, exactly once.
    staging = {row["model"]: row for row in reviewed.rows("staging")}
    assert {"grok_3", "gpt_4.5"} <= set(staging)
    assert "hunyuan_turbos" in reviewed.keys("below")
    candidates = {row["model"]: row for row in reviewed.rows("candidates")}
    assert candidates["gemini_2.5_flash"]["developer"] == "Google DeepMind"
    for key in ("grok_3", "gpt_4.5"):
        notes = staging[key]["notes"].splitlines()
        assert len(notes) == len(set(notes)), notes
    # The local files are those of one uninterrupted cycle from the same start ...
    result = comparable(reviewed)
    tables = {"tables": reviewed_reference["tables"]}
    assert not differences({"tables": result["tables"]}, tables)
    # ... and so are the sheets (statuses included).
    assert not differences({"sheets": result["sheets"]}, {"sheets": reviewed_reference["sheets"]})


# --- the scheduled worker ---------------------------------------------------------------


def test_sigterm_to_an_idle_worker_exits_at_once(fresh: Project) -> None:
    env = clean_env(worker__run_at_start="false")
    worker = fresh.start("worker", "--schedule", "0 6 * * *", env=env)
    # apscheduler logs this once the scheduler runs (a signal before would be lost: see
    # test_sigterm_before_the_scheduler_starts_is_not_lost).
    worker.expect(r"apscheduler\.scheduler: Scheduler started", "stderr")
    worker.signal(signal.SIGTERM)
    code, _out, err = worker.finish(timeout=5)
    assert code == 0, err
    assert "tracker.worker: worker stopped" in err
    beat = fresh.heartbeat()
    now = datetime.now(UTC)
    six = now.replace(hour=6, minute=0, second=0, microsecond=0)
    expected = six if six > now else six + timedelta(days=1)
    assert beat["next_run"] == expected.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert beat["schedule"] == "0 6 * * *"
    assert beat["pid"] == worker.pid
    assert "last_start" not in beat and "result" not in beat


def test_sigterm_to_the_worker_during_its_first_cycle(fresh: Project) -> None:
    worker = fresh.start("worker", "--schedule", "* * * * *", hold="estimate")
    worker.expect(r"tracker\.worker: estimate: started", "stderr")
    worker.signal(signal.SIGTERM)
    worker.expect(r"tracker\.worker: refresh: skipped: stop requested", "stderr")
    code, _out, err = worker.finish(timeout=2)  # the cycle is over: exit at once
    assert code == 0, err
    assert "worker stopped" in err
    beat = fresh.heartbeat()
    assert beat["result"] == "stopped"
    assert beat["pid"] == worker.pid
    assert beat["schedule"] == "* * * * *"
    assert beat["next_run"] > beat["last_start"]
    assert set(beat["counts"]) == {"collect", "estimate"}
    assert not fresh.lock_file.exists()
    assert_files_sound(fresh)


def test_sigterm_before_the_scheduler_starts_is_not_lost(fresh: Project) -> None:
    worker = fresh.start("worker", "--schedule", "0 6 * * *", pause="serve:signals")
    worker.expect(r"^PAUSED signals$")
    worker.signal(signal.SIGTERM)
    code, _out, err = worker.finish(timeout=2)
    assert code == 0, err
    assert "Traceback" not in err
