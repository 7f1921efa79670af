"""The hostile-input corpus as data: a case plants bad input into a fresh project copy, runs
one command and says what must come out (ARCHITECTURE §9: one clear line naming file/row/field or
table/record/field, a non-zero exit for failures, no traceback, every file as it was).

A case is a :class:`Case` (a command; the one line it must print) or a :class:`SheetCase`
(a reviewer's edit in the local workbook; the ``sync_status`` it must get). Cases that
reveal a product bug carry ``bug="..."`` and run as strict xfails asserting the behaviour
the contract requires.

Messages are templates: ``{data}``, ``{configs}`` and ``{root}`` stand for the project's
folders, and a set-up may add facts of its own (``{line}``). :class:`Like` is a regular
expression template (the folders are escaped), matched against a whole line.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
for _folder in ("bridge", "airtable", "gsheets"):  # reuse bridge_support & co.
    if str(HERE.parent / _folder) not in sys.path:
        sys.path.append(str(HERE.parent / _folder))

import httpx  # noqa: E402
import pytest  # noqa: E402
from bridge_support import editing, put, row_number, sheet_rows  # noqa: E402
from click.testing import Result  # noqa: E402
from harness import invoke  # noqa: E402
from project_paths import ProjectPaths  # noqa: E402

import pipeline.collect.fetch as collect_fetch  # noqa: E402
from pipeline.collect.fetch import fetch_page, make_client  # noqa: E402

ROOT = HERE.parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
STAMP = "2031-05-06T07:08:09Z"
STAGED = ("gpt_4o", "claude_3.5_sonnet", "o3")
CREDENTIALS = (
    "AIRTABLE_TOKEN", "AIRTABLE_TOKEN_FILE", "AIRTABLE_BASE_ID", "AIRTABLE_ENDPOINT_URL",
    "GSHEETS_SPREADSHEET_ID", "GSHEETS_ENDPOINT_URL", "GOOGLE_APPLICATION_CREDENTIALS",
)  # fmt: skip

# Files, relative to the project folder.
CANDIDATES = "data/clean/above_1e25_flop.csv"
BELOW = "data/clean/below_1e25_flop.csv"
STAGING = "data/staging/above_1e25_flop_staging.csv"
PUBLISHED = "data/published/published_data.csv"
JAN_RAW = "data/raw/lmarena/lmarena_text_2025-01-23.csv"
MAY_RAW = "data/raw/lmarena/lmarena_text_2025-05-18.csv"
JAN = "lmarena_text_2025_01_23"
MAY = "lmarena_text_2025_05_18"
JAN_JSON = f"data/scraped/{JAN}_models.json"
ESTIMATED = "data/estimated/estimated_models.json"
BRIDGE_STATE = "data/state/bridge_local.json"
APPLY_JOURNAL = "data/state/apply_journal.json"
HISTORY = "data/state/history.jsonl"
HEARTBEAT = "data/state/worker.json"
WORKBOOK = "data/sheets/tracker.xlsx"
TRACKER_YAML = "configs/tracker.yaml"
ALIASES = "configs/aliases.yaml"
JAN_SOURCE = f"configs/scrapers/{JAN}.yaml"
MAPPING = "configs/model_name_mapping.yaml"
SCHEMA_MAP = "configs/schema_map.yaml"
KNOWN = "configs/known_models.yaml"
DECISIONS = "decisions.csv"  # a decisions file, outside data/

# The live page of the shipped openlm_arena source, and its saved copy (html_file).
PAGE_URL = "https://openlm.ai/chatbot-arena/"
PAGE = (FIXTURES / "html" / "openlm_arena.html").read_text(encoding="utf-8")
SAVED_PAGE = "data/raw/pages/openlm_arena.html"


# -- the project folder ------------------------------------------------------------------------


@dataclass
class Home(ProjectPaths):
    """A project folder (``configs/``, ``data/``) and the facts its set-up recorded."""

    root: Path
    facts: dict[str, str] = field(default_factory=dict)

    def path(self, relative: str) -> Path:
        return self.root / relative

    def fields(self) -> dict[str, str]:
        folders = {"data": str(self.data), "configs": str(self.configs), "root": str(self.root)}
        return {**folders, **self.facts}

    def cli(self, *args: str) -> Result:
        """``tracker --data-dir .. --config-dir .. ARGS``; exceptions are caught, so a
        traceback fails the assertions instead of the test run."""
        return invoke(self.data, self.configs, *args, catch=True)

    def rows(self, relative: str, key: str = "model") -> dict[str, dict[str, str]]:
        with self.path(relative).open(encoding="utf-8-sig", newline="") as handle:
            return {row[key]: row for row in csv.DictReader(handle)}

    def status(self, title: str, key: str) -> str:
        """A row's ``sync_status`` in the workbook ("" when empty)."""
        column = "Model" if title == "Published" else "model"
        found = [r for r in sheet_rows(self.workbook, title) if r[column] == key]
        assert len(found) == 1, f"{key!r} on {len(found)} rows of {title}"
        return found[0]["sync_status"] or ""


# -- expectations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Like:
    """A line matching this regular expression (``{data}`` etc. are escaped paths)."""

    pattern: str


Line = str | Like
Setup = Callable[[Home], dict[str, str] | None]


def _expand(home: Home, line: Line) -> str | re.Pattern[str]:
    values = home.fields()
    if isinstance(line, Like):
        return re.compile(line.pattern.format(**{k: re.escape(v) for k, v in values.items()}))
    return line.format(**values)


def _matches(expected: str | re.Pattern[str], line: str) -> bool:
    if isinstance(expected, str):
        return line == expected
    return expected.fullmatch(line) is not None


def no_traceback(result: Result) -> None:
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    assert not crashed, f"{type(result.exception).__name__}: {result.exception}"
    assert "Traceback" not in result.output, result.output


def one_line(home: Home, result: Result, line: Line) -> None:
    """An ``Error:`` line must be the only one; any other line must be printed."""
    expected, lines = _expand(home, line), result.output.splitlines()
    errors = [text for text in lines if text.startswith("Error:")]
    if (line.pattern if isinstance(line, Like) else line).startswith("Error:"):
        assert len(errors) == 1, result.output
        assert _matches(expected, errors[0]), f"{errors[0]!r} is not {expected!r}"
    else:
        assert any(_matches(expected, text) for text in lines), (expected, result.output)


# Each source's last outcome, for `tracker sources`: bookkeeping, like the heartbeat.
SOURCE_OUTCOMES = "data/state/sources.json"


def changed(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    keys = (before.keys() | after.keys()) - {SOURCE_OUTCOMES}
    return {k for k in keys if before.get(k) != after.get(k)}


@dataclass(frozen=True)
class Case:
    """One bad input for one command.

    ``writes`` are the files (relative to the project) the command changes; on a failing
    run this is empty (``tracker run`` records its failure in the heartbeat). ``also`` are
    more lines that must be printed (the per-row lines before a summary ``Error:``);
    ``check`` asserts more (what an accepted input became)."""

    id: str
    setup: Setup
    args: tuple[str, ...]
    exit: int
    line: Line
    writes: frozenset[str] = frozenset()
    also: tuple[Line, ...] = ()
    check: Callable[[Home, Result], None] | None = None
    bug: str | None = None


def cases(items: Iterable[Case | SheetCase]) -> list[Any]:
    """pytest parameters, by id; a case with a bug is a strict xfail."""
    params = []
    for item in items:
        marks = [pytest.mark.xfail(strict=True, reason=f"BUG: {item.bug}")] if item.bug else []
        params.append(pytest.param(item, id=item.id, marks=marks))
    ids = [p.id for p in params]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    return params


def verify(home: Home, case: Case) -> Result:
    home.facts.update(case.setup(home) or {})
    before = home.snapshot()
    result = home.cli(*(arg.format(**home.fields()) for arg in case.args))
    no_traceback(result)
    assert result.exit_code == case.exit, result.output
    one_line(home, result, case.line)
    for line in case.also:
        one_line(home, result, line)
    assert changed(before, home.snapshot()) == set(case.writes), result.output
    if case.check is not None:
        case.check(home, result)
    return result


# -- sheet cases (the local workbook) ----------------------------------------------------------


@dataclass(frozen=True)
class SheetCase:
    """A reviewer's edit in the workbook, then ``tracker bridge sync``: exit 0, and each
    (sheet, key) in ``statuses`` gets exactly that ``sync_status``. ``writes`` as for
    :class:`Case`; None (bug cases only) when the contract does not fix them."""

    id: str
    edit: Callable[[Home], None]
    statuses: dict[tuple[str, str], str]
    writes: frozenset[str] | None
    check: Callable[[Home, Result], None] | None = None
    bug: str | None = None
    line: Line | None = None


def verify_sheet(home: Home, case: SheetCase) -> Result:
    case.edit(home)
    before = home.snapshot()
    result = home.cli("bridge", "sync")
    no_traceback(result)
    assert result.exit_code == 0, result.output
    if case.line is not None:
        one_line(home, result, case.line)
    for (title, key), status in case.statuses.items():
        assert home.status(title, key) == status
    if case.check is not None:
        case.check(home, result)
    if case.writes is not None:
        assert changed(before, home.snapshot()) == set(case.writes), result.output
    else:
        assert case.bug, "only a bug case may leave its writes open"
    return result


def type_in(title: str, key: str, cells: dict[str, Any], *, as_text: bool = False) -> Any:
    """A reviewer typing ``cells`` into the row of ``key`` (``as_text``: a text cell even
    when it starts with ``=``, as a leading apostrophe makes it)."""

    def edit(home: Home) -> None:
        with editing(home.workbook) as book:
            sheet = book[title]
            put(sheet, key, cells)
            if as_text:
                number, names = row_number(sheet, key), [c.value for c in sheet[1]]
                for column in cells:
                    sheet.cell(number, names.index(column) + 1).data_type = "s"

    return edit


def idle_sync(home: Home) -> None:
    """A second sync finds nothing to do: no file changes."""
    before = home.snapshot()
    result = home.cli("bridge", "sync")
    assert result.exit_code == 0, result.output
    assert changed(before, home.snapshot()) == set(), result.output


# -- planting bad input ------------------------------------------------------------------------


def write(home: Home, relative: str, data: bytes | str) -> None:
    """Replace a file (the shipped raw files are read-only: unlink first)."""
    path = home.path(relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def text_of(home: Home, relative: str) -> str:
    return home.path(relative).read_bytes().decode("utf-8")


def rewrite(relative: str, change: Callable[[str], str]) -> Setup:
    def setup(home: Home) -> None:
        write(home, relative, change(text_of(home, relative)))

    return setup


def replace(relative: str, old: str, new: str) -> Setup:
    """``old`` (which must occur) replaced once by ``new``."""

    def change(text: str) -> str:
        assert old in text, f"{old!r} not in {relative}"
        return text.replace(old, new, 1)

    return rewrite(relative, change)


def planted(relative: str, data: bytes | str) -> Setup:
    return lambda home: write(home, relative, data)


def encoded(relative: str, encoding: str) -> Setup:
    return lambda home: write(home, relative, text_of(home, relative).encode(encoding))


def with_bom(relative: str) -> Setup:
    return lambda home: write(home, relative, b"\xef\xbb\xbf" + home.path(relative).read_bytes())


def with_crlf(relative: str) -> Setup:
    return rewrite(relative, lambda text: text.replace("\n", "\r\n"))


def all_of(*steps: Setup) -> Setup:
    def setup(home: Home) -> dict[str, str]:
        facts: dict[str, str] = {}
        for step in steps:
            facts.update(step(home) or {})
        return facts

    return setup


def csv_rows(home: Home, relative: str) -> list[list[str]]:
    with home.path(relative).open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def csv_text(rows: list[list[str]], newline: str = "\n") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=newline).writerows(rows)
    return buffer.getvalue()


def rows_edit(relative: str, change: Callable[[list[list[str]]], list[list[str]] | None]) -> Setup:
    """Edit a CSV file as rows (the header is rows[0]); written as the project writes it."""

    def setup(home: Home) -> None:
        rows = csv_rows(home, relative)
        write(home, relative, csv_text(change(rows) or rows))

    return setup


def cell(relative: str, key: str, column: str, value: str) -> Setup:
    """One cell of the row whose first cell is ``key``."""

    def change(rows: list[list[str]]) -> None:
        index = rows[0].index(column)
        (row,) = [r for r in rows[1:] if r[0] == key]
        row[index] = value

    return rows_edit(relative, change)


def header(relative: str, old: str, new: str) -> Setup:
    def change(rows: list[list[str]]) -> None:
        rows[0][rows[0].index(old)] = new

    return rows_edit(relative, change)


def drop_row(relative: str, key: str) -> Setup:
    return rows_edit(relative, lambda rows: [r for r in rows if r[0] != key])


def cut_after(relative: str, marker: str) -> Setup:
    """Truncate a file just after the first ``marker`` (on one line); facts: its line and
    the column of its last double quote (1-based), where a JSON parser sees an
    unterminated string start."""

    def setup(home: Home) -> dict[str, str]:
        text = text_of(home, relative)
        end = text.index(marker) + len(marker)
        write(home, relative, text[:end])
        line_start = text.rfind("\n", 0, end) + 1
        quote = text.rfind('"', 0, end)
        return {"line": str(text.count("\n", 0, end) + 1), "quote": str(quote - line_start + 1)}

    return setup


def json_edit(relative: str, change: Callable[[Any], Any]) -> Setup:
    """Edit a JSON document; ``change`` edits it in place or returns a replacement."""

    def setup(home: Home) -> None:
        document = json.loads(text_of(home, relative))
        result = change(document)
        write(home, relative, json.dumps(document if result is None else result))

    return setup


def model(document: dict[str, Any], key: str) -> dict[str, Any]:
    (found,) = [m for m in document["models"] if m.get("key") == key]
    return found


def decisions(text: str | bytes) -> Setup:
    return planted(DECISIONS, text)


# -- HTML sources and the fake web ----------------------------------------------------------


def add_html_sources(root: Path) -> None:
    """Keep the shipped html_table source (openlm_arena) and add ``openlm_saved``, the same
    page saved under data/raw/pages (html_file)."""
    page = root / SAVED_PAGE
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(PAGE, encoding="utf-8")
    shipped = (root / "configs" / "scrapers" / "openlm_arena.yaml").read_text(encoding="utf-8")
    body = re.sub(r"(?m)^(type|url): .*\n", "", shipped)
    saved = f"type: html_file\npath: {SAVED_PAGE.removeprefix('data/')}\n{body}"
    (root / "configs" / "scrapers" / "openlm_saved.yaml").write_text(saved, encoding="utf-8")


@dataclass
class Web:
    """The fake web behind httpx (the transport ``make_client`` is given, as in
    tests/collect): ``reply`` answers every request; waits are recorded, not slept."""

    reply: Callable[[httpx.Request], httpx.Response]
    requests: list[str] = field(default_factory=list)
    slept: list[float] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(str(request.url))
        return self.reply(request)


def page_reply(request: httpx.Request) -> httpx.Response:
    if str(request.url) == PAGE_URL:
        return httpx.Response(200, text=PAGE)
    return httpx.Response(404)


def serve_pages(
    monkeypatch: pytest.MonkeyPatch,
    reply: Callable[[httpx.Request], httpx.Response] = page_reply,
) -> Web:
    web = Web(reply)

    def client(settings: Any, transport: Any = None) -> httpx.Client:
        return make_client(settings, transport=httpx.MockTransport(web.handle))

    # the collection imports the fetch module when a live source is read
    monkeypatch.setattr(collect_fetch, "make_client", client)
    monkeypatch.setattr(
        collect_fetch, "fetch_page", functools.partial(fetch_page, sleep=web.slept.append)
    )
    return web
