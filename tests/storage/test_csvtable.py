"""CsvTable: unchanged records keep their exact text; errors are one line naming file/row/field."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline.storage.csvtable import CsvTable

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REAL_TABLES = [
    ("epoch/published_data.csv", "Model"),
    ("legacy/above_1e25_flop.csv", "model"),
    ("lmarena/lmarena_text_2025-01-23.csv", "Model"),
    ("lmarena/lmarena_text_2025-05-18.csv", "Model"),
]


def copy_fixture(tmp_path: Path, name: str) -> Path:
    target = tmp_path / Path(name).name
    shutil.copyfile(FIXTURES / name, target)
    return target


def write(tmp_path: Path, data: bytes, name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def record_lines(text: str, table: CsvTable, key: str) -> tuple[int, int]:
    """The span of ``text.split("\\n")`` indices that hold the record ``key``."""
    raw = table.rows[key].raw
    assert raw is not None
    start = text.index(raw)
    first = text.count("\n", 0, start)
    return first, first + raw.count("\n")


# --- no-op and single-cell edits on the real fixtures ------------------------------------------


@pytest.mark.parametrize(("name", "key"), REAL_TABLES)
def test_render_equals_original_text(name: str, key: str) -> None:
    path = FIXTURES / name
    table = CsvTable.read(path, key)
    assert table.render() == path.read_bytes().decode("utf-8")


@pytest.mark.parametrize(("name", "key"), REAL_TABLES)
def test_records_written_afresh_are_what_the_csv_module_writes(name: str, key: str) -> None:
    table = CsvTable.read(FIXTURES / name, key)
    expected = []
    for record in table.rows.values():
        record.raw = None
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerow(record.cells.values())
        expected.append(buffer.getvalue()[:-2] + table.newline)
    assert table.render() == (table.header_raw or "") + "".join(expected) + table.trailer


@pytest.mark.parametrize(("name", "key"), REAL_TABLES)
def test_noop_save_writes_nothing(tmp_path: Path, name: str, key: str) -> None:
    path = copy_fixture(tmp_path, name)
    before = path.read_bytes()
    mtime = path.stat().st_mtime_ns
    assert CsvTable.read(path, key).save() is False
    assert path.read_bytes() == before
    assert path.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


@pytest.mark.parametrize(("name", "key"), REAL_TABLES)
def test_one_cell_edit_changes_only_that_record(tmp_path: Path, name: str, key: str) -> None:
    path = copy_fixture(tmp_path, name)
    old = path.read_text(encoding="utf-8")
    table = CsvTable.read(path, key)
    target = table.keys()[len(table) // 2]
    first, end = record_lines(old, table, target)
    assert table.set_cell(target, table.columns[-1], 'edited, "quoted"') is True
    assert table.save() is True

    old_lines, new_lines = old.split("\n"), path.read_text(encoding="utf-8").split("\n")
    tail = len(old_lines) - end
    assert new_lines[:first] == old_lines[:first]
    assert new_lines[len(new_lines) - tail :] == old_lines[end:]
    assert new_lines[first : len(new_lines) - tail] != old_lines[first:end]
    assert CsvTable.read(path, key).cell(target, table.columns[-1]) == 'edited, "quoted"'


def test_multiline_cells_survive_edit_of_another_row(tmp_path: Path) -> None:
    path = copy_fixture(tmp_path, "epoch/published_data.csv")
    before = CsvTable.read(path, "Model")
    multiline = [k for k in before.rows if any("\n" in v for v in before.get(k).values())]
    other = next(k for k in before.rows if k not in multiline[:3])
    before.set_cell(other, "Parameters", "123")
    before.save()
    after = CsvTable.read(path, "Model")
    assert len(multiline) > 3
    for key in multiline[:3]:
        assert after.get(key) == before.get(key)
        assert after.rows[key].raw == before.rows[key].raw


def test_set_cell_same_value_is_not_a_change(tmp_path: Path) -> None:
    path = write(tmp_path, b'k,v\na,"1"\n')
    table = CsvTable.read(path, "k")
    assert table.set_cell("a", "v", "1") is False
    assert table.save() is False
    with pytest.raises(KeyError):
        table.set_cell("a", "nope", "x")


# --- file formats: BOM, CRLF, missing final newline ---------------------------------------------


def test_bom_is_kept_on_noop_and_on_edit(tmp_path: Path) -> None:
    path = write(tmp_path, b"\xef\xbb\xbfk,v\na,1\nb,2\n")
    table = CsvTable.read(path, "k")
    assert table.columns == ["k", "v"]
    assert table.save() is False
    table.set_cell("a", "v", "9")
    table.save()
    assert path.read_bytes() == b"\xef\xbb\xbfk,v\na,9\nb,2\n"


def test_bom_is_kept_when_header_is_rewritten(tmp_path: Path) -> None:
    path = write(tmp_path, b"\xef\xbb\xbfk,v\na,1\n")
    table = CsvTable.read(path, "k")
    table.ensure_columns(["k", "v", "w"])
    table.save()
    assert path.read_bytes() == b"\xef\xbb\xbfk,v,w\na,1,\n"


def test_crlf_is_kept_for_unchanged_edited_and_new_rows(tmp_path: Path) -> None:
    path = write(tmp_path, b'k,v\r\na,"x\r\ny"\r\nb,2\r\n')
    table = CsvTable.read(path, "k")
    assert table.save() is False
    table.set_cell("b", "v", "3")
    table.add_row({"k": "c", "v": "4"})
    table.save()
    assert path.read_bytes() == b'k,v\r\na,"x\r\ny"\r\nb,3\r\nc,4\r\n'
    assert CsvTable.read(path, "k").cell("a", "v") == "x\r\ny"


def test_no_final_newline_noop_and_append(tmp_path: Path) -> None:
    path = write(tmp_path, b"k,v\na,1\nb,2")
    table = CsvTable.read(path, "k")
    assert table.save() is False
    table.add_row({"k": "c", "v": "3"})
    table.save()
    assert path.read_bytes() == b"k,v\na,1\nb,2\nc,3\n"


def test_no_final_newline_edit_of_another_row(tmp_path: Path) -> None:
    path = write(tmp_path, b"k,v\na,1\nb,2")
    table = CsvTable.read(path, "k")
    table.set_cell("a", "v", "9")
    table.save()
    assert path.read_bytes() == b"k,v\na,9\nb,2"


def test_header_only_without_newline_gets_rows_appended(tmp_path: Path) -> None:
    path = write(tmp_path, b"k,v")
    table = CsvTable.read(path, "k")
    table.add_row({"k": "a", "v": "1"})
    table.save()
    assert path.read_bytes() == b"k,v\na,1\n"


def test_blank_lines_survive_noop_save(tmp_path: Path) -> None:
    data = b"k,v\na,1\n\nb,2\n\n"
    path = write(tmp_path, data)
    assert CsvTable.read(path, "k").save() is False
    assert path.read_bytes() == data


def test_row_numbers_count_blank_lines_like_a_spreadsheet(tmp_path: Path) -> None:
    path = write(tmp_path, b"k,v\na,1\n\nb,2\nb,3\n")
    with pytest.raises(InputError) as info:
        CsvTable.read(path, "k")
    assert str(info.value) == f"{path}, row 5, field k: duplicate key 'b': also on row 4"


# --- add_row / remove_row / ensure_columns ------------------------------------------------------


def test_add_row_appends_with_blank_missing_cells(tmp_path: Path) -> None:
    path = write(tmp_path, b"k,v,w\na,1,2\n")
    table = CsvTable.read(path, "k")
    table.add_row({"k": "b", "w": "x,y"})
    assert table.keys() == ["a", "b"]
    assert table.get("b") == {"k": "b", "v": "", "w": "x,y"}
    assert table.save() is True
    assert path.read_bytes() == b'k,v,w\na,1,2\nb,,"x,y"\n'


@pytest.mark.parametrize("cells", [{"k": "a", "v": "2"}, {"k": "b", "zzz": "1"}])
def test_add_row_rejects_duplicate_key_and_unknown_column(
    tmp_path: Path, cells: dict[str, str]
) -> None:
    table = CsvTable.read(write(tmp_path, b"k,v\na,1\n"), "k")
    with pytest.raises(KeyError):
        table.add_row(cells)
    assert table.keys() == ["a"]


def test_add_row_widening_appends_the_columns_it_names_and_returns_the_row(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, b"k,v\na,1\n")
    table = CsvTable.read(path, "k")
    cells = table.add_row({"k": "b", "w": "x", "v": "2"}, widen=True)
    cells["v"] = "3"  # the table's own cells
    assert table.columns == ["k", "v", "w"]
    assert table.get("b") == {"k": "b", "v": "3", "w": "x"}
    assert table.save() is True
    assert path.read_bytes() == b"k,v,w\na,1,\nb,3,x\n"


def test_remove_row_drops_only_its_lines(tmp_path: Path) -> None:
    path = write(tmp_path, b'k,v\na,"1\n2"\nb,"x"\nc,3\n')
    table = CsvTable.read(path, "k")
    assert table.remove_row("a") == {"k": "a", "v": "1\n2"}
    assert "a" not in table
    table.save()
    assert path.read_bytes() == b'k,v\nb,"x"\nc,3\n'
    with pytest.raises(KeyError):
        table.remove_row("a")


def test_ensure_columns_adds_missing_in_order_and_keeps_extras(tmp_path: Path) -> None:
    path = write(tmp_path, b'k,extra,v\na,"e",1\n')
    table = CsvTable.read(path, "k")
    assert table.ensure_columns(["x", "k", "v", "y"]) == ["x", "y"]
    assert table.columns == ["x", "k", "v", "y", "extra"]
    assert table.rows["a"].raw is None
    table.save()
    assert path.read_bytes() == b"x,k,v,y,extra\n,a,1,,e\n"


def test_ensure_columns_with_nothing_missing_changes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, b'k,v\na,"1"\n')
    table = CsvTable.read(path, "k")
    assert table.ensure_columns(["v"]) == []
    assert table.columns == ["k", "v"]
    assert table.save() is False


# --- missing files ------------------------------------------------------------------------------


def test_missing_file_with_columns_is_empty_and_save_creates_it(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "new.csv"
    table = CsvTable.read(path, "k", columns=["k", "v"])
    assert len(table) == 0
    assert table.columns == ["k", "v"]
    table.add_row({"k": "a", "v": "1"})
    assert table.save() is True
    assert path.read_bytes() == b"k,v\na,1\n"
    assert table.save() is False


def test_missing_file_with_columns_saves_header_only(tmp_path: Path) -> None:
    path = tmp_path / "new.csv"
    assert CsvTable.read(path, "k", columns=["k", "v"]).save() is True
    assert path.read_bytes() == b"k,v\n"


# --- errors -------------------------------------------------------------------------------------

BAD_FILES = [
    ("dup", b"k,v\nx,1\nx,2\n", "row 3, field k: duplicate key 'x': also on row 2"),
    ("empty_key", b"k,v\na,1\n,2\n", "row 3, field k: empty key"),
    ("blank_key", b"k,v\n  ,2\n", "row 2, field k: empty key"),
    ("no_key", b"name,v\na,1\n", "row 1: missing key column 'k'"),
    ("blank_header", b"k,,v\na,1,2\n", "row 1: column 2 of the header is blank"),
    (
        "dup_header",
        b"k,v,v\na,1,2\n",
        "row 1: column 'v' appears twice in the header (columns 2 and 3)",
    ),
    (
        "short_row",
        b"k,v,w\na,1,2\nb,1\n",
        "row 3: 2 cells but the header has 3 columns (a truncated or misquoted row?)",
    ),
    (
        "long_row",
        b"k,v\na,1,2\n",
        "row 2: 3 cells but the header has 2 columns (a truncated or misquoted row?)",
    ),
    ("unterminated", b'k,v\na,1\nb,"oops\nc,3\n', "row 3: unreadable CSV: unexpected end of data"),
    ("latin1", "k,v\na,1\nb,caf\u00e9\n".encode("latin-1"), "not UTF-8 text (byte 0xe9 on line 3)"),
    ("empty", b"", "empty file: no header row"),
]


@pytest.mark.parametrize(("name", "data", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file_is_one_line_input_error(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    path = write(tmp_path, data)
    with pytest.raises(InputError) as info:
        CsvTable.read(path, "k")
    text = str(info.value)
    assert "\n" not in text
    assert text.startswith(f"{path}")
    assert message in text


def test_duplicate_key_error_has_exact_text(tmp_path: Path) -> None:
    path = write(tmp_path, b"k,v\nx,1\ny,2\nx,3\n")
    with pytest.raises(InputError) as info:
        CsvTable.read(path, "k")
    assert str(info.value) == f"{path}, row 4, field k: duplicate key 'x': also on row 2"
    assert (info.value.row, info.value.field) == (4, "k")


def test_row_numbers_count_records_not_lines(tmp_path: Path) -> None:
    path = write(tmp_path, b'k,v\na,"1\n2\n3"\nb,1\nb,2\n')
    with pytest.raises(InputError) as info:
        CsvTable.read(path, "k")
    assert str(info.value) == f"{path}, row 4, field k: duplicate key 'b': also on row 3"


def test_latin1_error_names_byte_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "k,v\na,na\u00efve\n".encode("latin-1"))
    with pytest.raises(InputError) as info:
        CsvTable.read(path, "k")
    assert str(info.value) == (f"{path}: not UTF-8 text (byte 0xef on line 2); save it as UTF-8")


def test_latin1_error_after_bom_names_the_right_byte(tmp_path: Path) -> None:
    path = write(tmp_path, b"\xef\xbb\xbfk,v\na,caf\xe9\n")
    with pytest.raises(InputError) as info:
        CsvTable.read(path, "k")
    assert "byte 0xe9 on line 2" in str(info.value)


def test_bom_only_file_is_empty(tmp_path: Path) -> None:
    path = write(tmp_path, b"\xef\xbb\xbf")
    with pytest.raises(InputError, match="empty file: no header row"):
        CsvTable.read(path, "k")


def test_file_not_found(tmp_path: Path) -> None:
    path = tmp_path / "missing.csv"
    with pytest.raises(InputError) as info:
        CsvTable.read(path, "k")
    assert str(info.value) == f"{path}: file not found"


@pytest.mark.parametrize("columns", [None, ["k", "v"]])
def test_directory_is_refused(tmp_path: Path, columns: list[str] | None) -> None:
    folder = tmp_path / "table.csv"
    folder.mkdir()
    with pytest.raises(InputError) as info:
        CsvTable.read(folder, "k", columns=columns)
    assert str(info.value) == f"{folder}: is a folder, not a CSV file"


def test_error_leaves_file_untouched(tmp_path: Path) -> None:
    data = b"k,v\nx,1\nx,2\n"
    path = write(tmp_path, data)
    with pytest.raises(InputError):
        CsvTable.read(path, "k")
    assert path.read_bytes() == data
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]


@pytest.mark.parametrize("value", ["a\rb", "trailing\r"])
def test_lone_carriage_return_round_trips(tmp_path: Path, value: str) -> None:
    path = tmp_path / "t.csv"
    table = CsvTable.read(path, "k", columns=["k", "v", "w"])
    table.add_row({"k": "a", "v": value, "w": "x"})
    table.save()
    assert CsvTable.read(path, "k").get("a") == {"k": "a", "v": value, "w": "x"}


def test_a_missing_column_reads_empty_and_is_added_on_the_next_write(tmp_path: Path) -> None:
    path = write(tmp_path, b"v,k,own\n1,a,x\n2,b,y\n")
    table = CsvTable.read(path, "k", ["k", "v", "w"])
    assert table.missing == ["w"] and table.file_columns == ["v", "k", "own"]
    assert table.get("a") == {"v": "1", "k": "a", "own": "x", "w": ""}
    assert table.save() is False  # nothing changed: the file keeps its shape
    assert table.set_cell("b", "w", "z")
    assert table.save() is True
    assert path.read_bytes() == b"v,k,own,w\n1,a,x,\n2,b,y,z\n"
    assert table.missing == []


@pytest.mark.parametrize("end", ["\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"])
def test_other_line_ends_of_unicode_stay_inside_their_cell(tmp_path: Path, end: str) -> None:
    """Only CR and LF end a CSV line: what else Python reads as a line end is text."""
    data = f'k,v\na,x{end}y\nb,"p{end}\nq"\n'.encode()
    path = write(tmp_path, data)
    table = CsvTable.read(path, "k")
    assert [table.get(key)["v"] for key in ("a", "b")] == [f"x{end}y", f"p{end}\nq"]
    assert [record.number for record in table.rows.values()] == [2, 3]
    assert table.set_cell("a", "v", "z") and table.save()
    assert path.read_bytes() == data.replace(f"x{end}y".encode(), b"z")


def test_text_of_new_rows_is_what_the_next_save_writes_of_them(tmp_path: Path) -> None:
    path = write(tmp_path, b"k,v\r\na,1\r\n")
    table, plain = CsvTable.read(path, "k"), CsvTable.read(path, "k")
    for each in (table, plain):
        each.add_row({"k": "b", "v": "x, y"})
        each.add_row({"k": "c", "v": 'say "z"\nnow'})
    text = table.text_of(["b", "c"])
    assert text == 'k,v\r\nb,"x, y"\r\nc,"say ""z""\nnow"\r\n'
    assert table.render() == plain.render()
    assert table.save() and path.read_bytes().decode() == plain.render()


def test_text_of_is_none_when_the_next_save_adds_the_columns_the_file_lacks(
    tmp_path: Path,
) -> None:
    table = CsvTable.read(write(tmp_path, b"k,v\na,1\n"), "k", ["k", "v", "w"])
    table.add_row({"k": "b", "v": "2"})
    assert table.text_of(["b"]) is None
    assert table.render() == "k,v,w\na,1,\nb,2,\n"
