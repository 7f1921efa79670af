"""``tracker config``: the effective settings (configs/tracker.yaml, then TRACKER_*
variables, TRACKER_SCHEDULE and TRACKER_BACKEND as short names) as YAML, the backend in
use as the credentials decide it, and the credentials masked."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from worker_support import Home

EVERY_FIVE = "*/5 * * * *"
AIRTABLE = {"AIRTABLE_TOKEN": "patX", "AIRTABLE_BASE_ID": "appX"}
GSHEETS = {"GSHEETS_SPREADSHEET_ID": "sheetX"}


def shown(home: Home) -> dict[str, Any]:
    result = home.cli("config")
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(result.stdout)
    assert isinstance(data, dict)
    return data


def test_defaults_come_from_the_config_file(fresh: Home) -> None:
    data = shown(fresh)
    assert data["worker"]["schedule"] == "0 6 * * *"
    assert data["worker"]["git_commit"] is False
    assert data["bridge"]["backend"] == "auto"
    assert data["bridge"]["backend in use"] == "local"
    assert data["credentials"] == "none set (the local workbook is used)"
    assert data["data_dir"] == str(fresh.data)


def test_a_nested_variable_overrides_the_schedule(
    fresh: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_WORKER__SCHEDULE", EVERY_FIVE)
    assert shown(fresh)["worker"]["schedule"] == EVERY_FIVE


def test_the_short_schedule_name_overrides_it_too(
    fresh: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_SCHEDULE", EVERY_FIVE)
    assert shown(fresh)["worker"]["schedule"] == EVERY_FIVE


def test_the_full_name_wins_over_the_short_one(
    fresh: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_SCHEDULE", EVERY_FIVE)
    monkeypatch.setenv("TRACKER_WORKER__SCHEDULE", "30 2 * * 1")
    assert shown(fresh)["worker"]["schedule"] == "30 2 * * 1"


def test_the_short_name_keeps_the_other_worker_settings(
    fresh: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (fresh.configs / "tracker.yaml").read_text(encoding="utf-8")
    (fresh.configs / "tracker.yaml").write_text(
        text.replace("lock_wait_seconds: 60 ", "lock_wait_seconds: 7 "), encoding="utf-8"
    )
    monkeypatch.setenv("TRACKER_SCHEDULE", EVERY_FIVE)
    monkeypatch.setenv("TRACKER_WORKER__GIT_COMMIT", "true")

    worker = shown(fresh)["worker"]

    assert worker["schedule"] == EVERY_FIVE
    assert worker["git_commit"] is True
    assert worker["lock_wait_seconds"] == 7
    assert worker["health_max_age_hours"] == 26


@pytest.mark.parametrize("name", ["TRACKER_SCHEDULE", "TRACKER_WORKER__SCHEDULE"])
def test_a_bad_schedule_is_one_line_naming_the_variable(
    fresh: Home, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setenv(name, "every morning")

    result = fresh.cli("config")

    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: environment variable {name}, field worker.schedule: Value error, "
        "'every morning' is not a cron expression (minute hour day month weekday)"
    ]


@pytest.mark.parametrize(
    ("env", "in_use"),
    [
        ({}, "local"),
        (AIRTABLE, "airtable"),
        ({"AIRTABLE_TOKEN": "patX"}, "local"),  # a token without a base is not enough
        (GSHEETS, "gsheets"),
        (AIRTABLE | GSHEETS, "airtable"),
        (AIRTABLE | {"TRACKER_BACKEND": "local"}, "local"),
        ({"TRACKER_BRIDGE__BACKEND": "gsheets"}, "gsheets"),
    ],
)
def test_backend_in_use_follows_the_credentials(
    fresh: Home, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], in_use: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert shown(fresh)["bridge"]["backend in use"] == in_use


def test_credentials_line_agrees_with_the_backend_in_use(
    fresh: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_BACKEND", "airtable")
    data = shown(fresh)
    assert data["bridge"]["backend in use"] == "airtable"
    assert "local workbook" not in str(data["credentials"])


def test_an_impossible_schedule_is_refused_by_config(
    fresh: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_SCHEDULE", "61 * * * *")

    result = fresh.cli("config")

    assert result.exit_code == 1
    assert result.output.startswith(
        "Error: environment variable TRACKER_SCHEDULE, field worker.schedule: "
    )
