"""What claims may be made about each kind of entity, and the type of each property's value.

Declared in ``properties.yaml`` beside this module, loaded once and checked against the
vocabularies at start-up.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from dalil.db import ENTITY_KINDS
from dalil.errors import ConfigError, InvalidInput, a
from dalil.vocab import vocabularies

ValueType = Literal["text", "number", "date", "term", "entity", "boolean"]


class Property(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = ""
    type: ValueType
    en: str
    ar: str
    vocabulary: str | None = None
    kind: str | None = None
    min: float | None = None  # numbers only: the smallest value that makes sense (counts: 0)

    @model_validator(mode="after")
    def _consistent(self) -> Property:
        if (self.type == "term") != (self.vocabulary is not None):
            raise ValueError("a term property, and only a term property, names a vocabulary")
        if (self.type == "entity") != (self.kind is not None):
            raise ValueError("an entity property, and only an entity property, names a kind")
        if self.vocabulary is not None:
            vocabularies().get(self.vocabulary)
        if self.kind is not None and self.kind not in ENTITY_KINDS:
            raise ValueError(f"unknown entity kind {self.kind!r}")
        return self

    def label(self, lang: str) -> str:
        return self.ar if lang == "ar" else self.en


@cache
def properties() -> dict[str, dict[str, Property]]:
    """kind → property name → :class:`Property`."""
    raw = yaml.safe_load(
        files("dalil.documentation").joinpath("properties.yaml").read_text("utf-8")
    )
    table: dict[str, dict[str, Property]] = {}
    for kind, props in raw.items():
        if kind not in ENTITY_KINDS:
            raise ConfigError(f"properties.yaml: unknown entity kind {kind!r}")
        try:
            table[kind] = {name: Property(name=name, **spec) for name, spec in props.items()}
        except ValidationError as exc:
            raise ConfigError(f"properties.yaml ({kind}): {exc}") from None
    return table


def property_of(kind: str, name: str) -> Property:
    known = properties().get(kind, {})
    if name not in known:
        raise InvalidInput(
            "property",
            f"{name!r} is not a property of {a(kind)}; "
            f"valid properties: {', '.join(sorted(known))}",
        )
    return known[name]
