"""Effective settings: ``configs/tracker.yaml`` overridden by ``TRACKER_*`` environment variables.

Precedence, highest first: command-line options, environment (``TRACKER_DATA_DIR``,
``TRACKER_THRESHOLDS__ABOVE``), ``configs/tracker.yaml``, the defaults below.
"""

from __future__ import annotations

import os
from datetime import UTC
from pathlib import Path
from typing import Any, Literal

from apscheduler.triggers.cron import CronTrigger
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from pipeline.errors import ConfigError
from pipeline.yamlfile import expect_mapping, first_problem, load_yaml

CONFIG_FILE = "tracker.yaml"
# Environment names of ARCHITECTURE §6 and §8 for two nested settings.
SHORT_NAMES = {"TRACKER_SCHEDULE": ("worker", "schedule"), "TRACKER_BACKEND": ("bridge", "backend")}


class Section(BaseModel):
    """A section of the settings: a misspelt key is refused, as at the top level."""

    model_config = ConfigDict(extra="forbid")


class Thresholds(Section):
    """Classification thresholds in FLOP (ARCHITECTURE §5)."""

    threshold: float = Field(1e25, gt=0)
    above: float = Field(5e25, gt=0)
    below: float = Field(5e24, gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if not self.below <= self.threshold <= self.above:
            raise ValueError("thresholds must satisfy below <= threshold <= above")
        return self


class ParameterHeuristic(Section):
    """Training tokens assumed for a model whose size is known only from its name."""

    min_tokens_per_parameter: float = Field(20.0, gt=0)
    era_tokens: dict[int, float] = Field(
        default_factory=lambda: {2022: 4e11, 2023: 2e12, 2024: 1.5e13, 2025: 2e13}
    )
    default_tokens: float = Field(1.5e13, gt=0)
    interval_dex: float = Field(0.5, gt=0)
    moe_active_experts: int = Field(2, ge=1)

    @field_validator("era_tokens")
    @classmethod
    def _eras(cls, value: dict[int, float]) -> dict[int, float]:
        if not value:
            raise ValueError("give the typical training tokens of at least one year")
        if any(tokens <= 0 for tokens in value.values()):
            raise ValueError("training tokens must be positive")
        return value


class Estimation(Section):
    interval_z: float = Field(1.2816, gt=0)
    min_reference_models: int = Field(5, ge=3)
    known_interval_dex: dict[str, float] = Field(
        default_factory=lambda: {"high": 0.15, "medium": 0.3, "low": 0.5, "speculative": 0.7}
    )
    parameter_heuristic: ParameterHeuristic = Field(default_factory=ParameterHeuristic)

    @field_validator("known_interval_dex")
    @classmethod
    def _levels(cls, value: dict[str, float]) -> dict[str, float]:
        levels = ("high", "medium", "low", "speculative")
        missing = [level for level in levels if level not in value]
        if missing or set(value) - set(levels):
            lacking = f" (missing {', '.join(missing)})" if missing else ""
            raise ValueError(f"give exactly {', '.join(levels)}{lacking}")
        if any(dex <= 0 for dex in value.values()):
            raise ValueError("interval half-widths must be positive")
        return value


class Collect(Section):
    timeout_seconds: float = Field(20.0, gt=0)
    retries: int = Field(2, ge=0)
    user_agent: str = "tracker/0.1 (+https://github.com/; training-compute research)"


class Bridge(Section):
    """The shared sheets (ARCHITECTURE §6). Credentials come only from the environment."""

    backend: Literal["auto", "local", "airtable", "gsheets"] = "auto"
    workbook: str = "sheets/tracker.xlsx"
    titles: dict[str, str] = Field(
        default_factory=lambda: {
            "candidates": "Candidates", "staging": "Staging", "published": "Published"
        }
    )  # fmt: skip
    timeout_seconds: float = Field(30.0, gt=0)
    requests_per_second: float = Field(5.0, gt=0)
    retries: int = Field(6, ge=0)


class Worker(Section):
    """The scheduled worker (ARCHITECTURE §8)."""

    schedule: str = "0 6 * * *"
    health_max_age_hours: float = Field(26.0, gt=0)
    misfire_grace_seconds: int = Field(3600, ge=1)
    lock_wait_seconds: float = Field(60.0, ge=0)
    run_at_start: bool = True
    git_commit: bool = False

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str) -> str:
        """The worker's own parser decides, so `tracker config` refuses what it would."""
        if len(value.split()) != 5:
            raise ValueError(f"{value!r} is not a cron expression (minute hour day month weekday)")
        try:
            CronTrigger.from_crontab(value, timezone=UTC)
        except ValueError as exc:
            raise ValueError(f"{value!r}: {exc}") from None
        return value


class _YamlSource(PydanticBaseSettingsSource):
    """Settings from ``configs/tracker.yaml`` (read with duplicate-key checks)."""

    def __init__(self, settings_cls: type[BaseSettings], data: dict[str, Any]) -> None:
        super().__init__(settings_cls)
        self.data = data

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self.data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self.data)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TRACKER_", env_nested_delimiter="__", extra="forbid"
    )

    data_dir: Path = Path("data")
    config_dir: Path = Path("configs")
    # A missing published dataset starts as a copy of this file (relative to data_dir);
    # empty: start empty.
    published_seed: str = "raw/epoch/published_data.csv"
    # The longest wait between two tries of any HTTP request (Retry-After included).
    max_retry_wait_seconds: float = Field(60.0, gt=0)
    thresholds: Thresholds = Field(default_factory=Thresholds)
    estimation: Estimation = Field(default_factory=Estimation)
    collect: Collect = Field(default_factory=Collect)
    bridge: Bridge = Field(default_factory=Bridge)
    worker: Worker = Field(default_factory=Worker)


def load_settings(config_dir: str | Path | None = None, **overrides: Any) -> Settings:
    """Settings for a config folder (``--config-dir``, ``TRACKER_CONFIG_DIR``, or ``configs``)."""
    folder = Path(config_dir or os.environ.get("TRACKER_CONFIG_DIR") or "configs")
    path = folder / CONFIG_FILE
    data = expect_mapping(load_yaml(path, required=False), path, CONFIG_FILE)
    data.pop("config_dir", None)

    class _FromFiles(Settings):
        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            return (init_settings, env_settings, _YamlSource(settings_cls, data))

    values = {key: value for key, value in overrides.items() if value is not None}
    for short, (section, name) in SHORT_NAMES.items():  # TRACKER_SCHEDULE, TRACKER_BACKEND
        full = f"TRACKER_{section.upper()}__{name.upper()}"
        if os.environ.get(short) and full not in os.environ:
            values.setdefault(section, {})[name] = os.environ[short]
    try:
        return _FromFiles(config_dir=folder, **values)
    except ValidationError as exc:
        message, loc = first_problem(exc)
        prefix = "TRACKER_" + "__".join(loc).upper()
        names = sorted(n for n in os.environ if n == prefix or n.startswith(prefix + "__"))
        names += [s for s, spot in SHORT_NAMES.items() if list(spot) == loc and s in os.environ]
        origin = f"environment variable {', '.join(names)}" if names else path
        raise ConfigError(message, file=origin, field=".".join(loc) or None) from None
