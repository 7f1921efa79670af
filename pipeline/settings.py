"""Effective settings: ``configs/tracker.yaml`` overridden by ``TRACKER_*`` environment variables.

Precedence, highest first: command-line options, environment (``TRACKER_DATA_DIR``,
``TRACKER_THRESHOLDS__ABOVE``), ``configs/tracker.yaml``, the defaults below. The
environment is read by pydantic-settings, imported only when a ``TRACKER_*`` setting is set
(it brings asyncio and dotenv: a third of a command's start-up).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pipeline.errors import ConfigError
from pipeline.yamlfile import expect_mapping, first_problem, load_yaml

CONFIG_FILE = "tracker.yaml"
# Environment names of ARCHITECTURE §6 and §8 for two nested settings.
SHORT_NAMES = {"TRACKER_SCHEDULE": ("worker", "schedule"), "TRACKER_BACKEND": ("bridge", "backend")}
# TRACKER_ variables that are not settings: docker-compose's user of the container.
NOT_SETTINGS = ("TRACKER_UID", "TRACKER_GID")
# Settings that name a folder: set but empty would silently mean the current folder.
FOLDERS = ("TRACKER_DATA_DIR", "TRACKER_CONFIG_DIR")


class Section(BaseModel):
    """A section of the settings: a misspelt key is refused, as at the top level."""

    model_config = ConfigDict(extra="forbid")


class Thresholds(Section):
    """Classification of an estimate by its probability above ``threshold`` FLOP
    (ARCHITECTURE §5): at least ``above`` -> high-confidence above, at most ``below`` ->
    high-confidence below, otherwise not sure."""

    threshold: float = Field(1e25, gt=0)
    above: float = Field(0.9, gt=0.5, le=1)
    below: float = Field(0.1, ge=0, lt=0.5)


class ParameterHeuristic(Section):
    """Models sized only by their name: the active parameters of ``8x7B`` assume this many
    experts per token."""

    moe_active_experts: int = Field(2, ge=1)


class Chip(Section):
    """An accelerator's peak dense throughput (FLOP/s) at the precision it trains in."""

    peak_flops: float = Field(gt=0)
    source: str = ""


# Peak dense BF16/FP16 throughput of common training chips (as in configs/tracker.yaml).
DEFAULT_CHIPS: dict[str, tuple[float, str]] = {
    "V100": (1.25e14, "https://www.nvidia.com/en-us/data-center/v100/"),
    "A100": (3.12e14, "https://www.nvidia.com/en-us/data-center/a100/"),
    "H100": (9.89e14, "https://www.nvidia.com/en-us/data-center/h100/"),
    "H800": (9.89e14, "https://www.nvidia.com/en-us/data-center/h100/"),
    "H200": (9.89e14, "https://www.nvidia.com/en-us/data-center/h200/"),
    "B200": (2.25e15, "https://www.nvidia.com/en-us/data-center/dgx-b200/"),
    "TPU v4": (2.75e14, "https://cloud.google.com/tpu/docs/v4"),
    "TPU v5e": (1.97e14, "https://cloud.google.com/tpu/docs/v5e"),
    "TPU v5p": (4.59e14, "https://cloud.google.com/tpu/docs/v5p"),
    "MI300X": (1.307e15, "https://www.amd.com/en/products/accelerators/instinct/mi300/mi300x.html"),
}


class Hardware(Section):
    """Hardware method: compute = chips x hours x 3600 x peak FLOP/s x utilisation."""

    utilisation: float = Field(0.4, gt=0, le=1)
    interval_dex: float = Field(0.3, gt=0)
    chips: dict[str, Chip] = Field(
        default_factory=lambda: {
            name: Chip(peak_flops=peak, source=url) for name, (peak, url) in DEFAULT_CHIPS.items()
        }
    )


class Estimation(Section):
    interval_z: float = Field(1.2816, gt=0)
    min_reference_models: int = Field(5, ge=3)
    known_interval_dex: dict[str, float] = Field(
        default_factory=lambda: {"high": 0.15, "medium": 0.3, "low": 0.5, "speculative": 0.7}
    )
    parameter_heuristic: ParameterHeuristic = Field(default_factory=ParameterHeuristic)
    hardware: Hardware = Field(default_factory=lambda: Hardware())
    # Calibration: per method, interval widths scaled so that the leave-one-out residuals
    # of the reference models fall inside the interval at its nominal rate; methods with
    # fewer residuals than min_reference_models keep their raw width.
    calibrate: bool = True

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
    lock_file_max_age_hours: float = Field(12.0, gt=0)


DEFAULT_SCHEDULE = "0 6 * * *"


class Worker(Section):
    """The scheduled worker (ARCHITECTURE §8)."""

    schedule: str = DEFAULT_SCHEDULE
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
        if value == DEFAULT_SCHEDULE:
            return value  # the shipped one: every command need not import the scheduler
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(value, timezone=UTC)
        except ValueError as exc:
            raise ValueError(f"{value!r}: {exc}") from None
        return value


class Settings(BaseModel):
    """Every setting (``configs/tracker.yaml`` and its ``TRACKER_*`` overrides)."""

    model_config = ConfigDict(extra="forbid", validate_default=True)

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


def check_environment(environ: Mapping[str, str] = os.environ) -> None:
    """Refuse a ``TRACKER_`` variable that names no setting (a misspelt top-level name, as
    a misspelt nested one is) and an empty folder setting."""
    sections = sorted(n for n, f in Settings.model_fields.items() if _is_section(f))
    plain = sorted({*(f"TRACKER_{n.upper()}" for n in Settings.model_fields
                      if n not in sections), *SHORT_NAMES})  # fmt: skip
    for name in sorted(environ):
        if not name.startswith("TRACKER_") or name in NOT_SETTINGS or name in SHORT_NAMES:
            continue
        where = f"environment variable {name}"
        section = name.split("__", 1)[0].removeprefix("TRACKER_").lower()
        if name not in plain and section not in sections:
            raise ConfigError(
                f"not a setting; settings are {', '.join(plain)} and"
                f" TRACKER_<SECTION>__<NAME> for the sections {', '.join(sections)}",
                file=where,
            )
        if name in FOLDERS and not environ[name].strip():
            raise ConfigError("is empty; unset it or name a folder", file=where)


def _is_section(field: Any) -> bool:
    return isinstance(field.default_factory, type) and issubclass(field.default_factory, Section)


def load_settings(config_dir: str | Path | None = None, **overrides: Any) -> Settings:
    """Settings for a config folder (``--config-dir``, ``TRACKER_CONFIG_DIR``, or ``configs``)."""
    check_environment()
    folder = Path(config_dir or os.environ.get("TRACKER_CONFIG_DIR") or "configs")
    path = folder / CONFIG_FILE
    data = expect_mapping(load_yaml(path, required=False), path, CONFIG_FILE)
    data.pop("config_dir", None)
    values = {key: value for key, value in overrides.items() if value is not None}
    for short, (section, name) in SHORT_NAMES.items():  # TRACKER_SCHEDULE, TRACKER_BACKEND
        full = f"TRACKER_{section.upper()}__{name.upper()}"
        if os.environ.get(short) and full not in os.environ:
            values.setdefault(section, {})[name] = os.environ[short]
    try:
        if any(_names_setting(name) for name in os.environ):
            return _with_environment(data, config_dir=folder, **values)
        return Settings.model_validate(_merged(data, {"config_dir": folder, **values}))
    except ValidationError as exc:
        message, loc = first_problem(exc)
        prefix = "TRACKER_" + "__".join(loc).upper()
        names = sorted(n for n in os.environ if n == prefix or n.startswith(prefix + "__"))
        names += [s for s, spot in SHORT_NAMES.items() if list(spot) == loc and s in os.environ]
        origin = f"environment variable {', '.join(names)}" if names else path
        raise ConfigError(message, file=origin, field=".".join(loc) or None) from None


def _names_setting(name: str) -> bool:
    """Whether the environment variable ``name`` is one pydantic-settings reads as a setting
    (it reads names in any case)."""
    upper = name.upper()
    return upper.startswith("TRACKER_") and upper not in (*NOT_SETTINGS, *SHORT_NAMES)


def _merged(base: dict[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``update`` laid over it, mappings merged key by key (as the settings
    sources are merged)."""
    out = dict(base)
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merged(dict(out[key]), value)
        else:
            out[key] = value
    return out


def _with_environment(data: dict[str, Any], **values: Any) -> Settings:
    """Settings from ``values`` over the ``TRACKER_*`` environment over ``data`` (the YAML)."""
    from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

    class _YamlSource(PydanticBaseSettingsSource):
        """Settings from ``configs/tracker.yaml`` (read with duplicate-key checks)."""

        def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
            return data.get(field_name), field_name, False

        def __call__(self) -> dict[str, Any]:
            return dict(data)

    class _FromEnvironment(Settings, BaseSettings):
        model_config = SettingsConfigDict(
            env_prefix="TRACKER_", env_nested_delimiter="__", extra="forbid"
        )

        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            return (init_settings, env_settings, _YamlSource(settings_cls))

    return _FromEnvironment(**values)
