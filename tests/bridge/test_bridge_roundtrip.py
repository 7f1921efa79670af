"""Round trips through the workbook: whatever the local files hold, pushing them and
pulling them back with no edit changes no byte and plans nothing."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from bridge_support import FIXTURES, ROOT, Project, no_write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from bridge.codec import from_sheet, normal
from pipeline.schema import COLUMNS
from pipeline.storage.csvtable import CsvTable
from pipeline.values import format_number

KEY_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789._"
SPECIAL = [
    "=1+1", "=SUM(A1:A3)", "+44 20 7946 0000", "-5", "-", "@here", "a, b, c", 'say "hi"',
    "line 1\nline 2", "crlf\r\nline", "lone\rcr", "ünïcødé ✓ 😀 中文", "5e+26", "007", "TRUE",
    " padded ", "tab\there", "_x0041_", "2025-02-17", "1/2/2025", "",
]  # fmt: skip

plain_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)
text = st.one_of(
    st.sampled_from(SPECIAL),
    plain_text,
    st.builds(lambda a, b: a + b, st.sampled_from("=+-@"), plain_text),
    st.builds(lambda a, b: f"{a}\n{b}", plain_text, plain_text),
)
flop = st.one_of(
    st.just(""),
    st.sampled_from(["5e+26", "3.8e+25", "1e+25", "2.0", "1,000", "about 3e25"]),
    st.floats(min_value=1e18, max_value=1e29).map(format_number),
)
parameters = st.one_of(st.just(""), st.integers(0, 10**15).map(str), st.just("70000000000.0"))
keys = st.text(KEY_CHARS, min_size=1, max_size=12).filter(lambda k: k.strip(". ") == k)


@st.composite
def candidate_tables(draw: st.DrawFn) -> list[dict[str, str]]:
    rows = []
    for key in draw(st.lists(keys, min_size=1, max_size=6, unique=True)):
        row = {column: draw(text) for column in COLUMNS}
        row.update(model=key, training_flop=draw(flop), parameters=draw(parameters))
        rows.append(row)
    return rows


def new_project(home: Path) -> Project:
    shutil.copytree(ROOT / "configs", home / "configs")
    (home / "data").mkdir()
    return Project(home)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=candidate_tables())
def test_any_candidates_table_comes_back_unchanged(
    tmp_path: Path, rows: list[dict[str, str]]
) -> None:
    project = new_project(Path(tempfile.mkdtemp(dir=tmp_path)))
    table = CsvTable(project.file("candidates"), "model", list(COLUMNS))
    for row in rows:
        table.add_row(row)
    table.save()
    original = project.file("candidates").read_bytes()
    assert project.mirror().pushed
    layout = project.layout("candidates")
    sheet = project.sheet("candidates")
    assert [{c: from_sheet(layout, c, r[c]) for c in COLUMNS} for r in sheet] == [
        {c: normal(layout, c, row[c]) for c in COLUMNS} for row in rows
    ]
    book = load_workbook(project.workbook)  # a reviewer opens and saves it
    book.save(project.workbook)
    back = project.mirror()
    assert not back.local.changes and no_write(back)
    assert project.file("candidates").read_bytes() == original
    assert not project.file("staging").exists() and not project.file("below").exists()


def test_epochs_published_dataset_comes_back_unchanged(project: Path) -> None:
    source = FIXTURES / "epoch" / "notable_ai_models_2024.csv"
    published = project / "data" / "published" / "published_data.csv"
    published.parent.mkdir(parents=True)
    shutil.copyfile(source, published)
    bridge = Project(project)
    first = bridge.mirror()
    assert first.pushed and not first.local.changes
    layout = bridge.layout("published")
    assert len(layout.columns) == 41
    local = list(bridge.rows("published").values())
    sheet = bridge.sheet("published")
    assert len(local) == len(sheet) == 884
    for row, cells in zip(local, sheet, strict=True):
        assert {c: from_sheet(layout, c, cells[c]) for c in row} == {
            c: normal(layout, c, v) for c, v in row.items()
        }
    second = bridge.mirror()
    assert not second.local.changes and no_write(second)
    assert published.read_bytes() == source.read_bytes()
