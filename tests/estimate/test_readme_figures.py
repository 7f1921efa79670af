"""The README's measured figures are what ``tracker evaluate`` measures on the shipped
sample: a change to the estimator that moves a figure must update the README with it."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import collected_as_run

from pipeline.estimate.evaluate import Evaluation, evaluate

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> Evaluation:
    return evaluate(collected_as_run(tmp_path_factory.mktemp("readme")))


def rows(result: Evaluation) -> list[str]:
    """The README's table rows, as the evaluation gives them."""
    overall = result.overall()
    above = sum(c.truth >= result.threshold for c in result.cases)
    (p_above, r_above), (p_below, r_below) = result.confident(), result.confident_below()
    missed = len(result.above_called_below())
    return [
        f"| models | {len(result.cases)} ({above} above 1e25) |",
        f"| median \\|log10 error\\| | {overall.median_abs_error:.2f} dex |",
        f"| mean \\|log10 error\\| | {overall.mean_abs_error:.2f} dex |",
        f"| within 0.5 dex | {overall.within_half_dex:.0%} |",
        f"| 80% interval coverage | {overall.coverage:.2f} |",
        f"| Brier score of p_above_1e25 | {overall.brier:.3f} |",
        f"| high-confidence above: precision, recall | {p_above:.2f}, {r_above:.2f} |",
        f"| high-confidence below: precision, recall | {p_below:.2f}, {r_below:.2f} |",
        f"| above 1e25 by Epoch, called high-confidence below | {missed} |",
        f"| not_sure among the evaluated models | {result.not_sure()} |",
        f"| not_sure among the candidates (`make run`) | {result.candidates_not_sure} of "
        f"{result.candidates} |",
    ]


def test_readme_figures_are_the_measured_ones(measured: Evaluation) -> None:
    text = README.read_text()
    missing = [row for row in rows(measured) if row not in text]
    assert not missing, "README's measured figures differ from tracker evaluate:\n" + "\n".join(
        missing
    )


def test_readme_per_method_figures(measured: Evaluation) -> None:
    text = " ".join(README.read_text().split())
    by_method = measured.by_method()
    for label, method in (
        ("size and benchmark", "size_and_benchmark"),
        ("benchmark interpolation", "benchmark_interpolation"),
        ("parameter heuristic alone", "parameter_heuristic"),
    ):
        figures = by_method[method]
        assert f"{label} {figures.median_abs_error:.2f}" in text, method
        assert f"({figures.n}" in text, method
