"""``estimate-flops`` (runner.run_estimate and the CLI) on the shipped sample data."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from harness import make_home, run_steps

from pipeline.errors import InputError
from pipeline.estimate.runner import run_estimate
from pipeline.settings import Settings

Run = Callable[..., Result]
SCRAPED = "lmarena_text_models.json"
CHANGED = "o3"  # estimated by benchmark interpolation; not a reference model


@pytest.fixture
def collected(run: Run, project: Path) -> Path:
    """The project after ``collect-all``; returns the estimated file's path (not yet written)."""
    result = run("collect-all")
    assert result.exit_code == 0, result.output
    return project / "data" / "estimated" / "estimated_models.json"


def estimate(run: Run, *args: str) -> Result:
    result = run("estimate-flops", *args)
    assert result.exit_code == 0, result.output
    return result


def models(path: Path) -> dict[str, dict[str, Any]]:
    return {m["key"]: m for m in json.loads(path.read_text())["models"]}


def set_score(project: Path, key: str, score: float | str) -> None:
    path = project / "data" / "scraped" / SCRAPED
    doc = json.loads(path.read_text())
    (model,) = [m for m in doc["models"] if m["key"] == key]
    model["benchmarks"]["arena_score"] = score
    path.write_text(json.dumps(doc, indent=2))


def test_first_run_writes_the_document(run: Run, collected: Path) -> None:
    result = estimate(run)
    doc = json.loads(collected.read_text())
    meta, records = doc["metadata"], doc["models"]
    n = len(records)
    assert f"{n} models: {n} new, 0 re-estimated, 0 kept" in result.output
    assert f"Saved: {collected}" in result.output
    assert meta["model_count"] == n > 100
    assert meta["thresholds"] == {"threshold": 1e25, "above": 0.9, "below": 0.1}
    assert [fit["benchmark"] for fit in meta["benchmark_fits"]] == ["lmarena_text.arena_score"]
    assert sum(meta["classifications"].values()) == sum(meta["methods"].values()) == n
    flops = [m["training_flop"] for m in records]
    assert flops == sorted(flops, reverse=True)


def test_records_hold_flop_as_json_numbers(run: Run, collected: Path) -> None:
    estimate(run)
    for record in models(collected).values():
        for item in [record, *record["alternatives"]]:
            for name in ("training_flop", "flop_low", "flop_high"):
                assert type(item[name]) is float, (record["key"], name)
        assert record["parameters"] is None or type(record["parameters"]) is float


def test_sample_methods(run: Run, collected: Path) -> None:
    estimate(run)
    records = models(collected)
    method = {k: records[k]["estimation_method"] for k in ("llama_3.1_405b", "mixtral_8x7b", "o1")}
    assert method == {
        "llama_3.1_405b": "known_specs",
        "mixtral_8x7b": "size_and_benchmark",
        "o1": "benchmark_interpolation",
    }
    assert records["llama_3.1_405b"]["parameter_source"] == "known_specification:llama_3.1_405b"
    alternatives = [a["method"] for a in records["llama_3.1_405b"]["alternatives"]]
    assert set(alternatives) == {
        "combined", "hardware", "size_and_benchmark", "parameter_heuristic",
        "benchmark_interpolation",
    }  # fmt: skip
    assert "16384 x H100" in next(
        a["reasoning"] for a in records["llama_3.1_405b"]["alternatives"]
        if a["method"] == "hardware"
    )  # fmt: skip
    assert records["llama_3.1_405b"]["threshold_classification"] == "high_confidence_above_1e25"


def test_second_run_keeps_everything_byte_identical(run: Run, collected: Path) -> None:
    estimate(run)
    before = collected.read_bytes()
    result = estimate(run)
    n = len(models(collected))
    assert f"{n} models: 0 new, 0 re-estimated, {n} kept (evidence unchanged)" in result.output
    assert f"Unchanged: {collected}" in result.output
    assert collected.read_bytes() == before


def test_dry_run_writes_nothing(run: Run, collected: Path) -> None:
    result = estimate(run, "--dry-run")
    assert "Dry run: nothing written." in result.output
    assert not collected.exists()


def test_dry_run_reports_changes_without_writing(run: Run, collected: Path, project: Path) -> None:
    estimate(run)
    before = collected.read_bytes()
    set_score(project, CHANGED, 1300.0)
    result = estimate(run, "--dry-run")
    assert "1 re-estimated" in result.output
    assert collected.read_bytes() == before


def test_changed_score_reestimates_only_that_model(
    run: Run, collected: Path, project: Path, settings: Settings
) -> None:
    estimate(run)
    before = models(collected)
    set_score(project, CHANGED, 1300.0)
    report = run_estimate(settings)
    assert (report.new, report.reestimated, report.kept) == (0, 1, len(before) - 1)
    after = models(collected)
    assert after[CHANGED]["training_flop"] < before[CHANGED]["training_flop"]
    assert after[CHANGED]["benchmarks"]["lmarena_text.arena_score"] == 1300.0
    assert {k: v for k, v in after.items() if k != CHANGED} == {
        k: v for k, v in before.items() if k != CHANGED
    }


def test_update_reestimates_everything(run: Run, collected: Path) -> None:
    estimate(run)
    before = collected.read_bytes()
    result = estimate(run, "--update")
    n = len(models(collected))
    assert f"{n} models: 0 new, {n} re-estimated, 0 kept" in result.output
    assert collected.read_bytes() == before  # same evidence, same estimates


def test_thresholds_from_environment_reclassify_without_reestimating(
    run: Run, collected: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a known figure the new thresholds leave undecided is estimated again (combined
    with the methods); every other model is reclassified from its stored estimate."""
    estimate(run)
    before = models(collected)
    monkeypatch.setenv("TRACKER_THRESHOLDS__ABOVE", "0.99")
    result = estimate(run)
    after = models(collected)
    redone = {k for k in after if after[k]["training_flop"] != before[k]["training_flop"]}
    assert redone and all(before[k]["estimation_method"] == "known_specs" for k in redone)
    assert all(after[k]["estimation_method"] == "combined" for k in redone)
    kept = len(before) - len(redone)
    assert f"0 new, {len(redone)} re-estimated, {kept} kept" in result.output
    above = "high_confidence_above_1e25"
    dropped = [
        k for k, r in before.items()
        if k not in redone and r["threshold_classification"] == above and r["p_above"] < 0.99
    ]  # fmt: skip
    assert dropped
    assert f"reclassified {dropped[0]}: {above} -> not_sure" in result.output
    assert all(after[k]["status"] == "uncertain" for k in dropped)
    assert json.loads(collected.read_text())["metadata"]["thresholds"]["above"] == 0.99
    for record in after.values():
        if record["threshold_classification"] == "high_confidence_above_1e25":
            assert record["p_above"] >= 0.99


def test_estimate_before_collect(run: Run, project: Path) -> None:
    result = run("estimate-flops")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines == [
        f"Error: {project / 'data' / 'scraped'}: no scraped models; run `tracker collect-all` first"
    ]
    assert not (project / "data" / "estimated").exists()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"models": [', "invalid JSON at line 1 column 13"),
        ('{"metadata": {}}', 'expected an object with a "models" list'),
        ('{"models": [{"name": "x"}]}', "record models[0], field key: missing key"),
        ('{"models": [{"key": "x", "benchmarks": [1]}]}', "field benchmarks"),
    ],
)
def test_corrupt_scraped_json(
    run: Run, collected: Path, project: Path, text: str, problem: str
) -> None:
    estimate(run)
    before = collected.read_bytes()
    path = project / "data" / "scraped" / SCRAPED
    path.write_text(text)
    result = run("estimate-flops")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"Error: {path}")
    assert problem in line
    assert collected.read_bytes() == before


def test_run_estimate_raises_input_error_before_collect(settings: Settings) -> None:
    with pytest.raises(InputError, match="run `tracker collect-all` first"):
        run_estimate(settings)


def test_estimating_leaves_the_cycle_collector_as_it_was(
    run: Run, collected: Path, settings: Settings
) -> None:
    """The collector is paused while the records are made, and on again after (also after
    an error), unless it was off to begin with."""
    assert gc.isenabled()
    estimate(run)
    assert gc.isenabled()
    empty = settings.model_copy(update={"data_dir": collected.parents[2] / "nothing"})
    with pytest.raises(InputError):
        run_estimate(empty)  # nothing collected there
    assert gc.isenabled()
    gc.disable()
    try:
        estimate(run)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_collecting_again_keeps_every_estimate(run: Run, collected: Path) -> None:
    estimate(run)
    before = collected.read_bytes()
    assert run("collect-all").exit_code == 0
    result = estimate(run)
    assert " 0 re-estimated" in result.output
    assert collected.read_bytes() == before


def test_new_known_spec_reestimates_that_model_and_those_its_fits_change(
    run: Run, collected: Path, project: Path, settings: Settings
) -> None:
    """A known compute makes the model a reference: the fits every estimate rests on change,
    so every model is estimated again, not only the one."""
    estimate(run)
    total = len(models(collected))
    with (project / "configs" / "known_models.yaml").open("a") as known:
        known.write(
            f'\n{CHANGED}:\n  name: "o3"\n  training_flop: 3e+26\n  confidence: "low"\n'
            '  source: "https://example.org/o3"\n'
        )
    report = run_estimate(settings)
    assert (report.new, report.reestimated) == (0, total)
    record = models(collected)[CHANGED]
    assert (record["estimation_method"], record["training_flop"]) == ("known_specs", 3e26)
    assert [a["method"] for a in record["alternatives"]] == ["benchmark_interpolation"]


def test_model_no_longer_collected_is_dropped(
    run: Run, collected: Path, project: Path, settings: Settings
) -> None:
    estimate(run)
    path = project / "data" / "scraped" / SCRAPED
    doc = json.loads(path.read_text())
    doc["models"] = [m for m in doc["models"] if m["key"] != CHANGED]
    path.write_text(json.dumps(doc))
    report = run_estimate(settings)
    assert report.removed == [CHANGED]
    assert CHANGED not in models(collected)


def test_corrupt_previous_estimate_is_reported(run: Run, collected: Path) -> None:
    collected.parent.mkdir(parents=True)
    collected.write_text("{not json")
    result = run("estimate-flops")
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"Error: {collected}: invalid JSON")
    assert collected.read_text() == "{not json"


@pytest.mark.parametrize(
    "score",
    [
        float("nan"),
        float("inf"),
        1e99,
        "abc",
    ],
)
def test_bad_benchmark_score_is_one_line_error(
    run: Run, collected: Path, project: Path, score: float | str
) -> None:
    estimate(run)
    before = collected.read_bytes()
    set_score(project, CHANGED, score)
    result = run("estimate-flops")  # ARCHITECTURE §9: bad numbers (abc, 1e99) give one line
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"Error: {project / 'data' / 'scraped' / SCRAPED}")
    assert "arena_score" in line
    assert collected.read_bytes() == before


def test_another_process_leaves_the_saved_estimates_as_they_are(tmp_path: Path) -> None:
    """Unchanged evidence estimated again in a process with other string hashes (the order
    of a set of keys) writes nothing: the benchmark fits are listed in the same order."""
    home = make_home(tmp_path, samples=True)  # every shipped source: several fits
    run_steps(home, ["collect-all"])
    tracker = str(Path(sys.executable).with_name("tracker"))
    args = [tracker, "--data-dir", str(home / "data"), "--config-dir", str(home / "configs"),
            "estimate-flops"]  # fmt: skip
    saved = []
    for seed in ("0", "6", "11"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        saved.append((home / "data" / "estimated" / "estimated_models.json").read_bytes())
    assert saved[1] == saved[0]
    assert saved[2] == saved[0]
