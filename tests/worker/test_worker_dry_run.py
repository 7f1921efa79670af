"""``tracker run --dry-run``: shows what each stage would do and writes nothing — no data
file, no workbook, no report, no heartbeat (README "Deployment", step 4: run it before the
first start to see what a cycle would do)."""

from __future__ import annotations

import shutil

import pytest
from worker_support import Home, changed, stages

DECISION = {"o3": {"decision": "y", "reason": "reported by the developer"}}


def test_dry_run_after_a_cycle_writes_nothing_and_says_so(cycled: Home) -> None:
    cycled.decide(DECISION)  # a decision waiting: the dry run must see it, not apply it
    before = cycled.snapshot()  # every file, the heartbeat included

    result = cycled.cli("run", "--dry-run")

    assert result.exit_code == 0, result.output
    assert result.output.rstrip().splitlines()[-1] == "Dry run: nothing was written."
    summary = stages(result.output)
    assert list(summary) == ["collect", "estimate", "refresh", "sync", "report"]
    assert summary["sync"][0].startswith("local: 1 reviewer changes (1 decisions), ")
    assert summary["sync"][0].endswith(" cells to write")
    assert summary["report"][0] == "not written (dry run)"
    assert "Reviewer decisions to apply: 1 " in result.output
    assert changed(before, cycled.snapshot()) == []
    assert "o3" not in cycled.rows("staging")

    applied = cycled.run()  # the decision is still there for a real cycle
    assert "Reviewer decisions applied: 1 " in applied.output
    assert "o3" in cycled.rows("staging")


def test_dry_run_with_git_commit_set_has_no_commit_stage(
    cycled: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_WORKER__GIT_COMMIT", "true")
    before = cycled.snapshot()

    result = cycled.cli("run", "--dry-run")

    assert result.exit_code == 0, result.output
    assert "commit" not in stages(result.output)
    assert changed(before, cycled.snapshot()) == []


NEW_MODEL = "194,brand-new-model-9000-405b,1500,+9/-9,9999,Acme,Proprietary\n"


def add_export_row(home: Home) -> None:
    """A newer leaderboard export: one model more."""
    export = home.data / "raw" / "lmarena" / "lmarena_text_2025-05-18.csv"
    with export.open("a", encoding="utf-8") as handle:
        handle.write(NEW_MODEL)


def test_dry_run_after_the_sources_changed_writes_nothing(cycled: Home) -> None:
    """A new export is what a dry run is for: it must be shown, not saved."""
    add_export_row(cycled)
    before = cycled.snapshot()

    result = cycled.cli("run", "--dry-run")

    assert result.exit_code == 0, result.output
    assert "1 new" in stages(result.output)["estimate"][0]
    assert changed(before, cycled.snapshot()) == []


def test_dry_run_shows_the_rows_the_cycle_would_add(cycled: Home, tmp_path) -> None:
    add_export_row(cycled)
    twin = Home(tmp_path / "twin")
    shutil.copytree(cycled.root, twin.root)

    dry = cycled.cli("run", "--dry-run")
    real = twin.run()

    assert dry.exit_code == 0, dry.output
    assert stages(real.output)["refresh"][0].endswith("1 rows added, 0 moved")
    assert stages(dry.output)["refresh"][0] == stages(real.output)["refresh"][0]
    # the sync works on the refreshed tables too: the same cells, to write / written
    to_write = stages(dry.output)["sync"][0].removesuffix(" to write")
    assert to_write == stages(real.output)["sync"][0].removesuffix(" written")


def test_dry_run_on_a_fresh_data_directory_succeeds_and_writes_nothing(fresh: Home) -> None:
    """README "Deployment" step 4: before the first start, `run --dry-run` shows what a
    cycle would do: every stage runs on what the one before computed, in memory."""
    before = fresh.snapshot()

    result = fresh.cli("run", "--dry-run")

    assert changed(before, fresh.snapshot()) == []
    assert result.exit_code == 0, result.output
    assert "Dry run: nothing was written." in result.output
