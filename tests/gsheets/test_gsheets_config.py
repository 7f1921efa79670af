"""Choosing and configuring the Google Sheets backend from the environment (ARCHITECTURE §6):
GSHEETS_SPREADSHEET_ID selects it under ``auto``; GSHEETS_ENDPOINT_URL without credentials
sends unauthenticated requests to that host; missing or bad credentials are one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from gsheets_support import SID, Rig

from bridge.backends import choose, make_backend
from bridge.backends.gsheets import SheetsBackend
from pipeline.errors import ConfigError
from pipeline.settings import Settings

AIRTABLE = {"AIRTABLE_TOKEN": "patX", "AIRTABLE_BASE_ID": "appX"}


@pytest.mark.parametrize(
    ("env", "chosen"),
    [
        ({"GSHEETS_SPREADSHEET_ID": SID}, "gsheets"),
        ({"GSHEETS_SPREADSHEET_ID": SID, **AIRTABLE}, "airtable"),
        ({"GSHEETS_SPREADSHEET_ID": ""}, "local"),
        ({}, "local"),
    ],
)
def test_auto_picks_gsheets_when_a_spreadsheet_is_named(
    settings: Settings, env: dict[str, str], chosen: str
) -> None:
    assert settings.bridge.backend == "auto"
    assert choose(settings, None, env) == chosen
    assert choose(settings, "gsheets", {}) == "gsheets"


def test_an_endpoint_without_credentials_sends_unauthenticated_requests(
    project: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    rig = Rig.after_pipeline(project, tmp_path_factory, base_url="https://sheets.test")
    monkeypatch.setattr("bridge.backends.gsheets.Clock", lambda: rig.clock)
    env = {"GSHEETS_SPREADSHEET_ID": SID, "GSHEETS_ENDPOINT_URL": "https://sheets.test/"}
    backend = make_backend(rig.settings(), None, env)
    assert isinstance(backend, SheetsBackend) and backend.credentials is None
    rig.sync(backend=backend)  # the fake answers on sheets.test only
    assert rig.counts() == {"metadata": 1, "read": 0, "write": 1, "structure": 1}
    assert len(rig.sent) == 3
    for request in rig.sent:
        assert request.url.startswith(f"https://sheets.test/v4/spreadsheets/{SID}")
        assert "Authorization" not in request.headers
    assert rig.fake.values("Candidates") == rig.expected_values("candidates")
    assert backend.location() == f"https://docs.google.com/spreadsheets/d/{SID}"


def test_without_a_spreadsheet_id_the_error_names_the_variable(settings: Settings) -> None:
    with pytest.raises(ConfigError) as caught:
        make_backend(settings, "gsheets", {"GSHEETS_ENDPOINT_URL": "https://sheets.test"})
    assert str(caught.value) == (
        "the gsheets backend needs GSHEETS_SPREADSHEET_ID (README: Deployment)"
    )


def test_without_an_endpoint_credentials_are_required(settings: Settings) -> None:
    with pytest.raises(ConfigError) as caught:
        make_backend(settings, None, {"GSHEETS_SPREADSHEET_ID": SID})
    assert str(caught.value) == (
        "the gsheets backend needs GOOGLE_APPLICATION_CREDENTIALS (a service account key file)"
    )


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        ("not json at all", "Expecting value: line 1 column 1 (char 0)"),
        ('{"type": "authorized_user", "client_id": "x"}', "not in the expected format"),
        (None, "No such file or directory"),
    ],
)
def test_a_file_that_is_not_a_service_account_key_is_named(
    settings: Settings, tmp_path: Path, content: str | None, detail: str
) -> None:
    key = tmp_path / "key.json"
    if content is not None:
        key.write_text(content)
    env = {"GSHEETS_SPREADSHEET_ID": SID, "GOOGLE_APPLICATION_CREDENTIALS": str(key)}
    with pytest.raises(ConfigError) as caught:
        make_backend(settings, "gsheets", env)
    message = str(caught.value)
    assert message.startswith(f"{key}: not a service account key file (") and detail in message
    assert "\n" not in message
