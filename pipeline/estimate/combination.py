"""Several estimates of one model combined, the way Epoch AI does: an inverse-variance
weighted mean of log10 FLOP (a weighted geometric mean of FLOP) over the estimates that are
compatible with the most precise one — those within ``COMPATIBLE`` standard deviations of
their difference. The others stay alternatives, and the reasoning says which were left out.
The combined spread, 1/sqrt(sum of weights), assumes independent errors; the calibration
on the reference models corrects it where they are not.
"""

from __future__ import annotations

import math

from pipeline.estimate.result import MethodResult, confidence_for, fmt

METHOD = "combined"
COMPATIBLE = 2.0  # standard deviations of the difference between two estimates
# The evidence each method reads. Only methods on disjoint evidence are combined: two
# methods reading the same size or score would count it twice and overstate confidence,
# so of those the most precise is kept.
EVIDENCE: dict[str, frozenset[str]] = {
    "hardware": frozenset({"hardware"}),
    "fine_tune": frozenset({"base_model"}),
    "parameter_heuristic": frozenset({"size", "date"}),
    "benchmark_interpolation": frozenset({"score"}),
    "size_and_benchmark": frozenset({"size", "score"}),
}


def correlated(estimates: list[tuple[float, float]]) -> tuple[float, float]:
    """The inverse-variance weighted mean of (log10 FLOP, standard error) estimates of one
    model whose errors are fully correlated (several benchmarks measuring the same model),
    and its standard error: the weighted mean of theirs, not smaller than the smallest."""
    if len(estimates) == 1:  # the arithmetic of the sums below, without them
        (mean, se), weight = estimates[0], 1 / estimates[0][1] ** 2
        return weight * mean / weight, weight * se / weight
    weights = [1 / se**2 for _, se in estimates]
    total = sum(weights)
    mean = sum(w * m for w, (m, _) in zip(weights, estimates, strict=True)) / total
    return mean, sum(w * se for w, (_, se) in zip(weights, estimates, strict=True)) / total


def independent(results: list[MethodResult]) -> list[MethodResult]:
    """The most precise result, then each next most precise one reading none of the
    evidence already used."""
    chosen: list[MethodResult] = []
    used: set[str] = set()
    for result in sorted(results, key=lambda r: r.sigma):
        reads = EVIDENCE.get(result.method, frozenset({result.method}))
        if not reads & used:
            chosen.append(result)
            used |= reads
    return chosen


def compatible(a: MethodResult, b: MethodResult) -> bool:
    spread = math.hypot(a.sigma, b.sigma)
    return abs(a.log_flop - b.log_flop) <= COMPATIBLE * spread


def combine(
    results: list[MethodResult], z: float, *, note: str = "", needs: str = ""
) -> MethodResult | None:
    """The combination of the independent ``results`` (each with a spread), or None when
    fewer than two of them are independent and compatible, or when the result of method
    ``needs`` is not among them. ``note`` is added to the reasoning."""
    usable = independent([r for r in results if r.sigma > 0])
    if len(usable) < 2:
        return None
    anchor = min(usable, key=lambda r: r.sigma)
    chosen = [r for r in usable if compatible(anchor, r)]
    if len(chosen) < 2 or (needs and not any(r.method == needs for r in chosen)):
        return None
    weights = [1 / r.sigma**2 for r in chosen]
    total = sum(weights)
    log_flop = sum(w * r.log_flop for w, r in zip(weights, chosen, strict=True)) / total
    sigma = 1 / math.sqrt(total)
    parts = ", ".join(
        f"{r.method} {fmt(r.flop)} (weight {w / total:.2f})"
        for w, r in zip(weights, chosen, strict=True)
    )
    left_out = [r for r in usable if r not in chosen]
    reasoning = f"Inverse-variance weighted geometric mean of {parts}{note}"
    if left_out:
        reasoning += (
            "; left out as incompatible with "
            + anchor.method
            + ": "
            + ", ".join(f"{r.method} {fmt(r.flop)}" for r in left_out)
        )
    parameters = next((r for r in chosen if r.parameters), None)
    return MethodResult.normal(
        METHOD, log_flop, sigma, z,
        confidence=confidence_for(sigma),
        explanation=f"{len(chosen)} methods combined by inverse-variance weights",
        reasoning=reasoning,
        parameters=parameters.parameters if parameters else None,
        parameter_source=parameters.parameter_source if parameters else "",
    )  # fmt: skip
