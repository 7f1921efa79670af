"""Keys keep every letter (ARCHITECTURE §3): raw names are normalised with Unicode in mind
(NFKC, case folding) and letters of every script stay, so two different names never fold
into one key unless an alias says so."""

from __future__ import annotations

import csv
import json
import re

import pytest
from hostile_support import JAN_JSON, JAN_RAW, ROOT, Home, text_of, write

from pipeline.collect.names import KEY_PATTERN, NameRules, normalise, tokenise

RULES = NameRules.load(ROOT / "configs" / "aliases.yaml")
CHINESE = {"通义千问-72B": ("通义千问_72b", 1301.0), "文心一言-72B": ("文心一言_72b", 1288.0)}


def shipped_names() -> list[str]:
    names = []
    for path in sorted((ROOT / "data" / "raw").rglob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                names += [row[c] for c in ("Model", "System") if row.get(c)]
    return names


def test_names_in_other_scripts_keep_their_own_keys_and_scores(home: Home) -> None:
    rows = "".join(f"99,{name},{score:g},+9/-9,3000,Other,\n" for name, (_, score) in
                   CHINESE.items())  # fmt: skip
    write(home, JAN_RAW, text_of(home, JAN_RAW) + rows)
    result = home.cli("collect-all")
    assert result.exit_code == 0, result.output
    models = {m["key"]: m for m in json.loads(text_of(home, JAN_JSON))["models"]}
    for name, (key, score) in CHINESE.items():
        assert models[key]["raw_names"] == [name]
        assert models[key]["benchmarks"] == {"arena_score": score}


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("通义千问-72b", "通义千问_72b"),
        ("Straße-7B", "strasse_7b"),
        ("Ｇｐｔ－４ｏ", "gpt_4o"),  # full-width forms
        ("हिन्दी-LM", "हिन्दी_lm"),  # combining marks stay with their letters
        ("Modèle-Large", "modèle_large"),
        ("ΣΟΦΙΑ 70B", "σοφια_70b"),
    ],
)
def test_letters_of_every_script_are_kept(raw: str, key: str) -> None:
    assert normalise(raw, RULES) == key
    assert KEY_PATTERN.match(key)


def test_names_that_differ_in_letters_never_share_a_key() -> None:
    names = ["通义千问-72b", "文心一言-72b", "Modèle-72b", "Model-72b", "Модель-72b"]
    assert len({normalise(name, RULES) for name in names}) == len(names)


def test_the_shipped_ascii_names_keep_their_keys() -> None:
    """For ASCII names case folding is lower-casing and the split is the earlier one (runs
    of a-z, 0-9 and "."), so every key of the shipped samples stays as it was."""
    names = [name for name in shipped_names() if name.isascii()]
    assert len(names) > 300
    for name in names:
        text = name.strip().lower().rsplit("/", 1)[-1].replace("+", " plus ")
        earlier = [t.strip(".") for t in re.split(r"[^a-z0-9.]+", text) if t.strip(".")]
        assert tokenise(name) == earlier, name
