"""Controlled vocabularies: the terms Dalil's records may use, with English and Arabic labels.

Vocabularies are declared as YAML in ``dalil/vocab/data/<id>.yaml`` and checked once, at first
use; code elsewhere validates values with ``vocabularies().get(...).require(...)`` and never
hard-codes its own list of terms.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from dalil.vocab.loader import load_vocabularies
from dalil.vocab.model import Term, UnknownTermError, Vocabularies, Vocabulary, VocabularyError

__all__ = [
    "Term",
    "UnknownTermError",
    "Vocabularies",
    "Vocabulary",
    "VocabularyError",
    "load_vocabularies",
    "vocabularies",
]


@cache
def vocabularies() -> Vocabularies:
    """The vocabularies shipped with Dalil, loaded and checked on first call."""
    return load_vocabularies(files(__name__).joinpath("data"))
