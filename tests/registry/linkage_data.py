"""Small synthetic victim lists for the linkage engine's tests (synthetic people only).

Three lists of one population: ``ar`` in Arabic script with name parts, ``lat`` in Latin script
with varied spellings and the odd date slip, ``full`` with Latin full names, an age and a death
date. A few hand-made people carry the cases the tests name (see ``CASES``). Deterministic.
"""

from __future__ import annotations

import random
from typing import Any

import pandas as pd

from dalil.registry.names import variant_sets

_VARIANTS = {v.arabic: v.latin for v in variant_sets()}
MALE = [
    ("محمد", 12), ("أحمد", 6), ("عبد الله", 4), ("خالد", 3), ("علي", 3), ("عمر", 3), ("حسن", 2),
    ("حسين", 2), ("يوسف", 2), ("إبراهيم", 2), ("مصطفى", 2), ("سعيد", 1), ("صالح", 1),
    ("عبد الرحمن", 2), ("عبد القادر", 1), ("نور الدين", 1),
]  # fmt: skip
MALE_EXTRA = {"ياسين": ["Yassin", "Yasin"], "طارق": ["Tarek", "Tareq"],
              "وليد": ["Walid", "Waleed"], "سامر": ["Samer"], "رامي": ["Rami", "Ramy"],
              "بلال": ["Bilal", "Belal"]}  # fmt: skip
FEMALE = {"فاطمة": None, "زينب": None, "عائشة": None, "خديجة": None, "مريم": None,
          "رنا": ["Rana"], "سلمى": ["Salma"], "أمل": ["Amal"],
          "هدى": ["Huda", "Houda"]}  # fmt: skip
FAMILY = {
    "الخطيب": None, "الحلبي": None, "الشامي": None, "المصري": None,
    "العلي": ["Al-Ali", "Ali"], "الحسن": ["Al-Hassan", "Hassan"], "الأحمد": ["Al-Ahmad"],
    "الزعبي": ["Al-Zoubi", "Zoubi"], "النجار": ["Al-Najjar", "Najjar"],
    "الحداد": ["Al-Haddad", "Haddad"], "قاسم": ["Kassem", "Qassem"], "حمدان": ["Hamdan"],
    "الصباغ": ["Al-Sabbagh"], "العثمان": ["Al-Othman"], "الخليل": ["Al-Khalil"],
    "الجاسم": ["Al-Jassem"], "الرفاعي": ["Al-Rifai"], "البكور": ["Al-Bakkour"],
    "الحريري": ["Al-Hariri"], "السيد": ["Al-Sayed"],
}  # fmt: skip
PLACES = [("حمص", "Homs", "حمص", "Homs"), ("دوما", "Douma", "ريف دمشق", "Rif Dimashq"),
          ("التضامن", "Tadamon", "دمشق", "Damascus"), ("اليرموك", "Yarmouk", "دمشق", "Damascus"),
          ("داريا", "Darayya", "ريف دمشق", "Rif Dimashq"), ("درعا", "Daraa", "درعا", "Daraa"),
          ("إدلب", "Idlib", "إدلب", "Idlib"), ("حماة", "Hama", "حماة", "Hama"),
          ("جوبر", "Jobar", "دمشق", "Damascus"), ("الرقة", "Raqqa", "الرقة", "Raqqa")]  # fmt: skip

# Hand-made people: id → (list records). Tests look these up by record id.
CASES: dict[str, list[dict[str, Any]]] = {
    "abdullah": [
        {"record_id": "ar-abdullah", "source_id": "ar", "full_name": "محمد عبد الله",
         "birth_date": "1980-04-16", "place": "حمص", "sex": "male"},
        {"record_id": "lat-abdullah", "source_id": "lat", "full_name": "Mohammad Abdullah",
         "birth_date": "1980-04-16", "place": "Homs", "sex": "male"},
        {"record_id": "full-abdullah", "source_id": "full", "full_name": "Mhd Abdallah",
         "birth_date": "1980", "age": 33, "death_date": "2013-05-02", "place": "Homs"},
    ],
    "khatib-ahmad": [
        {"record_id": "ar-khatib-ahmad", "source_id": "ar", "given": "محمد", "father": "أحمد",
         "family": "الخطيب", "birth_date": "1975-02-11", "place": "حمص", "sex": "male"},
        {"record_id": "lat-khatib-ahmad", "source_id": "lat", "given": "Mohamed",
         "father": "Ahmed", "family": "Al-Khatib", "birth_date": "1975-02-11", "place": "Homs",
         "sex": "male"},
    ],
    "khatib-khaled": [
        {"record_id": "ar-khatib-khaled", "source_id": "ar", "given": "محمد", "father": "خالد",
         "family": "الخطيب", "birth_date": "1990-09-30", "place": "حمص", "sex": "male"},
        {"record_id": "lat-khatib-khaled", "source_id": "lat", "given": "Muhammad",
         "father": "Khalid", "family": "Al Khatib", "birth_date": "1990-09-30", "place": "Homs",
         "sex": "male"},
    ],
    # Two brothers, taken the same day, no birth dates: every field a household shares agrees.
    "brother-yasin": [
        {"record_id": "ar-brother-yasin", "source_id": "ar", "given": "ياسين", "father": "سعيد",
         "grandfather": "صالح", "family": "البكور", "mother": "هدى", "death_date": "2013-04-16",
         "place": "التضامن", "governorate": "دمشق", "sex": "male"},
        {"record_id": "lat-brother-yasin", "source_id": "lat", "given": "Yassin",
         "father": "Said", "family": "Al-Bakkour", "mother": "Houda", "death_date": "2013-04",
         "place": "Tadamon", "governorate": "Damascus", "sex": "male"},
    ],
    "brother-bilal": [
        {"record_id": "ar-brother-bilal", "source_id": "ar", "given": "بلال", "father": "سعيد",
         "grandfather": "صالح", "family": "البكور", "mother": "هدى", "death_date": "2013-04-16",
         "place": "التضامن", "governorate": "دمشق", "sex": "male"},
        {"record_id": "lat-brother-bilal", "source_id": "lat", "given": "Belal",
         "father": "Said", "family": "Al-Bakkour", "mother": "Huda", "death_date": "2013-04",
         "place": "Tadamon", "governorate": "Damascus", "sex": "male"},
    ],
    "swap": [
        {"record_id": "ar-swap", "source_id": "ar", "given": "زينب", "father": "حسن",
         "family": "النجار", "mother": "فاطمة", "birth_date": "1985-03-07", "place": "دوما",
         "sex": "female"},
        {"record_id": "lat-swap", "source_id": "lat", "given": "Zeinab", "father": "Hasan",
         "family": "Najjar", "mother": "Fatma", "birth_date": "1985-07-03", "place": "Douma",
         "sex": "female"},
    ],
    # A typo in one list's Latin spelling (Marwam for Marwan): the keys are one edit apart.
    "typo": [
        {"record_id": "ar-typo", "source_id": "ar", "given": "مروان", "father": "طارق",
         "family": "حمدان", "mother": "أمل", "birth_date": "1979-06-21", "place": "درعا",
         "sex": "male"},
        {"record_id": "lat-typo", "source_id": "lat", "given": "Marwam", "father": "Tarek",
         "family": "Hamdan", "mother": "Amal", "birth_date": "1979-06-21", "place": "Daraa",
         "sex": "male"},
    ],
    # The year of death written one off, day and month alike; no birth date on either.
    "year-slip": [
        {"record_id": "ar-year-slip", "source_id": "ar", "given": "رامي", "father": "وليد",
         "family": "الصباغ", "death_date": "2014-11-23", "place": "جوبر", "sex": "male"},
        {"record_id": "lat-year-slip", "source_id": "lat", "given": "Rami", "father": "Walid",
         "family": "Al-Sabbagh", "death_date": "2015-11-23", "place": "Jobar", "sex": "male"},
    ],
}  # fmt: skip


def _latin(arabic: str, extra: dict[str, list[str] | None], rng: random.Random) -> str:
    options = extra.get(arabic) or _VARIANTS.get(arabic) or MALE_EXTRA.get(arabic)
    assert options, arabic
    return rng.choice(list(options))


def _pick(pool: list[tuple[str, int]], rng: random.Random) -> str:
    return rng.choices([n for n, _ in pool], weights=[w for _, w in pool])[0]


def population(n: int, rng: random.Random) -> list[dict[str, Any]]:
    male = MALE + [(k, 1) for k in MALE_EXTRA]
    people = []
    for i in range(n):
        sex = "male" if rng.random() < 0.75 else "female"
        place = rng.choice(PLACES)
        people.append(
            {
                "pid": f"p{i:04d}",
                "sex": sex,
                "given": _pick(male, rng) if sex == "male" else rng.choice(list(FEMALE)),
                "father": _pick(male, rng),
                "grandfather": _pick(male, rng),
                "family": rng.choice(list(FAMILY)),
                "mother": rng.choice(list(FEMALE)),
                "birth": (rng.randint(1950, 2005), rng.randint(1, 12), rng.randint(1, 28)),
                "death": (rng.randint(2011, 2016), rng.randint(1, 12), rng.randint(1, 28)),
                "place": place,
            }
        )
    return people


def _iso(y: int, m: int | None = None, d: int | None = None) -> str:
    return f"{y:04d}" + (f"-{m:02d}" if m else "") + (f"-{d:02d}" if m and d else "")


def records(n_people: int = 200, seed: int = 7) -> tuple[pd.DataFrame, dict[str, str]]:
    """The three lists stacked, and the truth ``{record_id: person}``."""
    rng = random.Random(seed)
    names = {**FEMALE, **FAMILY, **{k: None for k, _ in MALE}, **MALE_EXTRA}
    rows: list[dict[str, Any]] = []
    truth: dict[str, str] = {}
    for p in population(n_people, rng):
        y, m, d = p["birth"]
        ey, em, ed = p["death"]
        place_ar, place_lat, gov_ar, gov_lat = p["place"]
        lists = [s for s, prob in (("ar", 0.8), ("lat", 0.6), ("full", 0.4)) if rng.random() < prob]
        for source in lists or ["ar"]:
            rid = f"{source}-{p['pid']}"
            truth[rid] = p["pid"]
            if source == "ar":
                rows.append(
                    {"record_id": rid, "source_id": "ar", "given": p["given"],
                     "father": p["father"], "grandfather": p["grandfather"],
                     "family": p["family"], "mother": p["mother"], "sex": p["sex"],
                     "birth_date": _iso(y, m, d), "death_date": _iso(ey, em, ed),
                     "place": place_ar, "governorate": gov_ar}
                )  # fmt: skip
            elif source == "lat":
                by = y + (rng.choice([-1, 1]) if rng.random() < 0.1 else 0)
                rows.append(
                    {"record_id": rid, "source_id": "lat",
                     "given": _latin(p["given"], names, rng),
                     "father": _latin(p["father"], names, rng),
                     "family": _latin(p["family"], names, rng),
                     "mother": _latin(p["mother"], names, rng) if rng.random() < 0.5 else None,
                     "sex": p["sex"], "birth_date": _iso(by, m, d) if rng.random() < 0.9 else None,
                     "death_date": _iso(ey, em), "place": place_lat, "governorate": gov_lat}
                )  # fmt: skip
            else:
                full = " ".join(_latin(p[k], names, rng) for k in ("given", "father", "family"))
                rows.append(
                    {"record_id": rid, "source_id": "full", "full_name": full,
                     "age": ey - y, "death_date": _iso(ey, em, ed), "place": place_lat}
                )  # fmt: skip
    for case, recs in CASES.items():
        for r in recs:
            rows.append(dict(r))
            truth[r["record_id"]] = case
    return pd.DataFrame(rows), truth
