"""What happens to a record between a person and a list: typos and slipped or partial dates.

Typos touch a small share of values, so they are applied in Python to that share only; dates are
rendered to ISO partial dates with numpy over whole columns.
"""

from __future__ import annotations

import numpy as np

__all__ = ["add_typos", "render_dates"]

# Letters a hand or an ear confuses, per script.
_ARABIC_NEAR = ["بتثني", "جحخ", "دذ", "رز", "سش", "صض", "طظ", "عغ", "فق", "هة", "اأإ", "ىي"]
_LATIN_NEAR = ["ae", "ei", "ou", "iy", "sz", "td", "kq", "mn", "bp", "fv", "cs", "gj"]


def _near(char: str, groups: list[str], rng: np.random.Generator) -> str:
    for group in groups:
        if char in group and len(group) > 1:
            others = group.replace(char, "")
            return others[int(rng.integers(len(others)))]
    return char


def _typo(value: str, rng: np.random.Generator) -> str:
    letters = [i for i, c in enumerate(value) if c.isalpha()]
    if len(letters) < 3:
        return value
    i = letters[1 + int(rng.integers(len(letters) - 1))]  # keep the first letter: lists do
    arabic = "\u0600" <= value[i] <= "\u06ff"
    kind = rng.random()
    if kind < 0.3:  # drop a letter
        return value[:i] + value[i + 1 :]
    if kind < 0.5 and i + 1 < len(value) and value[i + 1].isalpha():  # swap two letters
        return value[:i] + value[i + 1] + value[i] + value[i + 2 :]
    if kind < 0.65:  # double a letter
        return value[:i] + value[i] + value[i:]
    lower = value[i].lower()
    replaced = _near(lower, _ARABIC_NEAR if arabic else _LATIN_NEAR, rng)
    if not arabic and value[i].isupper():
        replaced = replaced.upper()
    return value[:i] + replaced + value[i + 1 :]


def add_typos(values: np.ndarray, rate: float, rng: np.random.Generator) -> np.ndarray:
    """A copy of the object array ``values`` with a typo in about ``rate`` of its strings."""
    out = values.copy()
    hit = np.flatnonzero(rng.random(len(values)) < rate)
    for i in hit:
        value = out[i]
        if isinstance(value, str):
            out[i] = _typo(value, rng)
    return out


def _parts(dates: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    years = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    months = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
    days = (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1
    return years, months, days


def render_dates(
    dates: np.ndarray,
    rng: np.random.Generator,
    *,
    year_only: float,
    month_only: float,
    slip: float,
) -> np.ndarray:
    """ISO partial dates as a list writes them: full, year-month or year only, some slipped.

    A slip is a day/month swap (when the day could be a month), the year off by one, or a
    reduction to the year alone.
    """
    iso = np.datetime_as_string(dates, unit="D").astype(object)
    draw = rng.random(len(dates))
    out = np.where(draw < year_only, iso.astype("U4"), iso).astype(object)
    in_month = (draw >= year_only) & (draw < year_only + month_only)
    out[in_month] = iso[in_month].astype("U7")
    full = draw >= year_only + month_only
    slipped = np.flatnonzero(full & (rng.random(len(dates)) < slip))
    if len(slipped):
        years, months, days = _parts(dates[slipped])
        kinds = rng.random(len(slipped))
        for j, i in enumerate(slipped):
            y, m, d = int(years[j]), int(months[j]), int(days[j])
            if kinds[j] < 0.45 and d <= 12 and d != m:
                out[i] = f"{y:04d}-{d:02d}-{m:02d}"
            elif kinds[j] < 0.8:
                out[i] = f"{y + (1 if kinds[j] < 0.62 else -1):04d}-{m:02d}-{d:02d}"
                if m == 2 and d == 29:
                    out[i] = f"{y:04d}-{m:02d}-{d:02d}"
            else:
                out[i] = f"{y:04d}"
    return out
