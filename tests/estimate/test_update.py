"""``estimate-flops --update``: every model estimated again, and the saved file compared
as bytes with what would be written. Unchanged, it is neither read nor written; changed,
it is read for the report (new, re-estimated, removed, reclassified) and replaced."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from test_runner import CHANGED, SCRAPED, estimate, models, set_score

from pipeline.estimate import runner
from pipeline.estimate.runner import run_estimate
from pipeline.settings import Settings, load_settings

Run = Callable[..., Result]
OLD_STAMP = "2020-01-01T00:00:00Z"


@pytest.fixture
def saved(run: Run, project: Path) -> Path:
    """The estimates saved by a first run, stamped ``OLD_STAMP``."""
    assert run("collect-all").exit_code == 0
    estimate(run)
    path = project / "data" / "estimated" / "estimated_models.json"
    text = path.read_text(encoding="utf-8")
    stamp = json.loads(text)["metadata"]["generated_at"]
    path.write_text(text.replace(stamp, OLD_STAMP, 1), encoding="utf-8")
    return path


def lines(path: Path) -> set[bytes]:
    return {line.rstrip(b",\n") for line in path.read_bytes().splitlines() if b'"key"' in line}


def edit_record(path: Path, key: str, **values: object) -> None:
    text = path.read_text(encoding="utf-8").splitlines(keepends=True)
    (at,) = [i for i, line in enumerate(text) if f'{{"key":"{key}",' in line]
    record = json.loads(text[at].strip().rstrip(","))
    record.update(values)
    comma = "," if text[at].rstrip("\n").endswith(",") else ""
    text[at] = "    " + json.dumps(record, separators=(",", ":"), ensure_ascii=False) + comma + "\n"
    path.write_text("".join(text), encoding="utf-8")


def test_unchanged_estimates_are_not_read_again(
    saved: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = saved.read_bytes()

    def unread(*args: object) -> None:
        raise AssertionError("the saved estimates were read")

    monkeypatch.setattr(runner, "read_document_with_fingerprint", unread)
    report = run_estimate(settings, update=True)
    n = len(report.models)
    assert (report.new, report.reestimated, report.kept) == (0, n, 0)
    assert (report.removed, report.reclassified, report.written) == ([], [], False)
    assert saved.read_bytes() == before


def test_a_record_edited_in_the_middle_is_estimated_again(run: Run, saved: Path) -> None:
    before = saved.read_bytes()
    keys = list(models(saved))
    middle = keys[len(keys) // 2]
    edit_record(saved, middle, reasoning="edited by hand", training_flop=2e25)
    result = estimate(run, "--update")
    assert f"{len(keys)} models: 0 new, {len(keys)} re-estimated, 0 kept" in result.output
    assert f"Saved: {saved}" in result.output
    after = saved.read_bytes()
    assert after != before  # made now: a new stamp
    assert after.replace(json.loads(after)["metadata"]["generated_at"].encode(), b"") == (
        before.replace(OLD_STAMP.encode(), b"")
    )


def test_a_changed_score_changes_that_record_only(run: Run, saved: Path, project: Path) -> None:
    before = lines(saved)
    set_score(project, CHANGED, 1300.0)
    result = estimate(run, "--update")
    assert f"Saved: {saved}" in result.output
    after = lines(saved)
    (old,) = before - after
    (new,) = after - before
    assert json.loads(old)["key"] == json.loads(new)["key"] == CHANGED
    assert json.loads(saved.read_text())["metadata"]["generated_at"] != OLD_STAMP


def test_a_model_no_longer_collected_is_removed(
    saved: Path, project: Path, settings: Settings
) -> None:
    n = len(models(saved))
    path = project / "data" / "scraped" / SCRAPED
    doc = json.loads(path.read_text())
    doc["models"] = [m for m in doc["models"] if m["key"] != CHANGED]
    path.write_text(json.dumps(doc))
    report = run_estimate(settings, update=True)
    assert (report.new, report.reestimated, report.removed) == (0, n - 1, [CHANGED])
    assert report.written
    assert CHANGED not in models(saved)


def test_a_model_classified_otherwise_is_reported_reclassified(run: Run, saved: Path) -> None:
    record = models(saved)[CHANGED]
    was = record["threshold_classification"]
    other = "not_sure" if was != "not_sure" else "high_confidence_below_1e25"
    edit_record(saved, CHANGED, threshold_classification=other)
    result = estimate(run, "--update")
    assert f"reclassified {CHANGED}: {other} -> {was}" in result.output
    assert models(saved)[CHANGED] == record


def test_new_thresholds_reclassify_as_the_default_run_does(
    saved: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = models(saved)
    monkeypatch.setenv("TRACKER_THRESHOLDS__ABOVE", "0.99")
    settings = load_settings(project / "configs", data_dir=project / "data")
    by_default = run_estimate(settings, dry_run=True)
    report = run_estimate(settings, update=True)
    assert report.reclassified == by_default.reclassified  # in the order collected
    after = models(saved)
    assert sorted(report.reclassified) == sorted(
        (key, before[key]["threshold_classification"], record["threshold_classification"])
        for key, record in after.items()
        if before[key]["threshold_classification"] != record["threshold_classification"]
    )
    assert report.reclassified


def test_a_file_laid_out_otherwise_with_the_same_values_is_written_again(
    run: Run, saved: Path
) -> None:
    """--update restores the layout estimate-flops writes (one model a line, read fast and
    trusted by its fingerprint), keeping the time the estimates were made; the default run
    leaves such a file as it is (its values are the same)."""
    before = saved.read_bytes()
    saved.write_text(json.dumps(json.loads(before), indent=4), encoding="utf-8")
    laid_out = saved.read_bytes()
    result = estimate(run)
    assert f"Unchanged: {saved}" in result.output
    assert saved.read_bytes() == laid_out
    n = len(models(saved))
    result = estimate(run, "--update")
    assert f"{n} models: 0 new, {n} re-estimated, 0 kept" in result.output
    assert "reclassified" not in result.output
    assert f"Saved: {saved}" in result.output
    assert saved.read_bytes() == before


def test_metadata_edited_alone_is_written_again_with_its_stamp(run: Run, saved: Path) -> None:
    before = saved.read_bytes()
    saved.write_bytes(
        before.replace(b'"model_count": ', b'"note": "edited",\n    "model_count": 1')
    )
    result = estimate(run, "--update")
    assert f"Saved: {saved}" in result.output
    assert saved.read_bytes() == before


def test_a_dry_run_reports_the_changes_and_writes_nothing(
    run: Run, saved: Path, project: Path
) -> None:
    set_score(project, CHANGED, 1300.0)
    before = saved.read_bytes()
    result = estimate(run, "--update", "--dry-run")
    n = len(models(saved))
    assert f"{n} models: 0 new, {n} re-estimated, 0 kept" in result.output
    assert "Dry run: nothing written." in result.output
    assert saved.read_bytes() == before
