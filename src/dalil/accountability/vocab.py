"""The accountability package's own vocabularies: unit types, posting roles and kinds of date.

Declared as YAML in ``accountability/data/`` and checked by the same loader as the platform's
vocabularies (English and Arabic labels, no duplicates), once, on first use. They live here, not in
``vocab/data``, because only this package uses them.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from dalil.errors import InvalidInput
from dalil.vocab import UnknownTermError, Vocabularies, load_vocabularies

# Organisation types that are units even without a unit row (the foundation's vocabulary).
UNIT_ORG_TYPES = ("armed_forces_unit", "intelligence_branch", "security_force", "militia")
# Posting roles that head a unit: the ones a chain of command names.
COMMAND_ROLES = ("commander",)


@cache
def acc_vocabularies() -> Vocabularies:
    return load_vocabularies(files("dalil.accountability").joinpath("data"))


def require_term(vocabulary: str, field: str, raw: str | None) -> str:
    """The term id for ``raw`` in one of this package's vocabularies, or ``InvalidInput``."""
    if raw is None or not raw.strip():
        valid = ", ".join(acc_vocabularies().get(vocabulary).ids())
        raise InvalidInput(field, f"is required; valid terms: {valid}")
    try:
        return acc_vocabularies().get(vocabulary).require(raw.strip()).id
    except UnknownTermError as exc:
        raise InvalidInput(field, str(exc)) from None


def term_label(vocabulary: str, term: str | None, lang: str = "en") -> str | None:
    return None if term is None else acc_vocabularies().get(vocabulary).label(term, lang)
