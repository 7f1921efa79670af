"""Staging <-> published translation (``configs/schema_map.yaml``): one table, one-to-one.

Values are translated by kind (text, number, date, vocabulary) and compared after
normalisation, so formatting alone is never a difference: ``3.5000000000000006e+26`` and
``3.5e+26`` are one number, ``7/9/2025`` and ``2025-07-09`` one date, ``Confident`` and
``high`` one confidence.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, model_validator

from pipeline.curate.notes import split, with_audit
from pipeline.errors import ConfigError
from pipeline.schema import COLUMNS, canonical
from pipeline.values import format_number, parse_date, parse_number, round_sig
from pipeline.yamlfile import expect_mapping, first_problem, load_yaml

Kind = Literal["text", "number", "date", "vocabulary"]


class FieldMap(BaseModel, extra="forbid"):
    staging: str
    published: str
    kind: Kind = "text"
    vocabulary: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _vocabulary(self) -> FieldMap:
        if (self.kind == "vocabulary") != bool(self.vocabulary):
            raise ValueError(f"{self.staging}: a vocabulary goes with kind: vocabulary")
        values = [v.lower() for v in self.vocabulary.values()]
        if len(set(values)) != len(values):
            raise ValueError(f"{self.staging}: the vocabulary must be one-to-one")
        return self


class KeyMap(BaseModel, extra="forbid"):
    staging: str
    published: str


class AuditFields(BaseModel, extra="forbid"):
    published: str
    staging: str


class SchemaMap(BaseModel, extra="forbid"):
    key: KeyMap
    fields: list[FieldMap]
    published_date_format: str = "{month}/{day}/{year}"
    audit: AuditFields
    published_columns: list[str]

    @model_validator(mode="after")
    def _one_to_one(self) -> SchemaMap:
        staging = [f.staging for f in self.fields]
        published = [f.published for f in self.fields]
        for side, names in (("staging", staging), ("published", published)):
            repeated = sorted({n for n in names if names.count(n) > 1})
            if repeated:
                raise ValueError(f"{side} field {repeated[0]!r} is mapped twice")
        unknown = [n for n in [*staging, self.audit.staging] if n not in COLUMNS]
        unknown += [
            n for n in [*published, self.key.published, self.audit.published]
            if n not in self.published_columns
        ]  # fmt: skip
        if unknown:
            raise ValueError(f"{unknown[0]!r} is not a column of its dataset")
        return self

    @classmethod
    def load(cls, path: Path) -> SchemaMap:
        data = expect_mapping(load_yaml(path), path, "schema_map.yaml")
        try:
            return cls(**data)
        except ValidationError as exc:
            message, loc = first_problem(exc)
            raise ConfigError(message, file=path, field=".".join(loc) or None) from None

    def field(self, staging_name: str) -> FieldMap:
        return next(f for f in self.fields if f.staging == staging_name)

    # -- translation ---------------------------------------------------------------------

    def content(self, fm: FieldMap, staging_value: str) -> str:
        """A staging cell without its audit notes, which stay in their own dataset."""
        return split(staging_value)[0] if fm.staging == self.audit.staging else staging_value

    def to_published(self, fm: FieldMap, value: str) -> str:
        """A staging cell as the published dataset writes it; ValueError if unreadable."""
        value = self.content(fm, value)

        def published_date(day: date | None) -> str:
            if day is None:
                raise ValueError(f"{value!r} is not a date")
            return self.published_date_format.format(year=day.year, month=day.month, day=day.day)

        def published_word(text: str) -> str:
            meaning = canonical(fm.staging, text) if fm.staging in COLUMNS else text
            if meaning not in fm.vocabulary:
                raise ValueError(f"{value!r} has no published equivalent")
            return fm.vocabulary[meaning]

        return _translate(fm, value, published_date, published_word)

    def to_staging(self, fm: FieldMap, value: str) -> str:
        """A published cell as staging writes it; ValueError if unreadable."""

        def staging_word(text: str) -> str:
            reverse = {v.lower(): k for k, v in fm.vocabulary.items()}
            if text.lower() in reverse:
                return reverse[text.lower()]
            return canonical(fm.staging, text)  # the staging word itself, or a legacy one

        return _translate(fm, value, lambda day: day.isoformat() if day else "", staging_word)

    def staging_cell(self, fm: FieldMap, current: str, published_value: str) -> str:
        """The staging cell that takes ``published_value`` and keeps its audit notes."""
        value = self.to_staging(fm, published_value)
        if fm.staging == self.audit.staging:
            return with_audit(value, split(current)[1])
        return value

    def same(self, fm: FieldMap, staging_value: str, published_value: str) -> bool:
        """Equal after translation: numbers by value, dates by date, words by meaning."""
        try:
            theirs = self.to_staging(fm, published_value)
            ours = self.to_staging(fm, self.to_published(fm, staging_value))
        except ValueError:
            return self.content(fm, staging_value).strip() == published_value.strip()
        if fm.kind == "number" and ours and theirs:
            return math.isclose(float(ours), float(theirs), rel_tol=1e-9)
        if fm.kind == "text":
            return _text(ours) == _text(theirs)
        return ours == theirs


def _translate(
    fm: FieldMap,
    value: str,
    write_date: Callable[[date | None], str],
    write_word: Callable[[str], str],
) -> str:
    """``value`` as one side writes it: empty stays empty, a number is canonical, a date is
    ``write_date`` of the day read (None if unreadable), a vocabulary word ``write_word`` of
    the stripped text, and text is left as it is."""
    text = value.strip()
    if not text:
        return ""
    if fm.kind == "number":
        return _number(text)
    if fm.kind == "date":
        return write_date(parse_date(text))
    if fm.kind == "vocabulary":
        return write_word(text)
    return value


def _number(text: str) -> str:
    """Canonical number text without float noise (``4.999999999999999e+25`` -> ``5e+25``)."""
    number = parse_number(text)
    return format_number(round_sig(number, 12)) if number is not None else ""


def _text(value: str) -> str:
    return value.replace("\r\n", "\n").strip()
