"""The merged evidence kept between runs (``data/state/evidence_cache.json``).

Merging every scraped document is most of an estimate's reading: at 100,000 models, about
1.5 seconds of decoding, checking and merging 95 MB. When no document has changed since the
last merge, the merged evidence is read back from this file instead, in about a fifth of the
time. The file holds it with a key: the documents' fingerprints as they were before they
were read (:mod:`pipeline.storage.fingerprint`: any write to a document, or a document added
or removed, changes the key), and the digest of the code that reads and merges them. A file
whose key differs, or that cannot be read, is never used: the documents are merged again,
and the file replaced (unless a document changed while they were read). Documents handed
over in memory (a cycle's own collection) are always merged.
"""

from __future__ import annotations

import contextlib
import hashlib
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from pipeline.estimate.evidence import Evidence, load_evidence
from pipeline.storage.atomic import atomic_write_bytes
from pipeline.storage.fingerprint import Fingerprint, fingerprint_of

PIPELINE = Path(__file__).resolve().parents[1]
# The code that reads, checks and merges the documents: a change to it merges them again.
CODE = tuple(
    PIPELINE / name
    for name in (
        "estimate/evidence.py", "estimate/evidence_cache.py", "estimate/records.py",
        "values.py", "storage/jsondoc.py", "storage/jsontext.py",
    )
)  # fmt: skip


@dataclass
class Merged:
    """The merged evidence of the scraped documents; a fresh merge also says where to keep
    it (``cache``, under ``key``) and the documents it was made from."""

    evidence: dict[str, Evidence]
    cache: Path | None = None  # None: read from the cache, or from documents in memory
    key: str = ""
    scraped_dir: Path = Path()
    documents: list[tuple[str, Fingerprint]] = field(default_factory=list)

    def keep(self) -> None:
        """Keep a fresh merge for the next run, unless a document changed since it was
        read. (Called once the run has succeeded: a failed command writes nothing.)"""
        if self.cache is None or _documents(self.scraped_dir) != self.documents:
            return
        merged = {
            key: (item.names, item.developers, item.benchmarks, item.sources,
                  item.first_seen, item.specs)
            for key, item in self.evidence.items()
        }  # fmt: skip
        with contextlib.suppress(OSError):  # kept next time, then
            atomic_write_bytes(self.cache, orjson.dumps({"key": self.key, "evidence": merged}))
        self.cache = None


def load_merged(
    scraped_dir: Path, cache: Path, unsaved: dict[Path, dict[str, Any]] | None = None
) -> Merged:
    """:func:`pipeline.estimate.evidence.load_evidence`, read from ``cache`` when no
    document has changed since it was kept there (:meth:`Merged.keep`)."""
    if unsaved:
        return Merged(load_evidence(scraped_dir, unsaved))
    before = _documents(scraped_dir)
    key = _key(before)
    kept = _read(cache, key)
    if kept is not None:
        return Merged(kept)
    return Merged(load_evidence(scraped_dir), cache, key, scraped_dir, before)


def _documents(scraped_dir: Path) -> list[tuple[str, Fingerprint]]:
    """Each scraped document's name and fingerprint, in name order."""
    found = []
    for path in sorted(scraped_dir.glob("*_models.json")):
        try:
            found.append((path.name, fingerprint_of(path.stat())))
        except FileNotFoundError:  # removed meanwhile: the key says so
            continue
    return found


def _key(documents: list[tuple[str, Fingerprint]]) -> str:
    code = hashlib.sha256()
    for path in CODE:
        code.update(path.read_bytes())
    return hashlib.sha256(
        repr((code.hexdigest(), sys.version, orjson.__version__, documents)).encode()
    ).hexdigest()


def _read(cache: Path, key: str) -> dict[str, Evidence] | None:
    try:
        doc = orjson.loads(cache.read_bytes())
        if not isinstance(doc, dict) or doc.get("key") != key:
            return None
        return {
            item: Evidence(item, names, Counter(developers), benchmarks, sources, seen, specs)
            for item, (names, developers, benchmarks, sources, seen, specs) in doc[
                "evidence"
            ].items()
        }
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
