"""A synthetic population of victims: invented people with Syrian names, places and events.

People come in families: siblings share father, grandfather, family name, mother and place (hard
non-matches for linkage), and given names are heavily skewed (محمد is about one man in six). Each
person has one event — killed, missing or detained — dated 2011–2021. Everything is drawn from the
vocabulary with numpy; nothing is read from any real record.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dalil.registry.synthetic.vocabulary import Vocabulary

__all__ = ["STATUSES", "Population", "draw_population"]

STATUSES = ("killed", "missing", "detained")
_STATUS_SHARE = (0.6, 0.25, 0.15)
_MALE_SHARE = (0.82, 0.88, 0.9)  # by status
_YEAR_WEIGHTS = {2011: 5, 2012: 20, 2013: 20, 2014: 15, 2015: 12, 2016: 10, 2017: 7,
                 2018: 5, 2019: 3, 2020: 2, 2021: 1}  # fmt: skip
_FIRST_DAY = np.datetime64("2011-03-15")


@dataclass(frozen=True)
class Population:
    """Columns of the population, one entry per person (indices into the vocabulary)."""

    male: np.ndarray  # bool
    given: np.ndarray  # index into vocabulary.male or .female, by sex
    father: np.ndarray  # index into vocabulary.male
    grandfather: np.ndarray  # index into vocabulary.male
    family: np.ndarray  # index into vocabulary.family
    mother: np.ndarray  # index into vocabulary.female
    place: np.ndarray  # index into vocabulary.places.place
    governorate: np.ndarray  # index into vocabulary.places.governorate
    household: np.ndarray  # siblings share one
    birth: np.ndarray  # datetime64[D]
    status: np.ndarray  # index into STATUSES
    event: np.ndarray  # datetime64[D]
    visibility: np.ndarray  # float, mean 1: how likely any list is to document the person

    def __len__(self) -> int:
        return len(self.male)


def _event_dates(rng: np.random.Generator, n: int) -> np.ndarray:
    years = np.array(list(_YEAR_WEIGHTS))
    weights = np.array(list(_YEAR_WEIGHTS.values()), dtype=float)
    year = rng.choice(years, size=n, p=weights / weights.sum())
    start = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    start = np.maximum(start, _FIRST_DAY)
    end = (year - 1969).astype("datetime64[Y]").astype("datetime64[D]")
    span = (end - start).astype(np.int64)
    dates: np.ndarray = start + (rng.random(n) * span).astype(np.int64)
    return dates


def _ages(rng: np.random.Generator, n: int, male: np.ndarray) -> np.ndarray:
    """Age at the event: mostly young adults, some children and older people."""
    kind = rng.random(n)
    adult = np.clip(rng.normal(29, 9, n), 18, 60)
    child = rng.uniform(0, 18, n)
    older = rng.uniform(55, 88, n)
    age = np.where(kind < 0.1, child, np.where(kind < 0.17, older, adult))
    # Women in these lists are older on average (mothers searching are not the victims; the
    # victims who are women are more often children or older relatives).
    age = np.where(~male & (kind >= 0.17), np.clip(age + 4, 18, 88), age)
    return age


def draw_population(n: int, vocab: Vocabulary, rng: np.random.Generator) -> Population:
    """``n`` invented people, in households of one to a few siblings."""
    sizes = rng.geometric(0.72, size=n)  # mean ≈ 1.4 siblings per household
    sizes = sizes[: int(np.searchsorted(np.cumsum(sizes), n)) + 1]
    household = np.repeat(np.arange(len(sizes)), sizes)[:n]
    households = len(sizes)

    male_names, female_names = len(vocab.male.arabic), len(vocab.female.arabic)
    h_father = rng.choice(male_names, size=households, p=vocab.male.probabilities)
    h_grandfather = rng.choice(male_names, size=households, p=vocab.male.probabilities)
    h_family = rng.choice(len(vocab.family.arabic), size=households, p=vocab.family.probabilities)
    h_mother = rng.choice(female_names, size=households, p=vocab.female.probabilities)
    h_governorate = rng.choice(
        len(vocab.places.governorate_weights), size=households, p=vocab.places.governorate_weights
    )
    # A place within the governorate: the first (the governorate's city) is the likeliest.
    place_gov = vocab.places.place_governorate
    first = np.searchsorted(place_gov, np.arange(len(vocab.places.governorate_weights)))
    count = np.bincount(place_gov)
    offset = np.minimum(rng.geometric(0.45, size=households) - 1, count[h_governorate] - 1)
    h_place = first[h_governorate] + offset

    status = rng.choice(len(STATUSES), size=n, p=_STATUS_SHARE)
    male = rng.random(n) < np.asarray(_MALE_SHARE)[status]
    given = np.where(
        male,
        rng.choice(male_names, size=n, p=vocab.male.probabilities),
        rng.choice(female_names, size=n, p=vocab.female.probabilities),
    )
    # A son is rarely named after his own father: redraw once when it happens.
    clash = male & (given == h_father[household])
    given[clash] = rng.choice(male_names, size=int(clash.sum()), p=vocab.male.probabilities)

    event = _event_dates(rng, n)
    # Siblings in one household are often taken or killed together.
    same_day = rng.random(n) < 0.4
    first_of_household = np.searchsorted(household, household)
    event = np.where(same_day, event[first_of_household], event)
    age_days = (_ages(rng, n, male) * 365.25).astype(np.int64)
    birth = event - age_days

    return Population(
        male=male,
        given=given,
        father=h_father[household],
        grandfather=h_grandfather[household],
        family=h_family[household],
        mother=h_mother[household],
        place=h_place[household],
        governorate=h_governorate[household],
        household=household,
        birth=birth,
        status=status,
        event=event,
        visibility=rng.gamma(2.0, 0.5, size=n),
    )
