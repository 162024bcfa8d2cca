"""The synthetic population's vocabulary: names with their weights and spellings, and places.

Read once from ``population.yaml``. Each name gets, per spelling habit (Arabic script, English-
style Latin, French-style Latin, abbreviated Latin), a fixed number of *slots* holding spellings
drawn with that habit's frequencies, so that a list picks a spelling for a million records with
one array lookup. The slots are built from a fixed seed: the vocabulary is the same for every
generated population.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import numpy as np
import yaml

__all__ = ["HABITS", "SLOTS", "NameTable", "Places", "Vocabulary", "vocabulary"]

SLOTS = 32
HABITS = ("arabic", "english", "french", "abbreviated")
_SEED = 20111503  # the vocabulary's own seed: independent of any population's seed

_HAMZA = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا"})
_HARAKAT = ("\u064e", "\u064f", "\u0650", "\u0652")  # fatha, damma, kasra, sukun
_SHADDA = "\u0651"
_TATWEEL = "\u0640"
_COMPOUND = re.compile(r"^(عبد) (\S+)$|^(\S+) (الدين|الله)$")


@dataclass(frozen=True)
class NameTable:
    """One kind of name (male given, female given, family): canonical Arabic, weights, slots."""

    arabic: tuple[str, ...]
    probabilities: np.ndarray  # float64, sums to 1
    slots: dict[str, np.ndarray]  # habit -> object array (names, SLOTS)


@dataclass(frozen=True)
class Places:
    """Governorates and their places, each as written in Arabic, English and French."""

    governorate: dict[str, np.ndarray]  # habit -> object array (governorates,)
    governorate_weights: np.ndarray
    place: dict[str, np.ndarray]  # habit -> object array (places,)
    place_governorate: np.ndarray  # int array: the governorate of each place


@dataclass(frozen=True)
class Vocabulary:
    male: NameTable
    female: NameTable
    family: NameTable
    places: Places


def _title(latin: str) -> str:
    latin = latin.lstrip("'")
    return latin[:1].upper() + latin[1:]


def _arabic_spelling(name: str, rng: np.random.Generator, article: bool) -> str:
    """One way an Arabic-script list writes ``name``: hamza, ة/ه, ى/ي, compounds, marks, ال."""
    out = name
    if rng.random() < 0.35:
        out = out.translate(_HAMZA)
    if out.endswith("ة") and rng.random() < 0.25:
        out = out[:-1] + "ه"
    if out.endswith("ى") and rng.random() < 0.3:
        out = out[:-1] + "ي"
    elif out.endswith("ي") and rng.random() < 0.05:
        out = out[:-1] + "ى"
    match = _COMPOUND.match(out)
    if match and rng.random() < 0.4:
        out = out.replace(" ", "")  # عبدالله, نورالدين
    if rng.random() < 0.06:  # a few marks, as when a name is copied from a vocalised text
        letters = list(out)
        for i in sorted(rng.choice(len(letters), size=min(2, len(letters)), replace=False))[::-1]:
            if letters[i] != " ":
                letters.insert(i + 1, str(rng.choice([*_HARAKAT, _SHADDA])))
        out = "".join(letters)
    if rng.random() < 0.02 and len(out) > 2:
        out = out[:2] + _TATWEEL + out[2:]
    if article:
        draw = rng.random()
        if draw < 0.75:
            out = "ال" + out
        elif draw < 0.78:
            out = "ال " + out
    return out


def _latin_spelling(
    spellings: list[str], rng: np.random.Generator, article: bool, french: bool
) -> str:
    """One Latin spelling: the usual one most often, and the list's article habit."""
    if len(spellings) == 1 or rng.random() < 0.55:
        out = spellings[0]
    else:
        out = spellings[1 + int(rng.integers(len(spellings) - 1))]
    if article:
        draw = rng.random()
        if french:
            forms = ((0.4, "El-"), (0.65, "El "), (0.75, "Al-"))
        else:
            forms = ((0.5, "Al-"), (0.65, "Al "), (0.75, "Al"))
        for limit, prefix in forms:
            if draw < limit:
                out = prefix + (out.lower() if prefix == "Al" else out)
                break
    return out


def _abbreviated(name: str, english: list[str], rng: np.random.Generator) -> str | None:
    """Mhd for محمد, Abd. Rahman for عبد الرحمن (some of the time), else None."""
    if rng.random() >= 0.65:
        return None
    if name == "محمد":
        return "Mhd" if rng.random() < 0.8 else "Mohd"
    if name.startswith("عبد "):
        spaced = next((s for s in english if " " in s), None)
        if spaced:
            rest = _title(re.sub(r"^(?:al|el)-", "", spaced.split()[-1], flags=re.I))
            return ("Abd. " if rng.random() < 0.7 else "Abd.") + rest
    return None


def _table(entries: list[tuple[str, float, bool, list[str], list[str]]]) -> NameTable:
    rng = np.random.default_rng(_SEED + len(entries))
    slots = {habit: np.empty((len(entries), SLOTS), dtype=object) for habit in HABITS}
    for i, (arabic, _, article, english, french) in enumerate(entries):
        for j in range(SLOTS):
            slots["arabic"][i, j] = _arabic_spelling(arabic, rng, article)
            slots["english"][i, j] = _latin_spelling(english, rng, article, french=False)
            slots["french"][i, j] = _latin_spelling(french, rng, article, french=True)
            short = _abbreviated(arabic, english, rng)
            slots["abbreviated"][i, j] = short or _latin_spelling(
                english, rng, article, french=False
            )
        slots["arabic"][i, 0] = ("ال" if article else "") + arabic  # slot 0: canonical
    weights = np.array([w for _, w, *_ in entries], dtype=float)
    return NameTable(
        arabic=tuple(("ال" if a else "") + ar for ar, _, a, *_ in entries),
        probabilities=weights / weights.sum(),
        slots=slots,
    )


def _generated_family(raw: dict[str, Any], known: set[str]) -> list[Any]:
    """Plausible family names from roots and patterns (حمدان, قطان, سالم …), with low weights."""
    rng = np.random.default_rng(_SEED)
    letters: dict[str, list[str]] = raw["letters"]
    out = []
    for root in raw["roots"]:
        radicals = root.split()
        for pattern in raw["patterns"]:
            arabic = pattern["ar"].format(*[None, *radicals])
            if arabic in known:
                continue
            known.add(arabic)
            latin = []
            for style in (0, 1):
                parts = [letters[r][style] for r in radicals]
                template = pattern["en" if style == 0 else "fr"]
                if len(parts[1]) > 1 or parts[1] in "'":  # no doubled digraph or ʿayn
                    template = template.replace("{2}{2}", "{2}")
                latin.append(_title(template.format(None, *parts)))
            out.append([arabic, float(rng.uniform(0.15, 0.45)), bool(rng.random() < 0.35),
                        [latin[0]], [latin[1]]])  # fmt: skip
    return out


def _places(raw: list[dict[str, Any]]) -> Places:
    columns = {"arabic": "ar", "english": "en", "french": "fr"}
    governorate = {h: np.array([g[k] for g in raw], dtype=object) for h, k in columns.items()}
    rows = [(gi, p) for gi, g in enumerate(raw) for p in g["places"]]
    place = {h: np.array([p[i] for _, p in rows], dtype=object) for i, h in enumerate(columns)}
    governorate["abbreviated"], place["abbreviated"] = governorate["english"], place["english"]
    weights = np.array([g["weight"] for g in raw], dtype=float)
    return Places(
        governorate=governorate,
        governorate_weights=weights / weights.sum(),
        place=place,
        place_governorate=np.array([gi for gi, _ in rows]),
    )


@cache
def vocabulary() -> Vocabulary:
    """The vocabulary, loaded and its spelling slots drawn once."""
    text = files("dalil.registry.synthetic").joinpath("population.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)
    male = [(ar, float(w), False, list(en), list(fr)) for ar, w, en, fr in raw["male"]]
    female = [(ar, float(w), False, list(en), list(fr)) for ar, w, en, fr in raw["female"]]
    family = [(ar, float(w), bool(al), list(en), list(fr)) for ar, w, al, en, fr in raw["family"]]
    family += _generated_family(raw, {ar for ar, *_ in family})
    return Vocabulary(
        male=_table(male),
        female=_table(female),
        family=_table(family),
        places=_places(raw["governorates"]),
    )
