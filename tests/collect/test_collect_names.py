"""Raw leaderboard names -> model keys (ARCHITECTURE §3), on real LMArena fixture names."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pipeline.collect.names import KEY_PATTERN, NameRules, explain, normalise, split_date
from pipeline.errors import ConfigError

LMARENA = Path(__file__).resolve().parents[1] / "fixtures" / "lmarena"


def fixture_names(day: str) -> list[str]:
    with (LMARENA / f"lmarena_text_{day}.csv").open(encoding="utf-8") as handle:
        return [row["Model"] for row in csv.DictReader(handle)]


JANUARY = fixture_names("2025-01-23")
MAY = fixture_names("2025-05-18")


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Meta-Llama-3.1-405B-Instruct-bf16", "llama_3.1_405b"),
        ("Meta-Llama-3.1-405B-Instruct-fp8", "llama_3.1_405b"),
        ("llama-3.1-405b-instruct-fp8", "llama_3.1_405b"),
        ("GPT-4o-2024-05-13", "gpt_4o"),
        ("gpt-4o-2024-08-06", "gpt_4o"),
        ("Claude 3.5 Sonnet (20241022)", "claude_3.5_sonnet_20241022"),
        ("claude-3-5-sonnet-20241022", "claude_3.5_sonnet_20241022"),
        ("Claude 3.5 Sonnet (20240620)", "claude_3.5_sonnet"),
        ("claude-3-5-sonnet-20240620", "claude_3.5_sonnet"),
        ("Command R+ (08-2024)", "command_r_plus_08_2024"),
        ("Command R (08-2024)", "command_r_08_2024"),
        ("Gemma-2-27B-it", "gemma_2_27b"),
        ("internlm2_5-20b-chat", "internlm2.5_20b"),
        ("InternLM2.5-20B-chat", "internlm2.5_20b"),
        ("Mistral-Large-2407", "mistral_large_2"),
        ("Mistral-Large-2402", "mistral_large"),
        ("Mistral-Large-2411", "mistral_large_2411"),
        ("Gemini-1.5-Pro-002", "gemini_1.5_pro_002"),
        ("Gemini-1.5-Pro-001", "gemini_1.5_pro"),
    ],
)
def test_real_names_normalise_to_their_key(rules: NameRules, raw: str, key: str) -> None:
    assert raw in JANUARY + MAY
    assert normalise(raw, rules) == key


@pytest.mark.parametrize(
    ("raw", "key", "steps"),
    [
        # Rules 1-2: NFKC, lower case, organisation before "/", "+" as plus, symbols split.
        ("meta-llama/Llama-3.1-8B", "llama_3.1_8b", []),
        ("Ｃｏｍｍａｎｄ Ｒ＋ (08-2024)", "command_r_plus_08_2024", []),
        ("🥇🏆 Yi-Lightning", "yi_lightning", []),
        # Rule 3: a dotted version written with a separator.
        (
            "claude-3-5-sonnet-20241022",
            "claude_3.5_sonnet_20241022",
            ["version: claude_3_5_sonnet_20241022 -> claude_3.5_sonnet_20241022"],
        ),
        (
            "internlm2_5-20b-chat",
            "internlm2.5_20b",
            ["version: internlm2_5_20b_chat -> internlm2.5_20b_chat", "variant: dropped chat"],
        ),
        (
            "Mistral-7B-Instruct-v0-2",
            "mistral_7b_v0.2",
            [
                "version: mistral_7b_instruct_v0_2 -> mistral_7b_instruct_v0.2",
                "variant: dropped instruct",
            ],
        ),
        # Rule 4: serving precision.
        (
            "llama-3.1-405b-instruct-bf16",
            "llama_3.1_405b",
            ["precision: dropped bf16", "variant: dropped instruct"],
        ),
        # Rule 5: post-trained variants, but never the first token.
        ("Gemma-2-27B-it", "gemma_2_27b", ["variant: dropped it"]),
        ("Yi-1.5-34B-Chat", "yi_1.5_34b", ["variant: dropped chat"]),
        ("chat-7b", "chat_7b", []),
        # Rule 6: organisation prefixes.
        ("c4ai-aya-expanse-32b", "aya_expanse_32b", ["prefix: dropped c4ai"]),
        (
            "Meta-Llama-3.1-70B-Instruct",
            "llama_3.1_70b",
            ["variant: dropped instruct", "prefix: dropped meta"],
        ),
        # Rule 7: a date is dropped only from a snapshot family.
        ("GPT-4o-2024-05-13", "gpt_4o", ["date: dropped 2024_05_13 (snapshot of gpt_4o)"]),
        ("Claude 3.5 Sonnet (20241022)", "claude_3.5_sonnet_20241022", []),
        ("Qwen-Max-0919", "qwen_max_0919", []),
        # Rule 8: aliases, after every other rule.
        ("Mistral-Large-2407", "mistral_large_2", ["alias: mistral_large_2407 -> mistral_large_2"]),
        (
            "ChatGPT-4o-latest (2024-11-20)",
            "gpt_4o",
            [
                "date: dropped 2024_11_20 (snapshot of chatgpt_4o_latest)",
                "alias: chatgpt_4o_latest -> gpt_4o",
            ],
        ),
    ],
)
def test_documented_rules_explained(rules: NameRules, raw: str, key: str, steps: list[str]) -> None:
    assert explain(raw, rules) == (key, steps)


@pytest.mark.parametrize(
    ("raw", "family", "stamp"),
    [
        ("GPT-4o-2024-05-13", "gpt_4o", "2024_05_13"),
        ("Claude 3.5 Sonnet (20241022)", "claude_3.5_sonnet", "20241022"),
        ("Command R+ (08-2024)", "command_r_plus", "08_2024"),
        ("step-2-16k-exp-202412", "step_2_16k_exp", "202412"),
        ("Gemini-2.0-Flash-Thinking-Exp-01-21", "gemini_2.0_flash_thinking_exp", "01_21"),
        ("gemini-advanced-0514", "gemini_advanced", "0514"),
        ("Mistral-Large-2407", "mistral_large", "2407"),
    ],
)
def test_every_date_stamp_form(raw: str, family: str, stamp: str) -> None:
    in_family = NameRules(snapshot_families=frozenset({family}))
    assert explain(raw, in_family) == (family, [f"date: dropped {stamp} (snapshot of {family})"])
    assert explain(raw, NameRules()) == (f"{family}_{stamp}", [])


@pytest.mark.parametrize(
    "tokens",
    [
        ["gemini", "1.5", "pro", "002"],
        ["model", "2024", "13", "01"],
        ["model", "20241341"],
        ["gpt", "4", "9999"],
        ["gemini", "exp", "1399"],
        ["0514"],
    ],
)
def test_split_date_leaves_non_dates(tokens: list[str]) -> None:
    assert split_date(tokens) == (tokens, [])


@pytest.mark.parametrize("raw", ["", "🥇🏆", " - "])
def test_name_without_letters_or_digits_has_no_key(rules: NameRules, raw: str) -> None:
    assert normalise(raw, rules) == ""


@pytest.mark.parametrize("names", [JANUARY, MAY], ids=["january", "may"])
def test_every_fixture_name_gives_a_valid_key(rules: NameRules, names: list[str]) -> None:
    bad = [name for name in names if not KEY_PATTERN.match(normalise(name, rules))]
    assert bad == []


@pytest.mark.parametrize(
    ("january", "may", "key"),
    [
        ("Meta-Llama-3.1-405B-Instruct-bf16", "llama-3.1-405b-instruct-bf16", "llama_3.1_405b"),
        ("GPT-4o-2024-05-13", "gpt-4o-2024-05-13", "gpt_4o"),
        ("ChatGPT-4o-latest (2024-11-20)", "chatgpt-4o-latest-20250326", "gpt_4o"),
        ("Claude 3 Opus", "claude-3-opus-20240229", "claude_3_opus"),
        ("Claude 3.5 Sonnet (20240620)", "claude-3-5-sonnet-20240620", "claude_3.5_sonnet"),
        ("Grok-2-08-13", "grok-2-2024-08-13", "grok_2"),
        ("Athene-70B", "athene-70b-0725", "athene_70b"),
        ("Athene-v2-Chat-72B", "athene-v2-chat", "athene_v2"),
        ("Step-2-16K-Exp", "step-2-16k-exp-202412", "step_2_16k_exp"),
        ("GLM-4-Plus", "glm-4-plus-0111", "glm_4_plus"),
        ("Mistral-7B-Instruct-v0.1", "mistral-7b-instruct", "mistral_7b"),
        ("InternLM2.5-20B-chat", "internlm2_5-20b-chat", "internlm2.5_20b"),
        ("Command R+ (08-2024)", "command-r-plus-08-2024", "command_r_plus_08_2024"),
        ("Command R+ (04-2024)", "command-r-plus", "command_r_plus"),
        ("Command R (04-2024)", "command-r", "command_r"),
    ],
)
def test_january_and_may_snapshots_agree(
    rules: NameRules, january: str, may: str, key: str
) -> None:
    assert january in JANUARY
    assert may in MAY
    assert (normalise(january, rules), normalise(may, rules)) == (key, key)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("aliases: {}\nfamilies: [gpt_4o]\n", "unknown sections ['families']"),
        ("aliases:\n  gpt_4o_mini: 4\n", "field aliases: alias 'gpt_4o_mini': 4 must map"),
        ("aliases:\n  gpt_4o_mini:\n", "field aliases: alias 'gpt_4o_mini': None must map"),
        (
            "aliases:\n  chatgpt_4o_latest: gpt_4o_x\n  gpt_4o_x: gpt_4o\n",
            "alias 'chatgpt_4o_latest' -> 'gpt_4o_x' points to another alias",
        ),
        ("aliases:\n  gpt_4o_mini: GPT 4o\n", "alias target 'GPT 4o' is not a key"),
        ("aliases:\n  a: b\n  a: c\n", 'line 3: found duplicate key "a"'),
        ("drop_prefixes: meta\n", "drop_prefixes must be a list of strings"),
    ],
)
def test_load_errors_name_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "aliases.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        NameRules.load(path)
    assert str(caught.value).startswith(f"{path}")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_missing_aliases_file_means_no_rules(tmp_path: Path) -> None:
    rules = NameRules.load(tmp_path / "aliases.yaml")
    assert rules == NameRules()
    assert normalise("GPT-4o-2024-05-13", rules) == "gpt_4o_2024_05_13"
