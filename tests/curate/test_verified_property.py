"""Properties of plan + apply + write on random tables: verified rows never change, drop or
move; a second refresh with the same estimates writes nothing."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from curate_support import make_estimate, make_row, make_tables
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.curate.apply import apply_plan
from pipeline.curate.refresh import plan_refresh
from pipeline.schema import COLUMNS, KEY, Classification, is_verified
from pipeline.storage.csvtable import CsvTable, Record, read_raw

KEYS = ["gpt_x", "llama_y", "claude_z", "gemini_w", "qwen_v"]
TABLES = ("candidates", "below")
STAMP = "2030-01-01T00:00:00Z"
Spec = dict[str, tuple[Any, Any, Any]]

text = st.text(st.sampled_from('ab ,"\n;é'), max_size=8)
rows = st.fixed_dictionaries(
    {
        "verified": st.sampled_from(["", "", "y", "Y", "yes", "n"]),
        "training_flop": st.sampled_from(["1e+26", "7.329999999999999e+25", "3e24", "abc", ""]),
        "confidence": st.sampled_from(["high", "Likely", "low", "banana", ""]),
        "threshold_classification": st.sampled_from([*Classification, "uncertain", ""]),
        "status": st.sampled_from(["", "uncertain", "likely_above_1e25"]),
        "developer": st.sampled_from(["", "Acme"]),
        "notes": text,
        "reasoning": text,
    }
)
estimates = st.fixed_dictionaries(
    {
        "training_flop": st.sampled_from([1e24, 2e25, 1e26, 3.3e26]),
        "threshold_classification": st.sampled_from(list(Classification)),
        "confidence": st.sampled_from(["high", "low"]),
        "developer": st.sampled_from(["", "Acme", "Other"]),
        "reasoning": text,
    }
)
# Per key: its row in candidates, its row in below, its estimate (each may be absent).
layouts = st.dictionaries(
    st.sampled_from(KEYS),
    st.tuples(st.none() | rows, st.none() | rows, st.none() | estimates),
    max_size=len(KEYS),
)


def build(folder: Path, spec: Spec, newline: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    cand = [make_row(key, **c) for key, (c, _, _) in spec.items() if c is not None]
    below = [make_row(key, **b) for key, (_, b, _) in spec.items() if b is not None]
    est = [make_estimate(key, **e) for key, (_, _, e) in spec.items() if e is not None]
    return make_tables(folder, cand, below, newline), est


def records(tables: dict[str, CsvTable]) -> dict[tuple[str, str], Record]:
    """Every record on disk by (table, key), with its raw text."""
    return {
        (name, record.cells[KEY]): record
        for name in TABLES
        for record in read_raw(tables[name].path).records
    }


def refresh(tables: dict[str, CsvTable], est: list[dict[str, Any]], reset: bool) -> list[str]:
    plan = plan_refresh(est, tables, reset=reset)
    return apply_plan(plan, tables, STAMP)


@settings(max_examples=50, deadline=None)
@given(spec=layouts, reset=st.booleans(), newline=st.sampled_from(["\n", "\r\n"]))
def test_verified_rows_survive_a_refresh_byte_for_byte(
    spec: Spec, reset: bool, newline: str
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        tables, est = build(Path(folder), spec, newline)
        verified = {at: r for at, r in records(tables).items() if is_verified(r.cells)}
        refresh(tables, est, reset)
        after = records(tables)
        for (name, key), record in verified.items():
            assert (name, key) in after, f"verified {key} left {name}"
            assert after[(name, key)].cells == record.cells
            assert after[(name, key)].raw == record.raw
            other = "below" if name == "candidates" else "candidates"
            if (other, key) not in verified:
                assert (other, key) not in after, f"unverified copy of {key} kept in {other}"


@settings(max_examples=50, deadline=None)
@given(spec=layouts, reset=st.booleans())
def test_second_refresh_with_the_same_estimates_writes_nothing(spec: Spec, reset: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        tables, est = build(Path(folder), spec, "\n")
        refresh(tables, est, reset)
        files = {name: tables[name].path.read_bytes() for name in TABLES}
        again = {name: CsvTable.read(tables[name].path, KEY, COLUMNS) for name in TABLES}
        assert refresh(again, est, reset) == []
        assert {name: tables[name].path.read_bytes() for name in TABLES} == files
