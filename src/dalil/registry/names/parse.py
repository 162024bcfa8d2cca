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

from dataclasses import dataclass

from dalil.registry.names.data import name_data
from dalil.registry.names.tokens import Token, tokenise
from dalil.registry.names.translit import translit_key

__all__ = ["NameParts", "parse_full_name"]


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
