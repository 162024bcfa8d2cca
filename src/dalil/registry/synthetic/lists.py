"""Lists drawn from a synthetic population, each with its own coverage and writing habits.

A list documents a person with a probability that depends on the list's reach in the person's
governorate, on the kind of event, and on how visible the person is (the same for all lists), so
that lists overlap unevenly, as real ones do, and estimating the undocumented is not trivial.
Each documented person becomes one record (sometimes two: in-list duplicates), written in the
list's script and spelling, with typos, missing fields and slipped dates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

import numpy as np

from dalil.registry.synthetic.noise import add_typos, render_dates
from dalil.registry.synthetic.population import STATUSES, Population
from dalil.registry.synthetic.vocabulary import SLOTS, Vocabulary

__all__ = ["DEFAULT_LISTS", "Habit", "ListSpec", "draw_list"]

Habit = Literal["arabic", "english", "french", "abbreviated"]
_BIN = {"arabic": "بن", "english": "bin", "french": "ben", "abbreviated": "bin"}


def _frozen(mapping: Mapping[str, float] | None = None) -> Mapping[str, float]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class ListSpec:
    """One list's habits. Governorates are named in Arabic, as in ``population.yaml``.

    ``missing`` gives, per field (father, grandfather, mother, sex, birth, place, governorate,
    status_date), the chance the list leaves it empty; ``birth`` empties both birth date and age.
    ``father_column``: a list of full names gives the father's name in a column of its own as
    well (as the full name has it), as lists with "الاسم الكامل" and "اسم الأب" do.
    """

    name: str
    habit: Habit
    coverage: float
    governorate_reach: Mapping[str, float] = field(default_factory=_frozen)
    status_reach: Mapping[str, float] = field(default_factory=_frozen)
    missing: Mapping[str, float] = field(default_factory=_frozen)
    full_name_only: bool = False
    father_column: bool = False
    typo_rate: float = 0.03
    date_slip_rate: float = 0.05
    birth_year_only: float = 0.3
    age_instead: float = 0.1
    duplicate_rate: float = 0.03


DEFAULT_LISTS: tuple[ListSpec, ...] = (
    ListSpec(
        name="A",  # Arabic script, like a documentation centre's own list
        habit="arabic",
        coverage=0.55,
        governorate_reach=_frozen(
            {
                "إدلب": 1.3,
                "حلب": 1.3,
                "ريف دمشق": 1.3,
                "درعا": 1.2,
                "الرقة": 0.5,
                "الحسكة": 0.5,
                "دير الزور": 0.6,
            }
        ),
        status_reach=_frozen({"killed": 1.2, "missing": 0.6, "detained": 0.5}),
        missing=_frozen(
            {
                "father": 0.1,
                "grandfather": 0.5,
                "mother": 0.45,
                "sex": 0.05,
                "birth": 0.3,
                "place": 0.05,
                "governorate": 0.02,
                "status_date": 0.05,
            }
        ),
        birth_year_only=0.3,
        age_instead=0.1,
        duplicate_rate=0.04,
    ),
    ListSpec(
        name="B",  # English-style Latin
        habit="english",
        coverage=0.4,
        governorate_reach=_frozen(
            {"دمشق": 1.4, "ريف دمشق": 1.4, "حمص": 1.4, "درعا": 1.2, "إدلب": 0.6}
        ),
        status_reach=_frozen({"killed": 1.0, "missing": 1.0, "detained": 1.2}),
        missing=_frozen(
            {
                "father": 0.2,
                "grandfather": 0.85,
                "mother": 0.7,
                "sex": 0.1,
                "birth": 0.45,
                "place": 0.1,
                "governorate": 0.05,
                "status_date": 0.1,
            }
        ),
        birth_year_only=0.4,
        age_instead=0.3,
    ),
    ListSpec(
        name="C",  # French-style Latin, strongest on the missing and detained
        habit="french",
        coverage=0.25,
        governorate_reach=_frozen({"حلب": 1.5, "إدلب": 1.5, "حماة": 1.5, "دمشق": 0.5}),
        status_reach=_frozen({"killed": 0.7, "missing": 1.5, "detained": 1.6}),
        missing=_frozen(
            {
                "father": 0.15,
                "grandfather": 0.9,
                "mother": 0.5,
                "sex": 0.05,
                "birth": 0.35,
                "place": 0.05,
                "governorate": 0.1,
                "status_date": 0.05,
            }
        ),
        typo_rate=0.04,
        birth_year_only=0.35,
        age_instead=0.2,
        duplicate_rate=0.02,
    ),
    ListSpec(
        name="D",  # full names only, abbreviated (Mhd, Abd.), strongest in the east
        habit="abbreviated",
        coverage=0.3,
        governorate_reach=_frozen({"دير الزور": 2.0, "الرقة": 2.0, "الحسكة": 2.0, "حمص": 1.2}),
        status_reach=_frozen({"killed": 1.2, "missing": 0.8, "detained": 0.8}),
        missing=_frozen(
            {
                "father": 0.2,
                "grandfather": 0.7,
                "mother": 0.9,
                "sex": 0.3,
                "birth": 0.5,
                "place": 0.15,
                "governorate": 0.05,
                "status_date": 0.1,
            }
        ),
        full_name_only=True,
        typo_rate=0.05,
        date_slip_rate=0.08,
        birth_year_only=0.5,
        age_instead=0.4,
        duplicate_rate=0.05,
    ),
)


def capture_probability(spec: ListSpec, people: Population, vocab: Vocabulary) -> np.ndarray:
    governorates = vocab.places.governorate["arabic"]
    reach_gov = np.array([spec.governorate_reach.get(g, 1.0) for g in governorates])
    reach_status = np.array([spec.status_reach.get(s, 1.0) for s in STATUSES])
    p = spec.coverage * reach_gov[people.governorate] * reach_status[people.status]
    probability: np.ndarray = np.clip(p * people.visibility, 0.0, 0.97)
    return probability


def _blank(values: np.ndarray, rate: float, rng: np.random.Generator) -> np.ndarray:
    return _null_where(rng.random(len(values)) < rate, values)


def _null_where(mask: np.ndarray, values: np.ndarray) -> np.ndarray:
    """An object copy of ``values`` with None where ``mask`` holds."""
    out = np.asarray(values, dtype=object).copy()
    out[mask] = None
    return out


def _spell(slots: np.ndarray, index: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    spelled: np.ndarray = slots[index, rng.integers(SLOTS, size=len(index))]
    return spelled


def _join(columns: list[np.ndarray]) -> np.ndarray:
    """Join name parts with spaces, skipping missing ones."""
    out = np.empty(len(columns[0]), dtype=object)
    for i, parts in enumerate(zip(*columns, strict=True)):
        out[i] = " ".join(p for p in parts if p is not None)
    return out


def draw_list(
    spec: ListSpec, people: Population, vocab: Vocabulary, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """The list's records: (captured person indices, person index per record, columns)."""
    captured = np.flatnonzero(rng.random(len(people)) < capture_probability(spec, people, vocab))
    duplicates = captured[rng.random(len(captured)) < spec.duplicate_rate]
    who = rng.permutation(np.concatenate([captured, duplicates]))
    n, habit, missing = len(who), spec.habit, spec.missing

    male = people.male[who]
    # Given names index the male or the female table by sex; zero the other so it stays in range.
    male_given = _spell(vocab.male.slots[habit], people.given[who] * male, rng)
    female_given = _spell(vocab.female.slots[habit], people.given[who] * ~male, rng)
    parts = {
        "given": np.where(male, male_given, female_given),
        "father": _spell(vocab.male.slots[habit], people.father[who], rng),
        "grandfather": _spell(vocab.male.slots[habit], people.grandfather[who], rng),
        "family": _spell(vocab.family.slots[habit], people.family[who], rng),
        "mother": _spell(vocab.female.slots[habit], people.mother[who], rng),
    }
    for key, values in parts.items():
        values = add_typos(values, spec.typo_rate, rng)
        parts[key] = _blank(values, missing.get(key, 0.0), rng)

    columns: dict[str, np.ndarray] = {}
    none = np.full(n, None, dtype=object)
    if spec.full_name_only:
        with_father = np.array([v is not None for v in parts["father"]], dtype=bool)
        nasab = _null_where(~(with_father & (rng.random(n) < 0.05)), np.full(n, _BIN[habit]))
        columns["full_name"] = _join(
            [parts["given"], nasab, parts["father"], parts["grandfather"], parts["family"]]
        )
        for key in ("given", "father", "grandfather", "family"):
            columns[key] = none
        if spec.father_column:
            columns["father"] = parts["father"]
        columns["mother"] = parts["mother"]
    else:
        columns["full_name"] = none
        columns.update(parts)

    columns["sex"] = _blank(
        np.where(male, "male", "female").astype(object), missing.get("sex", 0), rng
    )

    birth = render_dates(
        people.birth[who], rng, year_only=spec.birth_year_only, month_only=0.03,
        slip=spec.date_slip_rate,
    )  # fmt: skip
    years = (people.event[who] - people.birth[who]).astype(np.int64) / 365.25
    age = np.floor(years).astype(np.int64) + np.where(
        rng.random(n) < 0.2, rng.integers(-1, 2, n), 0
    )
    by_age = rng.random(n) < spec.age_instead
    no_birth = rng.random(n) < missing.get("birth", 0.0)
    columns["birth_date"] = _null_where(by_age | no_birth, birth)
    columns["age"] = np.where(by_age & ~no_birth, np.maximum(age, 0), -1)

    status = np.asarray(STATUSES, dtype=object)[people.status[who]]
    # Lists disagree on some: one says missing where another says detained.
    swap = rng.random(n) < 0.05
    missing_now, detained_now = status == "missing", status == "detained"
    status[swap & missing_now] = "detained"
    status[swap & detained_now] = "missing"
    columns["status"] = status
    event = render_dates(
        people.event[who], rng, year_only=0.08, month_only=0.15, slip=spec.date_slip_rate
    )
    columns["status_date"] = _blank(event, missing.get("status_date", 0.0), rng)
    columns["death_date"] = _null_where(status != "killed", columns["status_date"])
    columns["place"] = _blank(
        vocab.places.place[habit][people.place[who]], missing.get("place", 0.0), rng
    )
    columns["governorate"] = _blank(
        vocab.places.governorate[habit][people.governorate[who]],
        missing.get("governorate", 0.0),
        rng,
    )
    return captured, who, columns
