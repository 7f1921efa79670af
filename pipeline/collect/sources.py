"""Source configurations: one YAML file per source in ``configs/scrapers/``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from pipeline.errors import ConfigError
from pipeline.yamlfile import expect_mapping, first_problem, load_yaml

SourceType = Literal["csv_file", "html_table", "html_file"]
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_]*$")


def header_token(text: str) -> str:
    """A header cell reduced to lower-case letters and digits, for matching by name."""
    return re.sub(r"[^a-z0-9]+", "", text.lower())


class SourceConfig(BaseModel, extra="forbid"):
    """How to read one source. ``columns`` and ``benchmarks`` map a field to header names."""

    name: str
    type: SourceType
    description: str = ""
    enabled: bool = True
    path: str | None = None
    url: str | None = None
    provenance: str | None = None
    columns: dict[Literal["model", "developer", "votes", "rank", "license"], list[str]]
    benchmarks: dict[str, list[str]] = Field(min_length=1)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not NAME_PATTERN.match(value):
            raise ValueError("use lower-case letters, digits and _")
        return value

    @model_validator(mode="after")
    def _inputs(self) -> SourceConfig:
        if "model" not in self.columns:
            raise ValueError("columns must name the model column")
        if self.type == "html_table" and not self.url:
            raise ValueError("an html_table source needs a url")
        if self.type in ("csv_file", "html_file") and not self.path:
            raise ValueError(f"a {self.type} source needs a path")
        for field, names in [*self.columns.items(), *self.benchmarks.items()]:
            if not names or not all(isinstance(n, str) and header_token(n) for n in names):
                raise ValueError(f"{field}: give one or more header names")
        return self

    @property
    def reference(self) -> str:
        """How the ``sources`` column cites this source: ``URL (description)``."""
        where = self.provenance or self.url or self.name
        return f"{where} ({self.description})" if self.description else where

    def input_path(self, data_dir: Path) -> Path:
        """Input files are named relative to the data directory."""
        assert self.path is not None
        path = Path(self.path)
        return path if path.is_absolute() else data_dir / path


def load_sources(folder: Path) -> list[SourceConfig]:
    """Every ``*.yaml`` in ``configs/scrapers``, sorted by name; duplicate names are an error."""
    if not folder.is_dir():
        raise ConfigError("folder not found", file=folder)
    sources: dict[str, SourceConfig] = {}
    for path in sorted(folder.glob("*.yaml")):
        data = expect_mapping(load_yaml(path), path, "a source")
        data.setdefault("name", path.stem)
        try:
            source = SourceConfig(**data)
        except ValidationError as exc:
            message, loc = first_problem(exc)
            raise ConfigError(message, file=path, field=".".join(loc) or None) from None
        except TypeError as exc:
            raise ConfigError(str(exc), file=path) from None
        if source.name in sources:
            raise ConfigError(f"source name {source.name!r} is used twice", file=path)
        sources[source.name] = source
    return list(sources.values())
