"""Helpers for the Airtable backend tests: a project folder after the pipeline, a stateful
fake base (tests/fakes/airtable_fake.py) on a simulated clock, and the bridge's mirror run
against both.

They live here rather than in a conftest.py so test modules import them by a name no other
test folder uses. Reviewers' edits are made with the fake's UI helpers (``set_field``,
``add_record``, ``delete_record``), which send no request and are not counted. The backend
and the fake share one ``FakeClock``, so pacing, backoff and the 30 s penalty take no real
time but are all seen on the clock.
"""

from __future__ import annotations

import atexit
import contextlib
import copy
import csv
import functools
import json
import math
import random
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import responses
from click.testing import Result
from fakes.airtable_fake import FakeAirtable, FakeClock
from harness import FILES, copy_home, csv_text, invoke, make_home, run_steps
from project_paths import ProjectPaths

from bridge.backends.airtable import AirtableBackend
from bridge.mirror import MirrorReport, mirror
from pipeline.errors import TrackerError
from pipeline.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
STAMP = "2031-05-06T07:08:09Z"
TOKEN = "patSECRET0123456789.abcdef0123456789"
TABLES = ("candidates", "staging", "published")
TITLES = {"candidates": "Candidates", "staging": "Staging", "published": "Published"}
KEYS = {"candidates": "model", "below": "model", "staging": "model", "published": "Model"}
NUMBERS = frozenset(
    {"parameters", "training_flop", "p_above_1e25", "Parameters", "Training compute (FLOP)"}
)
CREDENTIALS = ("AIRTABLE_TOKEN", "AIRTABLE_TOKEN_FILE", "AIRTABLE_BASE_ID", "AIRTABLE_ENDPOINT_URL")
RESTORED = "restored: rows are not deleted from the sheet (filter it instead)"
# Simulated seconds between two syncs: the base's one-second rate window is clear again.
PAUSE = 60.0
# Leftovers of the pipeline a sync never reads (raw/ holds the published seed, needed only
# until published_data.csv exists).
UNUSED = shutil.ignore_patterns("scraped", "estimated")
UNUSED_AFTER_SEED = shutil.ignore_patterns("raw", "scraped", "estimated")


@functools.cache
def pipeline_home() -> Path:
    """A project after collect, estimate and refresh on the shipped samples (~100
    candidates, no staging, no published: it starts from its seed on the first sync).
    Built once per test run, in a temporary folder removed at exit."""
    home = Path(tempfile.mkdtemp(prefix="airtable_pipeline_"))
    atexit.register(shutil.rmtree, home, True)
    run_steps(make_home(home))
    return home


def quiet_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every sync is stamped STAMP (notes compare exactly); no Airtable credentials leak
    in from the developer's environment."""
    monkeypatch.setattr("bridge.mirror.utc_now", lambda: STAMP)
    for name in CREDENTIALS:
        monkeypatch.delenv(name, raising=False)


@contextmanager
def serving(fake: FakeAirtable) -> Iterator[responses.RequestsMock]:
    """Route every request under the fake's endpoint to the fake while the block runs (a
    request anywhere else fails with ConnectionError)."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        fake.install(rsps)
        yield rsps


def read_csv(path: Path, key: str = "model") -> dict[str, dict[str, str]]:
    """A CSV file's rows by key, in file order (missing file: no rows)."""
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {row[key]: row for row in csv.DictReader(handle)}


def read_table(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def pages(rows: int) -> int:
    """List requests for a table of ``rows`` records: pages of 100 (an empty table still
    takes one request to find out)."""
    return max(1, math.ceil(rows / 100))


def batches(records: int) -> int:
    """Write requests for ``records`` records: 10 a request."""
    return math.ceil(records / 10)


def paced_seconds(requests: int, per_second: int = 5, margin: float = 0.01) -> float:
    """Simulated time ``requests`` back-to-back requests take when paced at ``per_second``
    (sliding one-second window plus the pacer's margin): each full window after the first
    costs one second."""
    return (requests - 1) // per_second * (1.0 + margin)


def json_cell(column: str, text: str) -> Any:
    """What Airtable should hold for a local cell: numbers as JSON numbers, else text."""
    if column in NUMBERS:
        number = float(text)
        return int(number) if number.is_integer() and abs(number) < 1e21 else number
    return text


def one_line(message: str) -> bool:
    return bool(message.strip()) and "\n" not in message.strip()


@dataclass
class Sent:
    """One request the backend sent: method, path under the endpoint, JSON body."""

    method: str
    path: str
    body: Any


@dataclass
class Base(ProjectPaths):
    """A project folder (``configs/``, ``data/``) mirrored to a fake Airtable base."""

    root: Path
    fake: FakeAirtable
    clock: FakeClock
    elapsed: float = 0.0  # simulated seconds the last sync took
    backend_calls: dict[str, int] = field(default_factory=dict, repr=False)
    sent: list[Sent] = field(default_factory=list, repr=False)

    def settings(self) -> Settings:
        return load_settings(self.configs, data_dir=self.data)

    def backend(self, **options: Any) -> AirtableBackend:
        """The backend under test, on the fake's endpoint and the same simulated clock."""
        return AirtableBackend(
            TOKEN, self.fake.base_id, endpoint=self.fake.endpoint, clock=self.clock, **options
        )

    def sync(self, mode: str = "sync", *, pause: float = PAUSE, **options: Any) -> MirrorReport:
        """One ``mirror`` run ``pause`` simulated seconds after the last one; the fake's
        counts then hold this run's requests only. ``tables`` and ``dry_run`` go to
        ``mirror``, other options to the backend (``retries``, ``requests_per_second``)."""
        wanted = {k: options.pop(k) for k in ("tables", "dry_run") if k in options}
        self.clock.advance(pause)
        self.fake.reset_counts()
        backend = self.backend(**options)
        start = self.clock.now()
        with serving(self.fake) as rsps:
            try:
                return mirror(self.settings(), mode, backend=backend, **wanted)  # type: ignore[arg-type]
            finally:
                self.elapsed = self.clock.now() - start
                self.backend_calls = dict(backend.calls)
                self.sent = [_sent(call.request) for call in rsps.calls]

    def try_sync(self, **options: Any) -> str | None:
        """A sync that may fail: its error message, or None."""
        try:
            self.sync(**options)
        except TrackerError as exc:
            return str(exc)
        return None

    def counts(self) -> dict[str, int]:
        """The last sync's requests as the fake saw them, by kind."""
        return {kind: self.fake.count(kind) for kind in ("read", "write", "schema")}

    def serving(self) -> contextlib.AbstractContextManager[responses.RequestsMock]:
        return serving(self.fake)

    def cli(self, *args: str) -> Result:
        with serving(self.fake):
            return invoke(self.data, self.configs, *args)

    # -- the sheets ---------------------------------------------------------------------

    def schema(self) -> dict[str, Any]:
        """The base's tables as the metadata API describes them, by name."""
        self.clock.advance(PAUSE)
        with serving(self.fake):
            reply = requests.get(
                self.fake.url("meta", "bases", self.fake.base_id, "tables"),
                headers={"Authorization": f"Bearer {TOKEN}"},
                timeout=5,
            )
        reply.raise_for_status()
        return {table["name"]: table for table in reply.json()["tables"]}

    def records(self, table: str) -> list[dict[str, Any]]:
        """Every record's fields (empty cells absent), in the fake's order."""
        return [r["fields"] for r in self.fake.records(TITLES[table])]

    def by_key(self, table: str) -> dict[str, dict[str, Any]]:
        """Records by key; a key on two records fails the test."""
        rows: dict[str, dict[str, Any]] = {}
        for fields in self.records(table):
            key = fields.get(KEYS[table], "")
            assert key not in rows, f"{key!r} twice in {TITLES[table]}"
            rows[key] = fields
        return rows

    def keys(self, table: str) -> list[str]:
        return [fields.get(KEYS[table], "") for fields in self.records(table)]

    def record_id(self, table: str, key: str) -> str:
        (found,) = [
            r["id"] for r in self.fake.records(TITLES[table]) if r["fields"].get(KEYS[table]) == key
        ]
        return found

    def record(self, table: str, record_id: str) -> dict[str, Any]:
        (found,) = [r["fields"] for r in self.fake.records(TITLES[table]) if r["id"] == record_id]
        return found

    def status(self, table: str, key: str) -> str:
        return str(self.by_key(table)[key].get("sync_status", ""))

    def edit(self, table: str, key: str, cells: dict[str, Any]) -> None:
        """A reviewer types ``cells`` into the record of ``key``."""
        record = self.record_id(table, key)
        for name, value in cells.items():
            self.fake.set_field(TITLES[table], record, name, value)

    def delete(self, table: str, key: str) -> None:
        self.fake.delete_record(TITLES[table], self.record_id(table, key))

    def shuffle(self, seed: int = 0) -> None:
        """Put every table's records in another order, as a reviewer sorting a view does.

        The fake lists records in creation order and has no UI helper to move one, so this
        reorders its record store directly (records, ids and values are untouched)."""
        for title in self.fake.table_names():
            table = self.fake._table_or_raise(title)
            items = list(table.records.items())
            random.Random(seed).shuffle(items)
            table.records = dict(items)

    # -- the local files ----------------------------------------------------------------

    def file(self, table: str) -> Path:
        return self.data / FILES[table]

    def rows(self, table: str) -> dict[str, dict[str, str]]:
        return read_csv(self.file(table), KEYS[table])

    def files(self) -> dict[str, bytes]:
        """The curated tables and the name mapping, by relative path."""
        paths = [self.file(t) for t in FILES] + [self.configs / "model_name_mapping.yaml"]
        return {str(p.relative_to(self.root)): p.read_bytes() for p in paths if p.exists()}

    def keep_candidates(self, keys: list[str]) -> None:
        """Keep only these candidates (small data for exhaustive tests)."""
        header, rows = read_table(self.file("candidates"))
        kept = [row for row in rows if row["model"] in keys]
        assert len(kept) == len(keys)
        self.file("candidates").write_text(csv_text(header, kept), encoding="utf-8")

    def grow_candidates(self, total: int) -> list[str]:
        """Add synthetic candidates (copies of the first row under new keys) up to
        ``total`` rows; the keys added."""
        header, rows = read_table(self.file("candidates"))
        added = [f"synthetic_model_{i:04d}" for i in range(total - len(rows))]
        rows += [{**rows[0], "model": key, "developer": "Synthetic Lab"} for key in added]
        self.file("candidates").write_text(csv_text(header, rows), encoding="utf-8")
        return added

    # -- identical starts ---------------------------------------------------------------

    def clone(self, root: Path) -> Base:
        """An identical start in ``root``: the same files and a deep copy of the base (its
        records, ids and clock)."""
        shutil.copytree(self.configs, root / "configs")
        seeded = self.file("published").exists()
        shutil.copytree(self.data, root / "data", ignore=UNUSED_AFTER_SEED if seeded else UNUSED)
        fake = copy.deepcopy(self.fake)
        assert isinstance(fake.clock, FakeClock)
        return Base(root, fake, fake.clock)

    def end_state(self) -> tuple[dict[str, bytes], dict[str, list[dict[str, Any]]]]:
        """What a sync leaves: the local files, and each table's records without ids and
        creation times, in key order."""
        sheets = {
            t: sorted(self.records(t), key=lambda f: json.dumps(f, sort_keys=True))
            for t in TABLES
            if TITLES[t] in self.fake.table_names()
        }
        return self.files(), sheets

    def duplicate_keys(self) -> dict[str, list[str]]:
        """Keys on more than one record, by table."""
        found = {}
        for table in TABLES:
            if TITLES[table] in self.fake.table_names():
                keys = self.keys(table)
                twice = sorted({k for k in keys if keys.count(k) > 1})
                if twice:
                    found[table] = twice
        return found


def _sent(request: requests.PreparedRequest) -> Sent:
    body = request.body
    parsed = json.loads(body) if body else None
    return Sent(str(request.method), urlsplit(str(request.url)).path, parsed)


def new_base(root: Path, monkeypatch: pytest.MonkeyPatch) -> Base:
    """``root`` as a project after the pipeline, and an empty fake base on a new clock."""
    quiet_environment(monkeypatch)
    home = pipeline_home()
    copy_home(home, root)
    clock = FakeClock()
    return Base(root, FakeAirtable(clock=clock), clock)


# -- the reviewer's afternoon (ARCHITECTURE §6-7, the list) ------------------------------

ABOVE = f"[{STAMP}] Manual review: confirmed above 1e25 FLOP. Reason: reported 3.5e26"
BELOW = f"[{STAMP}] Manual review: confirmed below 1e25 FLOP. Reason: small model"
FLOP_NOTE = f"[{STAMP}] Sheet edit by a reviewer: training_flop = 2e+26"
NOTES_EDIT = "Corrected by a reviewer"
PUBLISHED_NOTE = f"[{STAMP}] Sheet edit by a reviewer: Training compute notes = {NOTES_EDIT}"
FLOWED_NOTE = f"[{STAMP}] From the Published sheet (GPT-4o): reasoning = {NOTES_EDIT}"
# Enough candidates for the afternoon, for exhaustive (per request) tests.
SMALL = [
    "grok_3", "gpt_4.5", "o3", "gpt_4.1", "gpt_4o", "deepseek_r1", "o1", "qwen2.5_max",
    "claude_3.5_sonnet", "llama_3.1_405b", "phi_4", "o1_mini", "o3_mini", "gemini_1.5_pro",
    "mistral_large_2",
]  # fmt: skip


def stage_two(base: Base) -> None:
    """First push, then y decisions for gpt_4o (mapped to GPT-4o) and o3, and a sync:
    Staging has two rows."""
    base.sync()
    for key in ("gpt_4o", "o3"):
        base.edit("candidates", key, {"decision": "y", "reason": "known"})
    base.sync()


def afternoon(base: Base) -> None:
    """A reviewer's edits in Airtable: y, n and "maybe" decisions, a decision without a
    reason, a Staging correction, a Published correction, a deleted record."""
    base.edit("candidates", "grok_3", {"decision": "y", "reason": "reported 3.5e26"})
    base.edit("candidates", "phi_4", {"decision": "N", "reason": "small model"})
    base.edit("candidates", "gpt_4.1", {"decision": "maybe", "reason": "unsure"})
    base.edit("candidates", "deepseek_r1", {"decision": "yes"})
    base.edit("staging", "o3", {"training_flop": 2e26})
    base.edit("published", "GPT-4o", {"Training compute notes": NOTES_EDIT})
    base.delete("candidates", "o1_mini")


def edits_applied_once(base: Base) -> list[str]:
    """What is wrong with the afternoon's edits in the local files (each applied exactly
    once: one review note each, the n row moved once); empty when all is well."""
    problems = []
    candidates, staging = base.rows("candidates"), base.rows("staging")
    below, published = base.rows("below"), base.rows("published")
    expected = [
        ("candidates grok_3", candidates.get("grok_3", {}).get("notes", ""), ABOVE),
        ("staging grok_3", staging.get("grok_3", {}).get("notes", ""), ABOVE),
        ("below phi_4", below.get("phi_4", {}).get("notes", ""), BELOW),
        ("staging o3", staging.get("o3", {}).get("notes", ""), FLOP_NOTE),
        (
            "published GPT-4o",
            published.get("GPT-4o", {}).get("Accessibility notes", ""),
            PUBLISHED_NOTE,
        ),
    ]
    for where, text, note in expected:
        if text.count(note) != 1:
            problems.append(f"{where}: {text.count(note)} copies of {note!r}")
    if "phi_4" in candidates:
        problems.append("phi_4 is still a candidate")
    if staging.get("o3", {}).get("training_flop") != "2e+26":
        problems.append("staging o3 training_flop not edited")
    return problems
