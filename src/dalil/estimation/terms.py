"""Log-linear model terms: which list interactions a model has, written as users write them.

A model is the main effects of every list (always) plus interaction terms, each a set of two or
more lists: ``12,23`` (list numbers, as in R's Rcapture), ``A:E`` or ``A:B, B:C`` (list names).
Terms are kept as sorted tuples of 0-based list positions; models must be hierarchical (a term's
sub-terms are in the model too) so that their meaning does not depend on how lists are coded.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

import numpy as np
from numpy.typing import NDArray

from dalil.errors import InvalidInput
from dalil.estimation.captures import CaptureTable, observable_patterns

Term = tuple[int, ...]
Model = tuple[Term, ...]

MAIN_EFFECTS: Model = ()


def canonical(terms: Iterable[Term]) -> Model:
    return tuple(sorted({tuple(sorted(t)) for t in terms}, key=lambda t: (len(t), t)))


def label(table: CaptureTable, model: Model) -> str:
    if not model:
        return "main effects"
    return "[" + ", ".join(":".join(table.lists[i] for i in term) for term in model) + "]"


def _term(token: str, table: CaptureTable) -> Term:
    if ":" in token:
        parts = token.split(":")
        if any(not p.strip() for p in parts):
            raise InvalidInput("model", f"{token!r} has an empty list name")
        positions = [table.index_of(p) for p in parts]
    elif token.isdecimal() and table.size <= 9:
        positions = [int(d) - 1 for d in token]
        if any(not 0 <= p < table.size for p in positions):
            raise InvalidInput("model", f"{token!r} names a list number outside 1–{table.size}")
    else:
        raise InvalidInput(
            "model",
            f"{token!r} is not a term; write interactions as list numbers (12) or names (A:B)",
        )
    if len(set(positions)) != len(positions):
        raise InvalidInput("model", f"{token!r} names a list twice")
    if len(positions) < 2:
        raise InvalidInput(
            "model", f"{token!r} is a main effect; main effects are always in the model"
        )
    return tuple(sorted(positions))


def parse_model(spec: str | Iterable[Term] | None, table: CaptureTable) -> Model:
    """``"12,23"``, ``"A:E"``, ``"[A:B, B:C]"``, ``"main"``/``""``/None, or term tuples."""
    if spec is None:
        return MAIN_EFFECTS
    if not isinstance(spec, str):
        terms = [tuple(int(i) for i in term) for term in spec]
        for term in terms:
            if len(term) < 2 or len(set(term)) != len(term):
                raise InvalidInput("model", f"{term} is not an interaction of distinct lists")
            if any(not 0 <= i < table.size for i in term):
                raise InvalidInput("model", f"{term} names a list outside the table")
        return check_hierarchical(canonical(terms), table)
    text = spec.strip().strip("[]").strip()
    if text.casefold() in {"", "main", "main effects", "independence"}:
        return MAIN_EFFECTS
    tokens = [t.strip() for t in text.replace(";", ",").split(",")]
    if any(not t for t in tokens):
        raise InvalidInput("model", f"{spec!r} has an empty term")
    terms = [_term(t, table) for t in tokens]
    if len(set(terms)) != len(terms):
        raise InvalidInput("model", "a term is given twice")
    return check_hierarchical(canonical(terms), table)


def check_hierarchical(model: Model, table: CaptureTable) -> Model:
    present = set(model)
    for term in model:
        for size in range(2, len(term)):
            for sub in itertools.combinations(term, size):
                if sub not in present:
                    missing = ":".join(table.lists[i] for i in sub)
                    raise InvalidInput(
                        "model",
                        f"{label(table, (term,))[1:-1]} needs {missing} in the model too "
                        "(models must be hierarchical)",
                    )
    return model


def all_pairs(size: int) -> list[Term]:
    return list(itertools.combinations(range(size), 2))


def design(x: NDArray[np.int64], model: Model) -> NDArray[np.float64]:
    """Columns: intercept, one per list, one per term (the product of its lists' indicators)."""
    columns = [np.ones(len(x)), *(x[:, j] for j in range(x.shape[1]))]
    columns += [np.prod(x[:, list(term)], axis=1) for term in model]
    return np.column_stack(columns).astype(np.float64)


def complete_design(size: int, model: Model) -> NDArray[np.float64]:
    """The design over all 2^J patterns, the unobserved all-zero one first."""
    zero = np.zeros((1, size), dtype=np.int64)
    rows = np.array([[c == "1" for c in p] for p in observable_patterns(size)], dtype=np.int64)
    return design(np.vstack([zero, rows]), model)
