"""Known model specifications: ``configs/known_models.yaml``.

An entry gives a model's training compute directly (``training_flop``, or ``parameters``
and ``training_tokens``: 6 x N x D), through the hardware it was trained on
(``hardware``: chips x hours x peak FLOP/s x utilisation) or as a fine-tune of another
model (``base_model``: the base's compute plus the fine-tune's, ``finetune_flop`` or 6 x
the base's parameters x ``finetune_tokens``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from pipeline.collect.names import KEY_PATTERN
from pipeline.errors import ConfigError
from pipeline.schema import Confidence
from pipeline.values import MAX_FLOP, urls_in
from pipeline.yamlfile import expect_mapping, first_problem, load_yaml


class HardwareSpec(BaseModel, extra="forbid"):
    """How a model was trained: ``count`` chips of type ``chip`` for ``hours`` hours."""

    chip: str
    count: float = Field(gt=0)
    hours: float = Field(gt=0)
    utilisation: float | None = Field(None, gt=0, le=1)


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
    hardware: HardwareSpec | None = None
    base_model: str | None = None
    finetune_flop: float | None = Field(None, gt=0, lt=MAX_FLOP)
    finetune_tokens: float | None = Field(None, gt=0)

    @field_validator("base_model")
    @classmethod
    def _base_key(cls, value: str | None) -> str | None:
        if value is not None and not KEY_PATTERN.match(value):
            raise ValueError(f"{value!r} is not a model key")
        return value

    @field_validator("source")
    @classmethod
    def _url(cls, value: str) -> str:
        if value and urls_in(value) != [value]:
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value

    @model_validator(mode="after")
    def _compute(self) -> KnownModel:
        reported = self.training_flop is not None or (self.parameters and self.training_tokens)
        if not (reported or self.hardware or self.base_model):
            raise ValueError(
                "give training_flop, parameters and training_tokens, hardware or base_model"
            )
        if self.base_model and not (self.finetune_flop or self.finetune_tokens):
            raise ValueError("a fine-tune needs finetune_flop or finetune_tokens")
        return self

    @property
    def flop(self) -> float | None:
        """The reported training compute, or None when only hardware or a base is given."""
        if self.training_flop is not None:
            return self.training_flop
        if self.parameters and self.training_tokens:
            return 6 * self.parameters * self.training_tokens
        return None

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
