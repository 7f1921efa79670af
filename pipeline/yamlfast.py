"""YAML read by libyaml (PyYAML's C parser) where it gives exactly what the YAML 1.2 reader
(ruamel.yaml, :mod:`pipeline.yamlfile`) gives, about ten times faster.

Scalars are tagged by YAML 1.2's rules (``yes`` and ``on`` stay text, ``1e25`` is a number),
and only the plain forms of each type are built here: decimal integers and floats, dates,
booleans and nulls. Anything else — another number form, a time, an explicit tag, a merge
key, an anchor, a duplicate key, a ``%YAML`` directive, a tab, a character the two versions
break lines on, or any error — raises :class:`Unsure`, and the full reader decides (and
words the error).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import yaml


class Unsure(Exception):
    """The document needs the full YAML 1.2 reader."""


AVAILABLE = bool(getattr(yaml, "__with_libyaml__", False))
# Markers of what only the full reader handles: directives, tags, anchors, merge keys, a
# comment right after a block scalar's indicator, tabs and byte-order marks (libyaml
# accepts some of these where the full reader refuses them), and the line breaks YAML 1.1
# has and 1.2 has not.
_SLOW_TEXT = re.compile(
    r"^%|(?:^|[\s\[{,:?-])[!&]|<<|[|>][-+0-9]*#|[\t\x85\u2028\u2029\ufeff]", re.MULTILINE
)
_PLAIN_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
_PLAIN_FLOAT = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+(?=[eE]))(?:[eE][-+]?[0-9]+)?\Z")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
# YAML 1.2's implicit types (ruamel.yaml's resolver for version 1.2): tag, pattern, first
# characters.
_RESOLVERS = [
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    (
        "float",
        r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        "-+0123456789.",
    ),
    (
        "int",
        r"""^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+)$""",
        "-+0123456789",
    ),
    ("merge", r"^(?:<<)$", "<"),
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    (
        "timestamp",
        r"""^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
        |[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?
        (?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?
        (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$""",
        "0123456789",
    ),
    ("value", r"^(?:=)$", "="),
]


if AVAILABLE:

    class _Loader(yaml.CSafeLoader):
        """libyaml's parser, YAML 1.2's implicit types, and only the unambiguous values."""

        # YAML 1.2's, added below. A class attribute in PyYAML, typed as an instance one in
        # its stubs.
        yaml_implicit_resolvers: ClassVar[dict[Any, Any]] = {}  # type: ignore[misc]

        def construct_yaml_int(self, node: Any) -> int:
            text = self.construct_scalar(node)
            if not _PLAIN_INT.match(text):
                raise Unsure
            return int(text)

        def construct_yaml_float(self, node: Any) -> float:
            text = self.construct_scalar(node)
            if not _PLAIN_FLOAT.match(text):
                raise Unsure
            return float(text)

        def construct_yaml_timestamp(self, node: Any) -> Any:
            if not _DATE.match(self.construct_scalar(node)):
                raise Unsure
            return super().construct_yaml_timestamp(node)

        def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
            mapping = super().construct_mapping(node, deep=deep)
            if len(mapping) != len(node.value):  # a duplicate key: the full reader says so
                raise Unsure
            return mapping

    for _tag, _pattern, _first in _RESOLVERS:
        _Loader.add_implicit_resolver(
            f"tag:yaml.org,2002:{_tag}", re.compile(_pattern, re.X), list(_first)
        )
    for _tag, _method in (
        ("int", _Loader.construct_yaml_int),
        ("float", _Loader.construct_yaml_float),
        ("timestamp", _Loader.construct_yaml_timestamp),
    ):
        _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _method)


def parse(text: str) -> Any:
    """The document, or :class:`Unsure` when only the full reader can tell."""
    if not AVAILABLE or _SLOW_TEXT.search(text):
        raise Unsure
    try:
        return yaml.load(text, Loader=_Loader)
    except (yaml.YAMLError, ValueError, TypeError, RecursionError):
        raise Unsure from None
