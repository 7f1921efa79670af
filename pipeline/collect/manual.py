"""Models a reviewer adds by hand (``data/raw/manual/models.yaml``): a list of entries with
a name and any of developer, date, parameters, tokens, compute, confidence, sources and
notes. Their keys are matched to fields by the source's ``columns`` like a CSV header."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from pipeline.collect.sources import SourceConfig, header_token
from pipeline.collect.tables import SourceRow
from pipeline.errors import SourceError, TrackerError
from pipeline.yamlfile import load_yaml


def _text(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(_text(item) for item in value)
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def rows_from_yaml(path: Path, source: SourceConfig) -> list[SourceRow]:
    """One row per entry; an entry that is not a mapping, or names no model, is an error
    naming the file and entry."""
    try:
        data = load_yaml(path)
    except TrackerError as exc:
        raise SourceError(source.name, str(exc)) from None
    if data is None:
        return []
    if not isinstance(data, list):
        raise SourceError(
            source.name, f"{path}: expected a list of models, not {type(data).__name__}"
        )
    rows = []
    for number, entry in enumerate(data, start=1):
        where = f"{path}, record {number}"
        if not isinstance(entry, dict):
            raise SourceError(source.name, f"{where}: each model must be a mapping of fields")
        keys = {header_token(str(key)): value for key, value in entry.items()}
        row = SourceRow(where)
        for name, candidates in source.columns.items():
            for candidate in candidates:
                if header_token(candidate) in keys:
                    row.fields[name] = _text(keys[header_token(candidate)]).strip()
                    break
        if not row.fields.get("model"):
            raise SourceError(source.name, f"{where}, field name: every model needs a name")
        known = {header_token(c) for names in source.columns.values() for c in names}
        unknown = sorted(str(key) for key in entry if header_token(str(key)) not in known)
        if unknown:
            raise SourceError(source.name, f"{where}, field {unknown[0]}: not a known field")
        rows.append(row)
    return rows
