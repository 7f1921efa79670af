"""``tracker health`` both ways: healthy only when the last cycle succeeded within
worker.health_max_age_hours; otherwise exit 1 with the reason in one line.

Ages are tested at unit level with ``judge(..., now=...)``; the command line with real,
recent timestamps.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from worker_ops_support import Project, clean_env, make_project

from worker.heartbeat import heartbeat_path, judge, write_heartbeat

NOW = datetime(2031, 5, 6, 12, 0, tzinfo=UTC)
DAY = timedelta(hours=26)  # the shipped worker.health_max_age_hours


def stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def beat(result: str, ended: datetime, **fields: Any) -> dict[str, Any]:
    started = ended - timedelta(minutes=2)
    return {"last_start": stamp(started), "last_end": stamp(ended), "result": result,
            "message": "", "pid": 7, "next_run": stamp(ended + timedelta(hours=20)),
            **fields}  # fmt: skip


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return make_project(tmp_path / "p")


def write(project: Project, data: dict[str, Any]) -> None:
    write_heartbeat(project.state, **data)


# --- unit level: judge() with a fixed now -----------------------------------------------


def test_no_heartbeat(tmp_path: Path) -> None:
    health = judge(tmp_path / "state", DAY, now=NOW)
    assert not health.ok
    assert health.reason == (
        f"no cycle has run yet ({heartbeat_path(tmp_path / 'state')} is missing)"
    )


@pytest.mark.parametrize("age", [timedelta(0), timedelta(hours=1), DAY])
def test_a_recent_good_cycle_is_healthy(project: Project, age: timedelta) -> None:
    write(project, beat("ok", NOW - age))
    health = judge(project.state, DAY, now=NOW)
    assert health.ok
    assert health.reason == f"ok: last cycle ended {stamp(NOW - age)}"


@pytest.mark.parametrize(
    ("age", "hours"),
    [(DAY + timedelta(seconds=1), "26.0"), (timedelta(hours=50, minutes=30), "50.5")],
)
def test_a_good_cycle_too_long_ago_is_unhealthy(
    project: Project, age: timedelta, hours: str
) -> None:
    write(project, beat("ok", NOW - age))
    health = judge(project.state, DAY, now=NOW)
    assert not health.ok
    assert health.reason == (
        f"the last successful cycle ended {hours} h ago, at {stamp(NOW - age)}"
    )


def test_the_maximum_age_is_the_one_given(project: Project) -> None:
    write(project, beat("ok", NOW - timedelta(hours=2)))
    assert judge(project.state, timedelta(hours=3), now=NOW).ok
    assert not judge(project.state, timedelta(hours=1), now=NOW).ok


def test_a_failed_cycle_is_unhealthy_however_recent(project: Project) -> None:
    write(project, beat("failed", NOW, message="refresh: bad input, nothing written"))
    health = judge(project.state, DAY, now=NOW)
    assert not health.ok
    assert health.reason == (
        f"the last cycle failed at {stamp(NOW)}: refresh: bad input, nothing written"
    )
    write(project, {"message": ""})
    assert judge(project.state, DAY, now=NOW).reason == f"the last cycle failed at {stamp(NOW)}"


def test_a_stopped_cycle_is_unhealthy(project: Project) -> None:
    write(project, beat("stopped", NOW - timedelta(minutes=5)))
    health = judge(project.state, DAY, now=NOW)
    assert not health.ok
    assert health.reason == (
        f"the last cycle was stopped before its end, at {stamp(NOW - timedelta(minutes=5))}"
    )


def test_a_first_cycle_still_running(project: Project) -> None:
    write(project, {"last_start": stamp(NOW), "pid": 7, "next_run": "", "schedule": "0 6 * * *"})
    health = judge(project.state, DAY, now=NOW)
    assert not health.ok
    assert health.reason == f"the first cycle, started {stamp(NOW)}, has not finished"


def test_a_later_cycle_running_is_judged_on_the_last_finished_one(project: Project) -> None:
    write(project, beat("ok", NOW - timedelta(hours=3)))
    write(project, {"last_start": stamp(NOW), "pid": 8})  # what a starting cycle writes
    assert judge(project.state, DAY, now=NOW).ok


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"", b"[1, 2, 3]", b'"ok"', b"\xff\xfe\x00binary", b"null"],
    ids=repr,
)
def test_an_unreadable_heartbeat_is_unhealthy_not_an_error(
    project: Project, content: bytes
) -> None:
    project.state.mkdir(parents=True)
    heartbeat_path(project.state).write_bytes(content)
    health = judge(project.state, DAY, now=NOW)
    assert not health.ok


@pytest.mark.parametrize("value", ["yesterday", "2031-13-45T00:00:00Z", 12345])
def test_an_unreadable_time_is_unhealthy(project: Project, value: object) -> None:
    write(project, beat("ok", NOW) | {"last_end": value})
    health = judge(project.state, DAY, now=NOW)
    assert not health.ok
    assert health.reason == f"unreadable heartbeat time {value!r}"


def test_a_time_without_zone_is_utc(project: Project) -> None:
    write(project, beat("ok", NOW) | {"last_end": "2031-05-06T11:00:00"})
    assert judge(project.state, timedelta(hours=1), now=NOW).ok
    assert not judge(project.state, timedelta(minutes=59), now=NOW).ok


def test_a_damaged_heartbeat_is_not_called_missing(project: Project) -> None:
    project.state.mkdir(parents=True)
    heartbeat_path(project.state).write_text('{"last_end": "2031-05-06T11:00:00Z", "res')
    assert "missing" not in judge(project.state, DAY, now=NOW).reason


# --- the command, with real recent times ------------------------------------------------

RECENT = datetime.now(UTC)
CASES = [
    ("none", None, 1, "no cycle has run yet ("),
    ("ok an hour ago", beat("ok", RECENT - timedelta(hours=1)), 0,
     f"ok: last cycle ended {stamp(RECENT - timedelta(hours=1))}"),
    ("ok too long ago", beat("ok", RECENT - timedelta(hours=30)), 1,
     "the last successful cycle ended 30."),
    ("failed", beat("failed", RECENT, message="sync: airtable: 401 Unauthorized"), 1,
     f"the last cycle failed at {stamp(RECENT)}: sync: airtable: 401 Unauthorized"),
    ("stopped", beat("stopped", RECENT), 1, "the last cycle was stopped before its end, at "),
    ("running", {"last_start": stamp(RECENT), "pid": 7}, 1,
     f"the first cycle, started {stamp(RECENT)}, has not finished"),
    ("garbage", "garbage", 1, ""),
]  # fmt: skip


@pytest.mark.parametrize(("name", "data", "code", "reason"), CASES, ids=[c[0] for c in CASES])
def test_the_health_command(project: Project, name: str, data: Any, code: int, reason: str) -> None:
    if data == "garbage":
        project.state.mkdir(parents=True)
        heartbeat_path(project.state).write_text("{{{ not json")
    elif data is not None:
        write(project, data)
    result = project.invoke("health")
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    # The reason, one line: on stdout when healthy, on stderr when not.
    shown, silent = (result.stdout, result.stderr) if code == 0 else (result.stderr, result.stdout)
    (line,) = shown.splitlines()
    assert line.startswith(reason)
    assert silent == ""


def test_the_health_command_reads_the_maximum_age_from_the_settings(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(project, beat("ok", datetime.now(UTC) - timedelta(hours=2)))
    assert project.invoke("health").exit_code == 0
    monkeypatch.setenv("TRACKER_WORKER__HEALTH_MAX_AGE_HOURS", "1.5")
    result = project.invoke("health")
    assert result.exit_code == 1
    assert result.stderr.startswith("the last successful cycle ended 2.0 h ago")


def test_the_health_binary_both_ways(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    code, out, err = project.run("health", env=clean_env())
    assert (code, out) == (1, "")
    assert err.startswith("no cycle has run yet (") and err.count("\n") == 1
    write(project, beat("ok", datetime.now(UTC) - timedelta(minutes=1)))
    code, out, err = project.run("health", env=clean_env())
    assert (code, err) == (0, "")
    assert out.startswith("ok: last cycle ended ")
