"""Name data read from the YAML files beside this module: particles, compound parts, variant sets.

Loaded once and checked when first used; a malformed file raises ``ValueError`` naming the entry.
This module must never hold name rules in code: what is a particle, an article or a known
spelling belongs in the YAML files, where a reviewer can read and extend it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

from dalil.values import normalise_arabic

__all__ = ["LatinParticles", "NameData", "VariantSet", "name_data"]


@dataclass(frozen=True)
class VariantSet:
    """Spellings of one name: its Arabic form, Latin spellings and an optional fixed key."""

    arabic: str
    latin: tuple[str, ...]
    key: str | None = None


@dataclass(frozen=True)
class LatinParticles:
    articles: frozenset[str]
    assimilated: frozenset[str]
    nasab: frozenset[str]
    # spelling -> canonical form ("abou" -> "abu", "eddine" -> "din")
    kunya: dict[str, str]
    prefix: dict[str, str]
    suffix: dict[str, str]
    abbreviations: dict[str, str]


@dataclass(frozen=True)
class NameData:
    article: str
    not_article: frozenset[str]
    nasab: frozenset[str]
    kunya: frozenset[str]
    kunya_given: frozenset[str]
    prefix: frozenset[str]
    suffix: frozenset[str]
    divine_names: frozenset[str]
    latin: LatinParticles
    variants: tuple[VariantSet, ...]


def _ar(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: expected a non-empty string, got {value!r}")
    return " ".join(normalise_arabic(value).split())


def _ar_set(raw: dict[str, Any], key: str) -> frozenset[str]:
    values = raw.get(key)
    if not isinstance(values, list) or not values:
        raise ValueError(f"particles.yaml arabic.{key}: expected a non-empty list")
    return frozenset(_ar(v, f"arabic.{key}") for v in values)


def _lat_set(raw: dict[str, Any], key: str) -> frozenset[str]:
    values = raw.get(key)
    if not isinstance(values, list) or not values:
        raise ValueError(f"particles.yaml latin.{key}: expected a non-empty list")
    return frozenset(str(v).casefold() for v in values)


def _canonical(raw: dict[str, Any], key: str) -> dict[str, str]:
    groups = raw.get(key)
    if not isinstance(groups, dict) or not groups:
        raise ValueError(f"particles.yaml latin.{key}: expected a mapping of lists")
    out: dict[str, str] = {}
    for canonical, spellings in groups.items():
        if not isinstance(spellings, list):
            raise ValueError(f"particles.yaml latin.{key}.{canonical}: expected a list")
        for spelling in spellings:
            out[str(spelling).casefold()] = str(canonical)
    return out


def _load(name: str) -> Any:
    return yaml.safe_load(files("dalil.registry.names").joinpath(name).read_text("utf-8"))


def _variants(raw: Any) -> tuple[VariantSet, ...]:
    if not isinstance(raw, list) or not raw:
        raise ValueError("variants.yaml: expected a list of sets")
    sets = []
    for i, entry in enumerate(raw):
        latin = entry.get("latin") if isinstance(entry, dict) else None
        if not isinstance(latin, list) or not latin:
            raise ValueError(f"variants.yaml entry {i}: needs 'ar' and a list 'latin'")
        key, arabic = entry.get("key"), entry.get("ar")
        if not isinstance(arabic, str) or not arabic.strip():
            raise ValueError(f"variants.yaml entry {i}: 'ar' must be the Arabic spelling")
        sets.append(
            VariantSet(
                arabic=arabic.strip(),  # as written: ى must reach the transliteration
                latin=tuple(str(s) for s in latin),
                key=str(key) if key is not None else None,
            )
        )
    return tuple(sets)


@cache
def name_data() -> NameData:
    """The particles and variant sets, loaded and checked once."""
    raw = _load("particles.yaml")
    arabic, latin = raw["arabic"], raw["latin"]
    abbreviations = latin.get("abbreviations") or {}
    return NameData(
        article=_ar(arabic.get("article"), "arabic.article"),
        not_article=_ar_set(arabic, "not_article"),
        nasab=_ar_set(arabic, "nasab"),
        kunya=_ar_set(arabic, "kunya"),
        kunya_given=_ar_set(arabic, "kunya_given"),
        prefix=_ar_set(arabic, "prefix"),
        suffix=_ar_set(arabic, "suffix"),
        divine_names=frozenset(_ar(v, "divine_names") for v in raw["divine_names"]),
        latin=LatinParticles(
            articles=_lat_set(latin, "articles"),
            assimilated=_lat_set(latin, "assimilated"),
            nasab=_lat_set(latin, "nasab"),
            kunya=_canonical(latin, "kunya"),
            prefix=_canonical(latin, "prefix"),
            suffix=_canonical(latin, "suffix"),
            abbreviations={
                str(k).casefold(): _ar(v, "abbreviations") for k, v in abbreviations.items()
            },
        ),
        variants=_variants(_load("variants.yaml")),
    )
