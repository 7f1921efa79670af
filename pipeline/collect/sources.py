"""Source configurations: one YAML file per source in ``configs/scrapers/``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from pipeline.errors import ConfigError
from pipeline.yamlfile import expect_mapping, first_problem, load_yaml

SourceType = Literal["csv_file", "html_table", "html_file", "epoch_csv", "manual_yaml", "hf_hub"]
# Leaderboards give scores; a specs source (Epoch's database) gives reported facts.
LEADERBOARD_TYPES = ("csv_file", "html_table", "html_file")
LOCAL_TYPES = ("csv_file", "html_file", "epoch_csv", "manual_yaml")
SPEC_TYPES = ("epoch_csv", "manual_yaml", "hf_hub")
SPEC_FIELDS = (
    "release_date", "parameters", "training_flop", "training_tokens", "confidence",
    "source_url", "notes",
)  # fmt: skip
ColumnName = Literal[
    "model", "developer", "votes", "rank", "license", "release_date", "parameters",
    "training_flop", "training_tokens", "confidence", "source_url", "notes",
]  # fmt: skip
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
    glob: str | list[str] | None = None
    snapshot_date: Literal["name", "mtime"] = "name"
    url: str | None = None
    save_as: str | None = None
    export_to: str | None = None
    provenance: str | None = None
    columns: dict[ColumnName, list[str]] = Field(default_factory=dict)
    authors: list[str] = Field(default_factory=list)  # hf_hub: organisations (none: all)
    limit: int = Field(100, gt=0)  # hf_hub: models per organisation, most downloaded first
    benchmarks: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not NAME_PATTERN.match(value):
            raise ValueError("use lower-case letters, digits and _")
        return value

    @model_validator(mode="after")
    def _inputs(self) -> SourceConfig:
        if "model" not in self.columns and self.type != "hf_hub":
            raise ValueError("columns must name the model column")
        if self.type == "html_table" and not self.url:
            raise ValueError("an html_table source needs a url")
        if self.type in LOCAL_TYPES and not (self.path or self.glob):
            raise ValueError(f"a {self.type} source needs a path or a glob")
        if self.save_as and not (self.url and "{date}" in self.save_as):
            raise ValueError("save_as needs a url and a {date} in the file name")
        if self.export_to and not (self.type == "html_table" and "{date}" in self.export_to):
            raise ValueError("export_to needs an html_table source and a {date} in the name")
        if self.path and self.glob:
            raise ValueError("give a path (one file) or a glob (a folder), not both")
        if self.type in LEADERBOARD_TYPES and not self.benchmarks:
            raise ValueError("benchmarks: name one or more benchmark columns")
        for field, names in [*self.columns.items(), *self.benchmarks.items()]:
            if not names or not all(isinstance(n, str) and header_token(n) for n in names):
                raise ValueError(f"{field}: give one or more header names")
        return self

    @property
    def reference(self) -> str:
        """How the ``sources`` column cites this source: ``URL (description)``."""
        where = self.provenance or self.url or self.name
        return f"{where} ({self.description})" if self.description else where

    @property
    def patterns(self) -> list[str]:
        """The file or glob patterns this source reads (relative to the data directory)."""
        if self.glob is not None:
            return [self.glob] if isinstance(self.glob, str) else list(self.glob)
        return [self.path] if self.path else []

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
