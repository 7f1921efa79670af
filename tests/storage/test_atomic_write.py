"""atomic_write_*: no temp files left behind, permissions kept, the old file intact on failure."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.storage import atomic
from pipeline.storage.atomic import atomic_write_bytes, atomic_write_text


@pytest.fixture
def umask_027() -> Iterator[None]:
    old = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_writes_text_and_leaves_no_temp_files(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    atomic_write_text(path, "one\r\ntwo é\n")
    atomic_write_text(path, "three\r\n")
    assert path.read_bytes() == b"three\r\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_creates_missing_parent_folders(tmp_path: Path) -> None:
    path = tmp_path / "x" / "y" / "a.bin"
    atomic_write_bytes(path, b"\x00\x01")
    assert path.read_bytes() == b"\x00\x01"


def test_existing_file_keeps_its_permissions(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("old")
    path.chmod(0o640)
    atomic_write_text(path, "new")
    assert mode(path) == 0o640
    assert path.read_text() == "new"


def test_new_file_gets_0666_minus_umask(tmp_path: Path, umask_027: None) -> None:
    path = tmp_path / "new.txt"
    atomic_write_text(path, "x")
    assert mode(path) == 0o666 & ~0o027 == 0o640


@pytest.mark.parametrize("step", ["replace", "fsync"])
def test_failure_midway_keeps_old_file_and_removes_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    path = tmp_path / "a.txt"
    path.write_text("old")

    def boom(*args: object) -> None:
        raise OSError(f"{step} failed")

    monkeypatch.setattr(atomic.os, step, boom)
    with pytest.raises(OSError, match=f"{step} failed"):
        atomic_write_text(path, "new")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_interrupt_midway_keeps_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.txt"
    path.write_text("old")

    def interrupt(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_text(path, "new")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]
