"""``worker.git_commit``: with ``data/`` a git repository, each cycle that changed data files
commits them (README "Deployment"), never the worker's own files (heartbeat, lock); an
idle cycle commits nothing; no repository is a warning, not a failure."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from worker_support import Home, stages, warning_lines

DECISIONS = {
    "o3": {"decision": "y", "reason": "reported by the developer"},
    "phi_4": {"decision": "n", "reason": "small model"},
}
IDENTITY = ("-c", "user.name=Reviewer", "-c", "user.email=reviewer@example.org")


def git(folder: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(folder), *args], capture_output=True, text=True, check=True
    )
    return done.stdout


def commits(folder: Path) -> list[str]:
    """Commit subjects, newest first."""
    return git(folder, "log", "--format=%s").splitlines()


def tree(folder: Path, commit: str = "HEAD") -> set[str]:
    return set(git(folder, "ls-tree", "-r", "--name-only", commit).splitlines())


def committed_in(folder: Path, commit: str = "HEAD") -> set[str]:
    return set(git(folder, "show", "--name-only", "--format=", commit).split())


def init_repository(folder: Path) -> None:
    """A repository in ``folder`` with everything in it committed by a person."""
    git(folder, "init", "-q")
    git(folder, "add", "-A")
    git(folder, *IDENTITY, "commit", "-q", "-m", "initial import")


@pytest.fixture
def versioned(fresh: Home, monkeypatch: pytest.MonkeyPatch) -> Home:
    """A fresh project whose data/ is a git repository (raw files committed), with
    ``worker.git_commit`` on."""
    init_repository(fresh.data)
    monkeypatch.setenv("TRACKER_WORKER__GIT_COMMIT", "true")
    return fresh


def test_a_cycle_with_changes_makes_one_commit_without_the_worker_files(versioned: Home) -> None:
    versioned.run()  # the first cycle: everything new
    assert len(commits(versioned.data)) == 2
    versioned.decide(DECISIONS)

    result = versioned.run()

    subjects = commits(versioned.data)
    assert len(subjects) == 3
    assert subjects[0].startswith("tracker cycle ")
    assert subjects[0].endswith(": 2 reviewer decisions")
    assert stages(result.output)["commit"][0] == subjects[0]
    body = git(versioned.data, "log", "-1", "--format=%b")
    assert "sync: local: 2 reviewer changes (2 decisions)" in body
    assert git(versioned.data, "log", "-1", "--format=%an <%ae>").strip() == (
        "tracker <tracker@localhost>"
    )  # no git identity configured: the fallback
    files = tree(versioned.data)
    assert {"clean/above_1e25_flop.csv", "clean/below_1e25_flop.csv",
            "staging/above_1e25_flop_staging.csv", "sheets/tracker.xlsx",
            "state/history.jsonl", "reports/index.html"} <= files  # fmt: skip
    assert "state/worker.json" not in files and "state/tracker.lock" not in files
    assert {"staging/above_1e25_flop_staging.csv", "sheets/tracker.xlsx"} <= committed_in(
        versioned.data
    )
    # Everything the cycle wrote is committed; only the heartbeat is left out.
    assert git(versioned.data, "status", "--porcelain").splitlines() == ["?? state/worker.json"]


def test_the_first_cycle_commits_its_output(versioned: Home) -> None:
    result = versioned.run()

    (subject, _) = commits(versioned.data)
    assert subject.endswith(": 0 reviewer decisions")
    assert list(stages(result.output))[-1] == "commit"
    files = tree(versioned.data)
    assert "clean/above_1e25_flop.csv" in files and "sheets/tracker.xlsx" in files
    assert "state/worker.json" not in files and "state/tracker.lock" not in files


def test_an_idle_cycle_makes_no_commit(versioned: Home) -> None:
    versioned.run()
    head = git(versioned.data, "rev-parse", "HEAD")

    result = versioned.run()

    assert git(versioned.data, "rev-parse", "HEAD") == head
    assert stages(result.output)["commit"][0] == "nothing changed"
    assert warning_lines(result) == []


def test_without_a_repository_git_commit_is_a_warning(
    cycled: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_WORKER__GIT_COMMIT", "true")
    cycled.decide(DECISIONS)

    result = cycled.cli("run")

    assert result.exit_code == 0, result.output
    assert stages(result.output)["commit"][0] == "not committed"
    (warning,) = warning_lines(result)
    assert warning.startswith("warning: commit: ") and "not a git repository" in warning
    assert "Reviewer decisions applied: 2 " in result.output  # the cycle did its work
    assert cycled.heartbeat()["result"] == "ok"
    assert cycled.cli("health").exit_code == 0


def test_the_cycle_commits_only_data_files(fresh: Home, monkeypatch: pytest.MonkeyPatch) -> None:
    """data/ inside a bigger repository (the project's own checkout, say) where someone
    has staged work of their own: the cycle must not commit it."""
    init_repository(fresh.root)
    (fresh.root / "NOTES.md").write_text("work in progress\n", encoding="utf-8")
    git(fresh.root, "add", "NOTES.md")
    monkeypatch.setenv("TRACKER_WORKER__GIT_COMMIT", "true")

    fresh.run()

    assert commits(fresh.root)[0].startswith("tracker cycle ")
    assert all(path.startswith("data/") for path in committed_in(fresh.root))
    assert git(fresh.root, "status", "--porcelain", "NOTES.md").strip() == "A  NOTES.md"


def test_an_ignored_data_directory_is_a_warning_that_says_why(
    fresh: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The project's own layout: data/ in the checkout, ignored except data/raw."""
    (fresh.root / ".gitignore").write_text("data/*\n!data/raw/\n", encoding="utf-8")
    init_repository(fresh.root)
    monkeypatch.setenv("TRACKER_WORKER__GIT_COMMIT", "true")

    result = fresh.run()

    assert len(commits(fresh.root)) == 1
    assert stages(result.output)["commit"][0] == "not committed"
    (warning,) = warning_lines(result)
    assert "hint:" not in warning and "ignored" in warning, warning
