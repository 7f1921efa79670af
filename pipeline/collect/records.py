"""Leaderboard rows -> scraped model records, one per key."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from pipeline.collect.names import NameRules, normalise
from pipeline.collect.sources import SourceConfig
from pipeline.collect.tables import SourceRow
from pipeline.values import MAX_COUNT, MAX_SCORE, file_decimal_mark, parse_localised

_MISSING = {"", "-", "—", "–", "n/a", "na", "null", "none", "?"}
_LEADING_SYMBOLS = re.compile(r"^[^\w(]+")


@dataclass
class Collected:
    models: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)
    folded: int = 0


def clean_name(text: str) -> str:
    """A leaderboard's model cell without leading medals or symbols."""
    return _LEADING_SYMBOLS.sub("", text).strip()


def parse_score(
    text: str, limit: float = math.inf, mark: str | None = ".", count: bool = False
) -> float | None:
    """A benchmark or count cell written with decimal ``mark`` (see parse_localised):
    ``1,382`` -> 1382.0; blanks and dashes -> None; ValueError for text that is not a
    finite number from 0 to ``limit`` (leaderboard scores and vote counts are never
    negative), or for a ``count`` that is not a whole number."""
    text = text.strip().rstrip("%")
    if text.lower() in _MISSING:
        return None
    if re.search(r"[.,\s']", text):
        number = parse_localised(text, mark)
    else:
        try:
            number = float(text)  # plain digits, 1e99, inf
        except ValueError:
            raise ValueError("not a number") from None
    if not math.isfinite(number) or not 0 <= number <= limit:
        raise ValueError("not a plausible score" if not count else "not a plausible count")
    if count and not number.is_integer():
        raise ValueError("not a whole number")
    return number


def _number(
    row: SourceRow,
    name: str,
    values: dict[str, str],
    warnings: list[str],
    limit: float = math.inf,
    mark: str | None = ".",
) -> float | None:
    try:
        return parse_score(values.get(name, ""), limit, mark, count=limit == MAX_COUNT)
    except ValueError as exc:
        warnings.append(f"{row.where}, field {name}: {values[name]!r} is {exc}; ignored")
        return None


def build_models(
    rows: list[SourceRow],
    source: SourceConfig,
    rules: NameRules,
    now: str,
    previous: dict[str, dict[str, Any]] | None = None,
) -> Collected:
    """One record per key; rows folded into one key keep the most-voted row's scores."""
    result = Collected([])
    by_key: dict[str, dict[str, Any]] = {}
    votes_of: dict[str, float] = {}
    mark = file_decimal_mark(
        [v for r in rows for v in (*r.benchmarks.values(), r.fields.get("votes", ""))]
    )
    for row in rows:
        name = clean_name(row.fields.get("model", ""))
        key = normalise(name, rules) if name else ""
        if not key:
            result.warnings.append(f"{row.where}, field model: empty model name; row skipped")
            continue
        benchmarks = {
            bench: score
            for bench in row.benchmarks
            if (score := _number(row, bench, row.benchmarks, result.warnings, MAX_SCORE, mark))
            is not None
        }
        details = {
            name_: value
            for name_ in ("votes", "rank")
            if name_ in row.fields
            and (value := _number(row, name_, row.fields, result.warnings, MAX_COUNT, mark))
            is not None
        }
        details = {k: int(v) if float(v).is_integer() else v for k, v in details.items()}
        votes = float(details.get("votes", -1))
        if key in by_key:
            result.folded += 1
            by_key[key]["raw_names"].append(name)
            if votes <= votes_of[key]:
                continue
        record = by_key.setdefault(
            key,
            {
                "key": key,
                "name": name,
                "raw_names": [name],
                "developer": "",
                "benchmarks": {},
                "details": {},
                "sources": [source.reference],
                "last_updated": now,
            },
        )
        record.update(
            name=name,
            developer=row.fields.get("developer", "").strip(),
            benchmarks=benchmarks,
            details=details,
        )
        votes_of[key] = votes
    for key, record in by_key.items():
        record["raw_names"] = sorted(set(record["raw_names"]))
        old = (previous or {}).get(key)
        if old and _same(old, record):
            record["last_updated"] = old.get("last_updated", now)
    result.models = list(by_key.values())
    return result


def _same(old: dict[str, Any], new: dict[str, Any]) -> bool:
    return all(old.get(k) == new.get(k) for k in new if k != "last_updated")
