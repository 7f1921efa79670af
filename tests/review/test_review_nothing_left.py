"""``review-candidates`` when every candidate is decided: a message and exit 0, no prompt."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from review_support import (
    Data,
    Review,
    assert_clean_exit,
    read_header,
    rewrite_rows,
    snapshot,
    summary,
    write_decisions,
)

NOTHING = "No new candidates to review.\n"


def keep_candidates(data: Data, count: int) -> list[str]:
    """Cut the candidates file down to its first ``count`` rows; their keys."""
    rows = [data.rows("candidates")[key] for key in data.new_candidates()[:count]]
    rewrite_rows(data.candidates, rows, read_header(data.candidates))
    return [row["model"] for row in rows]


def decide_all(data: Data, folder: Path, review: Review) -> None:
    keys = data.new_candidates()
    rows = [(key, "y" if n % 2 else "n", f"decided {key}") for n, key in enumerate(keys)]
    result = review("--decisions", str(write_decisions(folder / "all.csv", rows)))
    assert_clean_exit(result)


@pytest.mark.parametrize("input", ["", "y\nreason\n"])
def test_a_project_without_candidates(project: Path, review: Review, input: str) -> None:
    before = snapshot(project / "data")
    result = review(input=input)
    assert_clean_exit(result)
    assert result.output == NOTHING
    assert snapshot(project / "data") == before


def test_all_decided_with_closed_stdin(data: Data, review: Review, tmp_path: Path) -> None:
    decide_all(data, tmp_path, review)
    before = snapshot(data.root)
    result = review(input="")
    assert_clean_exit(result)
    assert result.output == NOTHING
    assert snapshot(data.root) == before


def test_all_decided_with_the_installed_script_and_devnull(
    data: Data, project: Path, review: Review, tmp_path: Path
) -> None:
    decide_all(data, tmp_path, review)
    options = ["--data-dir", str(data.root), "--config-dir", str(project / "configs")]
    command = [str(Path(sys.executable).with_name("tracker")), *options, "review-candidates"]
    done = subprocess.run(
        command, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, NOTHING, "")


def test_a_session_through_the_last_candidate_ends_normally(data: Data, review: Review) -> None:
    first, second = keep_candidates(data, 2)
    result = review(input="y\nfirst\nn\nsecond\n")
    assert_clean_exit(result)
    assert result.output.splitlines()[-1] == summary(added=1, below=1)
    assert "Next batch?" not in result.output
    assert data.new_candidates() == []
    assert list(data.rows("staging")) == [first]
    assert data.rows("below")[second]["verified"] == "y"
    assert_clean_exit(again := review(input=""))
    assert again.output == NOTHING


def test_verified_and_staged_candidates_are_not_asked_about(data: Data, review: Review) -> None:
    first, second, third = keep_candidates(data, 3)
    rows = data.rows("candidates")
    rows[first]["verified"] = "y"
    rewrite_rows(data.candidates, list(rows.values()), read_header(data.candidates))
    rewrite_rows(data.staging, [rows[second]], read_header(data.candidates))
    result = review(input="q\n")
    assert_clean_exit(result)
    assert result.output.splitlines()[0].startswith("1 new candidate")
    assert f"[1/1] {third}" in result.output
