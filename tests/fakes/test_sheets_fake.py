"""The Sheets fake, driven by real gspread HTTP calls: each test pins down a behaviour of the
real Sheets API v4 that sync code has to live with."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
import responses

from fakes.sheets_fake import FakeClock, FakeSheets

gspread = pytest.importorskip("gspread")
APIError = gspread.exceptions.APIError

SID = "sheetTEST"


@pytest.fixture
def fake() -> FakeSheets:
    fake = FakeSheets(SID, clock=FakeClock())
    for title in ("Candidates", "Below", "Published"):
        fake.add_sheet(title, rows=10, cols=5)
    return fake


@pytest.fixture
def http(fake: FakeSheets) -> Iterator[Any]:
    """gspread's HTTPClient, with no credentials, talking to the fake."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        fake.install(rsps)
        yield gspread.Client(auth=None, session=requests.Session()).http_client


def write(http: Any, option: str, data: dict[str, list[list[Any]]]) -> Any:
    body = {
        "valueInputOption": option,
        "data": [{"range": r, "values": v} for r, v in data.items()],
    }
    return http.values_batch_update(SID, body)


def read(http: Any, *ranges: str, render: str = "UNFORMATTED_VALUE") -> list[list[list[Any]]]:
    reply = http.values_batch_get(SID, list(ranges), params={"valueRenderOption": render})
    return [vr.get("values", []) for vr in reply["valueRanges"]]


def test_batch_get_of_three_sheets_is_one_read_call(fake: FakeSheets, http: Any) -> None:
    fake.set_cell("Below", "A1", "x")
    reply = http.values_batch_get(SID, ["Candidates", "Below", "'Published'!A1:C3"])
    assert fake.count("read") == 1 and fake.count() == 1
    ranges = [vr["range"] for vr in reply["valueRanges"]]
    # A title alone means the whole grid; the range comes back clamped to it.
    assert ranges == ["Candidates!A1:E10", "Below!A1:E10", "Published!A1:C3"]
    assert [vr.get("values") for vr in reply["valueRanges"]] == [None, [["x"]], None]


def test_trailing_empty_cells_and_rows_are_dropped(fake: FakeSheets, http: Any) -> None:
    fake.set_cell("Candidates", "B2", "x")
    fake.set_cell("Candidates", "D4", "y")
    assert read(http, "Candidates") == [[[], ["", "x"], [], ["", "", "", "y"]]]
    write(http, "RAW", {"Candidates!D4": [[""]]})  # "" clears a cell
    assert read(http, "Candidates") == [[[], ["", "x"]]]


def test_raw_keeps_formula_text_user_entered_makes_a_formula(fake: FakeSheets, http: Any) -> None:
    write(http, "RAW", {"Candidates!A1": [["=1+1", "5e+26"]]})
    write(http, "USER_ENTERED", {"Below!A1": [["=1+1", "5e+26"]]})
    assert read(http, "Candidates!A1:B1", "Below!A1:B1") == [[["=1+1", "5e+26"]], [[2, 5e26]]]
    assert read(http, "Below!A1:B1", render="FORMULA") == [[["=1+1", 5e26]]]
    assert fake.formula("Below", "A1") == "=1+1"
    assert fake.formula("Candidates", "A1") is None


def test_numbers_round_trip_as_numbers(fake: FakeSheets, http: Any) -> None:
    write(http, "RAW", {"Candidates!A1": [[3.0, 2.5, 1e25, True, "42"]]})
    [[row]] = read(http, "Candidates!A1:E1")
    assert row == [3, 2.5, 1e25, True, "42"]
    assert type(row[0]) is int  # integral doubles come back without ".0"
    write(http, "USER_ENTERED", {"Below!A1": [["42", "1,234", "2025-07-10", "true"]]})
    assert read(http, "Below") == [[[42, 1234, 45848, True]]]
    assert read(http, "Below", render="FORMATTED_VALUE") == [
        [["42", "1,234", "2025-07-10", "TRUE"]]
    ]


def test_a_body_over_10_mib_is_refused_as_google_does(fake: FakeSheets, http: Any) -> None:
    cells = [["x" * 40_000] for _ in range(300)]  # 12 MB of JSON
    with pytest.raises(APIError) as err:
        write(http, "RAW", {"Candidates!A1:A300": cells})
    assert err.value.response.json() == {
        "error": {
            "code": 400,
            "message": "Request payload size exceeds the limit: 10485760 bytes.",
            "status": "INVALID_ARGUMENT",
            "errors": [
                {
                    "message": "Request payload size exceeds the limit: 10485760 bytes.",
                    "domain": "global",
                    "reason": "badRequest",
                }
            ],
        }
    }
    assert fake.values("Candidates") == [] and fake.calls[-1].size > 10 * 1024 * 1024
    write(http, "RAW", {"Candidates!A1:A10": cells[:10]})
    assert len(fake.values("Candidates")) == 10


def test_writing_beyond_the_grid_fails_until_append_dimension_grows_it(
    fake: FakeSheets, http: Any
) -> None:
    with pytest.raises(APIError, match=r"exceeds grid limits. Max rows: 10") as err:
        write(http, "RAW", {"Candidates!A1": [["ok"]], "Candidates!A11": [["late"]]})
    assert err.value.code == 400
    assert fake.values("Candidates") == []  # all or nothing
    grow = {"sheetId": fake.sheet("Candidates").sheet_id, "dimension": "ROWS", "length": 5}
    assert http.batch_update(SID, {"requests": [{"appendDimension": grow}]})["replies"] == [{}]
    write(http, "RAW", {"Candidates!A11": [["late"]]})
    assert fake.values("Candidates")[10] == ["late"]
    assert fake.sheet("Candidates").row_count == 15
    assert fake.count("structure") == 1 and fake.count("write") == 2


def test_add_sheet(fake: FakeSheets, http: Any) -> None:
    props = {"title": "Staging", "gridProperties": {"rowCount": 50, "columnCount": 8}}
    reply = http.batch_update(SID, {"requests": [{"addSheet": {"properties": props}}]})
    added = reply["replies"][0]["addSheet"]["properties"]
    assert (added["title"], added["index"]) == ("Staging", 3)
    meta = http.fetch_sheet_metadata(SID)
    assert [s["properties"]["title"] for s in meta["sheets"]][-1] == "Staging"
    assert meta["sheets"][-1]["properties"]["gridProperties"] == {"rowCount": 50, "columnCount": 8}
    # A batch is atomic: the duplicate title refuses the whole batch.
    twice = [{"addSheet": {"properties": {"title": t}}} for t in ("Other", "staging")]
    with pytest.raises(APIError, match="already exists"):
        http.batch_update(SID, {"requests": twice})
    assert fake.titles() == ["Candidates", "Below", "Published", "Staging"]


def test_unsupported_structure_request_is_refused(http: Any) -> None:
    with pytest.raises(APIError, match="repeatCell") as err:
        http.batch_update(SID, {"requests": [{"repeatCell": {}}]})
    assert err.value.code == 400


def test_sort_rows_changes_positions(fake: FakeSheets, http: Any) -> None:
    fake.fill("Candidates", [["name", "flop"], ["b", "2"], ["c", ""], ["a", "3"]])
    fake.sort_rows("Candidates", "name", header_rows=1)
    assert read(http, "Candidates") == [[["name", "flop"], ["a", 3], ["b", 2], ["c"]]]
    fake.sort_rows("Candidates", "flop", reverse=True, header_rows=1)  # empty keys stay last
    assert read(http, "Candidates!A2:A4") == [[["a"], ["b"], ["c"]]]


def test_429_after_the_limit_and_recovery_after_the_window(fake: FakeSheets, http: Any) -> None:
    fake.rate_limit = 3
    for _ in range(3):
        http.fetch_sheet_metadata(SID)
    with pytest.raises(APIError) as err:
        read(http, "Candidates")
    assert err.value.code == 429
    assert err.value.error["status"] == "RESOURCE_EXHAUSTED"
    fake.clock.sleep(60)
    assert read(http, "Candidates") == [[]]
    assert (fake.count("metadata"), fake.count("read")) == (3, 2)


def test_drop_at_applies_then_raises(fake: FakeSheets, http: Any) -> None:
    fake.drop_at(1)
    with pytest.raises(requests.exceptions.ConnectionError):
        write(http, "RAW", {"Candidates!A1": [["kept"]]})
    assert fake.values("Candidates") == [["kept"]]
    assert fake.calls[0].dropped


def test_fail_at_answers_the_status_and_applies_nothing(fake: FakeSheets, http: Any) -> None:
    fake.fail_at(1, status=503)
    with pytest.raises(APIError) as err:
        write(http, "RAW", {"Candidates!A1": [["lost"]]})
    assert (err.value.code, err.value.error["status"]) == (503, "UNAVAILABLE")
    assert fake.values("Candidates") == []
    write(http, "RAW", {"Candidates!A1": [["kept"]]})
    assert fake.values("Candidates") == [["kept"]]


def test_a_50001_character_cell_is_refused(fake: FakeSheets, http: Any) -> None:
    with pytest.raises(APIError, match="maximum of 50000 characters") as err:
        write(http, "RAW", {"Candidates!A1": [["x" * 50_001]]})
    assert err.value.code == 400
    write(http, "RAW", {"Candidates!A1": [["x" * 50_000]]})
    assert len(fake.values("Candidates")[0][0]) == 50_000


def test_unknown_sheet_is_400_and_unknown_spreadsheet_404(http: Any) -> None:
    with pytest.raises(APIError, match=r"Unable to parse range: 'Nope'!A1") as err:
        read(http, "'Nope'!A1")
    assert err.value.code == 400
    with pytest.raises(APIError) as err:
        http.fetch_sheet_metadata("someOtherId")
    assert err.value.code == 404


def test_require_auth_refuses_requests_without_a_token() -> None:
    fake = FakeSheets(SID, require_auth=True)
    fake.add_sheet("Candidates")
    session = requests.Session()
    with responses.RequestsMock() as rsps:
        fake.install(rsps)
        with pytest.raises(APIError) as err:
            gspread.Client(auth=None, session=session).http_client.fetch_sheet_metadata(SID)
        assert err.value.code == 401
        session.headers["Authorization"] = "Bearer test-token"
        meta = gspread.Client(auth=None, session=session).http_client.fetch_sheet_metadata(SID)
    assert meta["sheets"][0]["properties"]["title"] == "Candidates"
