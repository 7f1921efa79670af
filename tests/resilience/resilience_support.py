"""Helpers for the resilience tests: a small project, a reviewer's edits on each backend, full
cycles (``tracker run`` in this process), and the end state a cycle leaves, compared
between a fault-free run and a faulty one.

They live here rather than in a conftest.py so test modules import them by a name no other
test folder uses. They build on the other suites' support modules (tests/airtable,
tests/gsheets, tests/bridge): the fakes, their reviewer helpers and their ``invoke``.

**The project.** The shipped configs and samples, trimmed to keep cycles short: the
first 30 and last 8 rows of each LMArena export (~30 candidates, ~10 below) and a dozen
published rows plus the mapped models the workload touches. Before the first cycle,
``review-candidates --decisions`` confirms gpt_4o and claude_3.5_sonnet (so Staging has
rows for reviewers to edit); then one full cycle (the first push).

**The workload** (:func:`plant_workload`): in the sheet, a y decision with a reason
(grok_3), an n decision (o1_mini), a corrected training_flop in Staging
(claude_3.5_sonnet) and a corrected cell in Published (GPT-4o, which flows to staging
gpt_4o); on the pipeline side a new model in a raw leaderboard export (Nova-Titan-Ultra,
which collect, estimate and refresh turn into a new candidate).

**Time.** Every ``utc_now`` a cycle reads returns the stamp of the cycle being run
(:class:`Stamps`): one per cycle, older cycles ``2030-…``, the cycle under test and the
runs after it ``2031-01-01T…`` (one second apart). Those are the only volatile values: a fault
legitimately makes an edit land one cycle later, so its note, ``last_updated``, the
scraped/estimated ``saved_at``/``generated_at``, the report's "as of" and history ``time``
carry a later stamp. :func:`normal` replaces exactly those stamps by ``<NOW>``; stamps of
earlier cycles are kept, so a row re-stamped by a retry still differs. A note applied twice
at two different times gives two ``<NOW>`` lines, so normalising never hides a duplicate.

**Compared** (:func:`end_state`): every file under data/ by content (JSON parsed, the
workbook by its cells, history.jsonl line by line) and the name mapping; for Airtable and
Google Sheets the sheet, rows by key with their cells. Left out, each for a reason given
where it is done: the heartbeat, the lock's holder note, the apply ids in history (a hash
of the stamp), Airtable's cache of record ids; temporary files are checked on their own.

**Speed** (:func:`frozen_time`). A cycle takes ~0.1 s here thanks to three stand-ins that
change no write and no order of writes: ``pipeline.report.plot`` (matplotlib, ~0.4 s a
cycle) becomes a cheap pure function of the same points, so the report stage still writes
the PNG and the page through ``write_if_changed`` exactly when the data changed; YAML
texts are parsed once per distinct text (ruamel's pure-Python parser took half a cycle on
the unchanged configs); ``os.fsync`` is a no-op (durability against a power cut, which no
test here simulates; ~3 ms a call on this disk).
"""

from __future__ import annotations

import atexit
import copy
import csv
import errno
import functools
import io
import json
import os
import re
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import responses
from click.testing import CliRunner
from harness import FILES, copy_home, invoke, make_home
from openpyxl import load_workbook
from project_paths import ProjectPaths, one_source_per_export

import pipeline.report
import pipeline.yamlfile
from bridge.backends.base import Backend
from pipeline.cli import with_plugins
from pipeline.yamlfile import parse_yaml as yamlfile_parse

# The other suites' support modules (imported by name, as their own tests do). The project's
# packages are imported first: tests/ holds a folder called bridge.
ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
for _folder in (TESTS, TESTS / "airtable", TESTS / "gsheets", TESTS / "bridge"):
    if str(_folder) not in sys.path:
        sys.path.append(str(_folder))

from airtable_support import Base  # noqa: E402
from bridge_support import editing, put  # noqa: E402
from fakes.airtable_fake import FakeAirtable  # noqa: E402
from fakes.airtable_fake import FakeClock as AirtableClock  # noqa: E402
from gsheets_support import Rig  # noqa: E402

# -- the project --------------------------------------------------------------------------

KEYS = {"candidates": "model", "below": "model", "staging": "model", "published": "Model"}
NOTES = {t: "Accessibility notes" if t == "published" else "notes" for t in FILES}
TITLES = {"candidates": "Candidates", "staging": "Staging", "published": "Published"}
EXPORTS = ("lmarena_text_2025-01-23.csv", "lmarena_text_2025-05-18.csv")
PUBLISHED_KEPT = ("GPT-4o", "Claude 3.5 Sonnet", "o1")
STAGED_BEFORE = ("gpt_4o", "claude_3.5_sonnet")  # confirmed before the first cycle
NEW_MODEL = "nova_titan_ultra"
NEW_EXPORT_LINE = "1,Nova-Titan-Ultra,1390,+5/-5,9000,NovaLab,Proprietary\n"

# Modules whose ``utc_now`` stamps something a cycle writes (the lock's holder file and the
# CLI's progress lines are not data).
STAMPED = (
    "pipeline.collect.runner",
    "pipeline.estimate.runner",
    "pipeline.curate.refresh",
    "pipeline.cli.review",
    "bridge.mirror",
    "worker.cycle",
    "worker.scheduler",
)
NOW = re.compile(r"2031-01-01T\d\d:\d\d:\d\dZ")
TEMP = re.compile(r"(^|/)\.[^/]+\.[^/]+\.tmp$")  # atomic.py's temporary files


class Stamps:
    """The clock every cycle reads: one stamp per cycle (see the module docstring)."""

    def __init__(self) -> None:
        self.old = 0
        self.new = 0
        self.current = "2030-01-01T00:00:00Z"

    def before(self) -> str:
        """The next stamp of a cycle before the one under test."""
        self.old += 1
        self.current = f"2030-06-01T06:{self.old // 60:02d}:{self.old % 60:02d}Z"
        return self.current

    def under_test(self) -> str:
        """The next stamp of the cycle under test or a cycle after it (``<NOW>`` in
        comparisons)."""
        self.new += 1
        hours, seconds = divmod(self.new, 3600)
        self.current = f"2031-01-01T{hours:02d}:{seconds // 60:02d}:{seconds % 60:02d}Z"
        return self.current

    def now(self) -> str:
        return self.current


STAMPS = Stamps()


def quick_plot(found: list[Any], threshold: float) -> bytes:
    """A stand-in for the matplotlib picture: a pure function of the same points."""
    points = sorted((p.name, p.developer, str(p.day), p.flop, p.verified, p.where) for p in found)
    return f"PNG stand-in {threshold!r}\n{points!r}\n".encode()


_PARSED: dict[str, Any] = {}


def cached_parse(text: str, path: str | Path) -> Any:
    """``parse_yaml`` once per distinct text (a copy each time): ruamel's pure-Python
    parser takes half of a cycle on the unchanged configs. Keyed on the text, so a changed
    file is parsed again; errors are never cached."""
    if text not in _PARSED:
        _PARSED[text] = yamlfile_parse(text, path)
    return copy.deepcopy(_PARSED[text])


@contextmanager
def frozen_time() -> Iterator[Stamps]:
    """Patch the stamps, the picture and the YAML parser for the block (module-scoped
    fixtures use it)."""
    with pytest.MonkeyPatch.context() as patch:
        for module in STAMPED:
            patch.setattr(f"{module}.utc_now", STAMPS.now)
        patch.setattr(pipeline.report, "plot", quick_plot)
        patch.setattr(pipeline.yamlfile, "parse_yaml", cached_parse)
        # fsync makes a write survive a power cut; what a killed process wrote survives in
        # the page cache anyway, so it plays no part here (writes and renames keep their
        # order) and costs ~3 ms a call on this disk, ~40 calls a cycle.
        patch.setattr(os, "fsync", lambda fd: None)
        for name in list(os.environ):
            if name.startswith(("TRACKER_", "AIRTABLE_", "GSHEETS_", "GOOGLE_")):
                patch.delenv(name)
        yield STAMPS


def _trim_csv(path: Path, keep: Callable[[list[list[str]]], list[list[str]]]) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header, rows = next(reader), list(reader)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(keep(rows))
    path.write_text(buffer.getvalue(), encoding="utf-8")


@functools.cache
def project_home() -> Path:
    """The trimmed project after collect, estimate, refresh and the two decisions, before
    any cycle (no workbook, no sheet, no published file). Built once per test run."""
    home = Path(tempfile.mkdtemp(prefix="resilience_home_"))
    atexit.register(shutil.rmtree, home, True)
    make_home(home)
    one_source_per_export(home / "configs")
    for name in EXPORTS:
        _trim_csv(home / "data" / "raw" / "lmarena" / name, lambda rows: rows[:30] + rows[-8:])
    _trim_csv(
        home / "data" / "raw" / "epoch" / "published_data.csv",
        lambda rows: [r for i, r in enumerate(rows) if i < 12 or r[0] in PUBLISHED_KEPT],
    )
    data, configs = home / "data", home / "configs"
    with frozen_time() as stamps:
        stamps.before()
        for step in ("collect-all", "estimate-flops", "refresh-dataset"):
            result = invoke(data, configs, step)
            assert result.exit_code == 0, result.output
        decisions = home / "decisions.csv"
        decisions.write_text(
            "model,decision,reason\n" + "".join(f"{k},y,known model\n" for k in STAGED_BEFORE)
        )
        result = invoke(data, configs, "review-candidates", "--decisions", str(decisions))
        assert result.exit_code == 0, result.output
    return home


# -- sites: a project folder and its sheets -----------------------------------------------


@contextmanager
def own_signals() -> Iterator[None]:
    """``tracker run`` installs SIGTERM/SIGINT handlers; give pytest its own back."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for number, handler in saved.items():
            signal.signal(number, handler)


@dataclass
class Outcome:
    """One ``tracker run``: its exit status and output."""

    exit_code: int
    output: str
    exception: BaseException | None = None  # escaped the command: a traceback

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    @property
    def error(self) -> str:
        """The one-line error (``Error: ...``), or ""."""
        lines = [line for line in self.output.splitlines() if line.startswith("Error: ")]
        return lines[-1] if lines else ""


class Site(ProjectPaths):
    """A project folder (``configs/``, ``data/``) and the sheets it syncs with."""

    backend_name = "local"

    def __init__(self, root: Path) -> None:
        self.root = root

    def run(self, *, retries: int = 0) -> Outcome:
        """``tracker run --backend B`` in this process, at the current stamp. An exception
        that escapes the command is what the user would see as a traceback (exit 1)."""
        options = ["--data-dir", str(self.data), "--config-dir", str(self.configs)]
        with own_signals():
            result = CliRunner().invoke(
                with_plugins(), [*options, "run", "--backend", self.backend_name]
            )
        escaped = result.exception if not isinstance(result.exception, SystemExit) else None
        return Outcome(result.exit_code, result.output, escaped)

    def clone(self, root: Path) -> Site:
        shutil.copytree(self.root, root, symlinks=True)
        return type(self)(root)

    # the sheet, as reviewers see it: {table: {key: {column: value}}}
    def sheet(self) -> dict[str, dict[str, dict[str, Any]]]:
        return {t: dict(rows) for t, rows in self._rows().items()}

    def sheet_keys(self) -> dict[str, list[str]]:
        """Every table's keys in sheet order (a duplicate shows twice)."""
        return {t: [k for k, _ in rows] for t, rows in self._rows().items()}

    def _rows(self) -> dict[str, list[tuple[str, dict[str, Any]]]]:
        """Per table, (key, non-empty cells) of every row in sheet order."""
        raise NotImplementedError

    def edit(self, table: str, key: str, cells: dict[str, Any]) -> None:
        raise NotImplementedError

    # API backends: the fake's request count since the last run, a fault at request k
    def requests(self) -> int:
        raise NotImplementedError

    def arm(self, fault: str, k: int) -> None:
        raise NotImplementedError


def _row_dict(header: list[Any], values: tuple[Any, ...] | list[Any]) -> dict[str, Any]:
    row = {str(h): v for h, v in zip(header, values, strict=False) if h is not None}
    return {c: v for c, v in row.items() if v not in (None, "")}


class LocalSite(Site):
    """The default backend: the workbook ``data/sheets/tracker.xlsx``."""

    backend_name = "local"

    @property
    def workbook(self) -> Path:
        return self.data / "sheets" / "tracker.xlsx"

    def _rows(self) -> dict[str, list[tuple[str, dict[str, Any]]]]:
        book = load_workbook(self.workbook)
        found = {}
        for table, title in TITLES.items():
            rows = list(book[title].iter_rows(values_only=True))
            header = list(rows[0]) if rows else []
            keyed = [_row_dict(header, values) for values in rows[1:]]
            found[table] = [(str(r.get(KEYS[table], "")), r) for r in keyed if r]
        return found

    def edit(self, table: str, key: str, cells: dict[str, Any]) -> None:
        with editing(self.workbook) as book:
            put(book[TITLES[table]], key, cells)


class AirtableSite(Site):
    """An Airtable base (the stateful fake on a simulated clock)."""

    backend_name = "airtable"

    def __init__(self, root: Path, fake: FakeAirtable | None = None) -> None:
        super().__init__(root)
        if fake is None:
            fake = FakeAirtable(clock=AirtableClock())
        assert isinstance(fake.clock, AirtableClock)
        self.base = Base(root, fake, fake.clock)

    @property
    def fake(self) -> FakeAirtable:
        return self.base.fake

    def run(self, *, retries: int = 0) -> Outcome:
        """The cycle with the backend on the fake's endpoint and clock, after a pause of a
        simulated minute (the rate window is clear); the fake's counts are this run's."""
        self.base.clock.advance(60.0)
        self.fake.reset_counts()
        backend = self.base.backend(retries=retries)
        with self.base.serving(), _backend(backend):
            return super().run()

    def clone(self, root: Path) -> AirtableSite:
        shutil.copytree(self.root, root, symlinks=True)
        return AirtableSite(root, copy.deepcopy(self.fake))

    def requests(self) -> int:
        return self.fake.count()

    def arm(self, fault: str, k: int) -> None:
        if fault == "fail":
            self.fake.fail_at(k, status=500)
        else:
            self.fake.drop_at(k)

    def _rows(self) -> dict[str, list[tuple[str, dict[str, Any]]]]:
        return {
            table: [(str(r.get(KEYS[table], "")), dict(r)) for r in self.base.records(table)]
            for table in TITLES
            if TITLES[table] in self.fake.table_names()
        }

    def edit(self, table: str, key: str, cells: dict[str, Any]) -> None:
        self.base.edit(table, key, cells)


class SheetsSite(Site):
    """A Google spreadsheet (the stateful fake on a simulated clock)."""

    backend_name = "gsheets"

    def __init__(self, root: Path, rig: Rig | None = None) -> None:
        super().__init__(root)
        self.rig = rig or Rig(root)

    @property
    def fake(self) -> Any:
        return self.rig.fake

    def run(self, *, retries: int = 0) -> Outcome:
        self.rig.clock.advance(60.0)
        self.fake.reset_counts()
        backend = self.rig.backend(retries=retries)
        with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
            self.fake.install(rsps)
            with _backend(backend):
                return super().run()

    def clone(self, root: Path) -> SheetsSite:
        shutil.copytree(self.root, root, symlinks=True)
        rig = Rig(root)
        rig.fake = copy.deepcopy(self.fake)
        rig.clock = rig.fake.clock
        return SheetsSite(root, rig)

    def requests(self) -> int:
        return self.fake.count()

    def arm(self, fault: str, k: int) -> None:
        if fault == "fail":
            self.fake.fail_at(k, status=503)
        else:
            self.fake.drop_at(k)

    def _rows(self) -> dict[str, list[tuple[str, dict[str, Any]]]]:
        found = {}
        for table, title in TITLES.items():
            if title not in self.fake.titles():
                continue
            values = self.fake.values(title)
            header = list(values[0]) if values else []
            keyed = [_row_dict(header, line) for line in values[1:]]
            found[table] = [(str(r.get(KEYS[table], "")), r) for r in keyed if r]
        return found

    def edit(self, table: str, key: str, cells: dict[str, Any]) -> None:
        self.rig.type(TITLES[table], key, cells)


@contextmanager
def _backend(backend: Backend) -> Iterator[None]:
    """The cycle's sync uses ``backend`` (built on the fake's endpoint and clock)."""
    with mock.patch("bridge.mirror.make_backend", lambda *args, **kwargs: backend):
        yield


SITES: dict[str, type[Site]] = {"local": LocalSite, "airtable": AirtableSite, "gsheets": SheetsSite}


# -- the workload ---------------------------------------------------------------------------

ABOVE = "Manual review: confirmed above 1e25 FLOP. Reason: reported 3.5e26"
BELOW = "Manual review: confirmed below 1e25 FLOP. Reason: small model"
FLOP_EDIT = "Sheet edit by a reviewer: training_flop = 3.1e+25"
PUBLISHED_EDIT = "Sheet edit by a reviewer: Training compute notes = Corrected by a reviewer"
FLOWED = "From the Published sheet (GPT-4o): reasoning = Corrected by a reviewer"
# (table, key, note): each must be in that row's notes exactly once after the cycle.
EXPECTED_NOTES = (
    ("candidates", "grok_3", ABOVE),
    ("staging", "grok_3", ABOVE),
    ("below", "o1_mini", BELOW),
    ("staging", "claude_3.5_sonnet", FLOP_EDIT),
    ("published", "GPT-4o", PUBLISHED_EDIT),
)


def reviewer_edits(site: Site) -> None:
    """The reviewer's afternoon in the sheet (values typed as each backend takes them)."""
    typed = isinstance(site, SheetsSite)  # Google: what the reviewer types (USER_ENTERED)
    site.edit("candidates", "grok_3", {"decision": "y", "reason": "reported 3.5e26"})
    site.edit("candidates", "o1_mini", {"decision": "n", "reason": "small model"})
    site.edit("staging", "claude_3.5_sonnet", {"training_flop": "3.1e25" if typed else 3.1e25})
    site.edit("published", "GPT-4o", {"Training compute notes": "Corrected by a reviewer"})


def pipeline_change(site: Site) -> None:
    """A new model in a raw leaderboard export: the next collect finds a new candidate."""
    export = site.data / "raw" / "lmarena" / EXPORTS[0]
    export.write_text(export.read_text(encoding="utf-8") + NEW_EXPORT_LINE, encoding="utf-8")


def first_cycle(site_type: type[Site], root: Path) -> Site:
    """The project copied to ``root`` and its first full cycle (the first push)."""
    home = project_home()
    copy_home(home, root)
    site = site_type(root)
    STAMPS.before()
    outcome = site.run()
    assert outcome.ok, outcome.output
    return site


def plant_workload(site: Site) -> None:
    reviewer_edits(site)
    pipeline_change(site)


def planted_site(site_type: type[Site], root: Path) -> Site:
    """A site after its first cycle, with the workload planted for the next one."""
    site = first_cycle(site_type, root)
    plant_workload(site)
    return site


def run_until_ok(site: Site, first: Outcome, stamps: Stamps, most: int = 3) -> list[Outcome]:
    """``first`` and the cycles run after it until one succeeds, ``most`` in all."""
    outcomes = [first]
    while not outcomes[-1].ok and len(outcomes) < most:
        stamps.under_test()
        outcomes.append(site.run())
    return outcomes


# -- the end state ---------------------------------------------------------------------------

# Never compared: the heartbeat (the last cycle's own start, end and counts: after a fault
# the last cycle is a retry with other counts), the lock's holder file (a killed run may
# leave it; the next writer overwrites it) and the estimates' fingerprint (the file's inode
# and times, another in every run). Temporary files are checked separately.
UNCOMPARED = ("state/worker.json", "state/tracker.lock", "state/estimated_fingerprint.json")


def normal(value: Any) -> Any:
    """``value`` with the stamps of the cycle under test and later cycles as ``<NOW>``."""
    if isinstance(value, str):
        return NOW.sub("<NOW>", value)
    if isinstance(value, dict):
        return {k: normal(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normal(v) for v in value]
    return value


def temp_files(site: Site) -> list[str]:
    return sorted(
        str(p.relative_to(site.root)) for p in site.root.rglob("*") if TEMP.search(str(p))
    )


def history(site: Site) -> list[dict[str, Any]]:
    """history.jsonl, every line parsed (a line that does not parse fails the test)."""
    path = site.state / "history.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def local_state(site: Site) -> dict[str, Any]:
    """Every file under data/ and the name mapping, by relative path, normalised: text by
    content; history without the apply ids (a hash of the stamp and the plan); the bridge
    state parsed; the workbook by its cells (the .xlsx zip holds its own save time)."""
    found: dict[str, Any] = {}
    for path in sorted(site.data.rglob("*")):
        name = str(path.relative_to(site.data))
        if not path.is_file() or name in UNCOMPARED or TEMP.search(name):
            continue
        if name.endswith(".xlsx"):
            book = load_workbook(path)
            found[name] = normal(
                {s.title: [list(r) for r in s.iter_rows(values_only=True)] for s in book}
            )
        elif name == "state/history.jsonl":
            found[name] = [
                normal({k: v for k, v in e.items() if k != "apply"}) for e in history(site)
            ]
        elif name.endswith(".json"):
            found[name] = normal(json.loads(path.read_text(encoding="utf-8")))
            if name.startswith("state/bridge_"):
                # Airtable's record ids as the last read saw them (an upsert's new ids
                # arrive with the next read): a faulty run makes one more read.
                for cache in found[name].get("cache", {}).values():
                    cache.pop("refs", None)
        else:
            found[name] = normal(path.read_bytes().decode("utf-8", "replace"))
    found["configs/model_name_mapping.yaml"] = (
        site.configs / "model_name_mapping.yaml"
    ).read_text()
    return found


def sheet_state(site: Site) -> dict[str, dict[str, dict[str, Any]]]:
    return normal(site.sheet()) if not isinstance(site, LocalSite) else {}


@dataclass
class End:
    """What a cycle leaves: the local files and (API backends) the sheet by key."""

    files: dict[str, Any]
    sheet: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)


def end_state(site: Site) -> End:
    return End(local_state(site), sheet_state(site))


# What the pull-window bug (test_cycle_kills.py) leaves different on the local backend:
# the workbook and its sync state; the local data is right.
SHEET_SIDE = ("file sheets/tracker.xlsx differs", "file state/bridge_local.json differs")


def differences(got: End, want: End) -> list[str]:
    """What differs, one short line each (empty: the same end state)."""
    out = []
    for name in sorted(set(got.files) | set(want.files)):
        if got.files.get(name) != want.files.get(name):
            out.append(f"file {name} differs" if name in got.files else f"file {name} missing")
    for table in sorted(set(got.sheet) | set(want.sheet)):
        mine, theirs = got.sheet.get(table, {}), want.sheet.get(table, {})
        for key in sorted(set(mine) | set(theirs)):
            if mine.get(key) != theirs.get(key):
                cells = sorted(
                    c
                    for c in set(mine.get(key, {})) | set(theirs.get(key, {}))
                    if mine.get(key, {}).get(c) != theirs.get(key, {}).get(c)
                )
                out.append(f"sheet {table} {key}: {', '.join(cells) or 'row'} differs")
    return out


# -- the checks --------------------------------------------------------------------------


def read_table(path: Path, key: str) -> dict[str, dict[str, str]]:
    """A CSV file by key with the csv module; a file that does not parse or holds a key
    twice fails the test."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        rows = list(reader)
    assert key in header, f"{path}: no {key} column"
    for row in rows:
        assert None not in row and all(v is not None for v in row.values()), f"{path}: ragged"
    keys = [row[key] for row in rows]
    assert len(keys) == len(set(keys)), f"{path}: duplicate keys"
    return {row[key]: row for row in rows}


def tables(site: Site) -> dict[str, dict[str, dict[str, str]]]:
    return {
        t: read_table(site.data / f, KEYS[t]) if (site.data / f).exists() else {}
        for t, f in FILES.items()
    }


def note_lines(text: str) -> list[str]:
    """Audit note lines without their stamp (``[time] text`` -> ``text``)."""
    return [re.sub(r"^\[[^\]]*\] ", "", line) for line in text.splitlines() if line.strip()]


def edits_applied_once(site: Site) -> list[str]:
    """What is wrong with the workload's edits in the local files and the history (each
    applied exactly once, at whatever time); empty when all is well."""
    problems = []
    rows = tables(site)
    for table, key, note in EXPECTED_NOTES:
        lines = note_lines(rows[table].get(key, {}).get(NOTES[table], ""))
        if lines.count(note) != 1:
            problems.append(f"{table} {key}: {lines.count(note)} copies of {note!r}")
    for table, keyed in rows.items():
        for key, row in keyed.items():
            lines = note_lines(row.get(NOTES[table], ""))
            if len(lines) != len(set(lines)):
                problems.append(f"{table} {key}: a note line twice")
    if "o1_mini" in rows["candidates"] or "o1_mini" not in rows["below"]:
        problems.append("o1_mini not moved to below exactly once")
    if rows["staging"].get("claude_3.5_sonnet", {}).get("training_flop") != "3.1e+25":
        problems.append("staging claude_3.5_sonnet training_flop not corrected")
    if NEW_MODEL not in rows["candidates"]:
        problems.append(f"{NEW_MODEL} is not a candidate")
    changes = [
        json.dumps(normal({k: v for k, v in e.items() if k not in ("time", "apply")}))
        for e in history(site)
    ]
    twice = sorted({c for c in changes if changes.count(c) > 1})
    problems += [f"history entry twice: {c[:120]}" for c in twice]
    sheet = [
        (e["table"], e["key"], e["change"]) for e in history(site) if e.get("source") == "sheet"
    ]
    for table, key, change, times in (
        ("staging", "grok_3", "AddRow", 1),
        ("below", "o1_mini", "MoveRow", 1),
        ("staging", "claude_3.5_sonnet", "UpdateField", 1),
        ("published", "GPT-4o", "UpdateField", 1),
        ("staging", "gpt_4o", "UpdateField", 0),  # verified: the published edit is a conflict
    ):
        if sheet.count((table, key, change)) != times:
            problems.append(f"history: {sheet.count((table, key, change))} x {change} {key}")
    return problems


def assert_edits_once(site: Site) -> None:
    """Every planted edit applied exactly once, and no key twice in a sheet."""
    problems = edits_applied_once(site)
    assert problems == [], problems
    twice = duplicate_sheet_keys(site)
    assert twice == {}, twice


def duplicate_sheet_keys(site: Site) -> dict[str, list[str]]:
    found = {}
    for table, keys in site.sheet_keys().items():
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            found[table] = twice
    return found


def files_are_whole(site: Site) -> list[str]:
    """Every CSV under data/ parses with unique keys, every JSON parses, every history line
    parses, the workbook loads; returns what is wrong."""
    problems = []
    for path in sorted(site.data.rglob("*")):
        name = str(path.relative_to(site.data))
        if not path.is_file() or TEMP.search(name) or name.startswith("raw/"):
            continue
        try:
            if name.endswith(".csv"):
                table = next((t for t, f in FILES.items() if f == name), None)
                read_table(path, KEYS[table] if table else "model")
            elif name.endswith(".json"):
                json.loads(path.read_text(encoding="utf-8"))
            elif name.endswith(".jsonl"):
                history(site)
            elif name.endswith(".xlsx"):
                load_workbook(path)
        except Exception as exc:  # what the check is for: any failure to read it
            problems.append(f"{name}: {type(exc).__name__}: {exc}")
    return problems


# -- injected write faults ----------------------------------------------------------------


class _FullDisk:
    """A file handle whose writes fail as on a full disk (ENOSPC, no file name: the error
    ``write`` raises)."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle

    def __enter__(self) -> _FullDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.close()

    def write(self, data: Any) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def writelines(self, lines: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.handle, name)


FAULTS = ("replace", "write")


@contextmanager
def failing_write(k: int, where: str) -> Iterator[list[str]]:
    """Write ``k`` of a cycle (counting the renames that land; 0: none) fails:
    ``replace`` — its ``os.replace`` raises EIO naming both files (a failed rename);
    ``write`` — the disk is full once k - 1 writes have landed: writing the next temporary
    file raises ENOSPC. Yields the targets of the renames, in order."""
    real_replace, real_fdopen = os.replace, os.fdopen
    targets: list[str] = []
    failed = [False]

    def replace(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        targets.append(str(dst))
        if where == "replace" and len(targets) == k:
            raise OSError(errno.EIO, os.strerror(errno.EIO), str(src), None, str(dst))
        real_replace(src, dst, *args, **kwargs)

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        handle = real_fdopen(fd, *args, **kwargs)
        caller = sys._getframe(1).f_globals.get("__name__")
        if where == "write" and caller == ATOMIC and len(targets) == k - 1 and not failed[0]:
            failed[0] = True
            return _FullDisk(handle)
        return handle

    with (
        mock.patch(f"{ATOMIC}.os.replace", replace),
        mock.patch(f"{ATOMIC}.os.fdopen", fdopen),
    ):
        yield targets


ATOMIC = "pipeline.storage.atomic"
