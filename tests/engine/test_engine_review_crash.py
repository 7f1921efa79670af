"""Review decisions across files: a crash at any write is finished by the next open_tables,
byte for byte; re-applying a decision converges; a crash in the journal write changes nothing."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
from click.testing import Result
from engine_support import LATER, STAMP, Crash, by_key, crash_on_write, restore, snapshot
from harness import make_home, run_steps

from pipeline.curate import journal
from pipeline.curate.apply import apply_plan
from pipeline.curate.datasets import BELOW, CANDIDATES, STAGING, open_tables
from pipeline.curate.plan import InvalidInput
from pipeline.curate.review import ABOVE_NOTE, BELOW_NOTE, apply_decisions, plan_decision
from pipeline.curate.review import read_decisions as read_decisions_file
from pipeline.paths import DataPaths
from pipeline.settings import Settings, load_settings
from pipeline.storage import atomic

Run = Callable[..., Result]
ROOT = Path(__file__).resolve().parents[2]
NAMES = [CANDIDATES, BELOW, STAGING]
REASONS = {"y": "reported by the developer", "n": "a small model"}
FILES = {
    CANDIDATES: "above_1e25_flop.csv",
    BELOW: "below_1e25_flop.csv",
    STAGING: "above_1e25_flop_staging.csv",
}


class Sample(NamedTuple):
    fresh: dict[str, bytes]  # data/ after collect, estimate, refresh: no staging file yet
    reviewed: dict[str, bytes]  # then one other candidate confirmed above: staging exists
    keys: list[str]  # candidates still to decide in ``reviewed``


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    """The sample pipeline run once per session (offline), as the ``pipeline_run`` fixture does."""
    root = make_home(tmp_path_factory.mktemp("engine_sample"))
    run_steps(root)
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith("TRACKER_")]:
            patch.delenv(name)
        fresh = snapshot(root / "data")
        keys = list(by_key(DataPaths(root / "data").candidates))[:3]
        settings = load_settings(root / "configs", data_dir=root / "data")
        decide(settings, root / "decisions.csv", [(keys[0], "y")])
    return Sample(fresh, snapshot(root / "data"), keys[1:])


@pytest.fixture
def data(project: Path, sample: Sample) -> Path:
    """The project's data/ as ``sample.reviewed``: candidates, below and a staging file."""
    restore(project / "data", sample.reviewed)
    return project / "data"


@pytest.fixture
def keys(sample: Sample) -> list[str]:
    return sample.keys


def decisions_file(path: Path, decisions: list[tuple[str, str]]) -> Path:
    lines = [f"{key},{answer},{REASONS[answer]}" for key, answer in decisions]
    path.write_text("\n".join(["model,decision,reason", *lines]) + "\n", encoding="utf-8")
    return path


def decide(settings: Settings, path: Path, decisions: list[tuple[str, str]]) -> list[str]:
    """Apply decisions as ``review-candidates --decisions`` does, at the fixed STAMP."""
    items = read_decisions_file(decisions_file(path, decisions))
    return apply_decisions(settings, items, STAMP).written


def decide_at_terminal(settings: Settings, decisions: list[tuple[str, str]]) -> None:
    """Apply decisions one at a time as the terminal review does."""
    tables = open_tables(settings, NAMES)
    state = DataPaths(settings.data_dir).state
    for key, answer in decisions:
        plan = plan_decision(key, answer, REASONS[answer], tables, STAMP)
        apply_plan(plan, tables, STAMP, state)


SCENARIOS = {"y": [(0, "y")], "n": [(1, "n")], "y+n": [(0, "y"), (1, "n")]}
# The table files each scenario writes, in order: phase 1 (arrivals), then phase 2
# (departures). The journal is written before them, through its own atomic write.
WRITES = {
    "y": [CANDIDATES, STAGING],
    "n": [BELOW, CANDIDATES],
    "y+n": [CANDIDATES, BELOW, STAGING, CANDIDATES],
}


def scenario_decisions(name: str, keys: list[str]) -> list[tuple[str, str]]:
    return [(keys[i], answer) for i, answer in SCENARIOS[name]]


def apply_scenario(via: str, settings: Settings, name: str, keys: list[str]) -> None:
    decisions = scenario_decisions(name, keys)
    if via == "file":
        decide(settings, settings.data_dir.parent / "decisions.csv", decisions)
    else:
        decide_at_terminal(settings, decisions)


def journal_file(data: Path) -> Path:
    return journal.journal_path(DataPaths(data).state)


def assert_consistent(data: Path, decisions: list[tuple[str, str]]) -> None:
    """No key twice in a file or in both candidates and below; each review note exactly once."""
    paths = DataPaths(data)
    rows = {name: by_key(getattr(paths, name)) for name in NAMES}
    assert not set(rows[CANDIDATES]) & set(rows[BELOW])
    for key, answer in decisions:
        text = (ABOVE_NOTE if answer == "y" else BELOW_NOTE).format(reason=REASONS[answer])
        homes = [CANDIDATES, STAGING] if answer == "y" else [BELOW]
        for name in homes:
            assert rows[name][key]["verified"] == "y"
            assert rows[name][key]["notes"].count(text) == 1, (name, key)
        assert answer == "y" or key not in rows[CANDIDATES]


@pytest.mark.parametrize("scenario", WRITES)
def test_a_decision_writes_its_files_in_two_phases(
    data: Path, settings: Settings, keys: list[str], monkeypatch: pytest.MonkeyPatch, scenario: str
) -> None:
    calls = crash_on_write(monkeypatch, 0)
    apply_scenario("file", settings, scenario, keys)
    assert [path.name for path in calls] == [FILES[name] for name in WRITES[scenario]]
    assert not journal_file(data).exists()
    assert_consistent(data, scenario_decisions(scenario, keys))


CRASHES = [
    (via, scenario, k)
    for via, scenarios in (("file", ["y", "n", "y+n"]), ("terminal", ["y", "n"]))
    for scenario in scenarios
    for k in range(1, len(WRITES[scenario]) + 1)
]


@pytest.mark.parametrize(("via", "scenario", "k"), CRASHES)
def test_after_a_crash_at_any_write_open_tables_finishes_the_decision(
    data: Path,
    settings: Settings,
    keys: list[str],
    monkeypatch: pytest.MonkeyPatch,
    via: str,
    scenario: str,
    k: int,
) -> None:
    start = snapshot(data)
    apply_scenario(via, settings, scenario, keys)
    expected = snapshot(data)
    restore(data, start)
    with monkeypatch.context() as patch:
        crash_on_write(patch, k)
        with pytest.raises(Crash):
            apply_scenario(via, settings, scenario, keys)
    assert journal_file(data).exists()
    open_tables(settings, [CANDIDATES])
    assert snapshot(data) == expected
    assert not journal_file(data).exists()
    assert_consistent(data, scenario_decisions(scenario, keys))


@pytest.mark.parametrize("k", range(1, len(WRITES["y+n"]) + 1))
def test_after_a_crash_rerunning_the_decisions_file_converges(
    data: Path,
    settings: Settings,
    keys: list[str],
    run: Run,
    monkeypatch: pytest.MonkeyPatch,
    k: int,
) -> None:
    start = snapshot(data)
    apply_scenario("file", settings, "y+n", keys)
    expected = snapshot(data)
    restore(data, start)
    path = decisions_file(data.parent / "decisions.csv", scenario_decisions("y+n", keys))
    monkeypatch.setattr("pipeline.cli.review.utc_now", lambda: STAMP)
    with monkeypatch.context() as patch:
        crash_on_write(patch, k)
        with pytest.raises(Crash):
            run("review-candidates", "--decisions", str(path))
    result = run("review-candidates", "--decisions", str(path))
    assert result.output.endswith("0 moved below; 2 already in effect.\n"), result.output
    assert snapshot(data) == expected


def test_the_same_decisions_file_twice_changes_nothing_the_second_time(
    data: Path, keys: list[str], run: Run
) -> None:
    path = decisions_file(data.parent / "decisions.csv", scenario_decisions("y+n", keys))
    first = run("review-candidates", "--decisions", str(path))
    assert first.output == (
        "2 decisions applied: 1 added to staging, 1 moved below; 0 already in effect.\n"
    )
    after = snapshot(data)
    second = run("review-candidates", "--decisions", str(path))
    assert second.exit_code == 0, second.output
    assert second.output == (
        "0 decisions applied: 0 added to staging, 0 moved below; 2 already in effect.\n"
    )
    assert snapshot(data) == after


def test_a_decision_already_in_effect_is_reported_unchanged(
    data: Path, settings: Settings, keys: list[str]
) -> None:
    path = data.parent / "decisions.csv"
    decide(settings, path, scenario_decisions("y+n", keys))
    items = read_decisions_file(path)
    result = apply_decisions(settings, items, LATER)
    assert (result.applied, result.unchanged, result.written) == ([], items.decisions, [])
    assert not result.plan.changes


def test_replanning_an_applied_yes_at_a_later_time_changes_no_file(
    data: Path, settings: Settings, keys: list[str]
) -> None:
    decide_at_terminal(settings, [(keys[0], "y")])
    after = snapshot(data)
    tables = open_tables(settings, NAMES)
    plan = plan_decision(keys[0], "y", REASONS["y"], tables, LATER)
    assert plan.writes
    assert apply_plan(plan, tables, LATER, DataPaths(data).state) == []
    assert snapshot(data) == after


def test_replanning_an_applied_no_finds_no_candidate(
    data: Path, settings: Settings, keys: list[str]
) -> None:
    decide_at_terminal(settings, [(keys[1], "n")])
    plan = plan_decision(keys[1], "n", REASONS["n"], open_tables(settings, NAMES), LATER)
    assert plan.changes == [InvalidInput(CANDIDATES, keys[1], "model", keys[1], "not a candidate")]


def die(*_: object) -> None:
    raise Crash


@pytest.fixture
def crash_in_journal_write(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The journal's temporary file is written, then the run dies before the rename."""
    real_write = journal.atomic_write_parts

    def write(path: Path, parts: list[bytes]) -> None:
        with monkeypatch.context() as patch:
            patch.setattr(atomic.os, "replace", die)
            real_write(path, parts)

    monkeypatch.setattr(journal, "atomic_write_parts", write)
    yield


@pytest.mark.parametrize("scenario", WRITES)
def test_a_crash_inside_the_journal_write_leaves_every_file_untouched(
    data: Path,
    settings: Settings,
    keys: list[str],
    monkeypatch: pytest.MonkeyPatch,
    crash_in_journal_write: None,
    scenario: str,
) -> None:
    start = snapshot(data)
    writes = crash_on_write(monkeypatch, 0)
    with pytest.raises(Crash):
        apply_scenario("file", settings, scenario, keys)
    assert writes == []
    assert snapshot(data) == start
    open_tables(settings, NAMES)
    assert snapshot(data) == start


def test_a_crash_after_the_last_write_is_tidied_by_the_next_open_tables(
    data: Path, settings: Settings, keys: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    start = snapshot(data)
    apply_scenario("file", settings, "y+n", keys)
    expected = snapshot(data)
    restore(data, start)
    with monkeypatch.context() as patch:
        patch.setattr("pipeline.curate.apply.clear_journal", die)
        with pytest.raises(Crash):
            apply_scenario("file", settings, "y+n", keys)
    assert journal_file(data).exists()
    open_tables(settings, [BELOW])
    assert snapshot(data) == expected


def test_a_no_decision_on_a_fresh_project_creates_no_staging_file(
    project: Path, settings: Settings, sample: Sample, monkeypatch: pytest.MonkeyPatch
) -> None:
    restore(project / "data", sample.fresh)
    calls = crash_on_write(monkeypatch, 0)
    assert decide(settings, project / "decisions.csv", [(sample.keys[1], "n")]) == [
        BELOW,
        CANDIDATES,
    ]
    assert [path.name for path in calls] == [FILES[BELOW], FILES[CANDIDATES]]
    assert not DataPaths(project / "data").staging.exists()


def test_a_journal_from_a_relative_data_dir_is_replayed_into_that_data_dir(
    data: Path, project: Path, keys: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    relative = load_settings(Path("configs"), data_dir=Path("data"))
    start = snapshot(data)
    apply_scenario("file", relative, "n", keys)
    expected = snapshot(data)
    restore(data, start)
    with monkeypatch.context() as patch:
        crash_on_write(patch, 2)
        with pytest.raises(Crash):
            apply_scenario("file", relative, "n", keys)
    elsewhere = project / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    open_tables(load_settings(project / "configs", data_dir=data), NAMES)
    assert sorted(str(p.relative_to(elsewhere)) for p in elsewhere.rglob("*.csv")) == []
    assert snapshot(data) == expected
