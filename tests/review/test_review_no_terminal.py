"""``review-candidates`` with no terminal: closed or empty stdin, input ending mid-session."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from review_support import (
    NO_TERMINAL,
    Data,
    Review,
    assert_clean_exit,
    note,
    snapshot,
    summary,
)

TRACKER = Path(sys.executable).with_name("tracker")


def run_script(project: Path, stdin: int | None, *prefix: str) -> subprocess.CompletedProcess[str]:
    """The installed ``tracker`` script in a real process, with ``stdin`` as given."""
    options = ["--data-dir", str(project / "data"), "--config-dir", str(project / "configs")]
    command = [*prefix, str(TRACKER), *options, "review-candidates"]
    return subprocess.run(
        command, stdin=stdin, capture_output=True, text=True, timeout=60, check=False
    )


def ending(output: str) -> list[str]:
    """The summary and the error that end a session cut short; the summary without the
    unanswered prompt before it (see test_the_summary_after_eof_is_a_line_of_its_own)."""
    *_, summary_line, error_line = output.splitlines()
    found = re.search(r"Reviewed \d+: .*$", summary_line)
    return [found.group(0) if found else summary_line, error_line]


def test_empty_input_refuses_with_one_line_and_changes_nothing(data: Data, review: Review) -> None:
    before = snapshot(data.root)
    result = review(input="")
    assert_clean_exit(result, 2)
    assert result.output == NO_TERMINAL + "\n"
    assert result.stderr == NO_TERMINAL + "\n"
    assert result.stdout == ""
    assert snapshot(data.root) == before


def test_the_installed_script_with_stdin_from_devnull(data: Data, project: Path) -> None:
    before = snapshot(data.root)
    done = run_script(project, subprocess.DEVNULL)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr == NO_TERMINAL + "\n"
    assert done.stdout == ""
    assert "Traceback" not in done.stdout + done.stderr
    assert snapshot(data.root) == before


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX shell")
def test_the_installed_script_with_stdin_closed(data: Data, project: Path) -> None:
    before = snapshot(data.root)
    done = run_script(project, None, "/bin/sh", "-c", 'exec "$0" "$@" 0<&-')
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr == NO_TERMINAL + "\n"
    assert "Traceback" not in done.stdout + done.stderr
    assert snapshot(data.root) == before


def test_input_ending_mid_session_keeps_what_was_decided(
    data: Data, review: Review, frozen_clock: str
) -> None:
    first, second = data.new_candidates()[:2]
    result = review(input="y\nfirst reason\n")
    assert_clean_exit(result, 2)
    assert data.rows("staging")[first]["notes"] == note("first reason")
    assert data.rows("candidates")[first]["verified"] == "y"
    assert data.rows("candidates")[second]["verified"] == ""
    assert ending(result.output) == [summary(added=1), NO_TERMINAL]
    assert result.stderr == NO_TERMINAL + "\n"


def test_input_ending_after_garbage(data: Data, review: Review) -> None:
    before = snapshot(data.root)
    result = review(input="\n")
    assert_clean_exit(result, 2)
    assert "Please answer y, n, skip or quit." in result.output
    assert ending(result.output) == [summary(), NO_TERMINAL]
    assert snapshot(data.root) == before


def test_input_ending_at_the_batch_question(data: Data, review: Review) -> None:
    result = review("--batch-size", "1", input="skip\n")
    assert_clean_exit(result, 2)
    assert ending(result.output) == [summary(skipped=1), NO_TERMINAL]


def test_input_ending_at_the_reason_applies_and_counts_nothing(data: Data, review: Review) -> None:
    before = snapshot(data.root)
    result = review(input="y\n")
    assert_clean_exit(result, 2)
    assert snapshot(data.root) == before
    assert ending(result.output) == [summary(), NO_TERMINAL]


def test_the_summary_after_eof_is_a_line_of_its_own(data: Data, review: Review) -> None:
    result = review(input="y\nfirst reason\n")
    assert_clean_exit(result, 2)
    assert result.output.splitlines()[-2:] == [summary(added=1), NO_TERMINAL]
