"""A source's input: its dated snapshot files and, for a live source, the page or file
fetched now (saved as a new dated snapshot when ``save_as`` says where)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.collect.manual import rows_from_yaml
from pipeline.collect.snapshots import save_dated, snapshots
from pipeline.collect.sources import SourceConfig
from pipeline.collect.tables import SourceRow, rows_from_csv, rows_from_html
from pipeline.errors import SourceError, TrackerError, source_failure
from pipeline.settings import Settings


@dataclass
class Dated:
    """One snapshot's rows: its day, where it came from (a file or a URL) and its rows."""

    day: str
    origin: str
    rows: list[SourceRow]


@dataclass
class Inputs:
    dated: list[Dated] = field(default_factory=list)  # oldest first
    failed: list[str] = field(default_factory=list)  # one line per unreadable file
    notes: list[str] = field(default_factory=list)  # warnings (a live copy not fetched...)
    saved: Path | None = None  # the fetched copy written as a new snapshot


Fetch = Callable[[SourceConfig], str]


def parse_input(source: SourceConfig, origin: str, text: str | None = None) -> list[SourceRow]:
    """Rows of a file (``origin``) or of a fetched ``text``, by the source's type."""
    if source.type == "manual_yaml":
        return rows_from_yaml(Path(origin), source)
    if source.type in ("html_table", "html_file"):
        if text is None:
            try:
                text = Path(origin).read_text(encoding="utf-8", errors="replace")
            except FileNotFoundError:
                raise SourceError(source.name, f"{origin}: file not found") from None
            except OSError as exc:
                raise SourceError(source.name, f"{origin}: cannot read ({exc.strerror})") from None
        return rows_from_html(text, source, origin)
    return rows_from_csv(origin if text is not None else Path(origin), source, text)


def save_snapshot(source: SourceConfig, data_dir: Path, text: str, day: str) -> Path | None:
    """Write a fetched copy as the snapshot of ``day``, unless the newest copy saved
    before holds the same text; the path written, or None."""
    assert source.save_as is not None
    return save_dated(data_dir, source.save_as, text, day)


def read_inputs(
    source: SourceConfig,
    settings: Settings,
    fetch: Fetch,
    today: str,
    dry_run: bool = False,
    newest_only: bool = False,
) -> Inputs:
    """The source's snapshots, oldest first (``newest_only``: the newest readable one). A
    file that cannot be read is listed in ``failed`` and the others go on; SourceError
    when nothing is readable. A live source fetched now is the newest snapshot; when its
    page cannot be fetched and it has saved copies, they are read instead. ``fetch``
    gets a live source's page; ``today`` (YYYY-MM-DD) dates it."""
    inputs = Inputs()
    live: Dated | None = None
    if source.url:
        try:
            text = fetch(source)
            live = Dated(today, source.url, parse_input(source, source.url, text))
            if source.save_as and not dry_run:
                inputs.saved = save_snapshot(source, settings.data_dir, text, live.day)
        except SourceError as exc:
            if not source.patterns:
                raise
            inputs.notes.append(
                f"{source.name}: {source_failure(source.name, exc)}; read the saved copies instead"
            )
    files = [s for s in snapshots(source, settings.data_dir) if s.path != inputs.saved]
    if live is None and not files:
        if source.path:
            missing = source.input_path(settings.data_dir)
            raise SourceError(source.name, f"{missing}: file not found")
        if source.patterns:
            wanted = ", ".join(str(settings.data_dir / p) for p in source.patterns)
            raise SourceError(source.name, f"no file matches {wanted}")
    for snapshot in reversed(files) if newest_only else files:
        if newest_only and (inputs.dated or live is not None):
            break
        try:
            rows = parse_input(source, str(snapshot.path))
        except TrackerError as exc:
            inputs.failed.append(source_failure(source.name, exc))
            continue
        inputs.dated.append(Dated(snapshot.day, str(snapshot.path), rows))
    inputs.dated.sort(key=lambda dated: (dated.day, dated.origin))
    if live is not None:
        inputs.dated.append(live)
    if not inputs.dated:
        if len(inputs.failed) == 1:
            raise SourceError(source.name, inputs.failed[0])
        raise SourceError(source.name, f"no readable file ({'; '.join(inputs.failed)})")
    return inputs
