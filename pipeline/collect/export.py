"""A live leaderboard page written as a dated CSV export (``export_to``), in the layout of
the manual exports, so that the folder source reads it with them and history accumulates."""

from __future__ import annotations

import csv
import glob
import io
from pathlib import Path

from pipeline.collect.snapshots import date_in_name
from pipeline.collect.sources import SourceConfig
from pipeline.collect.tables import SourceRow
from pipeline.storage.atomic import atomic_write_text


def export_text(rows: list[SourceRow], source: SourceConfig) -> str:
    """The rows as CSV; each column is headed by the first header name the source lists."""
    fields = [name for name in source.columns if any(name in r.fields for r in rows)]
    benches = [name for name in source.benchmarks if any(name in r.benchmarks for r in rows)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [source.columns[f][0] for f in fields] + [source.benchmarks[b][0] for b in benches]
    )
    for row in rows:
        writer.writerow(
            [row.fields.get(f, "") for f in fields] + [row.benchmarks.get(b, "") for b in benches]
        )
    return out.getvalue()


def write_export(
    rows: list[SourceRow], source: SourceConfig, data_dir: Path, day: str
) -> Path | None:
    """Write the day's export unless the newest export holds the same table; its path or None."""
    assert source.export_to is not None
    text = export_text(rows, source)
    pattern = str(data_dir / source.export_to.replace("{date}", "*"))
    saved = sorted(glob.glob(pattern), key=lambda name: (date_in_name(Path(name).name), name))
    if saved and Path(saved[-1]).read_text(encoding="utf-8", errors="replace") == text:
        return None
    path = data_dir / source.export_to.format(date=day)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, text)
    return path
