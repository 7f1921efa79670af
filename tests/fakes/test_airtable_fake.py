"""The Airtable fake, driven through the real pyairtable client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
import responses
from pyairtable import Api, Table

from fakes.airtable_fake import FakeAirtable, FakeClock

FIELDS = [
    {"name": "Model", "type": "singleLineText"},
    {"name": "Notes", "type": "multilineText"},
    {"name": "FLOP", "type": "number", "options": {"precision": 2}},
    {"name": "Status", "type": "singleSelect", "options": {"choices": [{"name": "new"}]}},
]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake(clock: FakeClock) -> Iterator[FakeAirtable]:
    fake = FakeAirtable(clock=clock)
    fake.add_table("Models", FIELDS)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        fake.install(rsps)
        yield fake


@pytest.fixture
def api(fake: FakeAirtable) -> Api:
    return Api("patTEST", endpoint_url=fake.endpoint, retry_strategy=None)


@pytest.fixture
def table(api: Api, fake: FakeAirtable) -> Table:
    return api.table(fake.base_id, "Models")


def raw(fake: FakeAirtable, method: str, *path: str, **kwargs: Any) -> requests.Response:
    headers = {"Authorization": "Bearer patTEST"}
    return requests.request(method, fake.url(*path), headers=headers, timeout=5, **kwargs)


def error_type(exc: pytest.ExceptionInfo[requests.HTTPError]) -> str:
    return exc.value.response.json()["error"]["type"]


def test_pagination_over_250_records_takes_3_reads(
    fake: FakeAirtable, clock: FakeClock, table: Table
) -> None:
    for i in range(250):
        fake.add_record("Models", {"Model": f"m{i}"})
    pages = []
    for page in table.iterate():
        pages.append(len(page))
        clock.sleep(1)  # stay under the rate limit
    assert pages == [100, 100, 50]
    assert fake.count("read") == 3
    listed = raw(fake, "POST", fake.base_id, "Models", "listRecords", json={"pageSize": 100})
    assert len(listed.json()["records"]) == 100 and "offset" in listed.json()


def test_page_size_over_100_is_refused(fake: FakeAirtable, table: Table) -> None:
    with pytest.raises(requests.HTTPError) as exc:
        table.all(page_size=101)
    assert exc.value.response.status_code == 422
    assert error_type(exc) == "INVALID_REQUEST_UNKNOWN"


def test_upsert_of_25_records_takes_3_writes_and_repeating_it_adds_nothing(
    fake: FakeAirtable, clock: FakeClock, table: Table
) -> None:
    rows = [{"fields": {"Model": f"m{i}", "FLOP": i * 1e24}} for i in range(25)]
    first = table.batch_upsert(rows, key_fields=["Model"])
    assert fake.count("write") == 3
    assert len(first["createdRecords"]) == 25
    clock.sleep(1)
    second = table.batch_upsert(rows, key_fields=["Model"])
    assert second["createdRecords"] == [] and len(second["updatedRecords"]) == 25
    assert len(fake.records("Models")) == 25


def test_upsert_matching_two_records_is_refused(fake: FakeAirtable, table: Table) -> None:
    fake.add_record("Models", {"Model": "twin"})
    fake.add_record("Models", {"Model": "twin"})
    with pytest.raises(requests.HTTPError) as exc:
        table.batch_upsert([{"fields": {"Model": "twin"}}], key_fields=["Model"])
    assert exc.value.response.status_code == 422
    body = {
        "records": [{"fields": {"Notes": "no key"}}],
        "performUpsert": {"fieldsToMergeOn": ["Model"]},
    }
    assert raw(fake, "PATCH", fake.base_id, "Models", json=body).status_code == 422
    body["performUpsert"] = {"fieldsToMergeOn": ["Missing"]}
    assert raw(fake, "PATCH", fake.base_id, "Models", json=body).json()["error"]["type"] == (
        "UNKNOWN_FIELD_NAME"
    )


def test_more_than_10_records_in_one_request_is_422(fake: FakeAirtable) -> None:
    body = {"records": [{"fields": {"Model": f"m{i}"}} for i in range(11)]}
    reply = raw(fake, "POST", fake.base_id, "Models", json=body)
    assert reply.status_code == 422
    assert reply.json()["error"]["type"] == "INVALID_RECORDS"
    assert fake.records("Models") == []


def test_unknown_field_is_a_422_http_error_and_nothing_is_written(
    fake: FakeAirtable, table: Table
) -> None:
    with pytest.raises(requests.HTTPError) as exc:
        table.batch_create([{"Model": "ok"}, {"Model": "bad", "x": 1}])
    assert exc.value.response.status_code == 422
    assert exc.value.response.json() == {
        "error": {"type": "UNKNOWN_FIELD_NAME", "message": 'Unknown field name: "x"'}
    }
    assert fake.records("Models") == []


def test_values_must_fit_the_field_type_unless_typecast(fake: FakeAirtable, table: Table) -> None:
    for fields in ({"FLOP": "3e25"}, {"Model": 7}, {"Status": "retired"}):
        with pytest.raises(requests.HTTPError) as exc:
            table.create(fields)
        assert exc.value.response.status_code == 422
    record = table.create({"FLOP": "3e25", "Model": 7, "Status": "retired"}, typecast=True)
    assert record["fields"] == {"Model": "7", "FLOP": 3e25, "Status": "retired"}
    assert table.create({"FLOP": 1.005})["fields"] == {"FLOP": 1.01}


def test_text_over_100000_characters_is_refused(fake: FakeAirtable, table: Table) -> None:
    with pytest.raises(requests.HTTPError) as exc:
        table.create({"Model": "m", "Notes": "x" * 100_001})
    assert exc.value.response.status_code == 422
    assert error_type(exc) == "INVALID_VALUE_FOR_COLUMN"
    assert fake.records("Models") == []
    assert table.create({"Notes": "x" * 100_000})["fields"]["Notes"] == "x" * 100_000


def test_empty_values_are_omitted_on_read(fake: FakeAirtable, table: Table) -> None:
    record = table.create({"Model": "m", "Notes": "", "FLOP": None, "Status": "new"})
    assert record["fields"] == {"Model": "m", "Status": "new"}
    fake.set_field("Models", record["id"], "Status", "")
    assert table.get(record["id"])["fields"] == {"Model": "m"}
    assert fake.records("Models") == [{"id": record["id"], "fields": {"Model": "m"}}]


def test_update_and_delete_in_batches(fake: FakeAirtable, table: Table) -> None:
    ids = [fake.add_record("Models", {"Model": f"m{i}", "Notes": "x"}) for i in range(3)]
    table.batch_update([{"id": i, "fields": {"Notes": "y"}} for i in ids])
    table.batch_update([{"id": ids[0], "fields": {"Model": "only"}}], replace=True)
    assert fake.records("Models")[0]["fields"] == {"Model": "only"}
    assert [r["deleted"] for r in table.batch_delete(ids[1:])] == [True, True]
    assert [r["id"] for r in fake.records("Models")] == ids[:1]
    assert fake.count("write") == 3


def test_rate_limit_429_after_5_requests_a_second_then_recovery_after_30_s(
    fake: FakeAirtable, clock: FakeClock, table: Table
) -> None:
    for _ in range(5):
        table.all()
    with pytest.raises(requests.HTTPError) as exc:
        table.all()
    assert exc.value.response.status_code == 429
    assert exc.value.response.json()["errors"][0]["error"] == "RATE_LIMIT_REACHED"
    clock.sleep(29.9)
    with pytest.raises(requests.HTTPError):
        table.all()
    clock.sleep(0.1)
    assert table.all() == []
    assert clock.elapsed == pytest.approx(30.0)
    assert fake.count("read") == 8


def test_requests_spaced_by_the_clock_stay_under_the_limit(fake: FakeAirtable) -> None:
    fake.clock = FakeClock(advance_per_request=0.25)
    for _ in range(12):
        assert raw(fake, "GET", fake.base_id, "Models").status_code == 200


def test_drop_at_applies_the_request_and_loses_the_reply(fake: FakeAirtable, table: Table) -> None:
    fake.drop_at(1)
    with pytest.raises(requests.ConnectionError):
        table.create({"Model": "m"})
    assert [r["fields"] for r in fake.records("Models")] == [{"Model": "m"}]


def test_fail_at_and_fail_next_refuse_without_applying(fake: FakeAirtable, table: Table) -> None:
    fake.fail_at(1, status=503)
    fake.fail_next(1, status=500)
    for status in (503, 500):
        with pytest.raises(requests.HTTPError) as exc:
            table.create({"Model": "m"})
        assert exc.value.response.status_code == status
    assert fake.records("Models") == []
    assert fake.count("write") == 2


def test_other_base_is_404_and_bad_auth_is_401(fake: FakeAirtable, api: Api) -> None:
    with pytest.raises(requests.HTTPError) as exc:
        api.table("appOTHER", "Models").all()
    assert exc.value.response.status_code == 404
    assert exc.value.response.json() == {"error": "NOT_FOUND"}
    reply = requests.get(fake.url(fake.base_id, "Models"), headers={"Authorization": "x"})
    assert reply.status_code == 401


def test_metadata_create_table_create_field_and_read_schema(fake: FakeAirtable, api: Api) -> None:
    base = api.base(fake.base_id)
    created = base.create_table(
        "Benchmarks",
        [
            {"name": "Name", "type": "singleLineText"},
            {"name": "Score", "type": "number", "options": {"precision": 1}},
        ],
    )
    field = created.create_field(
        "Tier", "singleSelect", options={"choices": [{"name": "A"}, {"name": "B"}]}
    )
    assert field.id.startswith("fld") and len(field.id) == 17
    schema = base.schema(force=True).table("Benchmarks")
    assert schema.primary_field_id == schema.fields[0].id
    assert [f.name for f in schema.fields] == ["Name", "Score", "Tier"]
    assert fake.field_names("Benchmarks") == ["Name", "Score", "Tier"]
    with pytest.raises(requests.HTTPError) as exc:
        created.create_field("score", "number", options={"precision": 0})
    assert error_type(exc) == "DUPLICATE_OR_EMPTY_FIELD_NAME"
    assert fake.count("schema") == 5
    assert fake.count("read") == fake.count("write") == 0
