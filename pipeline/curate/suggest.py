"""Mapping suggestions for unmapped staging models (rapidfuzz, developer aware).

Each unmapped staging key is compared with the published names no key claims yet. The
score is rapidfuzz's WRatio on normalised text, plus a bonus when the published row's
organisation matches the staging developer; below the cut-off, a name is proposed from
the key itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils

from pipeline.curate.mapping import MappingFile
from pipeline.curate.schema_map import SchemaMap
from pipeline.storage.csvtable import CsvTable

CUTOFF = 80.0
DEVELOPER_BONUS = 10.0
ACRONYMS = {"gpt", "glm", "llm", "dbrx", "mpt", "rwkv", "phi", "ai"}


@dataclass(frozen=True)
class Suggestion:
    key: str
    developer: str
    name: str
    score: float
    existing: bool


def display_name(key: str) -> str:
    """A readable name from a key: ``claude_3.5_sonnet`` -> ``Claude 3.5 Sonnet``."""
    words = []
    for index, token in enumerate(key.split("_")):
        if token in ACRONYMS or re.fullmatch(r"\d+(\.\d+)?[bmkt]", token):
            words.append(token.upper())
        elif re.fullmatch(r"[a-z]\d+", token):
            words.append(token if index == 0 else token.upper())
        elif token[:1].isalpha() and len(token) > 1:
            words.append(token[0].upper() + token[1:])
        else:
            words.append(token)
    return " ".join(words)


def _same_org(a: str, b: str) -> bool:
    x, y = (re.sub(r"[^a-z0-9]", "", s.lower()) for s in (a, b))
    return bool(x and y) and (x in y or y in x)


def suggest(
    staging: CsvTable, published: CsvTable, mapping: MappingFile, schema: SchemaMap
) -> list[Suggestion]:
    """One suggestion per unmapped staging key, never two keys to one name."""
    organisation = next(f.published for f in schema.fields if f.staging == "developer")
    free = [name for name in published.rows if name not in mapping.reverse]
    out = []
    for key in staging.rows:
        if key in mapping.mapping:
            continue
        developer = staging.cell(key, "developer")
        best: tuple[float, str] | None = None
        candidates = process.extract(
            display_name(key), free, scorer=fuzz.WRatio, processor=utils.default_process, limit=10
        )
        for name, score, _ in candidates:
            if developer and _same_org(developer, published.cell(name, organisation)):
                score = min(100.0, score + DEVELOPER_BONUS)
            if best is None or score > best[0]:
                best = (score, name)
        if best is not None and best[0] >= CUTOFF:
            free.remove(best[1])
            out.append(Suggestion(key, developer, best[1], round(best[0], 1), True))
        else:
            out.append(Suggestion(key, developer, display_name(key), 0.0, False))
    return out
