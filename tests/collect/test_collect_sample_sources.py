"""The sample's saved benchmark pages and model cards: read as sources, their scores fitted
as benchmarks of their own and their sizes used as specs."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from project_paths import SAMPLE_SOURCES

ROOT = Path(__file__).resolve().parents[2]

Run = Callable[..., Result]


@pytest.fixture
def with_samples(project: Path) -> Path:
    """The project with the shipped sample sources put back."""
    for name in SAMPLE_SOURCES:
        shutil.copy(
            ROOT / "configs" / "scrapers" / f"{name}.yaml", project / "configs" / "scrapers"
        )
    return project


def models(project: Path, source: str) -> dict[str, dict]:
    doc = json.loads((project / "data" / "scraped" / f"{source}_models.json").read_text())
    return {m["key"]: m for m in doc["models"]}


def test_saved_pages_give_scores_dated_by_their_file_names(with_samples: Path, run: Run) -> None:
    assert run("collect-all").exit_code == 0
    superclue, olympic = models(with_samples, "superclue"), models(with_samples, "olympicarena")
    assert len(superclue) == 31 and len(olympic) == 8
    assert superclue["gpt_4o"]["benchmarks"] == {"superclue_overall": 65.92}
    assert superclue["gpt_4o"]["developer"] == "OpenAI"
    assert olympic["gpt_4o_mini"]["benchmarks"] == {"olympicarena_overall": 31.82}
    assert {m["first_seen"] for m in [*superclue.values(), *olympic.values()]} == {"2025-08-31"}


def test_model_cards_give_sizes_with_their_sources(with_samples: Path, run: Run) -> None:
    assert run("collect-all").exit_code == 0
    phi_4 = models(with_samples, "model_cards")["phi_4"]
    assert phi_4["specs"]["parameters"] == 14e9
    assert phi_4["specs"]["source_url"] == "https://arxiv.org/abs/2412.08905"
    assert "training_flop" not in phi_4["specs"]  # sizes only: never a reference model


def test_each_benchmark_is_fitted_and_the_sizes_used(with_samples: Path, run: Run) -> None:
    assert run("collect-all").exit_code == 0
    assert run("estimate-flops").exit_code == 0
    doc = json.loads((with_samples / "data" / "estimated" / "estimated_models.json").read_text())
    fits = {fit["benchmark"]: fit["reference_models"] for fit in doc["metadata"]["benchmark_fits"]}
    assert fits == {
        "lmarena_text.arena_score": 31,
        "olympicarena.olympicarena_overall": 8,
        "superclue.superclue_overall": 7,
    }
    records = {m["key"]: m for m in doc["models"]}
    assert records["phi_4"]["parameters"] == 14e9
    assert records["phi_4"]["estimation_method"] == "size_and_benchmark"
    both = records["claude_3.5_haiku"]["reasoning"]  # on LMArena and SuperCLUE
    assert "superclue.superclue_overall 56.1" in both and "lmarena_text.arena_score" in both
    assert "weighted mean" in both
