"""Developer names: each organisation under one canonical spelling (``developers`` in
``configs/aliases.yaml``), so ``DeepSeek AI`` and ``DeepSeek`` count as one."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import ConfigError
from pipeline.yamlfile import expect_mapping, load_yaml


def _token(name: str) -> str:
    return re.sub(r"\W+", " ", unicodedata.normalize("NFKC", name).casefold()).strip()


@dataclass(frozen=True)
class DeveloperNames:
    """Variant spelling (compared case- and punctuation-blind) -> canonical name."""

    canonical: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path) -> DeveloperNames:
        data = expect_mapping(load_yaml(path, required=False), path, "aliases.yaml")
        section = expect_mapping(data.get("developers"), path, "developers")
        table: dict[str, str] = {}
        for name, variants in section.items():
            if not isinstance(variants, list) or not all(isinstance(v, str) for v in variants):
                raise ConfigError(
                    f"{name!r} must list its other spellings", file=path, field="developers"
                )
            for variant in [name, *variants]:
                token = _token(variant)
                if table.get(token, name) != name:
                    raise ConfigError(
                        f"{variant!r} is listed under both {table[token]!r} and {name!r}",
                        file=path,
                        field="developers",
                    )
                table[token] = name
        return cls(table)

    def __call__(self, name: str) -> str:
        """The canonical spelling of ``name`` (``name`` itself, trimmed, when not listed);
        a list of organisations (``University of Washington,Allen Institute for AI``) is
        read name by name."""
        name = name.strip()
        if not name or _token(name) in self.canonical:
            return self.canonical.get(_token(name), name)
        if "," in name:
            parts = [self(part) for part in name.split(",") if part.strip()]
            return ", ".join(dict.fromkeys(parts))
        return name
