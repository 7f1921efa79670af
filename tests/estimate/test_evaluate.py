"""``evaluate``: leave-one-out accuracy against Epoch AI's reference data."""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from pipeline.collect.names import NameRules
from pipeline.estimate.evaluate import Answer, Case, Evaluation, epoch_reference, evaluate
from pipeline.estimate.known import load_known
from pipeline.settings import Settings

Run = Callable[..., Result]
HEADER = "Model,Training compute (FLOP),Confidence\n"


@pytest.fixture
def collected(run: Run) -> None:
    result = run("collect-all")
    assert result.exit_code == 0, result.output


@pytest.fixture
def evaluation(collected: None, settings: Settings) -> Evaluation:
    return evaluate(settings)


def reference(folder: Path, project: Path) -> dict[str, tuple[str, float]]:
    known = load_known(project / "configs" / "known_models.yaml")
    rules = NameRules.load(project / "configs" / "aliases.yaml")
    return epoch_reference(folder, rules, {spec.name: key for key, spec in known.items()})


def test_accuracy_on_sample_data(evaluation: Evaluation) -> None:
    assert len(evaluation.cases) >= 25
    assert evaluation.median_abs_error < 0.5
    assert evaluation.point()[0] > evaluation.everything_above()[0]
    assert evaluation.everything_above()[1] == 1.0


def test_leave_one_out_never_uses_own_known_value(evaluation: Evaluation) -> None:
    assert {case.method for case in evaluation.cases} <= {
        "benchmark_interpolation",
        "parameter_heuristic",
        "size_and_benchmark",
        "combined",
    }
    # (that no known value leaks into the estimate is proved in test_leave_one_out.py; an
    # estimate may equal its truth to three digits by chance)


def test_sample_truths(evaluation: Evaluation) -> None:
    truth = {case.key: case.truth for case in evaluation.cases}
    assert truth["llama_3.1_405b"] == 3.8e25
    assert truth["gpt_4o"] == 3.81e25
    assert "o1" not in truth


def test_rows_not_written_by_epoch_are_ignored(project: Path) -> None:
    ref = reference(project / "data" / "raw" / "epoch", project)
    assert len(ref) > 100
    assert "o1" not in ref  # published_data.csv's o1 row (5.56e25, "medium") is not Epoch's
    assert all(name != "Gemini 2.5 Pro" for name, _ in ref.values())
    assert all(flop != pytest.approx(5.56e25) for _, flop in ref.values())


@pytest.mark.parametrize("confidence", ["Confident", "Likely", "speculative", "Unknown", ""])
def test_epoch_confidence_words_are_kept(tmp_path: Path, project: Path, confidence: str) -> None:
    (tmp_path / "published_data.csv").write_text(
        f"{HEADER}GPT-4o,3.81e+25,{confidence}\no1,5.56e+25,medium\nGrok 4,5e+26,low\n"
    )
    assert reference(tmp_path, project) == {"gpt_4o": ("GPT-4o", 3.81e25)}


def test_published_wins_over_notable(tmp_path: Path, project: Path) -> None:
    (tmp_path / "published_data.csv").write_text(f"{HEADER}GPT-4o,3.81e+25,Confident\n")
    (tmp_path / "notable_ai_models_2024.csv").write_text(
        f"{HEADER}GPT-4o,1e+25,Confident\nGPT-4,2.1e+25,Likely\n"
    )
    assert reference(tmp_path, project) == {
        "gpt_4o": ("GPT-4o", 3.81e25),
        "gpt_4": ("GPT-4", 2.1e25),
    }


def test_case_error_and_precision() -> None:
    cases = [
        Case("a", "A", 1e26, 1e25, "m", "not_sure"),
        Case("b", "B", 1e24, 2e25, "m", "not_sure"),
        Case("c", "C", 1e24, 1e23, "m", "high_confidence_below_1e25"),
    ]
    result = Evaluation(cases, 1e25)
    assert [c.error for c in cases] == pytest.approx([-1.0, 1.30103, -1.0])
    assert result.median_abs_error == 1.0
    assert result.point() == (0.5, 1.0)
    assert result.everything_above() == pytest.approx((1 / 3, 1.0))
    precision, recall = result.confident()  # nothing predicted above
    assert math.isnan(precision) and recall == 0.0


def figures_cases() -> list[Case]:
    """Two models above 1e25 and two below, each with an interval and a probability."""
    return [
        Case("a", "A", 1e26, 1e26, "x", "high_confidence_above_1e25", 5e25, 2e26, 0.95,
             [Answer("y", 1e25, 1e24, 1e26, 0.5)]),
        Case("b", "B", 2e25, 5e24, "x", "high_confidence_below_1e25", 2e24, 1e25, 0.05),
        Case("c", "C", 1e24, 2e24, "x", "high_confidence_below_1e25", 1e24, 4e24, 0.0),
        Case("d", "D", 1e24, 1e25, "y", "not_sure", 3e24, 3e25, 0.6),
    ]  # fmt: skip


def test_figures_overall_and_by_method() -> None:
    result = Evaluation(figures_cases(), 1e25)
    overall = result.overall()
    assert overall.n == 4
    assert overall.median_abs_error == pytest.approx((math.log10(2) + math.log10(4)) / 2)
    assert overall.coverage == 0.5  # a and c inside their intervals; b and d not
    assert overall.brier == pytest.approx((0.05**2 + 0.95**2 + 0 + 0.6**2) / 4)
    assert overall.within_half_dex == 0.5  # a and c
    by_method = result.by_method()
    assert (by_method["x"].n, by_method["y"].n) == (3, 2)  # y: d's estimate, a's alternative
    assert by_method["y"].brier == pytest.approx((0.6**2 + 0.5**2) / 2)


def test_reliability_table_and_classes() -> None:
    result = Evaluation(figures_cases(), 1e25)
    rows = {label: (n, stated, observed) for label, n, stated, observed in result.reliability()}
    assert rows["0.0-0.1"] == (2, pytest.approx(0.025), 0.5)
    assert rows["0.5-0.7"] == (1, 0.6, 0.0)
    assert rows["0.9-1.0"] == (1, 0.95, 1.0)
    assert rows["0.1-0.3"][0] == 0
    assert result.confident() == (1.0, 0.5)
    assert result.confident_below() == (0.5, 0.5)
    assert result.above_called_below() == ["b"]
    assert result.not_sure() == 1


def test_cli_json_has_every_figure(run: Run, collected: None, evaluation: Evaluation) -> None:
    result = run("evaluate", "--json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["models"] == len(evaluation.cases)
    assert set(figures["overall"]) == {
        "n", "median_abs_error", "mean_abs_error", "within_half_dex", "coverage", "brier",
    }  # fmt: skip
    assert "benchmark_interpolation" in figures["by_method"]
    assert figures["reliability"][0]["bin"] == "0.0-0.1"
    assert set(figures["precision_recall"]["high_confidence_above"]) == {"precision", "recall"}
    assert isinstance(figures["not_sure_candidates"], int)
    assert figures["overall"]["brier"] == round(evaluation.overall().brier, 4)


def test_cli_summary(run: Run, collected: None) -> None:
    result = run("evaluate")
    assert result.exit_code == 0, result.output
    assert "models matched: " in result.output
    assert "median |log10 error|: " in result.output
    assert "baseline: every model above" in result.output
    for words in ("80% coverage", "Brier", "stated P(above)", "high-confidence below",
                  "not_sure: ", "called high-confidence below: "):  # fmt: skip
        assert words in result.output
    assert "Epoch FLOP" not in result.output  # the --details table


def test_cli_details_table(run: Run, collected: None, evaluation: Evaluation) -> None:
    result = run("evaluate", "--details")
    assert result.exit_code == 0, result.output
    assert "Epoch FLOP" in result.output
    for case in evaluation.cases:
        assert case.key in result.output
    assert f"models matched: {len(evaluation.cases)}" in result.output


def test_cli_reference_folder_without_epoch_files(
    run: Run, collected: None, tmp_path: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run("evaluate", "--reference", str(empty))
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: {empty}: no Epoch reference data "
        "(published_data.csv or notable_ai_models_2024.csv)"
    ]


def test_cli_default_reference_folder_emptied(run: Run, collected: None, project: Path) -> None:
    shutil.rmtree(project / "data" / "raw" / "epoch")
    (project / "data" / "raw" / "epoch").mkdir()
    result = run("evaluate")
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert "no Epoch reference data" in line


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Model,Confidence\nGPT-4o,Likely\n", "row 1: missing column 'Training compute (FLOP)'"),
        (f"{HEADER}GPT-4o,abc,Likely\n", "row 2, field Training compute (FLOP): 'abc' is not"),
        (f"{HEADER}GPT-4o,1e31,Likely\n", "row 2, field Training compute (FLOP): '1e31' is"),
        ("", "empty file"),
    ],
)
def test_cli_bad_reference_file(
    run: Run, collected: None, tmp_path: Path, text: str, problem: str
) -> None:
    (tmp_path / "published_data.csv").write_text(text)
    result = run("evaluate", "--reference", str(tmp_path))
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"Error: {tmp_path / 'published_data.csv'}")
    assert problem in line


def test_cli_before_collect(run: Run) -> None:
    result = run("evaluate")
    assert result.exit_code == 1
    assert "run `tracker collect-all` first" in result.output


def test_candidates_counted_as_the_production_run_makes_them(
    run: Run, collected: None, evaluation: Evaluation, project: Path
) -> None:
    assert run("estimate-flops").exit_code == 0
    models = json.loads((project / "data/estimated/estimated_models.json").read_text())["models"]
    candidates = [
        m for m in models if m["threshold_classification"] != "high_confidence_below_1e25"
    ]
    assert evaluation.candidates == len(candidates)
    assert evaluation.candidates_not_sure == sum(
        m["threshold_classification"] == "not_sure" for m in candidates
    )
