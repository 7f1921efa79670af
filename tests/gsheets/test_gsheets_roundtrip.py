"""Round trips through the spreadsheet with no edits: what is pushed reads back as the same
canonical text, so the files stay byte-identical and the sync plans nothing."""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from pathlib import Path

import pytest
from gsheets_support import FIXTURES, Rig, pipeline_home, write_csv
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.schema import CLASSIFICATIONS, COLUMNS, CONFIDENCE, STATUSES
from pipeline.values import format_number

IDLE = {"metadata": 0, "read": 1, "write": 0, "structure": 0}

plain = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30
)
texts = st.one_of(
    plain,
    st.builds(str.__add__, st.sampled_from(["=", "+", "-", "@", "'", " ", "0"]), plain),
    st.sampled_from(["=1+1", "=SUM(A1:A3)", "TRUE", "42", "007", "1e5", "2025-01-02", "3/4/2025"]),
)
numbers = st.one_of(
    st.just(""),
    st.floats(1e18, 9.9e29).map(format_number),
    st.integers(1, 10**14).map(str),
    st.sampled_from(["12.0", "1.50e+25", "1,234", "unknown", "~3e25"]),
)
dates = st.one_of(st.just(""), st.dates(date(1950, 1, 1), date(2030, 12, 31)).map(str))
CHOICES = {
    "confidence": CONFIDENCE,
    "threshold_classification": CLASSIFICATIONS,
    "status": STATUSES,
    "verified": ("y",),
}
row = st.fixed_dictionaries(
    {
        c: numbers
        if c in ("parameters", "training_flop")
        else dates
        if c == "release_date"
        else st.sampled_from(["", *CHOICES[c]])
        if c in CHOICES
        else texts
        for c in COLUMNS
        if c != "model"
    }
)
tables = st.dictionaries(
    st.from_regex(r"[a-z][a-z0-9_]{0,10}(\.[0-9])?", fullmatch=True), row, min_size=1, max_size=8
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=tables)
def test_a_random_candidates_table_round_trips(
    tmp_path_factory: pytest.TempPathFactory, table: dict[str, dict[str, str]]
) -> None:
    configs = pipeline_home(tmp_path_factory) / "configs"
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "configs").symlink_to(configs)
        rig = Rig(root)
        write_csv(rig.file("candidates"), COLUMNS, [{"model": k, **v} for k, v in table.items()])
        files = rig.tables()
        rig.sync("push", tables=["candidates"])
        assert rig.fake.values("Candidates") == rig.expected_values("candidates")
        report = rig.sync(tables=["candidates"])
        assert not report.local.changes and rig.counts() == IDLE
        rig.state.unlink()  # the sync state is lost: the sheet is compared with the files
        report = rig.sync(tables=["candidates"])
        assert not report.local.changes and rig.counts() == {**IDLE, "metadata": 1}
        assert rig.tables() == files


def test_epochs_notable_models_round_trip_as_the_published_table(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    rig = Rig.after_pipeline(project, tmp_path_factory)
    rig.file("published").parent.mkdir(parents=True)
    shutil.copy(FIXTURES / "epoch" / "notable_ai_models_2024.csv", rig.file("published"))
    rig.sync("push")
    values = rig.fake.values("Published")
    assert (len(values), len(values[0])) == (885, 42)  # 884 rows, 41 columns and sync_status
    assert values == rig.expected_values("published")
    files = rig.files()
    report = rig.sync()
    assert not report.local.changes and not report.written and not report.pushed
    assert rig.counts() == IDLE
    assert rig.files() == files
