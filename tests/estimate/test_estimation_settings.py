"""Estimation settings from configs/tracker.yaml and TRACKER_* variables, as estimate sees them."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from pipeline.settings import Estimation, Settings, Thresholds

Run = Callable[..., Result]


def edit_config(project: Path, pattern: str, replacement: str) -> None:
    path = project / "configs" / "tracker.yaml"
    text, count = re.subn(pattern, replacement, path.read_text())
    assert count == 1
    path.write_text(text)


def estimate_after_collect(run: Run) -> Result:
    assert run("collect-all").exit_code == 0
    return run("estimate-flops")


def assert_rejected(result: Result, field: str) -> None:
    """One line naming tracker.yaml and the field, exit status 1."""
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert "tracker.yaml" in line and field in line


def test_shipped_estimation_settings_equal_the_defaults(settings: Settings) -> None:
    assert settings.estimation == Estimation()
    assert settings.thresholds == Thresholds()
    assert settings.estimation.hardware.chips["H100"].peak_flops == 9.89e14


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        ("TRACKER_THRESHOLDS__ABOVE", "0.3", "greater than 0.5"),
        ("TRACKER_ESTIMATION__INTERVAL_Z", "abc", "valid number"),
    ],
)
def test_bad_environment_value_is_one_line(
    run: Run, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, words: str
) -> None:
    assert run("collect-all").exit_code == 0
    monkeypatch.setenv(variable, value)
    result = run("estimate-flops")
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert f"environment variable {variable}" in line and words in line


def test_classification_thresholds_from_yaml(run: Run, project: Path) -> None:
    edit_config(project, r"threshold: 1\.0e\+25", "threshold: 1.0e+29")
    result = estimate_after_collect(run)
    assert result.exit_code == 0, result.output
    assert "high_confidence_above_1e25" not in result.output.split("by class:")[1]


def test_partial_known_interval_dex(run: Run, project: Path) -> None:
    edit_config(
        project, r"  known_interval_dex:\n(    .*\n)+", "  known_interval_dex:\n    high: 0.1\n"
    )
    assert_rejected(run("estimate-flops"), "known_interval_dex")


def test_unknown_chip_in_known_models(run: Run, project: Path) -> None:
    path = project / "configs" / "known_models.yaml"
    path.write_text(
        path.read_text()
        + "\nnew_model:\n  name: New\n  confidence: medium\n"
        + "  hardware: {chip: Z9000, count: 100, hours: 10}\n"
    )
    assert run("collect-all").exit_code == 0
    result = run("estimate-flops")
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert "known_models.yaml" in line and "new_model" in line and "Z9000" in line
