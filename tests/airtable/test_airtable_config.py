"""Choosing and configuring the Airtable backend (ARCHITECTURE §6, §8-9): credentials from the
environment (or a token file), an endpoint override, one-line errors, and a token that
never shows up in any output, error or file."""

from __future__ import annotations

import traceback
from pathlib import Path

import pytest
from airtable_support import TOKEN, Base, new_base, one_line
from fakes.airtable_fake import FakeAirtable

from bridge.backends import choose, make_backend
from bridge.backends.airtable import DEFAULT_ENDPOINT, AirtableBackend
from bridge.backends.http import PacedAdapter, RetryPolicy
from bridge.mirror import mirror
from pipeline.errors import ConfigError, TrackerError

MISSING = "the airtable backend needs AIRTABLE_TOKEN and AIRTABLE_BASE_ID (README: Deployment)"


@pytest.fixture
def base(project: Path, monkeypatch: pytest.MonkeyPatch) -> Base:
    """A base that accepts only TOKEN; the CLI's backend runs on its simulated clock."""
    base = new_base(project, monkeypatch)
    base.fake = FakeAirtable(clock=base.clock, token=TOKEN)
    monkeypatch.setattr("bridge.backends.airtable.Clock", lambda: base.clock)
    return base


def env(base: Base, **extra: str) -> dict[str, str]:
    return {
        "AIRTABLE_TOKEN": TOKEN,
        "AIRTABLE_BASE_ID": base.fake.base_id,
        "AIRTABLE_ENDPOINT_URL": base.fake.endpoint,
        **extra,
    }


def use_env(monkeypatch: pytest.MonkeyPatch, values: dict[str, str]) -> None:
    for name, value in values.items():
        monkeypatch.setenv(name, value)


def everything_written(base: Base) -> str:
    return "\n".join(
        path.read_text(encoding="utf-8", errors="replace")
        for folder in (base.data, base.configs)
        for path in folder.rglob("*")
        if path.is_file() and "raw" not in path.parts
    )


def test_auto_picks_airtable_when_token_and_base_are_set(base: Base) -> None:
    settings = base.settings()
    assert settings.bridge.backend == "auto"
    values = {"AIRTABLE_TOKEN": TOKEN, "AIRTABLE_BASE_ID": "appTEST"}
    assert choose(settings, None, values) == "airtable"
    assert choose(settings, None, {"AIRTABLE_TOKEN": TOKEN}) == "local"
    assert choose(settings, None, {}) == "local"
    backend = make_backend(settings, None, values)
    assert isinstance(backend, AirtableBackend)
    assert backend.base_id == "appTEST" and backend.api.endpoint_url == DEFAULT_ENDPOINT


def test_the_backend_takes_its_pace_and_retries_from_the_settings(
    base: Base, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_BRIDGE__RETRIES", "2")
    monkeypatch.setenv("TRACKER_BRIDGE__REQUESTS_PER_SECOND", "3")
    monkeypatch.setenv("TRACKER_MAX_RETRY_WAIT_SECONDS", "45")
    backend = make_backend(base.settings(), "airtable", env(base))
    assert isinstance(backend, AirtableBackend)
    adapter = backend.api.session.get_adapter(base.fake.endpoint)
    assert isinstance(adapter, PacedAdapter)  # pyairtable's own session, configured
    assert adapter.policy == RetryPolicy(2, max_wait=45, penalty=30)
    assert adapter.pacer.per_second == 3


def test_the_endpoint_override_is_honoured(base: Base) -> None:
    backend = make_backend(base.settings(), None, env(base))
    assert isinstance(backend, AirtableBackend)
    assert backend.api.endpoint_url == base.fake.endpoint
    with base.serving():
        mirror(base.settings(), "sync", backend=backend)
    assert base.fake.table_names() == ["Candidates", "Staging", "Published"]


def test_a_token_file_is_read_and_stripped(base: Base, tmp_path: Path) -> None:
    secret = tmp_path / "token"
    secret.write_text(f"{TOKEN}\n", encoding="utf-8")
    values = env(base, AIRTABLE_TOKEN_FILE=str(secret))
    del values["AIRTABLE_TOKEN"]
    backend = make_backend(base.settings(), "airtable", values)
    with base.serving():
        mirror(base.settings(), "sync", backend=backend)  # the fake accepts TOKEN only
    assert len(base.records("published")) == 26


def test_auto_picks_airtable_with_a_token_file(base: Base, tmp_path: Path) -> None:
    secret = tmp_path / "token"
    secret.write_text(TOKEN, encoding="utf-8")
    values = {"AIRTABLE_TOKEN_FILE": str(secret), "AIRTABLE_BASE_ID": "appTEST"}
    assert choose(base.settings(), None, values) == "airtable"


def test_an_unreadable_token_file_is_one_line(base: Base, tmp_path: Path) -> None:
    values = {"AIRTABLE_TOKEN_FILE": str(tmp_path / "absent"), "AIRTABLE_BASE_ID": "appTEST"}
    with pytest.raises(ConfigError) as caught:
        make_backend(base.settings(), "airtable", values)
    assert one_line(str(caught.value))
    assert "AIRTABLE_TOKEN_FILE" in str(caught.value) and "absent" in str(caught.value)


@pytest.mark.parametrize(
    "values",
    [{}, {"AIRTABLE_TOKEN": TOKEN}, {"AIRTABLE_BASE_ID": "appTEST"}],
    ids=["nothing", "no-base", "no-token"],
)
def test_missing_credentials_are_one_line_naming_the_variables(
    base: Base, monkeypatch: pytest.MonkeyPatch, values: dict[str, str]
) -> None:
    with pytest.raises(ConfigError) as caught:
        make_backend(base.settings(), "airtable", values)
    assert str(caught.value) == MISSING
    use_env(monkeypatch, values)
    before = base.files()
    result = base.cli("bridge", "sync", "--backend", "airtable")
    assert result.exit_code == 1
    assert result.output == f"Error: {MISSING}\n"
    assert TOKEN not in result.output and base.files() == before


def test_tracker_bridge_backend_selects_airtable(
    base: Base, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_BRIDGE__BACKEND", "airtable")
    result = base.cli("bridge", "sync")
    assert result.exit_code == 1 and result.output == f"Error: {MISSING}\n"


def test_tracker_backend_selects_airtable(base: Base, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_BACKEND", "airtable")
    result = base.cli("bridge", "sync")
    assert result.exit_code == 1 and result.output == f"Error: {MISSING}\n"


def test_the_token_is_never_printed_or_saved(base: Base, monkeypatch: pytest.MonkeyPatch) -> None:
    use_env(monkeypatch, env(base))
    first = base.cli("bridge", "sync")
    base.edit("candidates", "grok_3", {"decision": "y", "reason": "reported 3.5e26"})
    base.clock.advance(60)
    second = base.cli("bridge", "sync", "--dry-run")
    status = base.cli("bridge", "status")
    for result in (first, second, status):
        assert result.exit_code == 0, result.output
        assert TOKEN not in result.output
    assert "airtable (https://airtable.com/appTEST)" in first.output
    assert TOKEN not in everything_written(base)


@pytest.mark.parametrize("fault", ["wrong-token", "server-error", "unreachable"])
def test_errors_never_show_the_token(
    base: Base, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    values = env(base)
    if fault == "wrong-token":
        base.fake.token = "patSOMEONEELSE"
    elif fault == "server-error":
        base.fake.fail_next(20, 500)
    else:
        values["AIRTABLE_ENDPOINT_URL"] = "https://elsewhere.test"
    use_env(monkeypatch, values)
    result = base.cli("bridge", "sync")
    assert result.exit_code == 1 and one_line(result.output)
    assert result.output.startswith("Error: Airtable: ") and TOKEN not in result.output
    backend = make_backend(base.settings(), "airtable", values)
    with base.serving(), pytest.raises(TrackerError) as caught:
        mirror(base.settings(), "sync", backend=backend)
    text = "".join(traceback.format_exception(caught.value))
    assert TOKEN not in text and TOKEN not in repr(caught.value)
    assert TOKEN not in everything_written(base)
