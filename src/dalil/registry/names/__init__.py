"""Names for record linkage: Arabic folding, cross-script keys, full-name parsing, frequencies.

The same person reaches Dalil as محمد, Mohammad, Mouhamad or "Mhd", with or without "Al-", as
عبد الله or Abdullah. This package gives each name part three keys (exact folded form,
transliteration key, consonant skeleton) on which Arabic- and Latin-script records compare,
splits full names into given / father / grandfather / family, and counts how common each name is
so that a shared محمد weighs less than a shared rare name.

Everything here is derived and for comparison only: it must never change what a list wrote, and
it must never by itself decide that two records are one person.
"""

from dalil.registry.names.compare import (
    PARTS,
    HasNameParts,
    MatchLevel,
    NameKeys,
    PartKeys,
    TokenComparison,
    compare_tokens,
    jaro_winkler,
    name_keys,
    part_keys,
)
from dalil.registry.names.data import VariantSet, name_data
from dalil.registry.names.frequency import NameFrequencies
from dalil.registry.names.parse import IN_FULL_NAME, NameParts, complete_parts, parse_full_name
from dalil.registry.names.tokens import Token, normalise_name, tokenise
from dalil.registry.names.translit import skeleton_key, translit_key


def variant_sets() -> tuple[VariantSet, ...]:
    """The known spellings of common names (``variants.yaml``), e.g. to build test data."""
    return name_data().variants


__all__ = [
    "IN_FULL_NAME",
    "PARTS",
    "HasNameParts",
    "MatchLevel",
    "NameFrequencies",
    "NameKeys",
    "NameParts",
    "PartKeys",
    "Token",
    "TokenComparison",
    "VariantSet",
    "compare_tokens",
    "complete_parts",
    "jaro_winkler",
    "name_keys",
    "normalise_name",
    "parse_full_name",
    "part_keys",
    "skeleton_key",
    "tokenise",
    "translit_key",
    "variant_sets",
]
