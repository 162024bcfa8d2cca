"""The Splink model: comparisons, blocking rules and the training passes.

Every comparison reads columns made by :mod:`dalil.registry.linkage.features`, and every SQL
condition is written for DuckDB and translated by Splink for Spark, so one model runs on both.
This module only describes the model; training and scoring happen in ``engine``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator

from dalil.registry.linkage.blocking import Plan, blocking_rules
from dalil.registry.linkage.features import NAME_PARTS

__all__ = [
    "COMPARISON_NAMES",
    "EM_PASSES",
    "PRIOR_RULES",
    "comparisons",
    "settings",
    "usable_comparisons",
]

_D = "duckdb"


def _custom(sql: str, label: str) -> cll.CustomLevel:
    return cll.CustomLevel(sql, label_for_charts=label, base_dialect_str=_D)


def _null(sql: str) -> cll.CustomLevel:
    level = _custom(sql, "null")
    level.configure(is_null_level=True)
    return level


_SWAPPED = (
    '"given_sk_l" = "family_sk_r" AND "family_sk_l" = "given_sk_r" '
    'AND "given_sk_l" <> "family_sk_l"'
)


def _name(part: str) -> cl.CustomComparison:
    ex, tk, sk = f"{part}_ex", f"{part}_tk", f"{part}_sk"
    # Given and family names written in each other's place (family-first order): both
    # comparisons see it, as both would agree had the names been in order.
    swapped = [_custom(_SWAPPED, "given and family swapped")] if part in ("given", "family") else []
    return cl.CustomComparison(
        output_column_name=part,
        comparison_levels=[
            _null(f'"{tk}_l" IS NULL OR "{tk}_r" IS NULL'),
            *swapped,
            cll.ExactMatchLevel(ex, term_frequency_adjustments=True).configure(
                label_for_charts="exact"
            ),
            cll.ExactMatchLevel(tk, term_frequency_adjustments=True).configure(
                label_for_charts="same transliteration key"
            ),
            cll.ExactMatchLevel(sk).configure(label_for_charts="same skeleton"),
            cll.Or(cll.JaroWinklerLevel(ex, 0.9), cll.JaroWinklerLevel(tk, 0.9)).configure(
                label_for_charts="Jaro-Winkler >= 0.9"
            ),
            cll.JaroWinklerLevel(ex, 0.8).configure(label_for_charts="Jaro-Winkler >= 0.8"),
            *_skipped_generation(part),
            _custom(_one_edit(tk), "keys one edit apart"),
            cll.ElseLevel().configure(label_for_charts="different"),
        ],
    )


def _one_edit(column: str) -> str:
    """The two keys one edit apart (Damerau-Levenshtein), the first or the last letter alike.

    A typo across scripts: Marwam and مروان are mrwm and mrwn, Ima and عماد m and md. Jaro-Winkler
    on the spelling cannot see it (the scripts differ), nor on keys this short (mrwm, mrwn:
    0.88). One edit leaves the first or the last letter in place, except between two one-letter
    keys (any two are one edit apart) and a two-letter key's letters swapped: those are left
    out, and the guard spares the distance to every pair that cannot be that close."""
    a, b = f'"{column}_l"', f'"{column}_r"'
    guard = (
        f"abs(length({a}) - length({b})) <= 1 "
        # starts_with / ends_with rather than comparing left() and right(): a quarter less
        # time over tens of millions of pairs, the same test for keys (never empty).
        f"AND (starts_with({a}, left({b}, 1)) OR ends_with({a}, right({b}, 1)))"
    )
    return f"CASE WHEN {guard} THEN damerau_levenshtein({a}, {b}) <= 1 ELSE false END"


def _skipped_generation(part: str) -> list[cll.CustomLevel]:
    """A full name that leaves the father out puts the grandfather in his place ("Abdullah
    Ahmed Bardi" for Abdullah son of Saleh son of Ahmed): the father on one side is then the
    grandfather on the other. Its own level, so training says how often that happens."""
    if part != "father":
        return []
    sql = '"father_tk_l" = "grandfather_tk_r" OR "grandfather_tk_l" = "father_tk_r"'
    return [_custom(sql, "father written as the grandfather")]


def _alike(start: int, length: int) -> str:
    """The two birth dates' digits alike from ``start`` (1-based), ``length`` of them."""
    return (
        f'substr("birth_digits_l", {start}, {length}) = substr("birth_digits_r", {start}, {length})'
    )


# Damerau-Levenshtein distance <= 1 between the eight digits of two birth dates, computed only
# where it can hold. Two strings of the same length are that close only when equal, one digit
# apart, or two neighbouring digits swapped; each leaves the first four or the last four digits
# alike, or, for a swap across the middle, the first three and the last three. The guard is
# implied by the distance, so the level is the same. At 200,000 records the birth-date
# comparison was a sixth of the comparisons' time; the guard takes a third of it away.
_ONE_TYPO = (
    f"CASE WHEN {_alike(1, 4)} OR {_alike(5, 4)} OR ({_alike(1, 3)} AND {_alike(6, 3)}) "
    'THEN damerau_levenshtein("birth_digits_l", "birth_digits_r") <= 1 ELSE false END'
)


def _birth() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="birth_date",
        comparison_levels=[
            _null('"by_l" IS NULL OR "by_r" IS NULL'),
            _custom('"birth_ymd_l" = "birth_ymd_r"', "exact"),
            _custom(
                '"by_l" = "by_r" AND "bm_l" = "bd_r" AND "bd_l" = "bm_r" AND "bm_l" <> "bd_l"',
                "day and month swapped",
            ),
            # On the digits as written, so 1960-06-50 is one typo away from 1960-06-30.
            _custom(_ONE_TYPO, "one typo"),
            _custom('"by_l" = "by_r" AND "bm_l" = "bm_r"', "same year and month"),
            _custom('"by_l" = "by_r"', "same year"),
            _custom('abs("by_l" - "by_r") <= 1', "year +-1"),
            _custom('"bm_l" = "bm_r" AND "bd_l" = "bd_r"', "same day and month, other year"),
            cll.ElseLevel().configure(label_for_charts="different"),
        ],
    )


def _age() -> cl.CustomComparison:
    # Only where birth dates cannot compare, so a birth year is never counted twice.
    return cl.CustomComparison(
        output_column_name="age",
        comparison_levels=[
            _null(
                '"by_est_l" IS NULL OR "by_est_r" IS NULL '
                'OR ("by_l" IS NOT NULL AND "by_r" IS NOT NULL)'
            ),
            _custom('abs("by_est_l" - "by_est_r") <= 1', "birth year from age +-1"),
            _custom('abs("by_est_l" - "by_est_r") <= 3', "birth year from age +-3"),
            cll.ElseLevel().configure(label_for_charts="different"),
        ],
    )


def _event() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="event_date",
        comparison_levels=[
            _null('"ey_l" IS NULL OR "ey_r" IS NULL'),
            _custom('"event_ymd_l" = "event_ymd_r"', "exact"),
            _custom('"ey_l" = "ey_r" AND "em_l" = "em_r"', "same year and month"),
            # A clerk's slips on a full date, as on the birth date: day and month read in the
            # other order (05/04 in two date habits), or the year one off. Without their own
            # levels both fell to "same year" or "year +-1", which strangers share too.
            _custom(
                '"ey_l" = "ey_r" AND "em_l" = "ed_r" AND "ed_l" = "em_r" AND "em_l" <> "ed_l"',
                "day and month swapped",
            ),
            _custom(
                'abs("ey_l" - "ey_r") = 1 AND "em_l" = "em_r" AND "ed_l" = "ed_r"',
                "year +-1, same day and month",
            ),
            _custom('"ey_l" = "ey_r"', "same year"),
            _custom('abs("ey_l" - "ey_r") <= 1', "year +-1"),
            _custom('"em_l" = "em_r" AND "ed_l" = "ed_r"', "same day and month, other year"),
            cll.ElseLevel().configure(label_for_charts="different"),
        ],
    )


def _place() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="place",
        comparison_levels=[
            _null(
                '("place_tk_l" IS NULL OR "place_tk_r" IS NULL) '
                'AND ("gov_sk_l" IS NULL OR "gov_sk_r" IS NULL)'
            ),
            cll.ExactMatchLevel("place_ex", term_frequency_adjustments=True).configure(
                label_for_charts="same place"
            ),
            cll.ExactMatchLevel("place_tk", term_frequency_adjustments=True).configure(
                label_for_charts="same place, other spelling"
            ),
            cll.ExactMatchLevel("place_sk").configure(label_for_charts="same place, loosely"),
            cll.JaroWinklerLevel("place_ex", 0.9).configure(label_for_charts="similar place"),
            cll.ExactMatchLevel("gov_sk").configure(label_for_charts="same governorate"),
            cll.ElseLevel().configure(label_for_charts="different"),
        ],
    )


def _sex() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="sex",
        comparison_levels=[
            _null('"sex_l" IS NULL OR "sex_r" IS NULL'),
            cll.ExactMatchLevel("sex").configure(label_for_charts="same"),
            cll.ElseLevel().configure(label_for_charts="different"),
        ],
    )


_COMPARISONS: dict[str, Callable[[], cl.CustomComparison]] = {
    **{p: functools.partial(_name, p) for p in NAME_PARTS},
    "birth_date": _birth,
    "age": _age,
    "event_date": _event,
    "place": _place,
    "sex": _sex,
}
COMPARISON_NAMES = tuple(_COMPARISONS)


def comparisons(names: Iterable[str] = COMPARISON_NAMES) -> list[cl.CustomComparison]:
    wanted = set(names)
    return [make() for name, make in _COMPARISONS.items() if name in wanted]


def usable_comparisons(features: pd.DataFrame) -> list[str]:
    """Comparisons with something to compare: at least two records with the field."""

    def count(*columns: str) -> int:
        present = features[list(columns)].notna().any(axis=1)
        return int(present.sum())

    out = [p for p in NAME_PARTS if count(f"{p}_tk") >= 2]
    if count("by") >= 2:
        out.append("birth_date")
    if count("by_est") >= 2 and (features["by"].isna() & features["by_est"].notna()).any():
        out.append("age")
    if count("ey") >= 2:
        out.append("event_date")
    if count("place_tk", "gov_sk") >= 2:
        out.append("place")
    if count("sex") >= 2:
        out.append("sex")
    return out


# EM passes: each fixes the columns it blocks on and trains the m of every other comparison.
# None blocks on household fields alone: a father + family block is mostly siblings, and EM
# would learn "same household" as its match class (a different birth date, a different place
# would then look common among matches). Family name + birth year holds few siblings.
EM_PASSES: tuple[tuple[str, ...], ...] = (
    ("given_sk", "family_sk"),
    ("birth_ymd",),
    ("family_sk", "by"),
)

# Near-certain matches used for the starting prior (refined afterwards by EM, see engine).
PRIOR_RULES: tuple[tuple[str, ...], ...] = (
    ("given_tk", "family_tk", "birth_ymd"),
    ("given_tk", "father_tk", "family_tk", "by"),
)


def settings(
    plan: Plan, prior: float = 1e-4, names: Iterable[str] = COMPARISON_NAMES
) -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=list[Any](comparisons(names)),
        blocking_rules_to_generate_predictions=blocking_rules(plan),
        probability_two_random_records_match=prior,
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=False,
        additional_columns_to_retain=[],
    )
