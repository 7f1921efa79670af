"""Raw leaderboard names -> model keys (ARCHITECTURE §3).

The documented rules, applied in this order:

1. Unicode NFKC, then case folding (``Straße`` -> ``strasse``); anything before a ``/``
   (``meta-llama/``) is dropped; ``+`` reads as ``plus`` (``Command R+``); medals and other
   symbols go with the separators.
2. The name is split into tokens on every character other than a letter, a digit or a mark
   of any script and ``.``: ``通义千问-72B`` -> ``通义千问_72b``, so names in different
   scripts never share a key unless an alias says so.
3. Version rule: a token that ends in one digit followed by a one-digit token is a dotted
   version written with a separator: ``claude-3-5`` -> ``claude_3.5``, ``internlm2_5`` ->
   ``internlm2.5``, ``v0-2`` -> ``v0.2``.
4. Precision rule: serving-precision tokens (``bf16``, ``fp8``, ``int4``, ...) are dropped:
   they describe how weights are served, not how the model was trained.
5. Variant rule: ``instruct``, ``chat`` and ``it`` (after the first token) are dropped: a
   post-trained variant shares its base model's training compute.
6. Prefix rule: leading tokens listed in ``drop_prefixes`` (``meta``) are dropped.
7. Date rule: a trailing date stamp (``2024_05_13``, ``20241022``, ``08_2024``, ``202412``,
   ``01_21``, ``0514``, ``2407``) is dropped only when the rest of the key is listed in
   ``snapshot_families``: dated snapshots of those models share one pre-training run.
   Elsewhere the date stays, because it can mark a different model
   (``claude_3.5_sonnet_20241022``).
8. Alias rule: the ``aliases`` table maps the result to its key.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pipeline.errors import ConfigError
from pipeline.yamlfile import expect_mapping, expect_str_list, load_yaml

PRECISION_TOKENS = frozenset(
    {"bf16", "fp16", "fp32", "fp8", "fp4", "int4", "int8", "awq", "gptq", "gguf"}
)
VARIANT_TOKENS = frozenset({"instruct", "chat", "it"})
# A letter or digit (not an upper-case ASCII letter), then no space, no upper-case ASCII
# letter and no ASCII punctuation other than ``.`` and ``_``: ``gpt_4o``, ``通义千问_72b``.
KEY_PATTERN = re.compile(r"^[^\W_A-Z][^\sA-Z!-\-/:-@\[-\^`{-~]*$")

_SPLIT = re.compile(r"[^a-z0-9.]+")
_ENDS_IN_ONE_DIGIT = re.compile(r"^[a-z]*\d$")


@dataclass(frozen=True)
class NameRules:
    """The configurable part of the rules: ``configs/aliases.yaml``."""

    drop_prefixes: frozenset[str] = frozenset()
    snapshot_families: frozenset[str] = frozenset()
    aliases: dict[str, str] = field(default_factory=dict)
    # raw name -> key, filled by normalise(): every snapshot lists the same names again
    keys: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def load(cls, path: str | Path) -> NameRules:
        data = expect_mapping(load_yaml(path, required=False), path, "aliases.yaml")
        unknown = set(data) - {"drop_prefixes", "snapshot_families", "aliases", "developers"}
        if unknown:
            raise ConfigError(f"unknown sections {sorted(unknown)}", file=path)
        aliases = expect_mapping(data.get("aliases"), path, "aliases")
        for source, target in aliases.items():
            if not isinstance(source, str) or not isinstance(target, str):
                raise ConfigError(
                    f"alias {source!r}: {target!r} must map a name to a key (both text)",
                    file=path,
                    field="aliases",
                )
            if not KEY_PATTERN.match(target):
                raise ConfigError(
                    f"alias target {target!r} is not a key", file=path, field="aliases"
                )
            if target in aliases:
                raise ConfigError(
                    f"alias {source!r} -> {target!r} points to another alias; point it to the key",
                    file=path,
                    field="aliases",
                )
        return cls(
            frozenset(expect_str_list(data.get("drop_prefixes"), path, "drop_prefixes")),
            frozenset(expect_str_list(data.get("snapshot_families"), path, "snapshot_families")),
            dict(aliases),
        )


def tokenise(raw: str) -> list[str]:
    """Rules 1-2: case-folded tokens of a raw name."""
    text = unicodedata.normalize("NFKC", raw).strip().casefold()
    if "/" in text:
        text = text.rsplit("/", 1)[1]
    text = text.replace("+", " plus ")
    if text.isascii():
        tokens = _SPLIT.split(text)
    else:
        tokens = "".join(c if _kept(c) else " " for c in text).split()
    return [token.strip(".") for token in tokens if token.strip(".")]


def _kept(char: str) -> bool:
    """A character of a token: ``.``, or a letter, digit or mark of any script."""
    return char == "." or unicodedata.category(char)[0] in "LMN"


def _join_versions(tokens: list[str]) -> list[str]:
    out: list[str] = []
    for token in tokens:
        if out and len(token) == 1 and token.isdigit() and _ENDS_IN_ONE_DIGIT.match(out[-1]):
            out[-1] = f"{out[-1]}.{token}"
        else:
            out.append(token)
    return out


def _valid(year: int, month: int, day: int = 1) -> bool:
    if not 2015 <= year <= 2040:
        return False
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def split_date(tokens: list[str]) -> tuple[list[str], list[str]]:
    """Split a trailing date stamp off ``tokens``: (rest, stamp); stamp is [] if none."""
    n = len(tokens)
    if n >= 4 and all(t.isdigit() for t in tokens[-3:]):
        y, m, d = tokens[-3:]
        if len(y) == 4 and len(m) == 2 and len(d) == 2 and _valid(int(y), int(m), int(d)):
            return tokens[:-3], tokens[-3:]
    if n >= 3 and tokens[-1].isdigit() and tokens[-2].isdigit():
        a, b = tokens[-2:]
        if len(a) == 2 and len(b) == 4 and _valid(int(b), int(a)):
            return tokens[:-2], tokens[-2:]
        if len(a) == 2 and len(b) == 2 and _valid(2024, int(a), int(b)):
            return tokens[:-2], tokens[-2:]
    if n >= 2 and tokens[-1].isdigit():
        t = tokens[-1]
        if len(t) == 8 and _valid(int(t[:4]), int(t[4:6]), int(t[6:])):
            return tokens[:-1], [t]
        if len(t) == 6 and _valid(int(t[:4]), int(t[4:])):
            return tokens[:-1], [t]
        if len(t) == 4 and (
            _valid(2024, int(t[:2]), int(t[2:])) or _valid(2000 + int(t[:2]), int(t[2:]))
        ):
            return tokens[:-1], [t]
    return tokens, []


def explain(raw: str, rules: NameRules) -> tuple[str, list[str]]:
    """The key for ``raw`` and the rules that changed it, in order."""
    steps: list[str] = []
    tokens = tokenise(raw)
    joined = _join_versions(tokens)
    if joined != tokens:
        steps.append(f"version: {'_'.join(tokens)} -> {'_'.join(joined)}")
    tokens = joined
    kept = [t for t in tokens if t not in PRECISION_TOKENS]
    if kept != tokens:
        steps.append(f"precision: dropped {', '.join(t for t in tokens if t in PRECISION_TOKENS)}")
    tokens = kept
    kept = tokens[:1] + [t for t in tokens[1:] if t not in VARIANT_TOKENS]
    if kept != tokens:
        steps.append(f"variant: dropped {', '.join(t for t in tokens[1:] if t in VARIANT_TOKENS)}")
    tokens = kept
    while len(tokens) > 1 and tokens[0] in rules.drop_prefixes:
        steps.append(f"prefix: dropped {tokens[0]}")
        tokens = tokens[1:]
    rest, stamp = split_date(tokens)
    if stamp and "_".join(rest) in rules.snapshot_families:
        steps.append(f"date: dropped {'_'.join(stamp)} (snapshot of {'_'.join(rest)})")
        tokens = rest
    key = "_".join(tokens)
    if key in rules.aliases:
        steps.append(f"alias: {key} -> {rules.aliases[key]}")
        key = rules.aliases[key]
    return key, steps


def normalise(raw: str, rules: NameRules) -> str:
    """The model key for a raw leaderboard name ('' when the name has no letters or digits),
    worked out once per raw name and set of rules."""
    key = rules.keys.get(raw)
    if key is None:
        key = rules.keys[raw] = explain(raw, rules)[0]
    return key
