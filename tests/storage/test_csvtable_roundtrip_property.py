"""Property: any table CsvTable writes reads back cell for cell, and saving again writes nothing."""

from __future__ import annotations

import csv
import io
import string
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.storage.csvtable import CsvTable, _serialise_all

SAFE = string.ascii_letters + string.digits + "_-."
names = st.text(alphabet=SAFE, min_size=1, max_size=12)
tricky = st.sampled_from(
    [",", '"', "\n", "\r", "\r\n", "=", "+", "-", "@", " ", "é", "日本", "🙂", "\t"]
)
cell_text = st.lists(st.one_of(tricky, st.text(max_size=5)), max_size=6).map("".join)
Table = tuple[str, list[str], list[dict[str, str]]]


@st.composite
def tables(draw: st.DrawFn) -> Table:
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    columns = ["key", *draw(st.lists(names.filter(lambda n: n != "key"), max_size=4, unique=True))]
    keys = draw(st.lists(names, max_size=8, unique=True))
    rows = [{"key": key} | {c: draw(cell_text) for c in columns[1:]} for key in keys]
    return newline, columns, rows


@settings(max_examples=200, deadline=None)
@given(tables())
def test_written_table_round_trips_and_second_save_is_noop(table: Table) -> None:
    newline, columns, rows = table
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.csv"
        path.write_bytes((",".join(columns) + newline).encode())
        written = CsvTable.read(path, "key")
        for row in rows:
            written.add_row(row)
        written.save()
        before = path.read_bytes()

        again = CsvTable.read(path, "key")
        assert again.columns == columns
        assert again.keys() == [row["key"] for row in rows]
        assert [again.get(row["key"]) for row in rows] == rows
        assert again.render() == before.decode()
        assert again.save() is False
        assert written.save() is False
        assert path.read_bytes() == before


any_cell = st.one_of(cell_text, st.text(max_size=8), st.sampled_from(["", "\0", "a\0,b"]))


def written_by_csv_module(values: list[str], newline: str) -> str:
    """One record as csv.writer writes it with CRLF (so a lone CR is quoted), then
    ``newline``."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(values)
    return buffer.getvalue()[:-2] + newline


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.lists(any_cell, min_size=1, max_size=5), max_size=6),
    st.sampled_from(["\n", "\r\n"]),
)
def test_records_are_written_as_the_csv_module_writes_them(
    records: list[list[str]], newline: str
) -> None:
    expected = [written_by_csv_module(values, newline) for values in records]
    assert _serialise_all(records, newline) == expected
