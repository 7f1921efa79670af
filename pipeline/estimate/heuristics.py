"""Parameter heuristics: model size read from the name, tokens assumed by era.

Compute = 6 x N x D (Kaplan et al. 2020), with N the parameters active per token and
D = max(min_tokens_per_parameter x N, the era's typical pre-training tokens). Names give
sizes as ``405b``, ``1.7b``, ``135m``; mixtures of experts as ``8x7b`` (N = active experts
x expert size, top-2 routing unless configured), ``235b_a22b`` (235B total, 22B active) or
``17b_128e`` (17B active in 128 experts; total unknown).
The era is the year of a date stamp in any of the model's names (``-2024-05-13``,
``-2407``); without one the default token count applies and confidence is low.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from pipeline.collect.names import split_date, tokenise
from pipeline.estimate.result import MethodResult, count
from pipeline.settings import ParameterHeuristic

_SIZE = re.compile(r"^(\d+(?:\.\d+)?)([bm])$")
_MOE = re.compile(r"^(\d+)x(\d+(?:\.\d+)?)b$")
_ACTIVE = re.compile(r"^a(\d+(?:\.\d+)?)b$")
_EXPERTS = re.compile(r"^\d+e$")
METHOD = "parameter_heuristic"


@dataclass(frozen=True)
class Size:
    total: float | None
    active: float
    text: str
    moe_guess: bool = False


def _scale(unit: str) -> float:
    return 1e9 if unit == "b" else 1e6


def parse_size(key: str, active_experts: int = 2) -> Size | None:
    """The size a key states, or None. The first size token wins."""
    tokens = key.split("_")
    for index, token in enumerate(tokens):
        if match := _MOE.match(token):
            experts, size = int(match[1]), float(match[2]) * 1e9
            return Size(experts * size, min(active_experts, experts) * size, token, moe_guess=True)
        if match := _SIZE.match(token):
            total = float(match[1]) * _scale(match[2])
            nxt = tokens[index + 1] if index + 1 < len(tokens) else ""
            if active := _ACTIVE.match(nxt):
                return Size(total, float(active[1]) * 1e9, f"{token}_{nxt}")
            if _EXPERTS.match(nxt):
                return Size(None, total, f"{token}_{nxt}")
            return Size(total, total, token)
    return None


def era_year(names: list[str]) -> int | None:
    """The earliest year found in a date stamp of any of the names."""
    years = []
    for name in names:
        _, stamp = split_date(tokenise(name))
        if not stamp:
            continue
        text = "".join(stamp)
        if len(stamp) == 2 and len(stamp[1]) == 4:  # MM_YYYY
            years.append(int(stamp[1]))
        elif len(text) >= 6:  # YYYY...
            years.append(int(text[:4]))
        elif len(text) == 4 and int(text[2:]) <= 12 and 23 <= int(text[:2]) <= 30:  # YYMM
            years.append(2000 + int(text[:2]))
    return min(years) if years else None


def era_tokens_for(year: int | None, config: ParameterHeuristic) -> tuple[float, str]:
    """Typical pre-training tokens of the latest configured era not after ``year``."""
    if year is None:
        return config.default_tokens, "a model of unknown date"
    eras = sorted(config.era_tokens)
    era = max((e for e in eras if e <= year), default=eras[0])
    return config.era_tokens[era], f"a {year} model"


def _describe(size: Size) -> str:
    if size.total is None:
        return f"{count(size.active)} active parameters from the name ({size.text})"
    if size.active != size.total:
        return (
            f"{count(size.total)} parameters from the name ({size.text}, "
            f"{count(size.active)} active)"
        )
    return f"{count(size.total)} parameters from the name ({size.text})"


def estimate_from_size(size: Size, year: int | None, config: ParameterHeuristic) -> MethodResult:
    era_tokens, era_text = era_tokens_for(year, config)
    floor = config.min_tokens_per_parameter * size.active
    tokens = max(floor, era_tokens)
    flop = 6 * size.active * tokens
    spread = config.interval_dex
    if year is None or size.moe_guess:
        confidence, spread = "low", spread * 1.4
    else:
        confidence = "medium"
    basis = (
        f"the Chinchilla floor of {config.min_tokens_per_parameter:g} tokens per parameter"
        if floor > era_tokens
        else f"typical for {era_text}"
    )
    reasoning = (
        f"{_describe(size)}; "
        f"{count(tokens)} training tokens assumed ({basis}, {tokens / size.active:.0f} per "
        f"active parameter); 6 x N x D = {flop:.2e} FLOP"
    )
    factor = math.pow(10, spread)
    explanation = (
        "Size from the name with the era's typical training tokens"
        if confidence == "medium"
        else "Size from the name; training tokens guessed (no date, or expert routing assumed)"
    )
    return MethodResult(
        METHOD,
        flop,
        flop / factor,
        flop * factor,
        confidence,
        explanation,
        reasoning,
        parameters=size.total,
        parameter_source=f"name: {size.text}",
    )
