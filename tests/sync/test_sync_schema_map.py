"""The staging <-> published translation (configs/schema_map.yaml): values translate by
kind, formatting alone is never a difference, and the table must be one-to-one."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.curate.schema_map import SchemaMap
from pipeline.errors import ConfigError

SHIPPED = Path(__file__).resolve().parents[2] / "configs" / "schema_map.yaml"
SCHEMA = SchemaMap.load(SHIPPED)
AUDIT = "[2025-01-01T00:00:00Z] Manual review: confirmed"


@pytest.mark.parametrize(
    ("field", "staging", "published"),
    [
        ("training_flop", "3.5e+26", "3.5000000000000006e+26"),
        ("training_flop", "5e+25", "4.999999999999999e+25"),
        ("training_flop", "1e+25", "10000000000000000000000000"),
        ("parameters", "2000000000000", "2000000000000.0"),
        ("release_date", "2025-07-09", "7/9/2025"),
        ("release_date", "2025-07-09", "07/09/2025"),
        ("confidence", "high", "Confident"),
        ("confidence", "medium", "Likely"),
        ("confidence", "low", "Unknown"),
        ("confidence", "speculative", "Speculative"),
        ("confidence", "Confident", "confident"),
        ("reasoning", "Two lines\r\nof text ", "Two lines\nof text"),
        ("notes", AUDIT, ""),
        ("notes", f"Dense model\n{AUDIT}", "Dense model"),
        ("developer", "", ""),
    ],
)
def test_formatting_alone_is_not_a_difference(field: str, staging: str, published: str) -> None:
    assert SCHEMA.same(SCHEMA.field(field), staging, published)


@pytest.mark.parametrize(
    ("field", "staging", "published"),
    [
        ("training_flop", "3.5e+26", "3.6e+26"),
        ("training_flop", "", "3.5e+26"),
        ("release_date", "2025-07-09", "9/7/2025"),
        ("confidence", "high", "Likely"),
        ("reasoning", "A", "a"),
        ("notes", AUDIT, "Epoch's abstract"),
    ],
)
def test_real_differences(field: str, staging: str, published: str) -> None:
    assert not SCHEMA.same(SCHEMA.field(field), staging, published)


@pytest.mark.parametrize(
    ("field", "staging", "published"),
    [
        ("training_flop", "3.5000000000000006e+26", "3.5e+26"),
        ("training_flop", "3.8e25", "3.8e+25"),
        ("parameters", "405000000000", "405000000000"),
        ("release_date", "2025-07-09", "7/9/2025"),
        ("confidence", "medium", "Likely"),
        ("confidence", "Speculative", "Speculative"),
        ("notes", f"Dense model\n{AUDIT}", "Dense model"),
        ("reasoning", "Über ✓ text", "Über ✓ text"),
        ("developer", "  ", ""),
    ],
)
def test_to_published(field: str, staging: str, published: str) -> None:
    assert SCHEMA.to_published(SCHEMA.field(field), staging) == published


@pytest.mark.parametrize(
    ("field", "published", "staging"),
    [
        ("training_flop", "3.5000000000000006e+26", "3.5e+26"),
        ("training_flop", "4.999999999999999e+25", "5e+25"),
        ("parameters", "2000000000000.0", "2000000000000"),
        ("release_date", "7/9/2025", "2025-07-09"),
        ("release_date", "", ""),
        ("confidence", "Confident", "high"),
        ("confidence", "UNKNOWN", "low"),
        ("confidence", "medium", "medium"),
        ("notes", "Line one\nline two", "Line one\nline two"),
    ],
)
def test_to_staging(field: str, published: str, staging: str) -> None:
    assert SCHEMA.to_staging(SCHEMA.field(field), published) == staging


@pytest.mark.parametrize(
    ("field", "value"),
    [("training_flop", "abc"), ("release_date", "sometime in 2024"), ("confidence", "banana")],
)
def test_unreadable_values_raise_value_error_both_ways(field: str, value: str) -> None:
    with pytest.raises(ValueError):
        SCHEMA.to_published(SCHEMA.field(field), value)
    with pytest.raises(ValueError):
        SCHEMA.to_staging(SCHEMA.field(field), value)


def test_unreadable_values_compare_as_text() -> None:
    flop = SCHEMA.field("training_flop")

    assert SCHEMA.same(flop, "abc ", "abc")
    assert not SCHEMA.same(flop, "abc", "3e+25")


def test_staging_cell_keeps_the_audit_lines_of_the_notes() -> None:
    notes = SCHEMA.field("notes")

    assert SCHEMA.staging_cell(notes, f"Ours\n{AUDIT}", "Theirs") == f"Theirs\n{AUDIT}"
    assert SCHEMA.staging_cell(notes, AUDIT, "") == AUDIT
    assert SCHEMA.staging_cell(SCHEMA.field("training_flop"), "1e+26", "2e26") == "2e+26"


def test_the_shipped_table_matches_the_seed() -> None:
    pairs = {f.staging: f.published for f in SCHEMA.fields}

    assert pairs == {
        "developer": "Organization",
        "training_flop": "Training compute (FLOP)",
        "parameters": "Parameters",
        "confidence": "Confidence",
        "reasoning": "Training compute notes",
        "release_date": "Publication date",
        "notes": "Abstract",
    }
    assert (SCHEMA.key.staging, SCHEMA.key.published) == ("model", "Model")
    assert (SCHEMA.audit.staging, SCHEMA.audit.published) == ("notes", "Accessibility notes")


def load_changed(tmp_path: Path, old: str, new: str) -> SchemaMap:
    text = SHIPPED.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "schema_map.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return SchemaMap.load(path)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "published: Abstract",
            "published: Organization",
            "published field 'Organization' is mapped twice",
        ),
        ("- staging: notes", "- staging: reasoning", "staging field 'reasoning' is mapped twice"),
        ("medium: Likely", "medium: Confident", "confidence: the vocabulary must be one-to-one"),
        ("published: Abstract", "published: Summary", "'Summary' is not a column of its dataset"),
    ],
)
def test_a_table_that_is_not_one_to_one_is_a_one_line_error(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_changed(tmp_path, old, new)

    text = str(caught.value)
    assert text.startswith(str(tmp_path / "schema_map.yaml"))
    assert text.endswith(message)
    assert "\n" not in text
