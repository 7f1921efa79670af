"""YAML configuration: one-line ConfigErrors naming the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.yamlfile import expect_mapping, expect_str_list, load_yaml

DUP = 'found duplicate key "{}" (the mapping starts on line {})'
BAD_YAML = [
    ("dup", "a: 1\nb:\n  c: 1\n  c: 2\n", "line 4: " + DUP.format("c", 3)),
    ("dup_top", "a: 1\nb: 2\na: 3\n", "line 3: " + DUP.format("a", 1)),
    ("tab", "a:\n\tb: 1\n", "line 2: found character '\\t' that cannot start any token"),
    ("flow", "a: [1, 2\n", "line 2: expected ',' or ']', but got '<stream end>'"),
]


@pytest.mark.parametrize(("name", "text", "message"), BAD_YAML, ids=[b[0] for b in BAD_YAML])
def test_bad_yaml_is_config_error_with_line(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_yaml(path)
    assert str(info.value) == f"{path}: {message}"


def test_valid_yaml_loads(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text("a: 1\nb: [x, y]\nc: {d: 5e+25}\n", encoding="utf-8")
    assert load_yaml(path) == {"a": 1, "b": ["x", "y"], "c": {"d": 5e25}}


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    assert load_yaml(path, required=False) is None
    with pytest.raises(ConfigError) as info:
        load_yaml(path)
    assert str(info.value) == f"{path}: file not found"


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes(b"name: caf\xe9\n")
    with pytest.raises(ConfigError) as info:
        load_yaml(path)
    assert str(info.value) == f"{path}: not UTF-8 text (byte 9)"


def test_expect_helpers(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    assert expect_mapping(None, path, "x") == {}
    assert expect_str_list(["a"], path, "names") == ["a"]
    with pytest.raises(ConfigError, match="x must be a mapping, not list"):
        expect_mapping([1], path, "x")
    with pytest.raises(ConfigError, match="names must be a list of strings"):
        expect_str_list(["a", 1], path, "names")
