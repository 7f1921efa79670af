"""Published data is Epoch's (ARCHITECTURE §5 "Dataset sync"): staging -> published never
replaces a non-empty published prose field (``Training compute notes``, ``Abstract``) with
the pipeline's text, only with a reviewer's edit of that field (in the sheet; ``--diff``
writes published itself). Numbers, dates, names and vocabulary follow the usual rules."""

from __future__ import annotations

import re

from pipeline.curate.schema_map import FieldMap

REVIEWER_EDIT = "Sheet edit by a reviewer:"  # how a sheet edit's audit note begins
PROSE = ("reasoning", "notes")  # staging fields whose text the pipeline writes or keeps
_FIELD = re.compile(r"(?:: |; )([a-z][a-z0-9_.]*) = ")


def reviewer_fields(notes: str) -> set[str]:
    """The staging fields the row's audit notes say a reviewer edited in the sheet."""
    fields: set[str] = set()
    for line in notes.splitlines():
        if REVIEWER_EDIT in line:
            edited = line.split(REVIEWER_EDIT, 1)[1].strip()
            fields.update(_FIELD.findall(f": {edited}"))
    return fields


def keeps_published(fm: FieldMap, published_value: str, staging_notes: str) -> bool:
    """Whether the published value of ``fm`` stays: non-empty prose no reviewer edited."""
    return (
        fm.staging in PROSE
        and bool(published_value.strip())
        and fm.staging not in reviewer_fields(staging_notes)
    )
