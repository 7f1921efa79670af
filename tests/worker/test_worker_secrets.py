"""Secrets never logged (README "Deployment"): the Airtable token is used — the fake base
accepts only it — yet it appears in no output, no log line, no error and no file, whether
the cycle runs as ``tracker run``, ``tracker worker --once`` or is only configured."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import Result
from worker_support import SECRET_TOKEN, Airtable, Home, error_lines, stages

TOKEN_BYTES = SECRET_TOKEN.encode()
# Pieces of the token a careless log line might still carry (a prefix, the part after ".").
PIECES = (SECRET_TOKEN[:20], SECRET_TOKEN.split(".", 1)[1])


def leaks(text: str) -> list[str]:
    return [piece for piece in (SECRET_TOKEN, *PIECES) if piece in text]


def files_holding_the_token(*folders: Path) -> list[str]:
    return [
        str(path)
        for folder in folders
        for path in folder.rglob("*")
        if path.is_file() and any(p.encode() in path.read_bytes() for p in (SECRET_TOKEN, *PIECES))
    ]


def everything_printed(result: Result) -> str:
    return result.output + result.stdout + result.stderr


@pytest.fixture
def airtable(fresh: Home, monkeypatch: pytest.MonkeyPatch) -> Airtable:
    return Airtable.install(monkeypatch)


def test_run_and_worker_on_airtable_never_show_the_token(fresh: Home, airtable: Airtable) -> None:
    with airtable.serving():
        run = fresh.cli("run", "--backend", "airtable")
    assert run.exit_code == 0, run.output
    assert airtable.counts()["write"] > 0  # the token was accepted: the base was written
    assert "Sheets: airtable, " in run.output

    with airtable.serving():
        worker = fresh.cli("worker", "--once")  # auto: the credentials pick Airtable
    assert worker.exit_code == 0, worker.output
    assert airtable.counts()["read"] > 0
    logged = worker.stderr
    assert " INFO tracker.worker: sync: airtable: " in logged  # the log lines were captured
    assert " INFO tracker.worker: cycle ok in " in logged

    assert leaks(everything_printed(run)) == []
    assert leaks(everything_printed(worker)) == []
    assert files_holding_the_token(fresh.data, fresh.configs) == []


def test_a_rejected_token_fails_in_one_line_without_showing_it(
    fresh: Home, airtable: Airtable, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = SECRET_TOKEN[::-1]
    monkeypatch.setenv("AIRTABLE_TOKEN", wrong)

    with airtable.serving():
        result = fresh.cli("run", "--backend", "airtable")

    assert result.exit_code == 1
    (line,) = error_lines(result)
    assert line == "Error: the cycle stopped at sync: Airtable: HTTP 401 Authentication required"
    assert "Traceback" not in result.output
    assert list(stages(result.output)) == ["collect", "estimate", "refresh", "sync"]
    for text in (everything_printed(result), fresh.heartbeat()["message"]):
        assert wrong not in text and wrong[:20] not in text
    assert not [
        p for p in fresh.data.rglob("*") if p.is_file() and wrong.encode() in p.read_bytes()
    ]


def test_config_masks_the_token(fresh: Home, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRTABLE_TOKEN", SECRET_TOKEN)
    monkeypatch.setenv("AIRTABLE_BASE_ID", "appWORKER")

    result = fresh.cli("config")

    assert result.exit_code == 0, result.output
    assert yaml.safe_load(result.stdout)["credentials"] == {
        "AIRTABLE_TOKEN": f"set, {len(SECRET_TOKEN)} characters (hidden)",
        "AIRTABLE_BASE_ID": "appWORKER",
    }
    assert leaks(everything_printed(result)) == []


def test_config_names_a_token_file_but_not_its_contents(
    fresh: Home, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secret = tmp_path / "airtable_token"
    secret.write_text(SECRET_TOKEN + "\n", encoding="utf-8")
    monkeypatch.setenv("AIRTABLE_TOKEN_FILE", str(secret))
    monkeypatch.setenv("AIRTABLE_BASE_ID", "appWORKER")

    result = fresh.cli("config")

    assert result.exit_code == 0, result.output
    shown = yaml.safe_load(result.stdout)
    assert shown["credentials"]["AIRTABLE_TOKEN_FILE"] == f"{secret} (file)"
    assert shown["bridge"]["backend in use"] == "airtable"
    assert leaks(everything_printed(result)) == []


def test_worker_once_in_its_own_process_logs_no_secret(fresh: Home) -> None:
    """The real process: logging set up by the worker, output on the process's stderr.
    The local workbook is forced, so no network is needed; the token is in the
    environment all the same."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TRACKER_", "AIRTABLE_"))},
        "AIRTABLE_TOKEN": SECRET_TOKEN,
        "AIRTABLE_BASE_ID": "appWORKER",
        "TRACKER_BACKEND": "local",
    }
    command = [sys.executable, "-c", "from pipeline.cli.main import main; main()",
               "--data-dir", str(fresh.data), "--config-dir", str(fresh.configs)]  # fmt: skip

    worker = subprocess.run(
        [*command, "worker", "--once"], env=env, capture_output=True, text=True, timeout=300
    )
    config = subprocess.run(
        [*command, "config"], env=env, capture_output=True, text=True, timeout=120
    )

    assert worker.returncode == 0, worker.stderr
    assert "INFO tracker.worker: cycle ok in " in worker.stderr
    assert "backend in use: local" in config.stdout
    for text in (worker.stdout, worker.stderr, config.stdout, config.stderr):
        assert leaks(text) == []
    assert files_holding_the_token(fresh.data, fresh.configs) == []
