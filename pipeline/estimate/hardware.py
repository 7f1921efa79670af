"""Epoch AI's hardware and fine-tune methods, from ``configs/known_models.yaml``.

Hardware: compute = chips x training hours x 3600 x peak FLOP/s per chip x utilisation
(the entry's, or the configured default); the chips' peak throughput is the table in
``configs/tracker.yaml`` (``estimation.hardware.chips``). Fine-tune (``base_model``):
compute = the base model's compute + the fine-tune's (``finetune_flop``, or 6 x the base's
parameters x ``finetune_tokens``).
"""

from __future__ import annotations

import math
from pathlib import Path

from pipeline.errors import ConfigError
from pipeline.estimate.known import KnownModel, load_known
from pipeline.estimate.result import MethodResult, count, fmt
from pipeline.settings import Estimation

HARDWARE = "hardware"
FINE_TUNE = "fine_tune"


def check_entries(known: dict[str, KnownModel], config: Estimation, path: Path) -> None:
    """Every chip named in ``known`` is in the chip table; every base model is known."""
    for key, spec in known.items():
        if spec.hardware and spec.hardware.chip not in config.hardware.chips:
            raise ConfigError(
                f"unknown chip {spec.hardware.chip!r} (known: "
                f"{', '.join(config.hardware.chips)}; add it to estimation.hardware.chips)",
                file=path, row=key, field="hardware.chip",
            )  # fmt: skip
        if spec.base_model and spec.base_model not in known:
            raise ConfigError(
                f"base model {spec.base_model!r} is not in this file",
                file=path, row=key, field="base_model",
            )  # fmt: skip


def load_checked(path: Path, config: Estimation) -> dict[str, KnownModel]:
    """``configs/known_models.yaml``, every chip and base model checked."""
    known = load_known(path)
    check_entries(known, config, path)
    return known


def hardware_result(spec: KnownModel, config: Estimation) -> MethodResult | None:
    hardware = spec.hardware
    if hardware is None or hardware.chip not in config.hardware.chips:
        return None
    chip = config.hardware.chips[hardware.chip]
    utilisation = hardware.utilisation or config.hardware.utilisation
    flop = hardware.count * hardware.hours * 3600 * chip.peak_flops * utilisation
    which = "reported" if hardware.utilisation else "default"
    reasoning = (
        f"Hardware: {hardware.count:g} x {hardware.chip} ({chip.peak_flops:.3g} FLOP/s peak"
        f"{', ' + chip.source if chip.source else ''}) x {hardware.hours:g} h x "
        f"{utilisation:.0%} utilisation ({which}) = {fmt(flop)} FLOP"
        f"{' (' + spec.source + ')' if spec.source else ''}"
    )
    return MethodResult.normal(
        HARDWARE, math.log10(flop), config.hardware.interval_dex / config.interval_z,
        config.interval_z, confidence="medium",
        explanation="Training hardware, duration and utilisation", reasoning=reasoning,
    )  # fmt: skip


def finetune_result(
    spec: KnownModel, base: MethodResult, base_parameters: float | None, z: float
) -> MethodResult | None:
    if spec.base_model is None:
        return None
    if spec.finetune_flop is not None:
        extra, how = spec.finetune_flop, "reported"
    elif spec.finetune_tokens and base_parameters:
        extra = 6 * base_parameters * spec.finetune_tokens
        how = f"6 x {count(base_parameters)} x {count(spec.finetune_tokens)} tokens"
    else:
        return None
    flop = base.flop + extra
    reasoning = (
        f"Fine-tune of {spec.base_model}: base {fmt(base.flop)} FLOP ({base.method}) + "
        f"fine-tune {fmt(extra)} FLOP ({how}) = {fmt(flop)} FLOP"
        f"{' (' + spec.source + ')' if spec.source else ''}"
    )
    return MethodResult.normal(
        FINE_TUNE, math.log10(flop), base.sigma, z, confidence=base.confidence,
        explanation="Base model's compute plus the fine-tune's", reasoning=reasoning,
        parameters=spec.parameters or base_parameters,
        parameter_source="base model" if base_parameters and not spec.parameters else "",
    )  # fmt: skip
