"""``make bench`` (after bench/run.py): API calls of a sync, on the stateful fakes.

For each backend (Airtable, Google Sheets) and each size of the Candidates table (1,000 and
10,000 rows; Staging and Published stay as small as the test rigs make them), four syncs in
a row on one base / spreadsheet:

1. first push: an empty base, a new spreadsheet;
2. idle sync: nothing changed anywhere;
3. reviewer edits: 1% of the candidate rows (one in every 100, so one on each page of 100)
   get a new ``parameter_source`` typed in the sheet, then a sync (which applies them
   locally and writes verified / notes / sync_status back to those rows);
4. pipeline changes: 1% of the candidate rows (an unverified one in each 100) get a new
   estimate in the local CSV (``training_flop``, ``reasoning``, ``last_updated``, as a
   re-run of estimate-flops writes them), then a sync.

Each sync's requests are counted by kind as the fake saw them (rejected and retried ones
included), next to the physical minimum of ARCHITECTURE §10:

* Airtable, a table of N rows with k changed records: reads = ceil(N/100), at least one
  (an empty table still takes one request to find out), + ceil(k/50) to read the k records
  again just before writing them (a reviewer's late edit is never overwritten), writes =
  ceil(k/10). The first
  push: one base-schema read and one create-table request per table, no record read,
  ceil(rows/10) writes a table.
* Google Sheets, all three sheets: one metadata read on the first run only, one
  ``values:batchGet`` (none when no sheet exists yet; one more just before a write that
  updates cells, the re-read that keeps a late edit), ceil(body / 10 MiB)
  ``values:batchUpdate`` requests (Google refuses a larger body; ``body`` is the bytes of
  every values request sent), one structural ``spreadsheets:batchUpdate`` only when a sheet
  must be created or grown.

The simulated wall time is the fakes' clock (the backends pace and back off on it: no real
sleeping); for Airtable the minimum is what the minimal number of requests takes at 5
requests/s. Results are printed and merged under "api" into bench/results.json.

``BENCH_API_SIZES`` (default ``1000,10000``) picks the sizes; Google Sheets also runs
``BENCH_API_SHEETS_SIZES`` (default ``20000``: a first push over 10 MiB). The whole run
takes about a minute and a half, a third of it the 10,000-row Airtable first push:
FakeAirtable's upsert looks for each record's key among all records, so the fake (not the
backend) is quadratic there.
"""

from __future__ import annotations

import json
import math
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TESTS = ROOT / "tests"
for folder in (ROOT, TESTS, TESTS / "airtable", TESTS / "gsheets"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import airtable_support as at  # noqa: E402
import gsheets_support as gs  # noqa: E402
import pytest  # noqa: E402
from fakes.airtable_fake import FakeAirtable  # noqa: E402
from fakes.sheets_fake import MAX_BODY_BYTES, col_letter  # noqa: E402

from bridge.backends.airtable import IDS_PER_READ  # noqa: E402
from bridge.mirror import MirrorReport  # noqa: E402
from pipeline.storage.csvtable import CsvTable  # noqa: E402
from pipeline.values import format_number, parse_flop, round_sig  # noqa: E402

SIZES = [int(n) for n in os.environ.get("BENCH_API_SIZES", "1000,10000").split(",")]
SHEETS_SIZES = [
    int(n) for n in os.environ.get("BENCH_API_SHEETS_SIZES", "20000").split(",") if n.strip()
]
RESULTS = HERE / "results.json"
TABLES = ("candidates", "staging", "published")
WORKLOADS = ("first push", "idle sync", "reviewer edits 1%", "pipeline changes 1%")
AIRTABLE_KINDS = ("read", "write", "schema", "other")
SHEETS_KINDS = ("metadata", "read", "write", "structure", "other")
AIRTABLE_RATE = 5  # requests a second
REVIEWER_OFFSET, PIPELINE_OFFSET = 5, 55  # which row of each 100 is edited


# -- workloads shared by both backends -----------------------------------------------------


def one_in_a_hundred(items: list[Any], offset: int) -> list[Any]:
    """1% of ``items``: one in every 100 (so one on each page of 100 records)."""
    return items[offset::100]


def pipeline_changes(path: Path) -> int:
    """A re-estimate of 1% of the candidates (one unverified row in each 100), written to
    the local CSV the way estimate-flops does (the project's CsvTable, which rewrites only
    the rows changed); how many rows changed."""
    table = CsvTable.read(path, "model")
    keys, changed = list(table.rows), []
    for start in range(0, len(keys), 100):  # in each block of 100 rows, one unverified row
        block = keys[start + PIPELINE_OFFSET : start + 100]
        found = next((k for k in block if not table.cell(k, "verified").strip()), None)
        if found is not None:
            changed.append(found)
    for key in changed:
        flop = parse_flop(table.cell(key, "training_flop")) or 1e25
        table.set_cell(key, "training_flop", format_number(round_sig(flop * 1.2)))
        reasoning = table.cell(key, "reasoning")
        table.set_cell(key, "reasoning", f"{reasoning} Re-estimated from a new benchmark score.")
        table.set_cell(key, "last_updated", at.STAMP)
    table.save()
    return len(changed)


def written(report: MirrorReport) -> dict[str, int]:
    """Records / rows the mirror decided to write, by table."""
    return {
        table: len(change.updates) + len(change.appends) + len(change.removals)
        for table, change in report.changes.items()
        if change
    }


def measurement(
    backend: str,
    workload: str,
    n: int,
    rows: dict[str, int],
    changed: int,
    calls: dict[str, int],
    minimum: dict[str, int],
    **extra: Any,
) -> dict[str, Any]:
    over = {kind: calls.get(kind, 0) - minimum.get(kind, 0) for kind in {*calls, *minimum}}
    return {
        "backend": backend,
        "workload": workload,
        "n": n,
        "rows": rows,
        "changed_rows": changed,
        "calls": calls,
        "minimum": minimum,
        "over": {kind: d for kind, d in sorted(over.items()) if d},
        "at_minimum": not any(over.values()),
        **extra,
    }


@contextmanager
def timed() -> Iterator[list[float]]:
    """Real seconds the block took, in the yielded list once it ends."""
    box: list[float] = []
    start = time.perf_counter()
    try:
        yield box
    finally:
        box.append(time.perf_counter() - start)


# -- Airtable ------------------------------------------------------------------------------


def watch_429(fake: FakeAirtable) -> list[int]:
    """Count the fake's 429 replies: its request callback, wrapped (the rig installs
    ``fake._callback`` for every sync). The list holds one entry per 429."""
    seen: list[int] = []
    serve: Callable[[Any], Any] = fake._callback

    def callback(request: Any) -> Any:
        reply = serve(request)
        if reply[0] == 429:
            seen.append(1)
        return reply

    fake._callback = callback  # type: ignore[method-assign]
    return seen


def airtable_sizes(base: at.Base) -> dict[str, int]:
    names = base.fake.table_names()
    return {t: len(base.fake.records(at.TITLES[t])) if at.TITLES[t] in names else 0 for t in TABLES}


RECHECK_BATCH = IDS_PER_READ  # records read again by id in one request before writing them


def airtable_minimum(
    missing: set[str], before: dict[str, int], after: dict[str, int], changed: dict[str, int]
) -> dict[str, int]:
    """ARCHITECTURE §10's floor for one sync; the ``missing`` tables are created by it."""
    if missing:  # first push: a schema read, a request per new table; new tables are empty
        return {
            "read": sum(at.pages(before[t]) for t in TABLES if t not in missing),
            "write": sum(at.batches(after[t]) for t in TABLES),
            "schema": 1 + len(missing),
        }
    return {
        "read": sum(at.pages(before[t]) for t in TABLES)
        + sum(math.ceil(changed.get(t, 0) / RECHECK_BATCH) for t in TABLES),
        "write": sum(at.batches(changed.get(t, 0)) for t in TABLES),
        "schema": 0,
    }


def run_airtable(n: int, root: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    base = at.new_base(root, monkeypatch)
    base.grow_candidates(n)
    rejected = watch_429(base.fake)

    def sync(workload: str, k: int, changed: dict[str, int]) -> dict[str, Any]:
        before = airtable_sizes(base)
        names = base.fake.table_names()
        missing = {t for t in TABLES if at.TITLES[t] not in names}
        rejected.clear()
        with timed() as real:
            report = base.sync()
        after = airtable_sizes(base)
        minimum = airtable_minimum(missing, before, after, changed)
        calls = {kind: base.fake.count(kind) for kind in AIRTABLE_KINDS}
        if not calls["other"]:
            del calls["other"]
        floor = sum(minimum.values())
        return measurement(
            "airtable",
            workload,
            n,
            after,
            k,
            calls,
            minimum,
            backend_calls=dict(base.backend_calls),
            written=written(report),
            rate_limited=len(rejected),
            simulated_seconds=round(base.elapsed, 2),
            minimum_seconds=round(at.paced_seconds(floor, AIRTABLE_RATE), 2) if floor else 0.0,
            real_seconds=round(real[0], 2),
        )

    yield sync(WORKLOADS[0], 0, {})
    yield sync(WORKLOADS[1], 0, {})

    # a reviewer types into 1% of the records (the fake's UI helper, as Base.edit does;
    # the record ids are looked up once rather than per edit)
    records = base.fake.records(at.TITLES["candidates"])  # listing order: pages of 100
    edited = one_in_a_hundred(records, REVIEWER_OFFSET)
    for record in edited:
        base.fake.set_field(at.TITLES["candidates"], record["id"], "parameter_source", "reviewer")
    yield sync(WORKLOADS[2], len(edited), {"candidates": len(edited)})

    k = pipeline_changes(base.file("candidates"))
    yield sync(WORKLOADS[3], k, {"candidates": k})


# -- Google Sheets -------------------------------------------------------------------------


class TempFolders:
    """What the Sheets rig needs of pytest's ``tmp_path_factory``: ``mktemp``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def mktemp(self, basename: str, numbered: bool = True) -> Path:
        return Path(tempfile.mkdtemp(prefix=f"{basename}_", dir=self.root))


def sheets_sizes(rig: gs.Rig) -> dict[str, int]:
    titles = rig.fake.titles()
    return {
        t: max(0, len(rig.fake.values(gs.TITLES[t])) - 1) if gs.TITLES[t] in titles else 0
        for t in TABLES
    }


def run_gsheets(n: int, root: Path) -> Iterator[dict[str, Any]]:
    project = root / "project"
    project.mkdir(parents=True)
    rig = gs.Rig.after_pipeline(project, TempFolders(root))  # type: ignore[arg-type]
    gs.add_candidates(rig, n - len(rig.rows("candidates")))

    def sync(workload: str, k: int) -> dict[str, Any]:
        titles = rig.fake.titles()
        missing = [t for t in TABLES if gs.TITLES[t] not in titles]
        grids = {t: rig.fake.sheet(gs.TITLES[t]).row_count for t in TABLES if t not in missing}
        first_run = "sheets" not in (
            json.loads(rig.state.read_text()).get("cache", {}).get("gsheets", {})
            if rig.state.exists()
            else {}
        )
        backend = rig.backend()
        start = rig.clock.now()
        with timed() as real:
            report = rig.sync(backend=backend)
        simulated = rig.clock.now() - start - 60  # the rig lets a minute pass first
        after = sheets_sizes(rig)
        grow = any(after[t] + 1 > rows for t, rows in grids.items())
        body = sum(call.size for call in rig.fake.calls if call.kind == "write")
        minimum = {
            "metadata": 1 if first_run else 0,
            "read": (0 if len(missing) == len(TABLES) else 1) + (1 if k and not missing else 0),
            "write": max(1, math.ceil(body / MAX_BODY_BYTES)) if missing or k else 0,
            "structure": 1 if missing or grow else 0,
        }
        calls = {kind: rig.fake.count(kind) for kind in SHEETS_KINDS}
        if not calls["other"]:
            del calls["other"]
        return measurement(
            "gsheets",
            workload,
            n,
            after,
            k,
            calls,
            minimum,
            backend_calls=dict(backend.calls),
            written=written(report),
            rate_limited=sum(1 for call in rig.fake.calls if call.status == 429),
            simulated_seconds=round(simulated, 2),
            minimum_seconds=None,
            real_seconds=round(real[0], 2),
        )

    yield sync(WORKLOADS[0], 0)
    yield sync(WORKLOADS[1], 0)

    # a reviewer types into 1% of the rows (the fake's UI helper, as Rig.type does; the
    # row numbers are looked up once rather than per cell)
    title = gs.TITLES["candidates"]
    column = col_letter(rig.header(title).index("parameter_source"))
    rows = [(row["model"], row["_row"]) for row in rig.sheet(title)]
    edited = one_in_a_hundred(rows, REVIEWER_OFFSET)
    for _, number in edited:
        rig.fake.set_cell(title, f"{column}{number}", "reviewer")
    yield sync(WORKLOADS[2], len(edited))

    yield sync(WORKLOADS[3], pipeline_changes(rig.file("candidates")))


# -- report --------------------------------------------------------------------------------

COLUMNS = (
    ("backend", 8),
    ("workload", 19),
    ("N", 6),
    ("rows c/s/p", 12),
    ("k", 4),
    ("read", 9),
    ("write", 9),
    ("schema|meta", 11),
    ("structure", 9),
    ("vs minimum", 18),
    ("429", 3),
    ("sim s", 7),
    ("min s", 7),
    ("real s", 6),
)
RIGHT = {"N", "k", "read", "write", "schema|meta", "structure", "429", "sim s", "min s", "real s"}


def cells(result: dict[str, Any]) -> list[str]:
    calls, minimum = result["calls"], result["minimum"]

    def pair(kind: str) -> str:
        return f"{calls.get(kind, 0)}/{minimum.get(kind, 0)}" if kind in minimum else "-"

    over = result["over"]
    if not over:
        verdict = "= min"
    else:
        extra = sum(over.values())
        kinds = ",".join(over)
        verdict = (
            f"{'+' if extra >= 0 else ''}{extra} {'over' if extra >= 0 else 'under'} ({kinds})"
        )
    rows = result["rows"]
    meta = "schema" if result["backend"] == "airtable" else "metadata"
    minimum_seconds = result["minimum_seconds"]
    return [
        result["backend"],
        result["workload"],
        f"{result['n']:,}",
        "/".join(str(rows[t]) for t in TABLES),
        str(result["changed_rows"]),
        pair("read"),
        pair("write"),
        pair(meta),
        pair("structure"),
        verdict,
        str(result["rate_limited"]),
        f"{result['simulated_seconds']:.2f}",
        "-" if minimum_seconds is None else f"{minimum_seconds:.2f}",
        f"{result['real_seconds']:.2f}",
    ]


def line(values: list[str]) -> str:
    parts = []
    for (name, width), value in zip(COLUMNS, values, strict=True):
        parts.append(value.rjust(width) if name in RIGHT else value.ljust(width))
    return "  ".join(parts).rstrip()


def save(results: list[dict[str, Any]]) -> None:
    """Merge under "api" into bench/results.json (bench/run.py writes the rest), atomically."""
    data: dict[str, Any] = {}
    if RESULTS.exists():
        try:
            loaded = json.loads(RESULTS.read_text(encoding="utf-8"))
        except ValueError:
            loaded = None
        if isinstance(loaded, dict):
            data = loaded
    data["api"] = results
    handle, temporary = tempfile.mkstemp(prefix=".results.", suffix=".json", dir=HERE)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=2)
            out.write("\n")
        os.replace(temporary, RESULTS)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def main() -> None:
    print("API calls per sync on the stateful fakes, actual/minimum by kind (ARCHITECTURE §10)")
    print(
        "rows c/s/p: records in Candidates/Staging/Published after the sync; k: rows changed;"
        " sim s: simulated seconds; min s: the minimum's requests at 5/s"
    )
    print(line([name for name, _ in COLUMNS]))
    print(line(["-" * width for _, width in COLUMNS]))
    results: list[dict[str, Any]] = []
    with (
        tempfile.TemporaryDirectory(prefix="bench_api_") as tmp,
        pytest.MonkeyPatch.context() as mp,
    ):
        for name in [name for name in os.environ if name.startswith("TRACKER_")]:
            mp.delenv(name)
        for n in SIZES:
            runs = (
                run_airtable(n, Path(tmp) / f"airtable_{n}", mp),
                run_gsheets(n, Path(tmp) / f"gsheets_{n}"),
            )
            for run in runs:
                for result in run:
                    results.append(result)
                    print(line(cells(result)), flush=True)
        for n in [n for n in SHEETS_SIZES if n not in SIZES]:
            for result in run_gsheets(n, Path(tmp) / f"gsheets_{n}"):
                results.append(result)
                print(line(cells(result)), flush=True)
    save(results)
    over = [r for r in results if not r["at_minimum"]]
    limited = [r for r in results if r["rate_limited"]]
    print()
    print(
        f"{len(results) - len(over)} of {len(results)} syncs at the minimum; {len(limited)} saw 429"
    )
    print(f"Written to {RESULTS.relative_to(ROOT)} (key 'api')")


if __name__ == "__main__":
    main()
