"""Split a full name into given / father / grandfather / family when a list gives only that.

Syrian order is given, father, [grandfather], family: "محمد أحمد الخطيب". Nasab markers (بن, ابن,
بنت, bin, ibn, bint, ben) say the next word is an ancestor; a kunya (أبو محمد, Umm Ahmad) stays
with its name and goes to ``kunya``; compounds (عبد الله, Nour Eddine) stay whole; a word with the
article (الخطيب, Al-Hassan) at the end is a family name. When the split is a guess, ``confidence``
drops and ``notes`` say why.

Parsing must never drop or alter a word: every word with a letter or digit is in exactly one
field, as written (markers in ``markers``, extra ancestors in ``others``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from dalil.registry.names.data import name_data
from dalil.registry.names.tokens import Token, is_arabic, normalise_name, tokenise
from dalil.registry.names.translit import translit_key

__all__ = ["IN_FULL_NAME", "NameParts", "complete_parts", "parse_full_name"]

# The parts a full name holds (a mother's name never is in it).
IN_FULL_NAME = ("given", "father", "grandfather", "family")


@dataclass(frozen=True)
class NameParts:
    """A full name split into parts, each as written in the input."""

    given: str | None = None
    father: str | None = None
    grandfather: str | None = None
    family: str | None = None
    kunya: str | None = None
    others: tuple[str, ...] = ()  # ancestors beyond the grandfather, in order
    markers: tuple[str, ...] = ()  # nasab markers as written (بن, bin)
    confidence: float = 1.0
    notes: tuple[str, ...] = ()
    mother: str | None = None  # never filled from a full name; here so parts compare alike

    def words(self) -> list[str]:
        """Every word kept, in no particular order: the input's words, none lost."""
        fields = [self.kunya, self.given, self.father, self.grandfather, *self.others]
        fields += [self.family, *self.markers]
        return [w for f in fields if f for w in f.split()]


def _kunya_is_given(token: Token) -> bool:
    key = translit_key(token.surface)
    return any(translit_key(k) == key for k in name_data().kunya_given)


def _may_start_double_given(first: Token, count: int) -> bool:
    """Mhd Khaled, محمد خير: in Syria محمد often begins a double given name."""
    if first.form in name_data().latin.abbreviations:
        return count >= 2
    return translit_key(first.surface) == "mhmd" and count >= 3


def parse_full_name(text: str) -> NameParts:
    """Split ``text`` into name parts.

    ``parse_full_name("محمد بن أحمد الخطيب")`` gives given محمد, father أحمد, family الخطيب.
    """
    notes: list[str] = []
    confidence = 0.9
    markers: list[str] = []
    kunyas: list[str] = []
    names: list[tuple[Token, bool]] = []  # token, follows a nasab marker
    after_marker = False
    for token in tokenise(text):
        if token.kind == "nasab":
            markers.append(token.surface)
            after_marker = True
            if token.form in ("بنت", "bint"):
                notes.append("bint: the person is a woman")
            continue
        if token.kind == "kunya" and not _kunya_is_given(token):
            kunyas.append(token.surface)
        else:
            names.append((token, after_marker))
        after_marker = False
    if after_marker:
        notes.append("a nasab marker ends the name")
        confidence -= 0.2
    if len(kunyas) > 1:
        notes.append("several kunyas")
        confidence -= 0.2

    family: Token | None = None
    n = len(names)
    if n and names[-1][0].article:
        family = names.pop()[0]
        if n == 1:
            notes.append("only a family name")
            confidence -= 0.3
    elif n and names[0][0].article and not names[0][1]:
        family = names.pop(0)[0]
        notes.append("the name starts with a family name: family-first order assumed")
        confidence -= 0.3
    elif n >= 3 and not names[-1][1]:
        family = names.pop()[0]
        notes.append("family name without article: last name taken as family")
        confidence -= 0.15
    elif n == 2 and not markers:
        family = names.pop()[0]
        notes.append("two names: the second may be the father's name, not the family's")
        confidence -= 0.35
    elif n == 1:
        notes.append("a single name")
        confidence -= 0.3
    elif n == 0 and kunyas:
        notes.append("only a kunya")
        confidence -= 0.3
    if any(token.article for token, _ in names):
        notes.append("an ancestor's name carries the article")
        confidence -= 0.1
    if names and _may_start_double_given(names[0][0], len(names)):
        notes.append(
            f"{names[0][0].surface} often begins a double given name "
            f"({names[0][0].surface} {names[1][0].surface})"
        )
        confidence -= 0.15
    surfaces = [t.surface for t, _ in names]
    if len(surfaces) > 3:
        notes.append("more than three names before the family name: the rest are in others")
        confidence -= 0.2
    if not surfaces and not kunyas and not family:
        notes.append("no name")
        confidence = 0.0
    return NameParts(
        given=surfaces[0] if surfaces else None,
        father=surfaces[1] if len(surfaces) > 1 else None,
        grandfather=surfaces[2] if len(surfaces) > 2 else None,
        family=family.surface if family else None,
        kunya=" ".join(kunyas) or None,
        others=tuple(surfaces[3:]),
        markers=tuple(markers),
        confidence=round(max(confidence, 0.0), 2),
        notes=tuple(notes),
    )


def complete_parts(full: str, known: Mapping[str, str | None]) -> NameParts:
    """The name parts of a row that gives a full name beside some of its parts, as lists do with
    a column "الاسم الكامل" and another "اسم الأب": the parts the row gives, as written, and the
    others from the full name.

    The parts given are read as what they are. A family name the full name leaves out ("الاسم
    الثلاثي" beside "الكنية") is read after it, so the full name's last word is the grandfather,
    not the family. A word the split would take for one part but that the row gives as another
    (the second of two names, given as the father's name) is not taken twice. With no part given
    this is :func:`parse_full_name`'s split.
    """
    gives = {p: v for p in IN_FULL_NAME if (v := known.get(p))}
    family = gives.get("family")
    text = full if not family or _contains(full, family) else f"{full} {family}"
    parsed = parse_full_name(text)
    notes = list(parsed.notes)
    parts: dict[str, str | None] = {}
    for part in IN_FULL_NAME:
        value = gives.get(part) or getattr(parsed, part)
        if value is not None and part not in gives:
            other = next((o for o, v in gives.items() if _same(value, v)), None)
            if other is not None:
                notes.append(f"{value} is the {other} name the row gives, not the {part} name")
                value = None
        parts[part] = value
    return replace(
        parsed,
        given=parts["given"],
        father=parts["father"],
        grandfather=parts["grandfather"],
        family=parts["family"],
        notes=tuple(notes),
    )


def _same(a: str, b: str) -> bool:
    """One name in one script (the same folded form) or in two (the same transliteration)."""
    if _arabic(a) != _arabic(b):
        return translit_key(a) == translit_key(b)
    return normalise_name(a) == normalise_name(b)


def _contains(full: str, part: str) -> bool:
    """Whether ``part``'s words are words of ``full``, in order."""
    key = translit_key if _arabic(full) != _arabic(part) else normalise_name
    return f" {key(part)} " in f" {key(full)} "


def _arabic(text: str) -> bool:
    return any(is_arabic(c) for c in text)
