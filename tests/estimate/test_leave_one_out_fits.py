"""The calibration's leave-one-out estimators: ``without(key)`` makes again only the fits
``key`` is a reference of, and its fits are exactly those made from scratch without it."""

from __future__ import annotations

import pytest
from harness import collected_as_run

from pipeline.estimate.estimator import Estimator
from pipeline.estimate.evidence import load_evidence
from pipeline.estimate.hardware import load_checked
from pipeline.paths import ConfigPaths, DataPaths

STRIDE = 10  # of the references without a score, every tenth (each makes a new estimator)


@pytest.fixture(scope="module")
def estimator(tmp_path_factory: pytest.TempPathFactory) -> Estimator:
    """The estimator of the shipped sample, every offline source collected."""
    settings = collected_as_run(tmp_path_factory.mktemp("sample"))
    known = load_checked(ConfigPaths(settings.config_dir).known_models, settings.estimation)
    return Estimator(load_evidence(DataPaths(settings.data_dir).scraped), known, settings)


def fitted(estimator: Estimator) -> tuple[object, ...]:
    """Every fit, and the order of each kind (the order they are made in)."""
    fits, scored = estimator.fits, estimator.scored_fits
    return fits, list(fits), estimator.size_fit, scored, list(scored)


def test_each_reference_left_out_gives_the_fits_made_without_it(estimator: Estimator) -> None:
    scored = [k for k in sorted(estimator.references) if estimator._benchmarks_of(k)]
    others = sorted(estimator.references.keys() - set(scored))
    for key in [*scored, *others[::STRIDE]]:
        scratch = Estimator(
            estimator.evidence, estimator.known, estimator.settings,
            withheld=frozenset({key}), calibrated=False,
        )  # fmt: skip
        assert fitted(estimator.without(key)) == fitted(scratch), key


def test_the_sample_has_every_kind_of_reference(estimator: Estimator) -> None:
    """Left out, a reference changes no fit, the benchmark fits or the size fits too."""
    references = estimator.references
    assert any(estimator._sized[key] is None for key in references)
    assert any(not estimator._benchmarks_of(key) for key in references)
    assert any(
        estimator._sized[key] is not None and estimator._benchmarks_of(key) for key in references
    )


def test_a_reference_without_size_or_score_keeps_every_fit(estimator: Estimator) -> None:
    key = next(
        k
        for k in sorted(estimator.references)
        if estimator._sized[k] is None and not estimator._benchmarks_of(k)
    )
    other = estimator.without(key)
    assert other.size_fit is estimator.size_fit
    assert other.scored_fits is estimator.scored_fits
    assert all(other.fits[b] is fit for b, fit in estimator.fits.items())
