"""Atomic file writes: a temporary file in the same folder, fsync, then rename over the target."""

from __future__ import annotations

import contextlib
import filecmp
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO, NoReturn

TEXT_PIECE = 1 << 20  # characters encoded at a time by atomic_write_text


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that readers see the old or the new file, never a mix."""
    _replace(path, lambda handle: handle.write(data), unless_same=False)


def atomic_write_parts(path: str | Path, parts: Iterable[bytes]) -> None:
    """:func:`atomic_write_bytes` of ``parts`` one after another, never joined in memory."""
    _replace(path, lambda handle: handle.writelines(parts), unless_same=False)


def atomic_write_text(path: str | Path, text: str, encoding: str = "utf-8") -> None:
    """Text flavour of :func:`atomic_write_bytes`; line endings are written as given. The
    text is encoded a piece at a time (``encoding``: one without a byte-order mark), so a
    large file is never held in memory twice, as text and as bytes."""
    pieces = range(0, len(text), TEXT_PIECE)
    atomic_write_parts(path, (text[at : at + TEXT_PIECE].encode(encoding) for at in pieces))


def write_if_changed(path: str | Path, data: bytes) -> bool:
    """:func:`atomic_write_bytes` unless ``path`` already holds ``data``; whether it wrote."""
    try:
        if Path(path).read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    atomic_write_bytes(path, data)
    return True


def write_parts_if_changed(path: str | Path, parts: Iterable[bytes]) -> bool:
    """Stream ``parts`` to a temporary file, then replace ``path`` with it unless ``path``
    already holds the same bytes; whether it wrote. Large documents are never held whole in
    memory."""
    return _replace(path, lambda handle: handle.writelines(parts), unless_same=True)


def _replace(path: str | Path, fill: Callable[[BinaryIO], object], unless_same: bool) -> bool:
    """The one way every write goes: ``fill`` a temporary file in the target's folder,
    fsync it, then rename it over ``path`` (``unless_same``: not when ``path`` already
    holds the same bytes); whether it replaced ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, _mode_for(path))
        with os.fdopen(fd, "wb") as handle:
            fill(handle)
            handle.flush()
            os.fsync(handle.fileno())
        if unless_same and path.exists() and filecmp.cmp(tmp, path, shallow=False):
            os.unlink(tmp)
            return False
        os.replace(tmp, path)
    except BaseException as exc:
        _discard(tmp, exc, path)
    _fsync_dir(path.parent)
    return True


def _discard(tmp: str, exc: BaseException, path: Path) -> NoReturn:
    """Remove the temporary file and re-raise; a failed file operation (a full disk, a
    folder turned read-only) is raised naming the file that was being written."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)
    if isinstance(exc, OSError):
        raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc
    raise exc


def _mode_for(path: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual 0666 minus umask."""
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
