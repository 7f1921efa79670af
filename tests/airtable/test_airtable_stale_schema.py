"""The schema remembered in data/state/bridge_airtable.json goes stale when a table is
deleted or replaced in the base: Airtable then answers 403 INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND
for the remembered id. The sync reads the schema once more and carries on (a table still
missing is created as on a first push); a 403 that outlasts the fresh schema names the table.
A field deleted in the base is found the same way (records are read by the remembered field
names: 422 UNKNOWN_FIELD_NAME) and put back, never read as a column a reviewer emptied."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
from airtable_support import RESTORED, Base, new_base

from bridge.backends.airtable import ModelNotFound


@pytest.fixture
def pushed(project: Path, monkeypatch: pytest.MonkeyPatch) -> Base:
    base = new_base(project, monkeypatch)
    base.sync()
    return base


def table_id(base: Base, title: str) -> str:
    (found,) = [tid for tid, table in base.fake._tables.items() if table.name == title]
    return found


def remembered(base: Base) -> dict[str, Any]:
    state = json.loads((base.data / "state" / "bridge_airtable.json").read_text())
    return state["cache"]["airtable"]["tables"]


def test_a_deleted_table_is_read_again_and_recreated(pushed: Base) -> None:
    published = pushed.records("published")
    del pushed.fake._tables[table_id(pushed, "Published")]  # no UI helper deletes a table
    report = pushed.sync()
    kinds = [(kind, method) for kind, method, _ in pushed.fake.calls]
    assert kinds[:4] == [("read", "GET")] * 3 + [("schema", "GET")]  # one 403, one schema
    assert report.changes["published"].create and not report.local.changes
    again = pushed.records("published")
    assert {r.pop("sync_status") for r in again} == {RESTORED}  # every row was missing
    assert sorted(map(str, again)) == sorted(map(str, published))
    assert remembered(pushed)["Published"]["id"] == table_id(pushed, "Published")
    pushed.sync()
    assert pushed.counts() == {"read": 3, "write": 0, "schema": 0}


def test_a_table_replaced_by_one_of_the_same_name_is_read_by_its_new_id(pushed: Base) -> None:
    old = table_id(pushed, "Published")
    fields = [
        {k: v for k, v in spec.items() if k in ("name", "type", "options")}
        for spec in pushed.schema()["Published"]["fields"]
    ]
    records = pushed.records("published")
    del pushed.fake._tables[old]
    new = pushed.fake.add_table("Published", fields)
    for cells in records:
        pushed.fake.add_record("Published", cells)
    report = pushed.sync()
    assert not report.changes["published"] and not report.local.changes
    assert pushed.records("published") == records
    assert remembered(pushed)["Published"]["id"] == new != old


def test_a_403_on_a_fresh_schema_names_the_table_and_is_not_read_again(pushed: Base) -> None:
    gone = table_id(pushed, "Staging")
    real = pushed.fake._callback

    def forbidden(request: requests.PreparedRequest) -> Any:
        if gone in str(request.url):
            pushed.fake.calls.append(("read", str(request.method), ""))
            body = {"error": {"type": "INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND", "message": "No"}}
            return 403, {"Content-Type": "application/json"}, json.dumps(body)
        return real(request)

    pushed.fake._callback = forbidden  # install() registers the bound callback it finds here
    with pytest.raises(ModelNotFound) as caught:
        pushed.sync()
    assert str(caught.value) == "Airtable: HTTP 403 No (table Staging)"
    assert pushed.counts()["schema"] == 1  # once, not on and on


def test_a_deleted_field_is_put_back_not_read_as_emptied(pushed: Base) -> None:
    before = pushed.files()
    developers = {r["model"]: r.get("developer") for r in pushed.records("candidates")}
    pushed.fake.delete_field("Candidates", "developer")
    report = pushed.sync()
    assert not report.local.changes  # nothing pulled: the local files are as they were
    assert pushed.files() == before
    assert "developer" in pushed.fake.field_names("Candidates")
    assert {r["model"]: r.get("developer") for r in pushed.records("candidates")} == developers
    pushed.sync()
    assert pushed.counts() == {"read": 3, "write": 0, "schema": 0}
