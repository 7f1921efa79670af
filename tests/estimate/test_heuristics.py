"""Parameter heuristics: sizes read from model keys, the year from date stamps."""

from __future__ import annotations

import pytest

from pipeline.estimate.heuristics import Size, era_year, parse_size


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
