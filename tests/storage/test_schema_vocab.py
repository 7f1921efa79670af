"""schema.canonical(): vocabulary values, legacy spellings, and refusal of unknown words."""

from __future__ import annotations

import json

import pytest

from pipeline.curate.datasets import Table
from pipeline.schema import Classification, canonical, is_verified


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("threshold_classification", "uncertain", "not_sure"),
        ("threshold_classification", "Not Sure", "not_sure"),
        ("threshold_classification", "high_confidence_above", "high_confidence_above_1e25"),
        ("confidence", "Confident", "high"),
        ("confidence", "Likely", "medium"),
        ("confidence", "Speculative", "speculative"),
        ("confidence", "Unknown", "low"),
        ("confidence", " High ", "high"),
        ("status", "uncertain", "uncertain"),
        ("status", "not_sure", "uncertain"),
        ("status", "confirmed_above", "confirmed_above_1e25"),
        ("verified", "yes", "y"),
        ("verified", "Y", "y"),
        ("verified", "TRUE", "y"),
        ("verified", "no", ""),
        ("verified", "", ""),
        ("notes", "anything at all", "anything at all"),
    ],
)
def test_canonical(field: str, value: str, expected: str) -> None:
    assert canonical(field, value) == expected


@pytest.mark.parametrize(
    ("field", "value", "allowed"),
    [
        ("confidence", "maybe", "high, medium, low, speculative"),
        ("verified", "perhaps", "y"),
        (
            "threshold_classification",
            "huge",
            "high_confidence_above_1e25, not_sure, high_confidence_below_1e25",
        ),
    ],
)
def test_canonical_refuses_unknown_words(field: str, value: str, allowed: str) -> None:
    with pytest.raises(ValueError) as info:
        canonical(field, value)
    assert str(info.value) == f"{value!r} is not one of {allowed}"


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"verified": "y"}, True),
        ({"verified": "Yes"}, True),
        ({"verified": "x"}, True),
        ({"verified": "odd mark"}, True),
        ({"verified": ""}, False),
        ({"verified": "no"}, False),
        ({"verified": "N"}, False),
        ({}, False),
    ],
)
def test_is_verified(cells: dict[str, str], expected: bool) -> None:
    assert is_verified(cells) is expected


def test_table_and_classification_names_are_the_file_and_sheet_strings() -> None:
    assert [str(t) for t in Table] == ["candidates", "below", "staging", "published"]
    assert [f"{c}" for c in Classification] == [
        "high_confidence_above_1e25",
        "not_sure",
        "high_confidence_below_1e25",
    ]
    assert Table.BELOW != Classification.BELOW
    assert {"below": 1}[Table.BELOW] == 1  # tables keyed by name find the member
    assert json.dumps({Table.STAGING: Classification.NOT_SURE}) == '{"staging": "not_sure"}'


def test_a_legacy_classification_reads_as_plain_text() -> None:
    meaning = canonical("threshold_classification", "below")
    assert meaning == Classification.BELOW and type(meaning) is str
