"""libyaml reads a document only when it gives what the YAML 1.2 reader gives
(pipeline/yamlfast.py); anything else goes to ruamel.yaml, errors included."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from pipeline import yamlfast
from pipeline.yamlfile import parse_yaml

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted([*ROOT.glob("configs/**/*.yaml"), *ROOT.glob("data/raw/**/*.yaml")])


def _full(text: str) -> tuple[str, Any]:
    try:
        return "ok", YAML(typ="safe", pure=True).load(text)
    except Exception as exc:  # the full reader's verdict, whatever it is
        return "error", type(exc).__name__


def _agrees(text: str) -> bool:
    """The fast reader gives the full reader's document (same types), or declines."""
    try:
        fast = ("ok", yamlfast.parse(text))
    except yamlfast.Unsure:
        return True
    full = _full(text)
    return fast == full and repr(fast) == repr(full)


@pytest.mark.skipif(not yamlfast.AVAILABLE, reason="PyYAML without libyaml")
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_configs_read_fast_and_the_same(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert yamlfast.parse(text) == _full(text)[1]


CASES = [
    "a: yes", "a: on", "a: y", "a: 1e25", "a: 1.0e+25", "a: 010", "a: 0o17", "a: 0x1F",
    "a: 1_000", "a: .inf", "a: .NaN", "a: -.5", "a: 5.", "a: 2024-05-13",
    "a: 2024-05-13 10:00:00", "a: 2024-13-45", "a: ~", "a: ''", "a: null", "a: True",
    "a: 1:30", "a: +12", "a: -0", "a: 007", "b: [1, 2.5, x]", "a: 1\na: 2", "a: 1\nb: {a: 1, a: 2}",
    "a: !!str 1", "a: 1e", "a: .5e+3", "a: 12e3", "? [a]\n: 1", "a:\tb", "a: b\t# c",
    "key:\t value", "a:\n\t- 1", "a: 'x'\n---\nb: 1", "%YAML 1.1\n---\na: yes", "a: &x 1\nb: *x",
    "base: &b {x: 1}\nc:\n  <<: *b", "a: =", "a: 'x\u2028y'", "a: [1, 2", "",
]  # fmt: skip


@pytest.mark.parametrize("text", CASES)
def test_a_tricky_document_is_read_alike_or_left_to_the_full_reader(text: str) -> None:
    assert _agrees(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x3000), max_size=12))
def test_any_scalar_is_read_alike_or_left_to_the_full_reader(value: str) -> None:
    assert _agrees(f"key: {value}\nlist:\n  - {value}\n")


def test_a_duplicate_key_is_still_named_with_its_line(tmp_path: Path) -> None:
    with pytest.raises(Exception, match=r'line 2: found duplicate key "a"'):
        parse_yaml("a: 1\na: 2\n", tmp_path / "x.yaml")
