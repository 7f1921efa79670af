"""The estimator's fits and calibration kept between runs (``data/state/estimator_fits.json``).

What every estimate shares — the benchmark fits, the size fits, the calibration of each
method and the reference models' leave-one-out results — is made from the reference models
alone. The file holds them with the digest of everything they are made from: the reference
models' and their base models' evidence, the known specifications, the estimation settings
and the code that makes them. A file whose digest differs from this run's, or that cannot be
read, is never used: the fits are made again. Floats are kept in JSON's shortest round-trip
form, so what is read back is what was made, to the bit.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pipeline.estimate.calibration import Calibration
from pipeline.estimate.interpolation import BenchmarkFit
from pipeline.estimate.result import MethodResult
from pipeline.estimate.sizefit import LinearFit, SizeFit
from pipeline.storage.atomic import write_if_changed

if TYPE_CHECKING:
    from pipeline.estimate.estimator import Estimator

PIPELINE = Path(__file__).resolve().parents[1]
# The code the fits are made by: a change to any of it makes them again.
CODE = (*sorted((PIPELINE / "estimate").glob("*.py")), PIPELINE / "values.py",
        PIPELINE / "settings.py", PIPELINE / "schema.py")  # fmt: skip


@dataclass(frozen=True)
class Fitted:
    """What an estimator makes from its reference models before estimating any model."""

    fits: dict[str, BenchmarkFit]
    size_fit: SizeFit
    scored_fits: dict[str, LinearFit]
    calibration: dict[str, Calibration]
    held_out: dict[str, list[MethodResult]]


def digest(estimator: Estimator) -> str:
    """The digest of everything the estimator's :class:`Fitted` is made from: the evidence of
    the reference models and of the base models of fine-tunes (in the order read), the known
    specifications, the settings, the first collection date and the code."""
    code = hashlib.sha256()
    for path in CODE:
        code.update(path.read_bytes())
    bases = {spec.base_model for spec in estimator.known.values() if spec.base_model}
    keys = sorted({*estimator._all_references(), *bases})
    payload = (
        code.hexdigest(), np.__version__, sys.version,
        estimator.settings.estimation.model_dump(mode="json"),
        estimator.settings.thresholds.model_dump(mode="json"),
        sorted(estimator.withheld), estimator.calibrated, estimator.collection_start,
        list(estimator.all_reported), estimator.known,
        [(key, estimator.evidence.get(key)) for key in keys],
    )  # fmt: skip
    return hashlib.sha256(repr(payload).encode()).hexdigest()


def load(path: Path, key: str) -> Fitted | None:
    """The fits saved at ``path`` under ``key``; None when there are none, they were saved
    under another key, or the file cannot be read."""
    try:
        doc = json.loads(path.read_bytes())
        if not isinstance(doc, dict) or doc.get("digest") != key:
            return None
        return _fitted(doc)
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def save(path: Path, key: str, fitted: Fitted) -> bool:
    """Keep ``fitted`` at ``path`` under ``key`` (atomically; not when it is there already);
    whether it wrote."""
    doc = {
        "digest": key,
        "fits": {bench: asdict(fit) for bench, fit in fitted.fits.items()},
        "size_fit": asdict(fitted.size_fit),
        "scored_fits": {bench: asdict(fit) for bench, fit in fitted.scored_fits.items()},
        "calibration": {method: asdict(c) for method, c in fitted.calibration.items()},
        "held_out": {k: [asdict(r) for r in rs] for k, rs in fitted.held_out.items()},
    }
    text = json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
    return write_if_changed(path, text.encode("utf-8"))


def _fitted(doc: dict[str, Any]) -> Fitted:
    size_fit = doc["size_fit"]
    return Fitted(
        fits={bench: _benchmark_fit(fit) for bench, fit in doc["fits"].items()},
        size_fit=SizeFit(_linear(size_fit["dated"]), _linear(size_fit["undated"])),
        scored_fits={bench: _required(_linear(fit)) for bench, fit in doc["scored_fits"].items()},
        calibration={m: Calibration(**c) for m, c in doc["calibration"].items()},
        held_out={k: [MethodResult(**r) for r in rs] for k, rs in doc["held_out"].items()},
    )


def _matrix(rows: list[list[float]]) -> tuple[tuple[float, ...], ...]:
    return tuple(tuple(row) for row in rows)


def _benchmark_fit(fields: dict[str, Any]) -> BenchmarkFit:
    inverse = fields["inverse"]
    return BenchmarkFit(**{**fields, "inverse": None if inverse is None else _matrix(inverse)})


def _linear(fields: dict[str, Any] | None) -> LinearFit | None:
    if fields is None:
        return None
    return LinearFit(
        tuple(fields["coef"]), _matrix(fields["inverse"]), fields["residual"], fields["n"]
    )


def _required(fit: LinearFit | None) -> LinearFit:
    if fit is None:
        raise ValueError("a size-and-benchmark fit is missing")
    return fit
