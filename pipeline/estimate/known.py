"""Known model specifications: ``configs/known_models.yaml``."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from pipeline.collect.names import KEY_PATTERN
from pipeline.errors import ConfigError
from pipeline.values import MAX_FLOP, urls_in
from pipeline.yamlfile import expect_mapping, first_problem, load_yaml

Confidence = Literal["high", "medium", "low", "speculative"]


class KnownModel(BaseModel, extra="forbid"):
    name: str
    developer: str = ""
    release_date: date | None = None
    training_flop: float | None = Field(None, gt=0, lt=MAX_FLOP)
    parameters: float | None = Field(None, gt=0)
    training_tokens: float | None = Field(None, gt=0)
    confidence: Confidence
    source: str = ""
    reference: str = ""
    notes: str = ""

    @field_validator("source")
    @classmethod
    def _url(cls, value: str) -> str:
        if value and urls_in(value) != [value]:
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value

    @model_validator(mode="after")
    def _compute(self) -> KnownModel:
        if self.training_flop is None and not (self.parameters and self.training_tokens):
            raise ValueError("give training_flop, or parameters and training_tokens")
        return self

    @property
    def flop(self) -> float:
        if self.training_flop is not None:
            return self.training_flop
        assert self.parameters and self.training_tokens
        return 6 * self.parameters * self.training_tokens

    @property
    def how(self) -> str:
        if self.training_flop is not None:
            return "reported training compute"
        return "6 x parameters x training tokens"


def load_known(path: Path) -> dict[str, KnownModel]:
    data = expect_mapping(load_yaml(path, required=False), path, "known_models.yaml")
    known: dict[str, KnownModel] = {}
    for key, entry in data.items():
        if not isinstance(key, str) or not KEY_PATTERN.match(key):
            raise ConfigError(f"{key!r} is not a model key", file=path, row=str(key))
        if not isinstance(entry, dict):
            raise ConfigError("each model needs a mapping of fields", file=path, row=key)
        try:
            known[key] = KnownModel(**entry)
        except ValidationError as exc:
            message, loc = first_problem(exc)
            field = ".".join(loc) or "training_flop"
            raise ConfigError(message, file=path, row=key, field=field) from None
    return known
