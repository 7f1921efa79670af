"""Settings: defaults < configs/tracker.yaml < TRACKER_* environment < keyword overrides."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.settings import load_settings

SHIPPED = Path(__file__).resolve().parents[2] / "configs" / "tracker.yaml"


def config_dir(tmp_path: Path, yaml: str) -> Path:
    folder = tmp_path / "configs"
    folder.mkdir()
    (folder / "tracker.yaml").write_text(yaml, encoding="utf-8")
    return folder


def test_defaults_without_tracker_yaml(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    assert settings.config_dir == tmp_path
    assert settings.data_dir == Path("data")
    assert (settings.thresholds.below, settings.thresholds.threshold) == (0.1, 1e25)
    assert settings.thresholds.above == 0.9
    assert settings.collect.retries == 2


def test_values_from_tracker_yaml(tmp_path: Path) -> None:
    folder = config_dir(tmp_path, "data_dir: /srv/data\nthresholds:\n  above: 0.95\n")
    settings = load_settings(folder)
    assert settings.data_dir == Path("/srv/data")
    assert settings.thresholds.above == 0.95
    assert settings.thresholds.below == 0.1


def test_config_dir_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = config_dir(tmp_path, "collect:\n  retries: 7\n")
    monkeypatch.setenv("TRACKER_CONFIG_DIR", str(folder))
    settings = load_settings()
    assert settings.config_dir == folder
    assert settings.collect.retries == 7


def test_environment_overrides_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = config_dir(tmp_path, "thresholds:\n  above: 0.95\n  below: 0.05\n")
    monkeypatch.setenv("TRACKER_THRESHOLDS__ABOVE", "0.97")
    thresholds = load_settings(folder).thresholds
    assert thresholds.above == 0.97
    assert thresholds.below == 0.05


def test_keyword_overrides_beat_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = config_dir(tmp_path, "data_dir: /from/yaml\n")
    monkeypatch.setenv("TRACKER_DATA_DIR", "/from/env")
    assert load_settings(folder).data_dir == Path("/from/env")
    assert load_settings(folder, data_dir=tmp_path / "kw").data_dir == tmp_path / "kw"
    assert load_settings(folder, data_dir=None).data_dir == Path("/from/env")


def test_invalid_env_value_names_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_THRESHOLDS__ABOVE", "lots")
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path)
    assert str(info.value).startswith(
        "environment variable TRACKER_THRESHOLDS__ABOVE, field thresholds.above: "
    )
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("yaml", "field", "message"),
    [
        ("thresholds:\n  above: lots\n", "thresholds.above", "valid number"),
        ("thresholds:\n  above: 1e24\n", "thresholds.above", "less than or equal to 1"),
        ("thresholds:\n  below: 2e25\n", "thresholds.below", "less than 0.5"),
        ("thresholds:\n  threshold: -1\n", "thresholds.threshold", "greater than 0"),
        ("colour: red\n", "colour", "Extra inputs are not permitted"),
        (
            "estimation:\n  min_reference_models: 2\n",
            "estimation.min_reference_models",
            "equal to 3",
        ),
    ],
)
def test_invalid_yaml_value_names_file_and_field(
    tmp_path: Path, yaml: str, field: str, message: str
) -> None:
    folder = config_dir(tmp_path, yaml)
    with pytest.raises(ConfigError) as info:
        load_settings(folder)
    text = str(info.value)
    assert text.startswith(f"{folder / 'tracker.yaml'}, field {field}: ")
    assert message in text
    assert "\n" not in text


def test_tracker_yaml_that_is_not_a_mapping(tmp_path: Path) -> None:
    folder = config_dir(tmp_path, "- 1\n")
    with pytest.raises(ConfigError) as info:
        load_settings(folder)
    assert str(info.value) == f"{folder / 'tracker.yaml'}: tracker.yaml must be a mapping, not list"


def test_tracker_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    folder = config_dir(tmp_path, "thresholds:\n  above: 1\n  above: 2\n")
    with pytest.raises(ConfigError, match=r"tracker\.yaml: line 3: found duplicate key"):
        load_settings(folder)


def test_env_thresholds_out_of_order_name_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_THRESHOLDS__ABOVE", "1e24")
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path)
    assert "TRACKER_THRESHOLDS__ABOVE" in str(info.value)


def test_the_short_schedule_name_alone_keeps_the_yaml_worker_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = config_dir(tmp_path, "worker:\n  lock_wait_seconds: 7\n  git_commit: true\n")
    monkeypatch.setenv("TRACKER_SCHEDULE", "*/5 * * * *")
    worker = load_settings(folder).worker
    assert (worker.schedule, worker.lock_wait_seconds, worker.git_commit) == (
        "*/5 * * * *",
        7,
        True,
    )
    assert worker.health_max_age_hours == 26


def test_a_variable_equal_to_the_yaml_gives_the_same_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = config_dir(tmp_path, SHIPPED.read_text(encoding="utf-8"))
    from_files = load_settings(folder, data_dir=tmp_path)
    monkeypatch.setenv("TRACKER_THRESHOLDS__ABOVE", "0.9")
    from_environment = load_settings(folder, data_dir=tmp_path)
    assert from_environment.model_dump() == from_files.model_dump()


def test_without_tracker_variables_the_environment_reader_is_not_imported(
    tmp_path: Path,
) -> None:
    code = (
        "import sys\n"
        "from pipeline.settings import load_settings\n"
        f"load_settings({str(SHIPPED.parent)!r})\n"
        "print(*(m for m in ('pydantic_settings', 'asyncio', 'apscheduler') if m in sys.modules))\n"
    )
    environ = {k: v for k, v in os.environ.items() if not k.upper().startswith("TRACKER_")}
    imported = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=environ
    ).stdout
    assert imported.split() == []


def test_a_schedule_in_the_yaml_is_checked_by_the_scheduler(tmp_path: Path) -> None:
    folder = config_dir(tmp_path, 'worker:\n  schedule: "61 * * * *"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(folder)
    assert str(info.value).startswith(f"{folder / 'tracker.yaml'}, field worker.schedule: ")


def test_the_shipped_schedule_left_unparsed_is_one_the_scheduler_takes() -> None:
    from apscheduler.triggers.cron import CronTrigger

    from pipeline.settings import DEFAULT_SCHEDULE, Worker

    assert Worker().schedule == DEFAULT_SCHEDULE
    assert CronTrigger.from_crontab(DEFAULT_SCHEDULE, timezone="UTC") is not None
