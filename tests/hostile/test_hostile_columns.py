"""Files of other shapes (ARCHITECTURE §4): every reader accepts any subset and order of the
contract's columns and keeps extra ones; missing ones are added on write. Each contract
column is dropped in turn and every command that reads or writes the tables runs."""

from __future__ import annotations

import pytest
from hostile_support import (
    BELOW,
    CANDIDATES,
    PUBLISHED,
    ROOT,
    STAGING,
    Home,
    decisions,
    no_traceback,
    rows_edit,
    type_in,
)

from pipeline.curate.schema_map import SchemaMap
from pipeline.paths import ConfigPaths
from pipeline.schema import COLUMNS, is_verified

TABLES = (CANDIDATES, BELOW, STAGING)
COMMANDS = {
    "validate": ("validate",),
    "query": ("query", "--dataset", "all", "--format", "csv"),
    "refresh": ("refresh-dataset",),
    "review": ("review-candidates", "--decisions", "{root}/decisions.csv"),
    "sync_dry_run": ("sync-datasets", "--dry-run", "--direction", "both", "--allow-unmapped"),
    "sync": ("sync-datasets", "--sync", "--yes", "--direction", "both", "--allow-unmapped"),
    "diff": ("sync-datasets", "--diff", "--prefer", "staging"),
    "bridge_sync": ("bridge", "sync"),
    "run": ("run", "--backend", "local", "--skip-collect"),
}
SCHEMA = SchemaMap.load(ConfigPaths(ROOT / "configs").schema_map)
PUBLISHED_FIELDS = sorted({f.published for f in SCHEMA.fields} | {SCHEMA.audit.published})


def drop_column(relative: str, column: str):
    def change(rows: list[list[str]]) -> list[list[str]]:
        if column not in rows[0]:
            return rows
        index = rows[0].index(column)
        return [row[:index] + row[index + 1 :] for row in rows]

    return rows_edit(relative, change)


def shuffle_columns(relative: str):
    """The columns in reverse order, plus a column of the file's own."""

    def change(rows: list[list[str]]) -> list[list[str]]:
        return [
            [*reversed(row), "x" if number else "blacklist_status"]
            for number, row in enumerate(rows)
        ]

    return rows_edit(relative, change)


AUDITED = ("last_updated", "notes")  # a command a person runs (--diff) may add an audit line


def verified_rows(home: Home) -> dict[str, dict[str, str]]:
    return {
        (table, key): row
        for table in TABLES
        for key, row in home.rows(table).items()
        if is_verified(row)
    }


def run(home: Home, command: str) -> None:
    unverified = [k for k, r in home.rows(CANDIDATES).items() if not is_verified(r)]
    decisions(f"model,decision,reason\n{unverified[0]},y,reported by the developer\n")(home)
    args = [arg.format(**home.fields()) for arg in COMMANDS[command]]
    result = home.cli(*args)
    no_traceback(result)
    assert result.exit_code == 0, result.output


def shape_kept_or_completed(home: Home, before: dict[str, bytes], relative: str) -> None:
    """A file the command left alone keeps its bytes; a file it wrote has every column."""
    if home.path(relative).read_bytes() != before[relative]:
        header = next(iter(home.rows(relative).values()))
        assert set(COLUMNS) <= set(header), sorted(set(COLUMNS) - set(header))


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("column", [c for c in COLUMNS if c != "model"])
def test_a_missing_column(home: Home, column: str, command: str) -> None:
    kept = {
        k: {c: v for c, v in r.items() if c not in (column, *AUDITED)}
        for k, r in verified_rows(home).items()
    }
    for relative in TABLES:
        drop_column(relative, column)(home)
    before = home.snapshot()
    run(home, command)
    for relative in TABLES:
        shape_kept_or_completed(home, before, relative)
    after = {(t, k): r for t in TABLES for k, r in home.rows(t).items()}
    for (table, key), row in kept.items():
        assert (table, key) in after, f"verified {key} left {table}"
        assert {c: after[table, key].get(c, "") for c in row} == row


@pytest.mark.parametrize("command", ["sync_dry_run", "sync", "diff", "bridge_sync", "run"])
@pytest.mark.parametrize("column", PUBLISHED_FIELDS)
def test_a_missing_published_column(home: Home, column: str, command: str) -> None:
    drop_column(PUBLISHED, column)(home)
    type_in("Staging", "o3", {"publish": "y", "published_name": "OpenAI o3 (test)"})(home)
    run(home, command)


@pytest.mark.parametrize("command", list(COMMANDS))
def test_columns_in_any_order_with_extra_ones(home: Home, command: str) -> None:
    for relative in TABLES:
        shuffle_columns(relative)(home)
    before = {relative: set(home.rows(relative)) for relative in TABLES}
    run(home, command)
    for relative in TABLES:
        rows = home.rows(relative)
        assert {rows[key]["blacklist_status"] for key in before[relative] & set(rows)} == {"x"}


def test_decisions_without_the_verified_column_survive_a_refresh(home: Home) -> None:
    confirmed = {k: r for k, r in home.rows(CANDIDATES).items() if is_verified(r)}
    assert confirmed
    drop_column(CANDIDATES, "verified")(home)
    run(home, "refresh")
    after = home.rows(CANDIDATES)
    for key, row in confirmed.items():
        assert after[key]["threshold_classification"] == row["threshold_classification"]
        assert after[key]["status"] == "confirmed_above_1e25"
        assert after[key]["verified"] == "y"
