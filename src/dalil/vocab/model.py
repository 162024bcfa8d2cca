"""The shape of a controlled vocabulary: terms with English and Arabic labels.

These models describe data that was already checked by the loader; they never read files and
never decide which vocabularies exist.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
EntityKind = Literal["person", "organisation", "incident"]
Lang = Literal["en", "ar"]


class VocabularyError(Exception):
    """A vocabulary file is broken, or a vocabulary that does not exist was asked for."""


class UnknownTermError(ValueError):
    """A value is not a term of the vocabulary it must come from.

    A ``ValueError`` so that pydantic validators calling ``require`` report it as a field error.
    """

    def __init__(self, vocabulary: str, term_id: str, valid: list[str], field: str | None) -> None:
        self.vocabulary = vocabulary
        self.term_id = term_id
        self.valid = valid
        self.field = field
        prefix = f"{field}: " if field else ""
        super().__init__(
            f"{prefix}{term_id!r} is not a known term of {vocabulary}; "
            f"valid terms: {', '.join(valid)}"
        )


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Labels(_Frozen):
    """The same short text in English and Arabic."""

    en: Text
    ar: Text

    def get(self, lang: str) -> str:
        return self.ar if lang == "ar" else self.en


class Term(_Frozen):
    """One entry of a vocabulary; relation types also say what they may connect."""

    id: str
    en: Text
    ar: Text
    description: Labels | None = None
    # Only in relation_types:
    inverse: Labels | None = None
    subject: tuple[EntityKind, ...] | None = None
    object: tuple[EntityKind, ...] | None = None
    attributes: dict[str, str] | None = None

    def label(self, lang: str) -> str:
        """The label in ``lang`` ("en" or "ar"); English for any other language."""
        return self.ar if lang == "ar" else self.en


class Vocabulary(_Frozen):
    """A named, ordered list of terms, as declared in ``vocab/data/<id>.yaml``."""

    id: str
    # The YAML key is ``label``; the attribute is ``title`` so that ``label()`` can name a term.
    title: Labels = Field(alias="label")
    reference: Text
    terms: tuple[Term, ...]

    _index: Mapping[str, Term] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: object, /) -> None:
        self._index = MappingProxyType({term.id: term for term in self.terms})

    def __contains__(self, term_id: object) -> bool:
        return term_id in self._index

    def ids(self) -> list[str]:
        """Term ids in declaration order."""
        return [term.id for term in self.terms]

    def require(self, term_id: str, *, field: str | None = None) -> Term:
        """The term with this id, or ``UnknownTermError`` listing the valid ids."""
        term = self._index.get(term_id)
        if term is None:
            raise UnknownTermError(self.id, term_id, sorted(self._index), field)
        return term

    def label(self, term_id: str, lang: str) -> str:
        """The label of a term in ``lang`` ("en" or "ar"); English for any other language."""
        return self.require(term_id).label(lang)


class Vocabularies:
    """All vocabularies of the platform, by id. Immutable once built."""

    def __init__(self, vocabularies: Mapping[str, Vocabulary]) -> None:
        self._by_id: Mapping[str, Vocabulary] = MappingProxyType(dict(vocabularies))

    def __contains__(self, vocab_id: object) -> bool:
        return vocab_id in self._by_id

    def __iter__(self) -> Iterator[Vocabulary]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def __repr__(self) -> str:
        return f"Vocabularies({', '.join(self.ids())})"

    def ids(self) -> list[str]:
        """Vocabulary ids, sorted."""
        return sorted(self._by_id)

    def get(self, vocab_id: str) -> Vocabulary:
        """The vocabulary with this id, or ``VocabularyError`` listing the known ids."""
        try:
            return self._by_id[vocab_id]
        except KeyError:
            raise VocabularyError(
                f"unknown vocabulary {vocab_id!r}; known vocabularies: {', '.join(self.ids())}"
            ) from None
