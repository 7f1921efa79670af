"""Queries over the curated tables (pandas, imported by the functions that build frames):
filters, sorting, statistics, duplicates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.collect.names import NameRules, normalise
from pipeline.curate.datasets import BELOW, CANDIDATES, STAGING, read_dataset
from pipeline.errors import InputError
from pipeline.paths import DataPaths
from pipeline.schema import COLUMNS, KEY, canonical
from pipeline.storage.csvtable import find_duplicates, read_raw

if TYPE_CHECKING:
    import pandas as pd

NUMERIC = ("training_flop", "parameters", "p_above_1e25")


def dataset_paths(paths: DataPaths) -> dict[str, Path]:
    return {CANDIDATES: paths.candidates, BELOW: paths.below, STAGING: paths.staging}


@dataclass
class QueryOptions:
    above: float | None = None
    min_p_above: float | None = None
    max_p_above: float | None = None
    developer: str | None = None
    confidence: tuple[str, ...] = ()
    verified: bool | None = None
    name_contains: str | None = None
    sort_by: str = "training_flop"
    ascending: bool = False
    top: int | None = None


def load_frame(paths: DataPaths, datasets: list[str]) -> pd.DataFrame:
    """The chosen tables as one frame of text cells, plus a ``dataset`` column."""
    import pandas as pd

    files = dataset_paths(paths)
    frames = []
    for name in datasets:
        table = read_dataset(files[name])
        frame = pd.DataFrame(
            [table.get(k) for k in table.rows], columns=table.columns, dtype=object
        )
        frame.insert(0, "dataset", name)
        frames.append(frame)
    frame = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=["dataset", *COLUMNS])
    )
    return frame.fillna("")


def _numbers(column: pd.Series) -> pd.Series:
    import pandas as pd

    return pd.to_numeric(column.astype(str).str.replace(",", "", regex=False), errors="coerce")


def run_query(frame: pd.DataFrame, options: QueryOptions) -> pd.DataFrame:
    import pandas as pd

    mask = pd.Series(True, index=frame.index)
    if options.above is not None:
        mask &= _numbers(frame["training_flop"]) >= options.above
    if options.min_p_above is not None:
        mask &= _numbers(frame["p_above_1e25"]) >= options.min_p_above
    if options.max_p_above is not None:
        mask &= _numbers(frame["p_above_1e25"]) <= options.max_p_above
    if options.developer:
        mask &= frame["developer"].str.contains(options.developer, case=False, regex=False)
    if options.confidence:
        wanted = {c.lower() for c in options.confidence}
        mask &= frame["confidence"].map(lambda v: _meaning("confidence", v)).isin(wanted)
    if options.verified is not None:
        is_verified = frame["verified"].map(lambda v: _meaning("verified", v) == "y")
        mask &= is_verified if options.verified else ~is_verified
    if options.name_contains:
        mask &= frame[KEY].str.contains(options.name_contains, case=False, regex=False)
    result = frame[mask]
    if options.sort_by not in result.columns:
        raise InputError(f"cannot sort by {options.sort_by!r}; columns: {', '.join(COLUMNS)}")
    if options.sort_by in NUMERIC:
        order = _numbers(result[options.sort_by])
        result = (
            result.assign(_order=order)
            .sort_values(
                ["_order", KEY],
                ascending=[options.ascending, True],
                na_position="last",
                kind="stable",
            )
            .drop(columns="_order")
        )
    else:
        result = result.sort_values(
            [options.sort_by, KEY], ascending=[options.ascending, True], kind="stable"
        )
    return result.head(options.top) if options.top else result


def _meaning(field: str, value: str) -> str:
    try:
        return canonical(field, value)
    except ValueError:
        return value


def statistics(frame: pd.DataFrame) -> dict[str, dict[str, int] | float]:
    """Counts by classification, confidence and developer, and the verification rate."""
    verified = frame["verified"].map(lambda v: _meaning("verified", v) == "y")
    candidates = frame[frame["dataset"] == CANDIDATES] if "dataset" in frame else frame
    cand_verified = verified[candidates.index].sum() if len(candidates) else 0
    return {
        "by classification": _counts(
            frame["threshold_classification"].map(
                lambda v: _meaning("threshold_classification", v) or "(empty)"
            )
        ),
        "by confidence": _counts(
            frame["confidence"].map(lambda v: _meaning("confidence", v) or "(empty)")
        ),
        "by developer": _counts(frame["developer"].replace("", "(unknown)")),
        "verification rate": float(cand_verified / len(candidates)) if len(candidates) else 0.0,
    }


def _counts(values: pd.Series) -> dict[str, int]:
    """How often each value occurs, most frequent first."""
    return {str(value): int(count) for value, count in values.value_counts().items()}


def duplicate_report(paths: DataPaths, datasets: list[str], rules: NameRules) -> list[str]:
    """One line per duplicate: the same key twice in a file, or two keys of one model."""
    lines: list[str] = []
    files = dataset_paths(paths)
    for name in datasets:
        path = files[name]
        if not path.exists():
            continue
        raw = read_raw(path)
        if KEY not in raw.columns:
            raise InputError(f"missing key column {KEY!r}", file=path, row=1)
        for key, rows in sorted(find_duplicates(raw.records, KEY).items()):
            lines.append(f"{path}: key {key!r} on rows {', '.join(map(str, rows))}")
        seen: dict[str, tuple[str, int]] = {}
        for record in raw.records:
            key = record.cells[KEY]
            norm = normalise(key, rules) or key
            if norm in seen and seen[norm][0] != key:
                other, row = seen[norm]
                lines.append(
                    f"{path}: {key!r} (row {record.number}) and {other!r} (row {row}) "
                    f"are one model ({norm!r})"
                )
            seen.setdefault(norm, (key, record.number))
    return lines


def default_output(paths: DataPaths, datasets: list[str], extension: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d_%H%M%S")
    return paths.query_results / f"query_{'_'.join(datasets)}_{stamp}.{extension}"


def protected_folders(paths: DataPaths) -> list[Path]:
    """The data directory's folders a query output must not land in: all but query_results."""
    folders = [paths.raw, paths.scraped, paths.estimated.parent, paths.candidates.parent]
    return [*folders, paths.staging.parent, paths.published.parent, paths.state]


def check_output(target: Path, protected: list[Path]) -> None:
    """Refuse an output file inside one of the ``protected`` folders (the datasets, the
    sheets, the state, the configs): a query must never overwrite what it reads."""
    where = target.resolve()
    for folder in protected:
        if where.is_relative_to(folder.resolve()):
            raise InputError(
                f"query output may not go into {folder} (datasets, sheets, state and configs"
                " are written only by their commands); choose another file or use --save",
                file=target,
            )
