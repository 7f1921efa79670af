"""Fingerprints of the files the tracker writes: a reader that finds a file's fingerprint
as recorded after the write knows the file is exactly as written, and can skip the checks
it would make of a file edited by hand or by another tool.

A fingerprint is what the file's status says: inode, size, modification and change times.
Any write to the file sets its change time (which no tool can set back) and a file put in
its place has another inode; a copied folder is therefore checked again, never trusted
wrongly. The record is written after the file is renamed into place: a write interrupted
between the two leaves the previous fingerprint, which does not match the new file."""

from __future__ import annotations

import os
from pathlib import Path

import orjson

from pipeline.storage.atomic import atomic_write_bytes
from pipeline.storage.jsontext import encode

Fingerprint = tuple[int, int, int, int]  # inode, size, mtime_ns, ctime_ns
FIELDS = ("inode", "size", "mtime_ns", "ctime_ns")


def fingerprint_of(status: os.stat_result) -> Fingerprint:
    """The fingerprint of a file whose ``os.stat`` (or ``os.fstat``) is ``status``."""
    return (status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)


def record_fingerprint(path: Path, record: Path, checks: str) -> None:
    """Save ``path``'s fingerprint in ``record`` (right after the tracker wrote ``path``),
    with ``checks``: what names the checks the file's content passed (their code's digest)."""
    values = dict(zip(FIELDS, fingerprint_of(path.stat()), strict=True))
    atomic_write_bytes(record, encode({"file": path.name, "checks": checks, **values}) + b"\n")


def as_recorded(fingerprint: Fingerprint, path: Path, record: Path, checks: str) -> bool:
    """Whether ``fingerprint`` (of ``path`` as just read) is the one saved in ``record`` under
    the same ``checks``; a missing or unreadable record, or one written when the checks were
    others (another release), says no, so the file is checked as any other."""
    try:
        saved = orjson.loads(record.read_bytes())
        recorded = tuple(saved[name] for name in FIELDS)
        same = saved["file"] == path.name and saved["checks"] == checks
        return bool(same and recorded == fingerprint)
    except (OSError, ValueError, TypeError, KeyError):
        return False
