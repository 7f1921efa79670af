"""Two parts of a job in two processes: the same result as in one, whatever becomes of
the child, and no child left behind by a parent that dies."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline import twocores

ROOT = Path(__file__).resolve().parents[1]


def packed(result: list[int]) -> list[bytes]:
    return [",".join(map(str, result)).encode()]


def unpacked(answer: memoryview) -> list[int] | None:
    text = bytes(answer).decode()
    return [int(n) for n in text.split(",")] if text else None


@pytest.fixture(autouse=True)
def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(twocores, "may_fork", lambda: True)


def test_the_second_part_is_made_by_a_child() -> None:
    here = os.getpid()
    mine, theirs = twocores.in_two(
        lambda: [os.getpid()], lambda: [os.getpid(), 2, 3], packed, unpacked
    )
    assert mine == [here]
    assert theirs[0] != here and theirs[1:] == [2, 3]


def test_an_answer_that_does_not_unpack_is_made_here() -> None:
    mine, theirs = twocores.in_two(lambda: 1, lambda: [], packed, unpacked)
    assert (mine, theirs) == (1, [])  # the child's empty answer: made again here


def test_without_fork_both_parts_are_made_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(twocores, "may_fork", lambda: False)
    here = os.getpid()
    assert twocores.in_two(lambda: 1, lambda: [os.getpid()], packed, unpacked) == (1, [here])


def test_a_child_dies_with_its_parent(tmp_path: Path) -> None:
    """A killed run leaves no child holding its open files (the data lock's) meanwhile."""
    pid_file = tmp_path / "child"
    script = (
        "import os, signal, time\n"
        "from pipeline import twocores\n"
        "twocores.may_fork = lambda: True\n"
        "def second():\n"
        f"    open({str(pid_file)!r}, 'w').write(str(os.getpid()))\n"
        "    time.sleep(60)\n"
        "def first():\n"
        f"    while not os.path.exists({str(pid_file)!r}): time.sleep(0.01)\n"
        "    time.sleep(0.2)\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "twocores.in_two(first, second, lambda r: [b''], lambda a: None)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, timeout=30)
    assert done.returncode == -9
    child = int(pid_file.read_text())
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(child):
        time.sleep(0.05)
    assert not _alive(child)


def _alive(pid: int) -> bool:
    """Running (a zombie left for a parent that is not reaping is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"
