"""Round trips: what is pushed and read back with no edit changes nothing locally and
writes nothing (ARCHITECTURE §4: a no-op run leaves every file byte-identical; §7: a sync with
nothing changed makes no write calls)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from airtable_support import (
    FIXTURES,
    Base,
    csv_text,
    new_base,
    pages,
    read_table,
)
from harness import copy_home
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.schema import CLASSIFICATIONS, COLUMNS, CONFIDENCE, STATUSES
from pipeline.values import format_number

EPOCH = FIXTURES / "epoch" / "notable_ai_models_2024.csv"

KEY = st.from_regex(r"[a-z][a-z0-9_.]{0,14}", fullmatch=True)
# Text a reviewer or a source may put in a cell: quotes, commas, newlines, formula
# starters, non-ASCII; no carriage returns (sheets keep "\n" only).
TEXT = st.text(alphabet=st.sampled_from(list("abcXYZ 019=+-@\"',;:\n\t()éü中🙂%$#")), max_size=40)
FLOP = st.builds(
    lambda digits, exponent: format_number(float(f"{digits}e{exponent}")),
    st.integers(min_value=100, max_value=999),  # three significant digits, as estimates
    st.integers(min_value=18, max_value=26),
)
PARAMETERS = st.one_of(
    st.just(""), st.integers(min_value=1, max_value=5_000).map(lambda b: str(b * 10**9))
)
DATE = st.one_of(st.just(""), st.dates().map(lambda d: d.isoformat()))
P_ABOVE = st.one_of(  # as the estimator writes it: at most 3 decimals
    st.just(""), st.integers(min_value=0, max_value=1000).map(lambda n: format_number(n / 1000))
)


@st.composite
def candidate(draw: st.DrawFn, key: str) -> dict[str, str]:
    row = {c: draw(TEXT) for c in COLUMNS}
    row.update(
        model=key,
        release_date=draw(DATE),
        parameters=draw(PARAMETERS),
        training_flop=draw(FLOP),
        p_above_1e25=draw(P_ABOVE),
        confidence=draw(st.sampled_from(CONFIDENCE)),
        threshold_classification=draw(st.sampled_from(CLASSIFICATIONS)),
        status=draw(st.sampled_from(STATUSES)),
        verified=draw(st.sampled_from(["", "y"])),
        last_updated="2031-01-02T03:04:05Z",
    )
    return row


@st.composite
def candidates(draw: st.DrawFn) -> list[dict[str, str]]:
    keys = draw(st.lists(KEY, min_size=1, max_size=25, unique=True))
    return [draw(candidate(key)) for key in keys]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project after the pipeline (configs, seeded published) to copy per example."""
    root = tmp_path_factory.mktemp("roundtrip")
    with pytest.MonkeyPatch.context() as monkeypatch:
        base = new_base(root, monkeypatch)
    base.file("published").parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(base.data / "raw" / "epoch" / "published_data.csv", base.file("published"))
    shutil.rmtree(base.data / "raw")
    return root


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=candidates())
def test_random_candidates_come_back_byte_identical(
    template: Path, monkeypatch: pytest.MonkeyPatch, rows: list[dict[str, str]]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        copy_home(template, root)
        base = new_base(root, monkeypatch)
        path = base.file("candidates")
        path.write_text(csv_text(COLUMNS, rows), encoding="utf-8")
        before = base.files()
        base.sync(tables=["candidates"])
        assert len(base.records("candidates")) == len(rows)
        report = base.sync(tables=["candidates"])
        assert base.counts() == {"read": pages(len(rows)), "write": 0, "schema": 0}
        assert report.local.changes == [] and report.written == [] and not report.pushed
        assert base.files() == before


@pytest.fixture
def epoch(project: Path, monkeypatch: pytest.MonkeyPatch) -> Base:
    """Epoch's 884 notable models (41 columns) as the published table."""
    base = new_base(project, monkeypatch)
    base.file("published").parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(EPOCH, base.file("published"))
    header, rows = read_table(EPOCH)
    assert (len(rows), len(header)) == (884, 41)
    return base


def test_the_epoch_dataset_is_pushed_whole(epoch: Base) -> None:
    epoch.sync()
    header, _ = read_table(EPOCH)
    assert len(epoch.records("published")) == 884
    front = ["Model", "Organization", "Training compute (FLOP)", "sync_status"]
    assert epoch.fake.field_names("Published") == [*front, *(c for c in header if c not in front)]
    assert epoch.counts()["write"] == 9 + 89 and 30.0 not in epoch.clock.sleeps


def test_the_epoch_dataset_comes_back_unchanged(epoch: Base) -> None:
    epoch.sync()
    before = epoch.files()
    report = epoch.sync()
    assert report.local.changes == [] and epoch.files() == before
    assert epoch.counts() == {"read": 1 + 1 + 9, "write": 0, "schema": 0}


def test_epoch_numbers_within_eight_decimals_come_back_unchanged(epoch: Base) -> None:
    """Without the two over-precise cells the round trip is exact."""
    text = epoch.file("published").read_text(encoding="utf-8")
    text = text.replace("11100000.000000002", "11100000").replace(
        "694894.9377361819", "694894.93773618"
    )
    epoch.file("published").write_text(text, encoding="utf-8")
    epoch.sync()
    before = epoch.files()
    report = epoch.sync()
    assert report.local.changes == [] and report.written == [] and epoch.files() == before
    assert epoch.counts() == {"read": 1 + 1 + 9, "write": 0, "schema": 0}
