"""A live leaderboard page written as a dated CSV export (``export_to``), in the layout of
the manual exports, so that the folder source reads it with them and history accumulates."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pipeline.collect.snapshots import save_dated
from pipeline.collect.sources import SourceConfig
from pipeline.collect.tables import SourceRow


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
    return save_dated(data_dir, source.export_to, export_text(rows, source), day)
