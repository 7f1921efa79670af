"""Rows out of a CSV export or an HTML page, with columns found by header name."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

from pipeline.collect.sources import SourceConfig, header_token
from pipeline.errors import InputError, SourceError
from pipeline.storage.csvtable import parse_text, read_raw

if TYPE_CHECKING:
    from bs4 import Tag  # imported where a page is parsed: CSV sources never load it


@dataclass
class SourceRow:
    """One leaderboard row: its position in the input and its cells by configured field."""

    where: str
    fields: dict[str, str] = field(default_factory=dict)
    benchmarks: dict[str, str] = field(default_factory=dict)


def locate_columns(
    headers: list[str], source: SourceConfig, where: str = ""
) -> dict[tuple[str, str], int]:
    """Map (kind, field) -> column index; the model column and one benchmark are required.
    ``where`` (the header row's file and row) starts the message when one is missing."""
    at = f"{where}: " if where else ""
    index = {header_token(text): i for i, text in reversed(list(enumerate(headers)))}
    found: dict[tuple[str, str], int] = {}
    for kind, spec in (("column", source.columns), ("benchmark", source.benchmarks)):
        for name, candidates in spec.items():
            for candidate in candidates:
                if header_token(candidate) in index:
                    found[(kind, name)] = index[header_token(candidate)]
                    break
    if ("column", "model") not in found:
        raise SourceError(
            source.name,
            f"{at}no model column (looked for {', '.join(source.columns['model'])};"
            f" found {', '.join(h for h in headers if h) or 'no headers'})",
        )
    if source.benchmarks and not any(kind == "benchmark" for kind, _ in found):
        wanted = sorted({n for names in source.benchmarks.values() for n in names})
        raise SourceError(source.name, f"{at}no benchmark column (looked for {', '.join(wanted)})")
    return found


def _row(where: str, cells: list[str], columns: dict[tuple[str, str], int]) -> SourceRow:
    row = SourceRow(where)
    for (kind, name), position in columns.items():
        value = cells[position].strip() if position < len(cells) else ""
        (row.fields if kind == "column" else row.benchmarks)[name] = value
    return row


def repeats_header(
    cells: list[str], headers: list[str], columns: dict[tuple[str, str], int]
) -> bool:
    """A row that repeats the header in every located column (an export of several pages,
    or two exports pasted together): not a model."""
    return all(
        position < len(cells) and header_token(cells[position]) == header_token(headers[position])
        for position in columns.values()
    )


def rows_from_csv(
    path: Path | str, source: SourceConfig, text: str | None = None
) -> list[SourceRow]:
    """The rows of a CSV file, or of its ``text`` already fetched (``path`` is then the
    URL it came from, named in messages)."""
    try:
        # parse_text names its path in messages only, so a URL may stand in for it
        raw = read_raw(path) if text is None else parse_text(cast(Path, path), text)
    except InputError as exc:
        raise SourceError(source.name, str(exc)) from None
    columns = locate_columns(raw.columns, source, f"{path}, row 1")
    return [
        _row(f"{path} row {record.number}", cells, columns)
        for record in raw.records
        if not repeats_header(cells := list(record.cells.values()), raw.columns, columns)
    ]


def _cells(row: Tag) -> list[str]:
    return [cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"], recursive=False)]


def _table_rows(table: Tag) -> tuple[list[str], list[list[str]]]:
    from bs4 import Tag

    rows = [r for r in table.find_all("tr") if r.find_parent("table") is table]
    if not rows:
        return [], []
    head = table.find("thead")
    if isinstance(head, Tag) and head.find("tr"):
        header_row = head.find_all("tr")[-1]
        body = [r for r in rows if r.find_parent("thead") is None]
    else:
        header_row, body = rows[0], rows[1:]
    return _cells(header_row), [_cells(r) for r in body]


def rows_from_html(html: str, source: SourceConfig, origin: str) -> list[SourceRow]:
    """Rows of the page's best-matching table: most recognised columns, then most rows."""
    from bs4 import BeautifulSoup  # saved and live pages only

    soup = BeautifulSoup(html, "html.parser")
    Table = tuple[int, int, dict[tuple[str, str], int], list[list[str]], list[str]]
    best: Table | None = None
    seen: list[str] = []
    for table in soup.find_all("table"):
        headers, body = _table_rows(table)
        seen.append(" | ".join(h for h in headers if h)[:80] or "(no header)")
        try:
            columns = locate_columns(headers, source)
        except SourceError:
            continue
        score = (len(columns), len(body))
        if best is None or score > best[:2]:
            best = (*score, columns, body, headers)
    if best is None:
        found = "; ".join(seen) if seen else "no tables"
        raise SourceError(source.name, f"no leaderboard table in {origin} (tables: {found})")
    _, _, columns, body, headers = best
    rows = [
        _row(f"{origin} table row {number}", cells, columns)
        for number, cells in enumerate(body, start=1)
        if any(cells) and not repeats_header(cells, headers, columns)
    ]
    if not rows:
        found = "; ".join(seen)
        raise SourceError(
            source.name, f"the leaderboard table in {origin} has no rows (tables: {found})"
        )
    return rows
