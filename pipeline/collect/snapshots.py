"""Dated snapshots: the files a folder source reads, each with the date it was taken, and
the files of a source folder that no source reads."""

from __future__ import annotations

import glob
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from pipeline.collect.sources import LOCAL_TYPES, SourceConfig
from pipeline.storage.atomic import atomic_write_text

# 2025-05-18, 2025_05_18, 20250518 in a file name (not inside a longer number).
_NAME_DATE = re.compile(r"(?<!\d)(20\d\d)[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12]\d|3[01])(?!\d)")
_NAME_YEAR = re.compile(r"(?<![0-9A-Za-z])(20\d\d)(?![0-9A-Za-z])")
# Files that are never data: editors' backups, lock and temporary files, notes.
_NOT_DATA = re.compile(r"^(\.|~\$|\.~lock\.)|(\.tmp|~|\.md|\.txt)$", re.IGNORECASE)


@dataclass(frozen=True)
class Snapshot:
    path: Path
    date: date

    @property
    def day(self) -> str:
        return self.date.isoformat()


def date_in_name(name: str) -> date | None:
    """The last valid date written in a file name (``lmarena_text_2025-05-18.csv``); a
    year alone (``notable_ai_models_2024.csv``, a copy as of that year) is its last day."""
    for match in reversed(list(_NAME_DATE.finditer(name))):
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            continue
    years = _NAME_YEAR.findall(name)
    return date(int(years[-1]), 12, 31) if years else None


def snapshot_date(path: Path, how: str = "name") -> date:
    """The date a snapshot was taken: from its name (``how="name"``, the default; the
    modification time when the name has none) or from its modification time."""
    if how == "name" and (found := date_in_name(path.name)) is not None:
        return found
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).date()


def _absolute(pattern: str, data_dir: Path) -> str:
    path = Path(pattern)
    return str(path if path.is_absolute() else data_dir / path)


def matched_files(source: SourceConfig, data_dir: Path) -> list[Path]:
    """Every existing file the source's path or globs name (no duplicates, sorted)."""
    found: set[Path] = set()
    for pattern in source.patterns:
        found.update(Path(p) for p in glob.glob(_absolute(pattern, data_dir)))
    return sorted(p for p in found if p.is_file() and not _NOT_DATA.search(p.name))


def snapshots(source: SourceConfig, data_dir: Path) -> list[Snapshot]:
    """The source's files, oldest first (same date: by name)."""
    dated = [
        Snapshot(path, snapshot_date(path, source.snapshot_date))
        for path in matched_files(source, data_dir)
    ]
    return sorted(dated, key=lambda snap: (snap.date, snap.path.name))


def source_folders(sources: Iterable[SourceConfig], data_dir: Path) -> set[Path]:
    """The folders that local sources read from (a glob's fixed part, a path's parent)."""
    folders: set[Path] = set()
    for source in sources:
        if source.type not in LOCAL_TYPES:
            continue
        for pattern in source.patterns:
            path = Path(_absolute(pattern, data_dir))
            if not glob.has_magic(pattern):
                folders.add(path.parent)
                continue
            parts = path.parts
            first_magic = next(i for i, part in enumerate(parts) if glob.has_magic(part))
            folders.add(Path(*parts[:first_magic]))
    return folders


def unclaimed_files(
    sources: list[SourceConfig], data_dir: Path, also_claimed: Iterable[Path] = ()
) -> list[Path]:
    """Files in a source folder that no source (enabled or not) reads."""
    claimed = {p.resolve() for s in sources for p in matched_files(s, data_dir)}
    claimed.update(Path(p).resolve() for p in also_claimed)
    loose = []
    for folder in sorted(source_folders(sources, data_dir)):
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.is_file() and not _NOT_DATA.search(path.name) and path.resolve() not in claimed:
                loose.append(path)
    return loose


def save_dated(data_dir: Path, template: str, text: str, day: str) -> Path | None:
    """Write ``text`` as the file of ``day`` (``template`` names it, with ``{date}``),
    unless the newest file of that template holds the same text; the path written, or
    None."""
    pattern = str(data_dir / template.replace("{date}", "*"))
    saved = sorted(glob.glob(pattern), key=lambda name: (date_in_name(Path(name).name), name))
    if saved and Path(saved[-1]).read_text(encoding="utf-8", errors="replace") == text:
        return None
    path = data_dir / template.format(date=day)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, text)
    return path
