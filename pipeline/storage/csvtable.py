"""CSV tables keyed by one column that rewrite only what changed.

Each record keeps the exact text it was read from; an unchanged record is written back
byte for byte, so a run that changes nothing leaves the file identical and a run that
changes one cell shows a one-line diff. Row numbers count the header as row 1, as a
spreadsheet program shows them.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

from pipeline.errors import InputError
from pipeline.storage.atomic import atomic_write_text

csv.field_size_limit(1 << 24)
# One line as io.StringIO(newline="") reads it (ending in \n, \r\n or \r), without the
# copy of the whole text StringIO makes (four bytes a character); all found in one call.
_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+\Z")
# What str.splitlines also takes for a line end: in a text without them, it finds the
# same lines as _LINE, several times faster.
_OTHER_LINE_ENDS = "\v\f\x1c\x1d\x1e\x85\u2028\u2029"


@dataclass(slots=True)
class Record:
    """One data row: its cells by column, its row number when read, its original text."""

    cells: dict[str, str]
    number: int = 0
    raw: str | None = None


@dataclass
class RawFile:
    """A CSV file as read: header, records in order, and how it was written."""

    path: Path
    columns: list[str]
    records: list[Record]
    newline: str = "\n"
    bom: bool = False
    header_raw: str | None = None
    text: str | None = None
    trailer: str = ""


def decode(path: Path, data: bytes) -> tuple[str, bool]:
    """Decode UTF-8 (with or without BOM), naming the offending byte otherwise."""
    bom = data.startswith(b"\xef\xbb\xbf")
    body = data[3:] if bom else data
    try:
        return body.decode("utf-8"), bom
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        raise InputError(
            f"not UTF-8 text (byte 0x{body[exc.start]:02x} on line {line}); save it as UTF-8",
            file=path,
        ) from None


def parse_text(path: Path, text: str) -> RawFile:
    """Parse CSV text, keeping each record's original text: the lines the reader took for
    it (``line_num`` counts them), the text itself where the record is one line."""
    lines = _lines(text)
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise InputError(f"unreadable CSV header: {exc}", file=path, row=1) from None
    if header is None:
        raise InputError("empty file: no header row", file=path)
    header_raw = "".join(lines[: reader.line_num])
    newline = "\r\n" if header_raw.endswith("\r\n") else "\n"
    _check_header(path, header)
    records: list[Record] = []
    width = len(header)
    number = 1
    read = reader.line_num  # lines taken so far
    pending = ""  # blank lines: kept with the next record, or at the end
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise InputError(f"unreadable CSV: {exc}", file=path, row=number + 1) from None
        number += 1
        taken = reader.line_num
        raw = lines[read] if taken == read + 1 else "".join(lines[read:taken])
        read = taken
        if not cells:
            pending += raw
            continue
        if len(cells) != width:
            raise InputError(
                f"{len(cells)} cells but the header has {width} columns"
                " (a truncated or misquoted row?)",
                file=path,
                row=number,
            )
        if pending:
            raw, pending = pending + raw, ""
        # as wide as the header: checked above, so zip need not check again
        records.append(Record(dict(zip(header, cells, strict=False)), number, raw))
    return RawFile(path, header, records, newline, False, header_raw, text, pending)


def _lines(text: str) -> list[str]:
    """The lines of ``text``, each with its line end (:data:`_LINE`)."""
    if any(end in text for end in _OTHER_LINE_ENDS):
        return _LINE.findall(text)
    return text.splitlines(keepends=True)


def _check_header(path: Path, header: list[str]) -> None:
    seen: dict[str, int] = {}
    for index, name in enumerate(header, start=1):
        if not name.strip():
            raise InputError(f"column {index} of the header is blank", file=path, row=1)
        if name in seen:
            raise InputError(
                f"column {name!r} appears twice in the header (columns {seen[name]} and {index})",
                file=path,
                row=1,
            )
        seen[name] = index


def read_raw(path: str | Path) -> RawFile:
    """Read and parse a CSV file; errors name the file and row."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", file=path) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a CSV file", file=path) from None
    text, bom = decode(path, data)
    original = data.decode("utf-8", errors="replace") if bom else text
    del data  # a large file is not held twice while it is parsed
    raw = parse_text(path, text)
    raw.bom = bom
    raw.text = original
    return raw


def find_duplicates(records: Iterable[Record], key_column: str) -> dict[str, list[int]]:
    """Keys that occur on more than one row, with their row numbers."""
    rows: dict[str, list[int]] = {}
    for record in records:
        rows.setdefault(record.cells.get(key_column, ""), []).append(record.number)
    return {key: numbers for key, numbers in rows.items() if len(numbers) > 1}


def _ordered(present: list[str], wanted: list[str]) -> list[str]:
    """``wanted``, then the columns of ``present`` it does not name."""
    return [*wanted, *(column for column in present if column not in wanted)]


def _serialise(values: list[str], newline: str) -> str:
    """One CSV record (see :func:`_serialise_all`)."""
    return _serialise_all([values], newline)[0]


def _writer_only(line: str) -> bool:
    """Whether the record holds a character :func:`_serialise_all` leaves to the writer."""
    return '"' in line or "\r" in line or "\n" in line or "\0" in line


class _Lines:
    """A file for :func:`csv.writer` that keeps what each write gives it."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.write = self.parts.append

    def take(self) -> str:
        text = "".join(self.parts)
        self.parts.clear()
        return text


def _serialise_all(records: Iterable[Sequence[str]], newline: str) -> list[str]:
    """CSV records, one text each ending with ``newline``, exactly as :func:`csv.writer`
    writes them (minimal quoting, ``"`` doubled). A record whose cells hold no ``"``, CR,
    LF or NUL is joined here: only its cells with a comma are quoted, which is all the
    writer would do, about five times faster; any other record goes through the writer.
    Writing with ``\r\n`` makes both characters force quoting (a lone ``\r`` in a cell
    must be quoted too); each record then ends with ``newline``."""
    lines = _Lines()
    writerow = csv.writer(lines, lineterminator="\r\n").writerow
    texts: list[str] = []
    append = texts.append
    for values in records:
        try:
            line: str | None = ",".join(values)
        except TypeError:  # a cell that is not text: the writer says how it is written
            line = None
        if line is None or len(values) < 2 or _writer_only(line):
            writerow(values)
            append(lines.take()[:-2] + newline)
        elif line.count(",") == len(values) - 1:
            append(line + newline)
        else:
            append(",".join([f'"{cell}"' if "," in cell else cell for cell in values]) + newline)
    return texts


def _cells(records: Iterable[Record], columns: list[str]) -> Iterator[Sequence[str]]:
    """Each record's cells in ``columns`` order, empty where the record has none."""
    pick = itemgetter(*columns) if len(columns) > 1 else lambda cells: (cells[columns[0]],)
    for record in records:
        try:
            yield pick(record.cells)
        except KeyError:
            yield [record.cells.get(column, "") for column in columns]


@dataclass
class CsvTable:
    """A CSV file as an ordered mapping key -> record, rewritten only where it changed."""

    path: Path
    key_column: str
    columns: list[str]
    rows: dict[str, Record] = field(default_factory=dict)
    newline: str = "\n"
    bom: bool = False
    header_raw: str | None = None
    original: str | None = None
    trailer: str = ""
    missing: list[str] = field(default_factory=list)
    # An empty row of ``columns`` (the list it was made for): new rows are copies of it.
    _blank: tuple[list[str], dict[str, str]] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    # How many rows ``original`` holds: with every record and the header still as read or
    # written, the table's text is ``original`` (rows change only through these methods).
    _in_original: int | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def read(cls, path: str | Path, key_column: str, columns: list[str] | None = None) -> CsvTable:
        """Read ``path``; a missing file gives an empty table with ``columns``.

        The file may hold any subset and order of ``columns`` plus columns of its own: the
        absent ones read as empty (listed in ``missing``) and are added after the file's
        own on the next write.
        Raises InputError for a missing key column, an empty key or duplicate keys.
        """
        path = Path(path)
        if not path.exists() and columns is not None:
            return cls(path, key_column, list(columns))
        raw = read_raw(path)
        if key_column not in raw.columns:
            raise InputError(f"missing key column {key_column!r}", file=path, row=1)
        table = cls(
            path,
            key_column,
            raw.columns,
            {},
            raw.newline,
            raw.bom,
            raw.header_raw,
            raw.text,
            raw.trailer,
        )
        table.missing = [column for column in columns or [] if column not in raw.columns]
        table.columns = [*raw.columns, *table.missing]  # the file's order; the missing last
        for record in raw.records:
            key = record.cells[key_column]
            if not key.strip():
                raise InputError("empty key", file=path, row=record.number, field=key_column)
            if key in table.rows:
                raise InputError(
                    f"duplicate key {key!r}: also on row {table.rows[key].number}",
                    file=path,
                    row=record.number,
                    field=key_column,
                )
            table.rows[key] = record
        table._in_original = len(table.rows)
        return table

    def __contains__(self, key: object) -> bool:
        return key in self.rows

    def __len__(self) -> int:
        return len(self.rows)

    def keys(self) -> list[str]:
        return list(self.rows)

    def get(self, key: str) -> dict[str, str]:
        """A copy of the row's cells, every column present."""
        cells = self.rows[key].cells
        return {column: cells.get(column, "") for column in self.columns}

    def cell(self, key: str, column: str) -> str:
        return self.rows[key].cells.get(column, "")

    def set_cell(self, key: str, column: str, value: str) -> bool:
        """Set one cell; returns whether it changed."""
        record = self.rows[key]
        if column not in self.columns:
            raise KeyError(column)
        if record.cells.get(column, "") == value:
            return False
        record.cells[column] = value
        record.raw = None
        return True

    def add_row(self, cells: dict[str, str], *, widen: bool = False) -> dict[str, str]:
        """Add a row with a new key; columns it lacks are empty. A column the table lacks
        is a KeyError, or with ``widen`` appended first (as :meth:`add_columns`). Returns
        the row's cells (the table's own: a change to them is a change to the row)."""
        key = cells[self.key_column]
        if key in self.rows:
            raise KeyError(f"{key} already in {self.path}")
        blank = self._empty_row()
        if not cells.keys() <= blank.keys():
            unknown = [column for column in cells if column not in blank]
            if not widen:
                raise KeyError(f"unknown columns {sorted(unknown)}")
            self.add_columns(unknown)
            blank = self._empty_row()
        row = {**blank, **cells}  # the columns in order, then the cells: one new dict
        self.rows[key] = Record(row)
        return row

    def _empty_row(self) -> dict[str, str]:
        """A row with every column empty, in column order (shared: copied, never changed)."""
        if self._blank is None or self._blank[0] is not self.columns:
            self._blank = (self.columns, dict.fromkeys(self.columns, ""))
        return self._blank[1]

    def text_of(self, keys: list[str]) -> str | None:
        """The header and the rows ``keys`` as the next save writes them (the text of each
        row kept for that save), or None when that save writes every row afresh with the
        columns the file lacks."""
        if self.missing:
            return None
        records = [self.rows[key] for key in keys]
        texts = _serialise_all(_cells(records, self.columns), self.newline)
        for record, text in zip(records, texts, strict=True):
            record.raw = text
        self._in_original = None  # rows changed: the next save compares its text
        return _serialise(self.columns, self.newline) + "".join(texts)

    def remove_row(self, key: str) -> dict[str, str]:
        return self.rows.pop(key).cells

    @property
    def file_columns(self) -> list[str]:
        """The columns the file holds (``columns`` without the ``missing`` ones)."""
        return [column for column in self.columns if column not in self.missing]

    def ensure_columns(self, wanted: list[str]) -> list[str]:
        """Write every column of ``wanted`` from now on, in ``wanted`` order (the file's
        own columns after them); returns those the file lacked."""
        missing = [c for c in wanted if c not in self.columns or c in self.missing]
        if missing:
            self.columns = _ordered(self.columns, wanted)
            self.missing = [c for c in self.missing if c not in wanted]
            self._materialise()
        return missing

    def _materialise(self) -> None:
        """Render every row and the header afresh (the column set changed)."""
        self.header_raw = None
        for record in self.rows.values():
            record.raw = None

    def add_columns(self, names: list[str]) -> None:
        """Append columns (empty in every row) after the existing ones."""
        new = [name for name in names if name not in self.columns]
        if new:
            self.columns = [*self.columns, *new]
            self._materialise()

    def render(self) -> str:
        """The file's text. Columns the file lacks are written once anything else changes;
        until then the file keeps its shape."""
        return "".join(self._parts()[0]) + self.trailer

    def _parts(self) -> tuple[list[str], bool]:
        """The header's and each record's text, in order (each ending where the next
        starts), and whether the columns the file lacked are in them."""
        fresh = bool(self.missing) and self._changed()
        columns = self.columns if fresh else self.file_columns
        header = None if fresh else self.header_raw
        records = list(self.rows.values())
        changed = records if fresh else [r for r in records if r.raw is None]
        texts = _serialise_all(_cells(changed, columns), self.newline)
        parts = [header or _serialise(columns, self.newline)]
        if len(texts) == len(records):  # every record written afresh, each ending its line
            if texts and not parts[0].endswith(("\n", "\r")):
                parts[0] += self.newline
            parts += texts
        else:
            rendered = iter(texts)
            for record in records:
                text = next(rendered) if record.raw is None else record.raw
                if not parts[-1].endswith(("\n", "\r")):
                    parts[-1] += self.newline
                parts.append(text)
        if self.bom and parts[0] and not parts[0].startswith("\ufeff"):
            parts[0] = "\ufeff" + parts[0]
        return parts, fresh

    def _changed(self) -> bool:
        return self.header_raw is None or any(r.raw is None for r in self.rows.values())

    def save(self) -> bool:
        """Write atomically if the content differs from the file on disk; True if written.
        Each record then keeps the text written for it, so the next save (the second
        phase of an apply) renders only the rows changed since."""
        if self._in_original == len(self.rows) and not self._changed() and self.path.exists():
            return False  # nothing added, removed or set: the text is the file's as read
        parts, fresh = self._parts()
        text = "".join(parts) + self.trailer
        if text == self.original and self.path.exists():
            return False
        atomic_write_text(self.path, text)
        if fresh:
            self.missing = []
        self.header_raw = parts[0].removeprefix("\ufeff") if self.bom else parts[0]
        for record, written in zip(self.rows.values(), parts[1:], strict=True):
            record.raw = written
        self.original = text
        self._in_original = len(self.rows)
        return True
