"""A command that leaves its results to the end of the process exits without freeing
them, and still says everything it printed, with its exit status."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import ending


def _run(body: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import atexit, sys\n"
        "from pipeline.cli.ending import finish, leave_to_exit\n"
        "atexit.register(lambda: print('interpreter clean-up'))\n" + body
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


def test_left_results_end_the_process_at_once_after_what_it_printed() -> None:
    done = _run(
        "leave_to_exit([{'key': str(i)} for i in range(1000)])\n"
        "print('Saved: estimates')\n"
        "print('warning: one', file=sys.stderr)\n"
        "finish(None)\n"
    )
    assert done.returncode == 0
    assert done.stdout == "Saved: estimates\n"  # piped, so buffered: flushed before the end
    assert done.stderr == "warning: one\n"


@pytest.mark.parametrize(
    ("code", "status", "said"), [("2", 2, ""), ("'Error: bad'", 1, "Error: bad\n")]
)
def test_the_exit_status_is_the_one_system_exit_gives(code: str, status: int, said: str) -> None:
    done = _run(f"leave_to_exit(object())\nfinish({code})\n")
    assert (done.returncode, done.stderr) == (status, said)


def test_without_left_results_the_interpreter_ends_as_usual() -> None:
    done = _run("finish(0)\n")
    assert (done.returncode, done.stdout) == (0, "interpreter clean-up\n")


def test_finish_in_process_raises_system_exit_when_nothing_is_left(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ending, "_left", [])
    with pytest.raises(SystemExit) as raised:
        ending.finish(5)
    assert raised.value.code == 5


def test_what_a_command_logged_is_written_before_the_end(tmp_path: Path) -> None:
    log = tmp_path / "worker.log"
    done = _run(
        "import logging\n"
        f"logging.basicConfig(filename={str(log)!r}, level=logging.INFO)\n"
        "logging.getLogger('tracker').info('cycle done')\n"
        "leave_to_exit(object())\n"
        "finish(0)\n"
    )
    assert done.returncode == 0
    assert "cycle done" in log.read_text()
