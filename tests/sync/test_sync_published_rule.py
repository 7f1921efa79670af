"""The one published -> staging rule (``staging_changes``), shared by ``sync-datasets`` and
the Published sheet's pull: which published values reach a staging row, and how."""

from __future__ import annotations

from pathlib import Path

from pipeline.curate.plan import Change, Conflict, InvalidInput, UpdateField
from pipeline.curate.schema_map import SchemaMap
from pipeline.curate.sync import VERIFIED, staging_changes

SCHEMA = SchemaMap.load(Path(__file__).resolve().parents[2] / "configs" / "schema_map.yaml")
PUBLISHED = {
    "Model": "GPT-4",
    "Organization": "OpenAI",
    "Training compute (FLOP)": "2.1e+25",
    "Parameters": "",
    "Confidence": "Likely",
    "Training compute notes": "",
    "Publication date": "2023-03-15",
    "Abstract": "",
}
STAGING = {
    "model": "gpt_4",
    "developer": "OpenAI",
    "training_flop": "2e+25",
    "parameters": "1.8e+12",
    "confidence": "medium",
    "release_date": "2023-03-15",
    "notes": "",
    "verified": "",
}


def changes(
    cells: dict[str, str], current: dict[str, str], columns: set[str] | None = None
) -> list[Change]:
    return staging_changes(SCHEMA, "GPT-4", cells, "gpt_4", current, why="test", columns=columns)


def test_an_unverified_row_takes_the_differing_values_only() -> None:
    found = changes(PUBLISHED, STAGING)

    assert found == [UpdateField("staging", "gpt_4", "training_flop", "2e+25", "2.1e+25", "test")]


def test_a_verified_row_keeps_its_value_and_reports_a_conflict() -> None:
    found = changes(PUBLISHED, {**STAGING, "verified": "y"})

    assert found == [Conflict("staging", "gpt_4", "training_flop", "2e+25", "2.1e+25", VERIFIED)]


def test_an_empty_published_value_changes_nothing() -> None:
    assert changes({**PUBLISHED, "Training compute (FLOP)": ""}, STAGING) == []


def test_only_the_given_columns_are_considered() -> None:
    cells = {**PUBLISHED, "Organization": "OpenAI Inc"}

    found = changes(cells, STAGING, columns={"Organization"})

    assert found == [UpdateField("staging", "gpt_4", "developer", "OpenAI", "OpenAI Inc", "test")]


def test_an_unreadable_value_is_reported_and_its_cell_left_alone() -> None:
    found = changes({**PUBLISHED, "Training compute (FLOP)": "lots"}, STAGING)

    assert len(found) == 1
    assert isinstance(found[0], InvalidInput)
    assert (found[0].field, found[0].value) == ("Training compute (FLOP)", "lots")
