"""Evidence per model key, merged across every scraped source."""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import InputError
from pipeline.estimate.records import texts
from pipeline.storage.jsondoc import read_document
from pipeline.values import MAX_FLOP, MAX_SCORE, parse_date

# A scraped record's optional ``specs``: reported facts, each checked by its kind.
SPEC_NUMBERS = ("training_flop", "parameters", "training_tokens")
SPEC_TEXTS = ("confidence", "source_url", "notes", "parameter_source")
SPEC_FIELDS = (*SPEC_NUMBERS, "release_date", *SPEC_TEXTS)


def _date_problem(value: Any) -> str | None:
    problem = f"{value!r} is not a date (YYYY-MM-DD)"
    if not isinstance(value, str) or len(value) != 10:
        return problem
    try:
        return None if parse_date(value) is not None else problem
    except ValueError:
        return problem


def _spec_problem(name: str, value: Any) -> str | None:
    """Why a ``specs`` field's value is wrong, or None."""
    if name in SPEC_NUMBERS:
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or not math.isfinite(value) or not 0 < value < MAX_FLOP:
            return f"{value!r} is not a positive number"
        return None
    if name == "release_date":
        return _date_problem(value)
    if name in SPEC_TEXTS:
        return None if isinstance(value, str) else f"{value!r} is not text"
    return f"unknown field (known: {', '.join(SPEC_FIELDS)})"


def _check_optional(path: Path, row: str, model: dict[str, Any]) -> None:
    """``first_seen`` and ``specs``, when present."""
    seen = model.get("first_seen")
    if seen is not None and (problem := _date_problem(seen)) is not None:
        raise InputError(problem, file=path, row=row, field="first_seen")
    specs = model.get("specs")
    if specs is None:
        return
    if not isinstance(specs, dict):
        raise InputError("specs must be an object", file=path, row=row, field="specs")
    for name, value in specs.items():
        if value is not None and (problem := _spec_problem(name, value)) is not None:
            raise InputError(problem, file=path, row=row, field=f"specs.{name}")


@dataclass
class Evidence:
    """What the sources say about one model; benchmarks are named ``source.benchmark``."""

    key: str
    names: list[str] = field(default_factory=list)
    developers: Counter[str] = field(default_factory=Counter)
    benchmarks: dict[str, float] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    first_seen: str | None = None  # YYYY-MM-DD, the earliest across sources
    specs: dict[str, Any] = field(default_factory=dict)  # reported facts (SPEC_FIELDS)

    @property
    def developer(self) -> str:
        if len(self.developers) < 2:
            return next(iter(self.developers), "")
        return max(self.developers.items(), key=lambda item: (item[1], -len(item[0])))[0]

    @property
    def name(self) -> str:
        return self.names[0] if self.names else self.key

    def digest(self, extra: Any = None) -> str:
        """A fingerprint of the evidence (and ``extra``): equal digests, equal estimates."""
        return hashlib.sha1(self.digest_text(extra).encode()).hexdigest()[:16]

    def digest_text(self, extra: Any = None) -> str:
        """What :meth:`digest` hashes: the ``repr`` of the tuple (the names, unique and
        sorted; the developer; the benchmarks, the sources and the specs, sorted; the first
        day seen; ``extra``), written out. A list of fewer than two items is its own sorted
        list: the usual model has one name and no specs."""
        names, sources, specs = self.names, self.sources, self.specs
        if len(names) > 1 or type(names) is not list:
            names = sorted(set(names))
        if len(sources) > 1 or type(sources) is not list:
            sources = sorted(sources)
        return (
            f"({names!r}, {self.developer!r}, {sorted(self.benchmarks.items())!r}, "
            f"{sources!r}, {self.first_seen!r}, {sorted(specs.items()) if specs else []!r}, "
            f"{extra!r})"
        )


NO_TEXTS: list[str] = []  # an absent list (never changed)
NO_SCORES: dict[str, float] = {}  # absent scores (never changed)


def _check_model(path: Path, index: int, model: dict[str, Any]) -> None:
    """A model of a document: a key, lists of names and sources (texts), plausible numeric
    scores, and its optional fields."""
    row = f"models[{index}]"
    if not isinstance(model.get("key"), str) or not model["key"]:
        raise InputError("missing key", file=path, row=row, field="key")
    for name in ("raw_names", "sources"):
        if (problem := texts(model.get(name, []))) is not None:
            raise InputError(problem, file=path, row=f"{row} ({model['key']})", field=name)
    benchmarks = model.get("benchmarks", {})
    if not isinstance(benchmarks, dict):
        raise InputError("benchmarks must be an object", file=path, row=row, field="benchmarks")
    for bench, value in benchmarks.items():
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or not math.isfinite(value) or abs(value) > MAX_SCORE:
            raise InputError(
                f"{value!r} is not a plausible score",
                file=path,
                row=f"{row} ({model['key']})",
                field=f"benchmarks.{bench}",
            )
    _check_optional(path, f"{row} ({model['key']})", model)


def _models(path: Path, doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The document's models, each checked (:func:`_check_model`)."""
    models = doc["models"]
    for index, model in enumerate(models):
        _check_model(path, index, model)
    return models


def _plain(model: dict[str, Any], dates: set[str]) -> bool:
    """Whether a model passes :func:`_check_model`, decided without it in the usual case
    (a model as the tracker writes it, without ``specs``, first seen on one of ``dates``:
    dates already checked)."""
    key = model.get("key")
    if type(key) is not str or not key or "specs" in model:
        return False
    names, sources = model.get("raw_names", NO_TEXTS), model.get("sources", NO_TEXTS)
    if type(names) is not list or type(sources) is not list:
        return False
    for text in names:
        if type(text) is not str:
            return False
    for text in sources:
        if type(text) is not str:
            return False
    benchmarks = model.get("benchmarks", NO_SCORES)
    if type(benchmarks) is not dict:
        return False
    for value in benchmarks.values():
        if (type(value) is not float and type(value) is not int) or not (
            -MAX_SCORE <= value <= MAX_SCORE  # also false for NaN
        ):
            return False
    seen = model.get("first_seen")
    return seen is None or seen in dates


def _merge(item: Evidence, model: dict[str, Any], prefixed: dict[str, str], prefix: str) -> None:
    """Add a source's (checked) model to what is known of it; ``prefix``: the source's,
    ``prefixed``: its benchmarks' names with the prefix, made once per name."""
    names = item.names
    name = model.get("name")
    if isinstance(name, str) and name and name not in names:
        names.append(name)
    for name in model.get("raw_names", NO_TEXTS):
        if name and name not in names:
            names.append(name)
    developer = model.get("developer")
    if isinstance(developer, str) and (developer := developer.strip()):
        developers = item.developers
        developers[developer] = developers.get(developer, 0) + 1
    scores = model.get("benchmarks")
    if scores:
        benchmarks = item.benchmarks
        for bench, value in scores.items():
            full = prefixed.get(bench)
            if full is None:
                full = prefixed[bench] = prefix + bench
            benchmarks[full] = float(value)
    sources = item.sources
    for reference in model.get("sources", NO_TEXTS):
        if reference not in sources:
            sources.append(reference)
    seen = model.get("first_seen")
    if seen and (item.first_seen is None or seen < item.first_seen):
        item.first_seen = seen
    specs = model.get("specs")
    if specs:
        for name, value in specs.items():
            if value is not None:
                item.specs.setdefault(name, value)  # sources in name order: first wins


def _first(key: str, model: dict[str, Any], prefixed: dict[str, str], prefix: str) -> Evidence:
    """What :func:`_merge` makes of a (checked) model seen for the first time, made
    directly: the same Evidence."""
    name = model.get("name")
    names = [name] if isinstance(name, str) and name else []
    for name in model.get("raw_names", NO_TEXTS):
        if name and name not in names:
            names.append(name)
    developers: Counter[str] = Counter()
    developer = model.get("developer")
    if isinstance(developer, str) and (developer := developer.strip()):
        developers[developer] = 1
    benchmarks = {}
    scores = model.get("benchmarks")
    if scores:
        for bench, value in scores.items():
            full = prefixed.get(bench)
            if full is None:
                full = prefixed[bench] = prefix + bench
            benchmarks[full] = float(value)
    specs = model.get("specs")
    return Evidence(
        key,
        names,
        developers,
        benchmarks,
        list(dict.fromkeys(model.get("sources", NO_TEXTS))),  # the first of each, in order
        model.get("first_seen") or None,
        {name: value for name, value in specs.items() if value is not None} if specs else {},
    )


def load_evidence(
    scraped_dir: Path, unsaved: dict[Path, dict[str, Any]] | None = None
) -> dict[str, Evidence]:
    """Merge every ``*_models.json`` in ``data/scraped`` (sources in name order); the
    ``unsaved`` documents (collected in this cycle) stand in for their files. Each model is
    checked as it is merged: a bad one stops the merge with its file, row and field."""
    merged: dict[str, Evidence] = {}
    unsaved = unsaved or {}
    dates: set[str] = set()  # first_seen values already checked
    for path in sorted({*scraped_dir.glob("*_models.json"), *unsaved}):
        doc = unsaved.get(path) or read_document(path)
        assert doc is not None
        source = str(
            doc.get("metadata", {}).get("source") or path.name.removesuffix("_models.json")
        )
        prefix = f"{source}."
        prefixed: dict[str, str] = {}
        for index, model in enumerate(doc["models"]):
            if not _plain(model, dates):
                _check_model(path, index, model)
                if isinstance(seen := model.get("first_seen"), str):
                    dates.add(seen)
            key = model["key"]
            item = merged.get(key)
            if item is None:
                merged[key] = _first(key, model, prefixed, prefix)
            else:
                _merge(item, model, prefixed, prefix)
    return merged
