"""The first push into an empty base, and the idle sync after it (ARCHITECTURE §6, §10).

Targets: tables created through the metadata API with typed fields (1 schema read + 3
creates), every record written 10 a request with numbers as JSON numbers, paced at 5
requests a second with no 429; then an idle sync reads ceil(N/100) pages a table and
writes nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from airtable_support import (
    NUMBERS,
    TITLES,
    Base,
    batches,
    json_cell,
    new_base,
    paced_seconds,
    pages,
)

from bridge.mirror import MirrorReport

# Candidates Epoch's data already has: their quiet status in the first push.
PUBLISHED_CANDIDATES = {
    key: f"published: as {name!r}; no review needed"
    for key, name in {
        "grok_3": "Grok-3", "gemini_2.5_pro": "Gemini 2.5 Pro", "gpt_4.5": "GPT-4.5",
        "o1": "o1", "gpt_4o": "GPT-4o", "llama_3.1_405b": "Llama 3.1-405B",
        "glm_4_plus": "GLM-4-Plus", "claude_3.7_sonnet": "Claude 3.7 Sonnet", "grok_2": "Grok-2",
        "claude_3.5_sonnet": "Claude 3.5 Sonnet", "gpt_4_turbo": "GPT-4 Turbo",
        "mistral_large_2": "Mistral Large 2", "gpt_4": "GPT-4",
        "nemotron_4_340b": "Nemotron-4 340B", "claude_3_opus": "Claude 3 Opus",
        "gemini_1.5_pro": "Gemini 1.5 Pro",
        "mistral_large": "Mistral Large",
    }.items()
}  # fmt: skip

CANDIDATE_TYPES = {
    "model": "singleLineText",
    "developer": "singleLineText",
    "training_flop": "number",
    "p_above_1e25": "number",
    "threshold_classification": "singleLineText",
    "decision": "singleSelect",
    "reason": "singleLineText",
    "sync_status": "singleLineText",
    "release_date": "singleLineText",
    "parameters": "number",
    "parameter_source": "singleLineText",
    "confidence": "singleLineText",
    "confidence_explanation": "multilineText",
    "estimation_method": "singleLineText",
    "alternative_methods": "multilineText",
    "status": "singleLineText",
    "reasoning": "multilineText",
    "sources": "multilineText",
    "verified": "singleLineText",
    "last_updated": "singleLineText",
    "notes": "multilineText",
}


@pytest.fixture
def pushed(project: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Base, MirrorReport]:
    base = new_base(project, monkeypatch)
    return base, base.sync()


def row_counts(base: Base) -> dict[str, int]:
    return {table: len(base.rows(table)) for table in TITLES}


def test_the_three_tables_are_created_with_typed_fields(pushed: tuple[Base, MirrorReport]) -> None:
    base, _ = pushed
    schema = base.schema()
    assert list(schema) == ["Candidates", "Staging", "Published"]
    candidates = schema["Candidates"]
    assert {f["name"]: f["type"] for f in candidates["fields"]} == CANDIDATE_TYPES
    assert [f["name"] for f in candidates["fields"]] == list(CANDIDATE_TYPES)
    assert candidates["primaryFieldId"] == candidates["fields"][0]["id"]
    decision = next(f for f in candidates["fields"] if f["name"] == "decision")
    assert [c["name"] for c in decision["options"]["choices"]] == ["y", "n"]
    staging = [f["name"] for f in schema["Staging"]["fields"]]
    assert staging[5:8] == ["publish", "published_name", "sync_status"]
    published = {f["name"]: f for f in schema["Published"]["fields"]}
    assert schema["Published"]["primaryFieldId"] == published["Model"]["id"]
    assert published["Model"]["type"] == "singleLineText"
    numbers = {name for name, f in published.items() if f["type"] == "number"}
    assert numbers == {"Parameters", "Training compute (FLOP)"}
    assert published["Parameters"]["options"] == {"precision": 8}
    for name in ("Abstract", "Authors", "Training compute notes", "Accessibility notes"):
        assert published[name]["type"] == "multilineText"


def test_schema_calls_are_one_read_and_three_creates(pushed: tuple[Base, MirrorReport]) -> None:
    base, _ = pushed
    schema = [(s.method, s.path.rsplit("/", 1)[-1]) for s in base.sent if "/meta/" in s.path]
    assert schema == [("GET", "tables"), ("POST", "tables"), ("POST", "tables"), ("POST", "tables")]
    assert base.counts()["schema"] == 4


def test_every_row_is_written_with_numbers_as_json_numbers(
    pushed: tuple[Base, MirrorReport],
) -> None:
    base, _ = pushed
    for table in TITLES:
        records = base.by_key(table)
        local = base.rows(table)
        assert set(records) == set(local)
        for key, row in local.items():
            expected = {c: json_cell(c, v) for c, v in row.items() if v}
            if table == "candidates" and key in PUBLISHED_CANDIDATES:
                expected["sync_status"] = PUBLISHED_CANDIDATES[key]
            assert records[key] == expected, (table, key)
    assert base.by_key("candidates")["grok_3"]["training_flop"] == 3.5e26
    sent = [
        value
        for s in base.sent
        if s.method == "PATCH"
        for record in s.body["records"]
        for name, value in record["fields"].items()
        if name in NUMBERS
    ]
    assert sent and all(type(v) in (int, float) for v in sent)
    assert not any(s.body.get("typecast") for s in base.sent if s.body)  # no coercion


def test_writes_are_ten_records_a_request(pushed: tuple[Base, MirrorReport]) -> None:
    base, _ = pushed
    rows = row_counts(base)
    assert rows["candidates"] > 50 and rows["staging"] == 0 and rows["published"] == 26
    assert base.counts() == {
        "read": 0,
        "write": sum(batches(n) for n in rows.values()),  # 9 + 0 + 3
        "schema": 4,
    }
    assert base.backend_calls == {"schema": 4, "write": 12}


def test_the_first_push_is_paced_at_five_requests_a_second(
    pushed: tuple[Base, MirrorReport],
) -> None:
    base, _ = pushed
    requests = base.fake.count()
    assert requests == sum(base.backend_calls.values()) == 16  # no request was retried
    assert 30.0 not in base.clock.sleeps and base.fake.rate_limited_until is None
    # 16 requests at 5/s: three full windows plus the margin.
    assert base.elapsed == pytest.approx(paced_seconds(requests), abs=0.05)


def test_an_idle_sync_reads_pages_of_100_and_writes_nothing(
    pushed: tuple[Base, MirrorReport],
) -> None:
    base, _ = pushed
    before = base.files()
    report = base.sync()
    rows = row_counts(base)
    assert base.counts() == {"read": sum(pages(n) for n in rows.values()), "write": 0, "schema": 0}
    assert base.counts()["read"] == 3  # 1 + 1 (empty staging) + 1
    assert not report.pushed and not report.written and not report.local.changes
    assert base.files() == before


def test_record_order_changes_nothing(pushed: tuple[Base, MirrorReport]) -> None:
    base, _ = pushed
    records, order = {t: base.by_key(t) for t in TITLES}, base.keys("candidates")
    base.shuffle(seed=7)
    assert base.keys("candidates") != order
    report = base.sync()
    assert base.counts()["write"] == 0 and not report.local.changes
    assert {t: base.by_key(t) for t in TITLES} == records


def test_a_lost_table_list_is_found_again_without_duplicating_tables(
    pushed: tuple[Base, MirrorReport],
) -> None:
    """The base's schema is remembered between runs; a state file without it reads the
    schema once more (1 schema call) and reuses the tables."""
    base, _ = pushed
    state = base.data / "state" / "bridge_airtable.json"
    state.unlink()
    report = base.sync()
    assert base.fake.table_names() == ["Candidates", "Staging", "Published"]
    assert base.counts()["schema"] == 1 and base.counts()["write"] == 0
    assert not report.local.changes
    assert base.duplicate_keys() == {}


@pytest.fixture
def unparsable(project: Path, monkeypatch: pytest.MonkeyPatch) -> Base:
    """grok_3's parameters cell says "about 2T" in the local file (a hand edit)."""
    base = new_base(project, monkeypatch)
    path = base.file("candidates")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("grok_3,xAI,2025-02-17,,", "grok_3,xAI,2025-02-17,about 2T,"))
    assert base.rows("candidates")["grok_3"]["parameters"] == "about 2T"
    return base


def test_a_local_non_number_is_reported_on_its_row(unparsable: Base) -> None:
    assert unparsable.try_sync() is None
    assert unparsable.status("candidates", "grok_3") == (
        "parameters: 'about 2T' is not a number; not shown in the sheet"
    )
    assert "parameters" not in unparsable.by_key("candidates")["grok_3"]


def test_a_local_non_number_does_not_stop_the_push_or_change_the_file(unparsable: Base) -> None:
    before = unparsable.files()
    assert unparsable.try_sync() is None
    assert unparsable.fake.table_names() == ["Candidates", "Staging", "Published"]
    after = unparsable.files()
    assert after.pop("data/published/published_data.csv") and after == before
    assert unparsable.try_sync() is None
    assert unparsable.counts()["write"] == 0
