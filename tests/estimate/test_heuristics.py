"""Parameter heuristics: sizes read from model keys, the era from date stamps, 6·N·D."""

from __future__ import annotations

import math

import pytest

from pipeline.estimate.heuristics import Size, era_year, estimate_from_size, parse_size
from pipeline.settings import ParameterHeuristic

CONFIG = ParameterHeuristic()  # the defaults equal configs/tracker.yaml


@pytest.mark.parametrize(
    ("key", "total", "active", "text", "moe_guess"),
    [
        ("llama_3.1_405b", 405e9, 405e9, "405b", False),
        ("mixtral_8x7b", 56e9, 14e9, "8x7b", True),
        ("qwen3_235b_a22b", 235e9, 22e9, "235b_a22b", False),
        ("zephyr_orpo_141b_a35b_v0.1", 141e9, 35e9, "141b_a35b", False),
        ("smollm2_1.7b", 1.7e9, 1.7e9, "1.7b", False),
        ("smollm2_135m", 135e6, 135e6, "135m", False),
    ],
)
def test_parse_size(key: str, total: float, active: float, text: str, moe_guess: bool) -> None:
    assert parse_size(key) == Size(total, active, text, moe_guess)


@pytest.mark.parametrize("key", ["gpt_4o", "step_2_16k_exp", "claude_3.5_sonnet", "o1"])
def test_parse_size_without_a_size(key: str) -> None:
    assert parse_size(key) is None


def test_parse_size_moe_active_experts_configurable() -> None:
    size = parse_size("mixtral_8x7b", active_experts=1)
    assert size is not None and (size.total, size.active) == (56e9, 7e9)


def test_parse_size_maverick_active_parameters() -> None:
    # "17b_128e": 17B active parameters (128 experts); compute uses the active count.
    size = parse_size("llama_4_maverick_17b_128e")
    assert size is not None and size.active == 17e9


def test_parse_size_maverick_is_a_mixture_of_experts() -> None:
    size = parse_size("llama_4_maverick_17b_128e")
    assert size is not None
    assert size.text == "17b_128e"
    assert size.total != size.active  # 17B is the active count, not the total


@pytest.mark.parametrize(
    ("names", "year"),
    [
        (["GPT-4o-2024-05-13"], 2024),
        (["Mistral-Large-2407"], 2024),
        (["Command R+ (08-2024)"], 2024),
        (["o1-2024-12-17", "o1"], 2024),
        (["claude-3-5-sonnet-20241022", "chatgpt-4o-latest-20250326"], 2024),
        (["Llama-2-70B-chat"], None),
        (["gpt-4-0613"], None),  # MMDD: no year
        ([], None),
    ],
)
def test_era_year(names: list[str], year: int | None) -> None:
    assert era_year(names) == year


def test_estimate_from_size_dated_405b() -> None:
    result = estimate_from_size(Size(405e9, 405e9, "405b"), 2024, CONFIG)
    flop = 6 * 405e9 * 1.5e13
    assert result.method == "parameter_heuristic"
    assert result.flop == pytest.approx(flop)
    assert result.confidence == "medium"
    assert result.low == pytest.approx(flop / 10**0.5)
    assert result.high == pytest.approx(flop * 10**0.5)
    assert (result.parameters, result.parameter_source) == (405e9, "name: 405b")


def test_estimate_from_size_undated_is_low_and_wider() -> None:
    size = Size(405e9, 405e9, "405b")
    dated = estimate_from_size(size, 2024, CONFIG)
    undated = estimate_from_size(size, None, CONFIG)
    assert undated.flop == pytest.approx(6 * 405e9 * CONFIG.default_tokens)
    assert undated.confidence == "low"
    assert math.log10(undated.high / undated.flop) == pytest.approx(0.5 * 1.4)
    assert undated.high / undated.low > dated.high / dated.low
    assert "unknown date" in undated.reasoning


def test_estimate_from_size_moe_guess_uses_active_and_is_low() -> None:
    result = estimate_from_size(Size(56e9, 14e9, "8x7b", moe_guess=True), 2024, CONFIG)
    assert result.flop == pytest.approx(6 * 14e9 * 1.5e13)
    assert result.confidence == "low"
    assert result.parameters == 56e9
    assert "56B parameters from the name (8x7b, 14B active)" in result.reasoning


def test_estimate_from_size_chinchilla_floor() -> None:
    result = estimate_from_size(Size(1e12, 1e12, "1000b"), 2022, CONFIG)
    assert result.flop == pytest.approx(6 * 1e12 * 20 * 1e12)  # 20 N > 4e11 era tokens
    assert "Chinchilla floor" in result.reasoning
    assert "20 per active parameter" in result.reasoning


@pytest.mark.parametrize(("year", "tokens"), [(2019, 4e11), (2023, 2e12), (2031, 2e13)])
def test_estimate_from_size_era_clamped(year: int, tokens: float) -> None:
    result = estimate_from_size(Size(1e9, 1e9, "1b"), year, CONFIG)
    assert result.flop == pytest.approx(6 * 1e9 * tokens)


def test_estimate_from_size_reasoning() -> None:
    reasoning = estimate_from_size(Size(405e9, 405e9, "405b"), 2024, CONFIG).reasoning
    assert reasoning == (
        "405B parameters from the name (405b); 15T training tokens assumed (typical for a "
        "2024 model, 37 per active parameter); 6 x N x D = 3.65e+25 FLOP"
    )
