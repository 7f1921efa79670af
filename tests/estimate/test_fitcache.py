"""The estimator's fits kept between runs (``data/state/estimator_fits.json``): read back to
the bit, used only when made from the same reference models, settings and code, and the
estimates made with them are the estimates made without them, byte for byte."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from pipeline.estimate import estimator as estimator_module
from pipeline.estimate import fitcache
from pipeline.estimate.estimator import Estimator
from pipeline.estimate.evidence import load_evidence
from pipeline.estimate.hardware import load_checked
from pipeline.paths import ConfigPaths, DataPaths
from pipeline.settings import Settings, load_settings

Run = Callable[..., Result]
KNOWN_REFERENCE = "gpt_4"  # a reference model of configs/known_models.yaml


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """One ``generated_at`` for every run, so the files compare byte for byte."""
    monkeypatch.setattr("pipeline.estimate.runner.utc_now", lambda: "2026-01-01T00:00:00Z")


@pytest.fixture
def paths(run: Run, project: Path) -> DataPaths:
    result = run("collect-all")
    assert result.exit_code == 0, result.output
    return DataPaths(project / "data")


def estimate(run: Run, paths: DataPaths, *args: str) -> bytes:
    """``estimate-flops ARGS``; the estimates file it leaves."""
    result = run("estimate-flops", *args)
    assert result.exit_code == 0, result.output
    return paths.estimated.read_bytes() if paths.estimated.exists() else b""


def made(settings: Settings, fits_file: Path | None = None) -> Estimator:
    known = load_checked(ConfigPaths(settings.config_dir).known_models, settings.estimation)
    evidence = load_evidence(DataPaths(settings.data_dir).scraped)
    return Estimator(evidence, known, settings, fits_file=fits_file)


def no_fitting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any fit made from here on fails the test."""

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("fitted again")

    for name in ("fit_benchmarks", "fit_scored"):
        monkeypatch.setattr(estimator_module, name, refused)
    monkeypatch.setattr(estimator_module.SizeFit, "learn", refused)


def test_kept_fits_are_read_back_to_the_bit(
    paths: DataPaths, settings: Settings, tmp_path: Path
) -> None:
    original = made(settings, tmp_path / "fits.json")
    assert original.keep_fits()
    read = made(settings, tmp_path / "fits.json")
    for name in ("fits", "size_fit", "scored_fits", "calibration", "_held_out"):
        assert getattr(read, name) == getattr(original, name), name
        assert repr(getattr(read, name)) == repr(getattr(original, name)), name
    assert read._shared_digest == original._shared_digest
    assert not read.keep_fits()  # read, not made: nothing to write


def test_a_second_run_fits_nothing_and_gives_the_same_bytes(
    run: Run, paths: DataPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = estimate(run, paths, "--update")
    assert paths.estimator_fits.exists()
    no_fitting(monkeypatch)
    assert estimate(run, paths, "--update") == first


def test_estimates_are_the_same_with_or_without_kept_fits(
    run: Run, paths: DataPaths, settings: Settings
) -> None:
    estimate(run, paths)
    kept = paths.estimated.read_bytes()
    paths.estimator_fits.unlink()
    paths.estimated.unlink()
    assert estimate(run, paths) == kept
    fresh = made(settings)
    assert fresh.fits_file is None
    assert fresh.estimate() == made(settings, paths.estimator_fits).estimate()


@pytest.mark.parametrize(
    "change",
    ["known model", "setting", "reference evidence", "damaged file", "another digest"],
)
def test_fits_are_made_again_when_what_they_are_made_from_changes(
    run: Run, paths: DataPaths, project: Path, change: str
) -> None:
    estimate(run, paths)
    kept = paths.estimator_fits.read_bytes()
    if change == "known model":
        path = project / "configs" / "known_models.yaml"
        text = path.read_text()
        assert "training_flop: 2.1e+25" in text  # GPT-4's
        path.write_text(text.replace("training_flop: 2.1e+25", "training_flop: 2.2e+25", 1))
    elif change == "setting":
        path = project / "configs" / "tracker.yaml"
        path.write_text(path.read_text().replace("utilisation: 0.4", "utilisation: 0.45"))
    elif change == "reference evidence":
        scraped = paths.scraped_file("lmarena_text")
        doc = json.loads(scraped.read_text())
        model = next(m for m in doc["models"] if m["key"] == KNOWN_REFERENCE)
        model["benchmarks"]["arena_score"] += 1
        scraped.write_text(json.dumps(doc))
    elif change == "damaged file":
        paths.estimator_fits.write_text('{"digest": ')
    else:
        doc = json.loads(kept)  # fits that would change the estimates, under another digest
        for fit in doc["fits"].values():
            fit["slope"] *= 2
        paths.estimator_fits.write_text(json.dumps({**doc, "digest": "0" * 64}))
    first = estimate(run, paths, "--update")
    same_input = change in ("damaged file", "another digest")
    assert (paths.estimator_fits.read_bytes() == kept) == same_input  # made again
    now = load_settings(project / "configs", data_dir=paths.root)
    assert json.loads(paths.estimator_fits.read_text())["digest"] == fitcache.digest(made(now))
    paths.estimator_fits.unlink()
    assert estimate(run, paths, "--update") == first  # as made without the file


def test_a_dry_run_keeps_no_fits(run: Run, paths: DataPaths) -> None:
    estimate(run, paths, "--dry-run")
    assert not paths.estimator_fits.exists()


def test_without_the_code_to_digest_no_fits_are_kept(
    paths: DataPaths, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fitcache, "CODE", (tmp_path / "missing.py",))
    estimator = made(settings, tmp_path / "fits.json")
    assert estimator.fits_file is None
    assert not estimator.keep_fits()
    assert not (tmp_path / "fits.json").exists()
