"""Helpers for the Google Sheets backend tests: a project folder synced through
``bridge.mirror.mirror`` with a ``SheetsBackend`` talking to the stateful ``FakeSheets``.

They live here rather than in a conftest so test modules import them by a name no other
test folder uses. Every sync is stamped STAMP and runs on the fake's clock; a new backend
object is made per sync (as a new process would), so the metadata cache comes from
``data/state/bridge_gsheets.json``. Reviewers' edits go through the fake's UI helpers
(``set_cell`` parses what is typed as USER_ENTERED).
"""

from __future__ import annotations

import csv
import io
import shutil
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import responses
import yaml
from click.testing import CliRunner, Result
from fakes.sheets_fake import FakeClock, FakeSheets, col_letter
from project_paths import exports_and_epoch_only, remove_online_sources

from bridge.backends.gsheets import SheetsBackend
from bridge.codec import to_sheet
from bridge.layout import SheetLayout, layouts
from bridge.mirror import MirrorReport, mirror
from pipeline.cli import with_plugins
from pipeline.curate.datasets import open_tables
from pipeline.curate.schema_map import SchemaMap
from pipeline.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
STAMP = "2031-05-06T07:08:09Z"
SID = "sheetTEST"
GOOGLE = "https://sheets.googleapis.com"
TITLES = {"candidates": "Candidates", "staging": "Staging", "published": "Published"}
FILES = {
    "candidates": "clean/above_1e25_flop.csv",
    "below": "clean/below_1e25_flop.csv",
    "staging": "staging/above_1e25_flop_staging.csv",
    "published": "published/published_data.csv",
}
KEYS = {"Candidates": "model", "Staging": "model", "Published": "Model"}
RESTORED = "restored: rows are not deleted from the sheet (filter it instead)"
KINDS = ("metadata", "read", "write", "structure")

_CACHE: dict[str, Path] = {}


def pipeline_home(factory: pytest.TempPathFactory) -> Path:
    """A project folder after collect, estimate and refresh on the shipped samples, built
    once per session: ~100 candidates, no staging, no published file yet."""
    if "home" not in _CACHE:
        home = factory.mktemp("gsheets_pipeline")
        shutil.copytree(ROOT / "configs", home / "configs")
        remove_online_sources(home / "configs")
        exports_and_epoch_only(home / "configs")
        shutil.copytree(ROOT / "data" / "raw", home / "data" / "raw")
        options = ["--data-dir", str(home / "data"), "--config-dir", str(home / "configs")]
        for step in ("collect-all", "estimate-flops", "refresh-dataset"):
            result = CliRunner().invoke(with_plugins(), [*options, step], catch_exceptions=False)
            assert result.exit_code == 0, result.output
        _CACHE["home"] = home
    return _CACHE["home"]


def read_csv(path: Path, key: str = "model") -> dict[str, dict[str, str]]:
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {row[key]: row for row in csv.DictReader(handle)}


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    """A CSV file as the project writes one: a line feed after each record, minimal quoting
    (a cell holding a carriage return or a line feed is quoted)."""

    def record(values: list[str]) -> str:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerow(values)
        return buffer.getvalue()[:-2] + "\n"

    text = record(header) + "".join(record([row.get(c, "") for c in header]) for row in rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))


def csv_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


@dataclass
class Rig:
    """A project folder and the spreadsheet it syncs with (one FakeSheets, one FakeClock)."""

    root: Path
    clock: FakeClock = field(default_factory=FakeClock)
    fake: FakeSheets = field(init=False)
    base_url: str = GOOGLE
    sent: list[Any] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.fake = FakeSheets(SID, base_url=self.base_url, clock=self.clock)

    @classmethod
    def after_pipeline(
        cls, project: Path, factory: pytest.TempPathFactory, base_url: str = GOOGLE
    ) -> Rig:
        """The conftest ``project`` folder (or any folder) filled with the pipeline's output."""
        home = pipeline_home(factory)
        if not (project / "configs").exists():
            shutil.copytree(home / "configs", project / "configs")
        shutil.copytree(home / "data", project / "data", dirs_exist_ok=True)
        return cls(project, base_url=base_url)

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def state(self) -> Path:
        return self.data / "state" / "bridge_gsheets.json"

    def settings(self) -> Settings:
        return load_settings(self.root / "configs", data_dir=self.data)

    def backend(self, **options: Any) -> SheetsBackend:
        return SheetsBackend(SID, endpoint=self.base_url, clock=self.clock, **options)

    def sync(
        self, mode: str = "sync", *, backend: SheetsBackend | None = None, **options: Any
    ) -> MirrorReport:
        """One ``mirror`` run with a new backend; the fake's counts start at 0 (so
        ``fail_at(k)`` set before counts from this run's first request). A minute passes
        first, as between scheduled syncs (the fake's per-minute quota starts afresh)."""
        backend = backend or self.backend()
        self.fake.reset_counts()
        self.clock.advance(60)
        with (
            responses.RequestsMock(assert_all_requests_are_fired=False) as rsps,
            mock.patch("bridge.mirror.utc_now", return_value=STAMP),
        ):
            self.fake.install(rsps)
            try:
                return mirror(self.settings(), mode, backend=backend, **options)  # type: ignore[arg-type]
            finally:
                self.sent = [call.request for call in rsps.calls]

    def cli(self, *args: str) -> Result:
        """``tracker --data-dir .. --config-dir .. ARGS`` against the fake (the caller sets
        the GSHEETS_* environment and the backend's clock)."""
        self.fake.reset_counts()
        options = ["--data-dir", str(self.data), "--config-dir", str(self.root / "configs")]
        with (
            responses.RequestsMock(assert_all_requests_are_fired=False) as rsps,
            mock.patch("bridge.mirror.utc_now", return_value=STAMP),
        ):
            self.fake.install(rsps)
            return CliRunner().invoke(with_plugins(), [*options, *args], catch_exceptions=False)

    def counts(self) -> dict[str, int]:
        """Requests of the last sync by kind (failed and retried ones included)."""
        return {kind: self.fake.count(kind) for kind in KINDS}

    def layout(self, table: str) -> SheetLayout:
        """The table's sheet layout as the mirror fits it to the backend's limits."""
        schema = SchemaMap.load(self.root / "configs" / "schema_map.yaml")
        tables = open_tables(self.settings(), list(TITLES))
        plain = layouts(schema, {t: tables[t].file_columns for t in TITLES})[table]
        limits = [f.name for f in fields(SheetLayout) if hasattr(SheetsBackend, f.name)]
        return replace(plain, **{name: getattr(SheetsBackend, name) for name in limits})

    def expected_values(self, table: str) -> list[list[Any]]:
        """The sheet a push of the local table writes: the header, then every CSV row
        through the codec, empty reviewer columns and status (trailing empties dropped,
        as the API returns them); a candidate Epoch's data has says so in its status."""
        layout = self.layout(table)
        lines: list[list[Any]] = [list(layout.header)]
        names = yaml.safe_load((self.root / "configs/model_name_mapping.yaml").read_text())
        published = self.rows("published") or read_csv(
            self.data / "raw/epoch/published_data.csv", "Model"
        )
        for row in self.rows(table).values():
            name = names.get(row.get("model", "")) if table == "candidates" else None
            if name in published:
                status = f"published: as {name!r}; no review needed"
                row = {**row, "sync_status": status}
            line = [to_sheet(layout, c, row.get(c, "")) for c in layout.header]
            line = ["" if v is None else v for v in line]
            while line and line[-1] == "":
                line.pop()
            lines.append(line)
        return lines

    # -- local files ------------------------------------------------------------------------

    def file(self, table: str) -> Path:
        return self.data / FILES[table]

    def rows(self, table: str) -> dict[str, dict[str, str]]:
        return read_csv(self.file(table), "Model" if table == "published" else "model")

    def files(self) -> dict[str, bytes]:
        """Every file under data/ (state included) by relative path."""
        return {
            str(p.relative_to(self.data)): p.read_bytes()
            for p in sorted(self.data.rglob("*"))
            if p.is_file()
        }

    def tables(self) -> dict[str, bytes]:
        """The four CSV tables and the name mapping, as bytes."""
        found = {t: self.file(t).read_bytes() for t in FILES if self.file(t).exists()}
        found["mapping"] = (self.root / "configs" / "model_name_mapping.yaml").read_bytes()
        return found

    def trim_candidates(self, keep: list[str]) -> None:
        """Keep only the candidate rows of ``keep`` (in file order)."""
        path = self.file("candidates")
        kept = [row for key, row in read_csv(path).items() if key in keep]
        write_csv(path, csv_header(path), kept)

    # -- the spreadsheet --------------------------------------------------------------------

    def values(self) -> dict[str, list[list[Any]]]:
        return {title: self.fake.values(title) for title in self.fake.titles()}

    def header(self, title: str) -> list[str]:
        values = self.fake.values(title)
        return [str(v) for v in values[0]] if values else []

    def sheet(self, title: str) -> list[dict[str, Any]]:
        """Data rows as {header: value}, with their row number under "_row" (empty rows
        skipped)."""
        values = self.fake.values(title)
        head = [str(v) for v in values[0]]
        out = []
        for number, line in enumerate(values[1:], start=2):
            if any(v != "" for v in line):
                row = {c: line[i] if i < len(line) else "" for i, c in enumerate(head)}
                out.append({**row, "_row": number})
        return out

    def by_key(self, title: str) -> dict[str, dict[str, Any]]:
        return {row[KEYS[title]]: row for row in self.sheet(title)}

    def keys(self, title: str) -> list[str]:
        """The keys in sheet order (duplicates repeated)."""
        return [row[KEYS[title]] for row in self.sheet(title)]

    def status(self, title: str, key: str) -> Any:
        return self.by_key(title)[key]["sync_status"]

    def row_of(self, title: str, key: str) -> int:
        (number,) = [r["_row"] for r in self.sheet(title) if r[KEYS[title]] == key]
        return number

    def a1(self, title: str, key: str, column: str) -> str:
        return f"{col_letter(self.header(title).index(column))}{self.row_of(title, key)}"

    def type(self, title: str, key: str, cells: dict[str, Any]) -> None:
        """A reviewer typing into the row of ``key`` (USER_ENTERED)."""
        for column, value in cells.items():
            self.fake.set_cell(title, self.a1(title, key, column), value)

    def paste_row(self, title: str, key: str, at: int, changes: dict[str, Any]) -> None:
        """Copy the row of ``key`` (cells as they are) into row ``at``, with ``changes``
        typed over the copy."""
        head = self.header(title)
        source = self.fake.values(title)[self.row_of(title, key) - 1]
        for index, value in enumerate(source):
            self.fake.set_raw(title, f"{col_letter(index)}{at}", value)
        for column, value in changes.items():
            self.fake.set_cell(title, f"{col_letter(head.index(column))}{at}", value)


def no_write(rig: Rig, report: MirrorReport) -> bool:
    """A sync that changed nothing: no local file written, no write request."""
    counts = rig.counts()
    return (
        not report.written
        and not report.pushed
        and counts["write"] == 0
        and counts["structure"] == 0
        and not any(report.changes.values())
    )


# -- the scenario: a reviewer's afternoon in the spreadsheet ---------------------------

STAGED = ("gpt_4o", "o3")  # staged by a y decision in the sheet before the afternoon
SCENARIO_KEYS = [
    "grok_3", "gemini_2.5_pro", "gpt_4.5", "o3", "gpt_4.1", "deepseek_r1", "o1",
    "o1_preview", "gpt_4o", "llama_3.1_405b", "claude_3.5_sonnet", "mistral_large",
    "phi_4", "o1_mini", "o3_mini",
]  # fmt: skip
ABOVE = f"[{STAMP}] Manual review: confirmed above 1e25 FLOP. Reason: reported 3.5e26"
BELOW = f"[{STAMP}] Manual review: confirmed below 1e25 FLOP. Reason: small model"
O3_EDIT = f"[{STAMP}] Sheet edit by a reviewer: training_flop = 2e+26"
PUBLISHED_EDIT = (
    f"[{STAMP}] Sheet edit by a reviewer: Training compute notes = Corrected by a reviewer"
)
FLOWED = f"[{STAMP}] From the Published sheet (GPT-4o): reasoning = Corrected by a reviewer"


def stage(rig: Rig) -> None:
    """First push, then y decisions typed for STAGED and a sync: staging has rows."""
    rig.sync()
    for key in STAGED:
        rig.type("Candidates", key, {"decision": "y", "reason": "known model"})
    rig.sync()
    assert set(rig.rows("staging")) == set(STAGED)


def afternoon_edits(rig: Rig, *, duplicate: bool = True) -> None:
    """The issue's list, done in the sheet: decisions y / n / "maybe", dates typed, a Staging
    and a Published correction, the Candidates sheet sorted, a row inserted, one moved, one
    deleted and (``duplicate``) a copy of a row pasted below the last one."""
    rig.type("Candidates", "grok_3", {"decision": "y", "reason": "reported 3.5e26"})
    rig.type("Candidates", "phi_4", {"decision": "N", "reason": "small model"})
    rig.type("Candidates", "gpt_4.1", {"decision": "maybe", "reason": "unsure"})
    rig.type("Candidates", "o1", {"release_date": "2024-12-05"})
    rig.type("Candidates", "o1_preview", {"release_date": "9/12/2024"})
    rig.type("Staging", "o3", {"training_flop": "2e26"})
    rig.type("Published", "GPT-4o", {"Training compute notes": "Corrected by a reviewer"})
    rig.fake.sort_rows("Candidates", "training_flop")
    rig.fake.insert_row("Candidates", 4)
    rig.fake.move_row("Candidates", 9, 3)
    rig.fake.delete_row("Candidates", rig.row_of("Candidates", "o1_mini"))
    if duplicate:
        below_last = len(rig.fake.values("Candidates")) + 1
        rig.paste_row("Candidates", "o3_mini", below_last, {"training_flop": "9e24"})


def note_lines(text: str, line: str) -> int:
    return text.splitlines().count(line)


def add_candidates(rig: Rig, count: int, prefix: str = "synthetic_model") -> list[str]:
    """Append ``count`` synthetic candidate rows (copies of existing rows under new keys,
    each with its own training_flop) to the local CSV; their keys."""
    path = rig.file("candidates")
    rows = list(read_csv(path).values())
    keys = [f"{prefix}_{i:04d}" for i in range(count)]
    extra = [
        {**rows[i % len(rows)], "model": key, "training_flop": f"{1 + i % 9}.{i % 7}e+25"}
        for i, key in enumerate(keys)
    ]
    write_csv(path, csv_header(path), rows + extra)
    return keys
