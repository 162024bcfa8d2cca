"""Derived comparison columns for the linkage model, computed from the record table.

For each name part: the folded spelling (``_ex``), the cross-script transliteration key (``_tk``)
and the loose skeleton (``_sk``), so محمد, Mohammad and Mhd compare on one scale. Dates become
year / month / day integers (partial dates keep what they have; impossible parts are dropped);
an age plus the event year gives an estimated birth year; places get a folded form and a
transliteration key so حمص and Homs compare.

Pure and read-only: the input frame is never modified, and nothing here decides a match.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from functools import cache, lru_cache
from importlib.resources import files

import numpy as np
import pandas as pd
import yaml

from dalil.errors import InvalidInput
from dalil.registry.linkage.schema import RECORD_COLUMNS
from dalil.registry.names import (
    IN_FULL_NAME,
    complete_parts,
    normalise_name,
    parse_full_name,
    skeleton_key,
    translit_key,
)
from dalil.values.arabic import search_key

__all__ = ["NAME_PARTS", "feature_columns", "prepare"]

NAME_PARTS = ("given", "father", "grandfather", "family", "mother")
# Text columns held by Arrow, not as Python objects: a million records' keys take a fraction of
# the memory, and DuckDB reads them without a copy.
TEXT = "string[pyarrow]"
_DATE = re.compile(r"^\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")


@lru_cache(maxsize=200_000)
def _keys(text: str) -> tuple[str | None, str | None, str | None]:
    ex = normalise_name(text) or None
    if ex is None:
        return None, None, None
    return ex, translit_key(text) or None, skeleton_key(text) or None


@cache
def _exonyms() -> dict[str, str]:
    """Folded Latin form -> Arabic name, from ``registry/names/places.yaml`` (Aleppo -> حلب)."""
    entries = yaml.safe_load(files("dalil.registry.names").joinpath("places.yaml").read_text())
    table: dict[str, str] = {}
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("ar"), str):
            raise ValueError(f"places.yaml: {entry!r} needs an Arabic name 'ar'")
        for latin in entry.get("latin") or []:
            table[search_key(str(latin))] = entry["ar"]
    return table


@lru_cache(maxsize=100_000)
def _place_keys(text: str) -> tuple[str | None, str | None, str | None]:
    """Folded form, transliteration key, and the skeleton with no spaces (كفرزيتا = Kafr Zita,
    تلكلخ = Tell Kalakh). An exonym is keyed as the Arabic name it stands for (Alep = حلب)."""
    folded = search_key(text) or None
    text = _exonyms().get(folded or "", text)
    loose = re.sub(r"[\s-]", "", skeleton_key(text))
    return folded, translit_key(text) or None, loose or None


def _text(series: pd.Series) -> pd.Series:
    """Strings with blanks and nulls as None, and no NUL character.

    pandas' table of distinct strings reads them as C strings, so "a\x00b" and "a" were one
    value to it: a name with a NUL inside took another name's keys, and a date "\x00" lost
    its row. A NUL is never part of a name or a date, so it is dropped here (the imported
    record keeps its text as written)."""
    present = series.notna()
    out = pd.Series(None, index=series.index, dtype="object")
    if not present.any():
        return out
    values = series[present]
    if pd.api.types.infer_dtype(values, skipna=False) == "string":
        if "\x00" in "".join(values.tolist()):  # ~30 ms a million cells
            values = values.str.replace("\x00", "", regex=False)
        # Text repeats (names, places, dates): each distinct value is stripped once. Only for
        # text: 1 and 1.0 are one value to a lookup but two texts.
        codes, uniques = pd.factorize(values)
        stripped = np.array([str(u).strip() or None for u in uniques], dtype=object)
        out[present] = stripped[codes]
    else:
        text = values.astype(str).str.replace("\x00", "", regex=False).str.strip()
        out[present] = text.where(text != "", None)
    return out


def _per_unique(
    series: pd.Series, fn: Callable[[str], Sequence[object]], width: int, dtype: str = "object"
) -> list[pd.Series]:
    """The ``width`` parts of ``fn``'s result, each as its own column (None where the value is
    null), ``fn`` applied once per distinct value: names repeat a lot, so a million rows are a
    take from a few thousand results, not a Python call or a dictionary lookup per row. With
    ``dtype`` TEXT the take is Arrow's, from Arrow strings, not a conversion of the taken Python
    strings (with the factorised text above, the features of a million records took 10.9 s
    instead of 13.0)."""
    codes, uniques = pd.factorize(series)  # nulls are code -1
    results = [fn(u) for u in uniques]
    out = []
    for i in range(width):
        # One more slot, None, where code -1 lands (the last, for a take).
        table = pd.array([r[i] for r in results] + [None], dtype=dtype)
        out.append(pd.Series(table.take(codes), index=series.index, dtype=dtype))
    return out


def _parts_of_full_name(text: str) -> list[str | None]:
    parsed = parse_full_name(text)
    return [getattr(parsed, p) for p in IN_FULL_NAME]


def _completed(full: pd.Series, given: dict[str, pd.Series]) -> Iterator[tuple[str, pd.Series]]:
    """Each part of ``names.complete_parts`` for rows with a full name and some of its parts,
    computed once per distinct row (the parts given come back as they are)."""
    rows = pd.DataFrame({"full_name": full, **given}).astype(object)
    rows = rows.where(rows.notna(), None)
    codes = rows.groupby(list(rows.columns), dropna=False, sort=False).ngroup().to_numpy()
    distinct = rows[~pd.Series(codes).duplicated().to_numpy()]  # in the order of their codes
    results = [
        complete_parts(str(row[0]), dict(zip(IN_FULL_NAME, row[1:], strict=True)))
        for row in distinct.itertuples(index=False, name=None)
    ]
    for p in IN_FULL_NAME:
        table = pd.array([getattr(r, p) for r in results], dtype=TEXT)
        yield p, pd.Series(table.take(codes), index=full.index, dtype=TEXT)


_NOT_DIGIT = re.compile(r"\D")


def _eight_digits(text: str) -> tuple[str | None]:
    """A date's digits as written, when there are eight (a full date, for its typos)."""
    digits = _NOT_DIGIT.sub("", text)
    return (digits if len(digits) == 8 else None,)


def _split_keys(
    series: pd.Series, fn: Callable[[str], tuple[str | None, str | None, str | None]]
) -> list[pd.Series]:
    """The three parts of ``fn``'s keys, each as its own column of Arrow strings (see
    :func:`_per_unique`)."""
    return _per_unique(series, fn, 3, TEXT)


def _dates(series: pd.Series) -> pd.DataFrame:
    """Year, month, day (nullable ints) and the full ``YYYYMMDD`` when complete."""
    text = _text(series).fillna("")
    uniques = pd.Series(text.unique(), dtype="object")  # dates repeat: read each once
    read = _read_dates(uniques)
    read.index = uniques
    return read.reindex(text.to_numpy()).reset_index(drop=True).set_axis(series.index)


def _read_dates(text: pd.Series) -> pd.DataFrame:
    parts = text.str.extract(_DATE)
    y = pd.to_numeric(parts[0], errors="coerce")
    m = pd.to_numeric(parts[1], errors="coerce")
    d = pd.to_numeric(parts[2], errors="coerce")
    y = y.where((y >= 1800) & (y <= 2100))
    # 1980-16-04 is a day written in the month's place: read it as 1980-04-16.
    swapped = (m > 12) & (m <= 31) & (d >= 1) & (d <= 12)
    m, d = m.where(~swapped, d), d.where(~swapped, m)
    m = m.where(y.notna() & (m >= 1) & (m <= 12))
    d = d.where(m.notna() & (d >= 1) & (d <= 31))
    full = (
        y.astype("Int64").astype(str).str.zfill(4)
        + m.astype("Int64").astype(str).str.zfill(2)
        + d.astype("Int64").astype(str).str.zfill(2)
    )
    full = full.where(d.notna(), None)
    return pd.DataFrame(
        {"y": y.astype("Int64"), "m": m.astype("Int64"), "d": d.astype("Int64"), "ymd": full}
    )


def _check(records: pd.DataFrame) -> None:
    unknown = [c for c in ("record_id",) if c not in records.columns]
    if unknown:
        raise InvalidInput("records", "the record table has no record_id column")
    if records["record_id"].isna().any():
        raise InvalidInput("record_id", "a record has no id")
    if records["record_id"].astype(str).duplicated().any():
        dup = records["record_id"].astype(str)[records["record_id"].astype(str).duplicated()]
        raise InvalidInput("record_id", f"{dup.nunique()} record ids appear more than once")


def prepare(records: pd.DataFrame) -> pd.DataFrame:
    """The feature table Splink reads: ``unique_id`` plus the derived columns."""
    _check(records)
    n = len(records)
    src = records.reset_index(drop=True)
    col = {c: (_text(src[c]) if c in src.columns else pd.Series([None] * n, dtype="object"))
           for c in RECORD_COLUMNS if c != "record_id"}  # fmt: skip
    out = pd.DataFrame({"unique_id": src["record_id"].astype(str)})
    out["source_id"] = col["source_id"].fillna("").astype(str)

    # A full name gives the parts a row lacks (a mother's name is never in it, so a list may give
    # both): rows with none of its parts split it, once per distinct full name; rows that give
    # some parts beside it (a column for the father's name) take the others from it, once per
    # distinct full name and parts.
    parts = {p: col[p].copy() for p in NAME_PARTS}
    missing = pd.concat([parts[p].isna() for p in IN_FULL_NAME], axis=1)
    has_full = col["full_name"].notna()
    need = missing.all(axis=1) & has_full
    if need.any():
        parsed = _per_unique(col["full_name"][need], _parts_of_full_name, len(IN_FULL_NAME))
        for p, values in zip(IN_FULL_NAME, parsed, strict=True):
            parts[p].loc[need] = values
    some = missing.any(axis=1) & ~need & has_full
    if some.any():
        given = {p: parts[p][some] for p in IN_FULL_NAME}
        for p, values in _completed(col["full_name"][some], given):
            parts[p].loc[some] = values
    for p in NAME_PARTS:
        out[f"{p}_ex"], out[f"{p}_tk"], out[f"{p}_sk"] = _split_keys(parts[p], _keys)

    # First letters of the skeletons, to narrow blocking rules on large data.
    out["given_i"] = out["given_sk"].str[:1]
    out["family_i"] = out["family_sk"].str[:1]

    sex = col["sex"].str.casefold()
    out["sex"] = sex.where(sex.isin(["male", "female"]), None)

    birth = _dates(col["birth_date"])
    out["by"], out["bm"], out["bd"], out["birth_ymd"] = birth.y, birth.m, birth.d, birth.ymd
    (out["birth_digits"],) = _per_unique(col["birth_date"], _eight_digits, 1, TEXT)
    death = col["death_date"]
    event = _dates(death.where(death.notna(), col["status_date"]))  # else the status's date
    out["ey"], out["em"], out["ed"], out["event_ymd"] = event.y, event.m, event.d, event.ymd
    age = pd.to_numeric(col["age"], errors="coerce")
    age = age.where((age >= 0) & (age <= 120)).round()
    implied = (event.y - age).astype("Int64")
    out["by_est"] = birth.y.fillna(implied).astype("Int64")

    out["place_ex"], out["place_tk"], out["place_sk"] = _split_keys(col["place"], _place_keys)
    _, out["gov_tk"], out["gov_sk"] = _split_keys(col["governorate"], _place_keys)
    for c in out.columns:
        if out[c].dtype == object:
            out[c] = out[c].astype(TEXT)
    # The keys now live in Arrow; the caches would keep every distinct name's strings alive.
    _keys.cache_clear()
    _place_keys.cache_clear()
    return out


def feature_columns() -> list[str]:
    """Every column :func:`prepare` produces, in order."""
    return list(prepare(pd.DataFrame({"record_id": ["x"]})).columns)
