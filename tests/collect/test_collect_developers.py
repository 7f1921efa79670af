"""Developer names: one canonical spelling per organisation (aliases.yaml ``developers``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from pipeline.collect.developers import DeveloperNames
from pipeline.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def developers() -> DeveloperNames:
    return DeveloperNames.load(ROOT / "configs" / "aliases.yaml")


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("DeepSeek AI", "DeepSeek"),
        ("deepseek-ai", "DeepSeek"),
        ("Meta AI", "Meta"),
        ("Ai2", "Allen Institute for AI"),
        ("Allen AI", "Allen Institute for AI"),
        ("AllenAI/UW", "Allen Institute for AI"),
        ("  Zhipu  ", "Zhipu AI"),
        ("Example Lab", "Example Lab"),
        ("", ""),
        (
            "University of Washington,Allen Institute for AI",
            "University of Washington, Allen Institute for AI",
        ),
        ("Meta AI,Facebook AI Research", "Meta"),
    ],
)
def test_canonical_spelling(developers: DeveloperNames, raw: str, canonical: str) -> None:
    assert developers(raw) == canonical


def test_a_spelling_under_two_names_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "aliases.yaml"
    path.write_text("developers:\n  Meta: [Meta AI]\n  Facebook: [meta ai]\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        DeveloperNames.load(path)
    assert str(caught.value) == (
        f"{path}, field developers: 'meta ai' is listed under both 'Meta' and 'Facebook'"
    )


def test_a_name_without_a_list_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "aliases.yaml"
    path.write_text("developers:\n  Meta: Meta AI\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="'Meta' must list its other spellings"):
        DeveloperNames.load(path)


def test_collected_records_carry_the_canonical_developer(
    run: Callable[..., Result], project: Path
) -> None:
    assert run("collect-all").exit_code == 0
    doc = json.loads((project / "data/scraped/lmarena_text_models.json").read_text("utf-8"))
    names = {model["developer"] for model in doc["models"]}
    assert {"DeepSeek", "Meta", "Allen Institute for AI", "Zhipu AI"} <= names
    assert not names & {"DeepSeek AI", "Meta AI", "Ai2", "Allen AI", "AllenAI/UW", "Zhipu"}
