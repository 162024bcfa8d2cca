"""Synthetic Syrian victim lists with ground truth, for testing and benchmarking linkage.

:func:`generate_lists` invents a population (skewed Arabic names, households of siblings,
governorates and districts, an event 2011–2021) and draws several lists from it, each with its
own coverage and habits: Arabic script with hamza/ة/ى/ال variation, English- and French-style Latin,
abbreviated full names (Mhd, Abd.), typos, missing fields, slipped dates, ages instead of birth
dates, in-list duplicates. The records have exactly the linkage engine's columns
(:data:`~dalil.registry.linkage.schema.RECORD_COLUMNS`) plus ``true_id``.

Every person is invented: names and places come from ``population.yaml`` and are combined at
random. This package must never read, store or reproduce a real person's record.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from dalil.errors import InvalidInput
from dalil.registry.linkage.schema import RECORD_COLUMNS
from dalil.registry.synthetic.lists import DEFAULT_LISTS, Habit, ListSpec, draw_list
from dalil.registry.synthetic.population import STATUSES, draw_population
from dalil.registry.synthetic.vocabulary import vocabulary

__all__ = ["DEFAULT_LISTS", "Habit", "ListSpec", "generate_lists", "source_id"]


def source_id(seed: int, name: str) -> str:
    """The ``source_id`` of list ``name`` in the lists generated with ``seed``."""
    from dalil.db.ids import stable_id

    return stable_id("source", "synthetic", str(seed), name)


def _record_ids(seed: int, name: str, n: int) -> np.ndarray:
    """``lrc_`` IDs: 8 base32 characters naming the list (a stable hash of seed and name), then
    the row number in 8 base32 characters; vectorised, as hashing a million rows one by one
    would take most of the generator's time."""
    from dalil.db.ids import stable_id

    list_part = stable_id("list_record", "synthetic", str(seed), name)[:12]  # lrc_ + 8 chars
    alphabet = np.array(list("abcdefghijklmnopqrstuvwxyz234567"))
    rows = np.arange(n, dtype=np.int64)
    digits = (rows[:, None] >> (5 * np.arange(7, -1, -1))) & 31
    chars = np.empty((n, 20), dtype="<U1")
    chars[:, :12] = list(list_part)
    chars[:, 12:] = alphabet[digits]
    ids: np.ndarray = chars.view("<U20").ravel().astype(object)
    return ids


def generate_lists(
    n_people: int, *, lists: Sequence[ListSpec] = DEFAULT_LISTS, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Records of ``lists`` drawn from ``n_people`` invented people, and the people.

    ``records`` has the columns of ``RECORD_COLUMNS`` (in that order) and ``true_id``, the
    person's row in ``people``. ``people`` holds each person's true values (Arabic script), the
    lists that documented them (``in_<list>``) and their number of records; people no list
    documented are included (``records == 0``), as the undocumented dead are. The same
    ``n_people``, ``lists`` and ``seed`` always give the same frames.
    """
    if n_people < 1:
        raise InvalidInput("n_people", "must be at least 1")
    names = [spec.name for spec in lists]
    if not lists or len(set(names)) != len(names):
        raise InvalidInput("lists", "give at least one list, with distinct names")
    vocab = vocabulary()
    rng = np.random.default_rng(seed)
    people = draw_population(n_people, vocab, rng)

    frames, counts, documented = [], np.zeros(n_people, dtype=np.int64), {}
    for spec in lists:
        captured, who, columns = draw_list(
            spec, people, vocab, np.random.default_rng(rng.integers(2**63))
        )
        frame = pd.DataFrame(columns)
        frame.insert(0, "source_id", source_id(seed, spec.name))
        frame.insert(0, "record_id", _record_ids(seed, spec.name, len(who)))
        frame["true_id"] = who
        frames.append(frame)
        counts += np.bincount(who, minlength=n_people)
        documented[f"in_{spec.name}"] = np.isin(np.arange(n_people), captured)

    records = pd.concat(frames, ignore_index=True)
    records["age"] = records["age"].astype("Int64").mask(records["age"] < 0)
    records = records[[*RECORD_COLUMNS, "true_id"]]
    return records, _people_frame(people, vocab, documented, counts)


def _people_frame(people, vocab, documented, counts) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    given = np.where(
        people.male,
        np.asarray(vocab.male.arabic, dtype=object)[people.given * people.male],
        np.asarray(vocab.female.arabic, dtype=object)[people.given * ~people.male],
    )
    frame = pd.DataFrame(
        {
            "true_id": np.arange(len(people)),
            "sex": np.where(people.male, "male", "female"),
            "given": given,
            "father": np.asarray(vocab.male.arabic, dtype=object)[people.father],
            "grandfather": np.asarray(vocab.male.arabic, dtype=object)[people.grandfather],
            "family": np.asarray(vocab.family.arabic, dtype=object)[people.family],
            "mother": np.asarray(vocab.female.arabic, dtype=object)[people.mother],
            "birth_date": np.datetime_as_string(people.birth, unit="D"),
            "place": vocab.places.place["arabic"][people.place],
            "governorate": vocab.places.governorate["arabic"][people.governorate],
            "status": np.asarray(STATUSES, dtype=object)[people.status],
            "status_date": np.datetime_as_string(people.event, unit="D"),
            "household": people.household,
        }
    )
    for key, flags in documented.items():
        frame[key] = flags
    frame["records"] = counts
    return frame
