"""Person search on an index of name words: Arabic-normalised, across scripts, paged in SQL.

A query matches a name when every query word begins a word of the name, Arabic-normalised
(``dalil.values.search_key``: احمد finds أحمد, فاطمه finds فاطمة, حسن finds الحسن), or when every
word's transliteration key (``dalil.registry.names.translit_key``) is a word key of the name
(Mohammad finds محمد and Mouhamad; محمد finds Mohammed). Persons matched the first way rank
before those matched only the second way, then by ID, so pages are stable.

The index is kept by :mod:`dalil.documentation.search_index` (derived data: live persons only,
with their sensitivity, so that a page and its total are counted without loading a record the
caller may not see; each row carries all its name's words, so that a query's other words are
checked on the row its rarest word found). A search picks its rarest word from the per-token
counts (:mod:`dalil.documentation.search_counts`). This module only reads; it must never list a
deleted person.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    FromClause,
    Select,
    case,
    distinct,
    exists,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.orm import Session, selectinload

from dalil.db import Case, Person, PersonName
from dalil.db.models_search import TRANSLIT, WORD, position_in
from dalil.documentation.search_counts import (
    key_where,
    token_counts,
    token_is,
)
from dalil.documentation.search_index import (
    _ENTITIES,
    _KEYS,
    _NAMES,
    _PERSONS,
    MAX_TOKEN,
    MAX_WORDS,
    OWN_PARTS,
    index_persons,
    install,
    key_tokens,
    name_text,
    rebuild_index,
    translit_tokens,
)
from dalil.errors import InvalidInput
from dalil.registry.names import translit_key
from dalil.values import search_key
from dalil.vocab import vocabularies

# --- searching --------------------------------------------------------------------------------


@dataclass
class PersonHit:
    person: Person
    matched: PersonName


@dataclass(frozen=True)
class _Query:
    words: tuple[str, ...]
    keys: tuple[str, ...]


def _parse(query: str) -> _Query:
    words = search_key(query or "").split()
    if not words:
        raise InvalidInput("query", "give at least one letter to search for")
    if len(words) > MAX_WORDS:
        raise InvalidInput("query", f"give at most {MAX_WORDS} words")
    keys = translit_key(query).split()
    return _Query(
        tuple(dict.fromkeys(w[:MAX_TOKEN] for w in words)),
        tuple(dict.fromkeys(k[:MAX_TOKEN] for k in keys))[:MAX_WORDS],
    )


def _levels(max_sensitivity: str | None) -> list[str] | None:
    if max_sensitivity is None:
        return None
    levels = vocabularies().get("sensitivity").ids()
    if max_sensitivity not in levels:
        raise InvalidInput("max_sensitivity", f"give one of {', '.join(levels)}")
    return levels[: levels.index(max_sensitivity) + 1]


# Up to how many rows the query's words are compared: a little first, and more when every word
# reaches that (of two common words the rarer must drive, or a search reads 10× more). Also when
# a search checks at most ``drive`` rows: either word then costs the same, but of two common
# words the rarer finds more of the names holding both (comparing only up to ``drive`` and
# letting the longer word drive gave "at least 41" where this gives 588). The numbers come from
# the counts now, not from reading the index, and are bounded the same way, so the same word
# drives as when the index was counted (see :func:`_rows_per_token`).
PROBES = (2_000, 50_000)
# Aliases of the index, made once: a query's words each need one, and making them (and their
# columns) anew for every search cost more Python than a rare name's whole search.
_ALIASES = tuple(_KEYS.alias(f"k{i}") for i in range(MAX_WORDS))


def _counts(
    session: Session,
    case_id: str,
    key_type: str,
    tokens: list[str],
    levels: list[str] | None,
    probe: int,
) -> dict[str, int]:
    """How many index rows each token has, up to ``probe``, in one statement."""
    if not tokens:
        return {}
    counts = [
        select(func.count())
        .select_from(
            select(literal(1))
            .where(*key_where(_KEYS, case_id, key_type, token, levels))
            .limit(probe)
            .subquery()
        )
        .scalar_subquery()
        for token in tokens
    ]
    row = session.execute(select(*counts)).one()
    return {token: int(n) for token, n in zip(tokens, row, strict=True)}


def _rows_per_token(
    session: Session,
    case_id: str,
    key_type: str,
    tokens: tuple[str, ...],
    levels: list[str] | None,
) -> dict[str, int] | None:
    """How many index rows each token has, as far as ``PROBES`` count them (None when one has
    none): up to the first bound, or the next when every token reaches it.

    Read from the counts (:mod:`dalil.documentation.search_counts`), which give each token's
    whole number: bounding it here keeps the choice of the driving token, and so every capped
    answer, what counting the index gave. A prefix too wide for the counts, and a token they
    say has no rows, are counted in the index (a stale count must not hide a person).
    """
    exact = token_counts(session, case_id, key_type, tokens, levels)
    known = {t: n for t, n in exact.items() if n is not None and n > 0}
    pending = [t for t in tokens if t not in known]
    seen: dict[str, int] = {}
    for probe in PROBES:  # when every word reaches one bound, count again up to the next
        seen = {t: min(n, probe) for t, n in known.items()}
        seen |= _counts(session, case_id, key_type, pending, levels, probe)
        if not all(seen.values()):
            return None
        if min(seen.values()) < probe:
            break
    return seen


def _branch(
    session: Session,
    case_id: str,
    key_type: str,
    tokens: tuple[str, ...],
    levels: list[str] | None,
    rank: int,
    drive: int | None,
) -> tuple[Select[str, int] | None, bool]:
    """Names of which every token matches a word (None when one token matches nothing), and
    whether the rows were cut short.

    The rarest token drives (bounded counts decide, see :func:`_rows_per_token`); the others
    are checked on each of its rows, in the copy of the name's words the row carries (a name too
    long to carry them is looked up in the index). With ``drive``, at most that many rows of the
    driving token are checked (two common words, few names with both): then some matching names
    may be missed, and the second value is True.
    """
    seen = dict.fromkeys(tokens, 1)
    if len(tokens) > 1:
        found = _rows_per_token(session, case_id, key_type, tokens, levels)
        if found is None:
            return None, False
        seen = found
    first, *others = sorted(tokens, key=lambda t: (seen[t], -len(t), t))
    key = _ALIASES[0]
    driver: FromClause = key
    cut = drive is not None and bool(others) and seen[first] > drive
    where = key_where(key, case_id, key_type, first, levels)
    if cut:
        driver = (
            select(key.c.person_id, key.c.name_id, key.c.words)
            .where(*where)
            .limit(drive)
            .subquery("d")
        )
        where = []
    for other, token in zip(_ALIASES[1:], others, strict=False):
        # " tok" begins a word of " ahmad hassan " (a prefix); " tok " is a whole word.
        needle = f" {token}" if key_type == WORD else f" {token} "
        looked_up = exists().where(
            other.c.name_id == driver.c.name_id,
            other.c.key_type == key_type,
            token_is(other.c.token, token, prefix=key_type == WORD),
        )
        where.append(
            case(
                (driver.c.words.is_(None), looked_up),
                else_=position_in(driver.c.words, needle) > 0,
            )
        )
    return select(driver.c.person_id, literal(rank).label("rank")).where(*where), cut


def _hits(
    session: Session, case: Case, q: _Query, levels: list[str] | None, drive: int | None = None
) -> tuple[Any, bool]:
    """The (person, rank) rows of every matching name (None when nothing can match), and
    whether a branch was cut short at ``drive`` rows (see :func:`_branch`); when the words'
    branch is, the transliteration branch is not read."""
    branches = [_branch(session, case.id, WORD, q.words, levels, 0, drive)]
    if q.keys and not branches[0][1]:  # a cut answer is a lower bound: spare the second scan
        branches.append(_branch(session, case.id, TRANSLIT, q.keys, levels, 1, drive))
    found = [b for b, _ in branches if b is not None]
    if not found:
        return None, False
    return union_all(*found).subquery("hits"), any(cut for _, cut in branches)


def _name_rank(q: _Query, search_key: str, full: str, parts: Iterable[str | None]) -> int | None:
    """0 when the name matches the query's words, 1 when only its transliteration keys, else
    None (a name of a person found through another of their names)."""
    words = key_tokens(search_key)
    if all(any(w.startswith(t) for w in words) for t in q.words):
        return 0
    if q.keys and set(q.keys) <= translit_tokens(name_text(full, parts)):
        return 1
    return None


@dataclass
class PersonPage:
    """One page of a search and how many persons all pages hold.

    With a cap (:func:`search_page` ``cap``), ``total_is_lower_bound`` says that more persons
    may match than ``total`` counts and that the pages hold only those counted.
    """

    hits: list[PersonHit]
    total: int
    total_is_lower_bound: bool = False


@dataclass(frozen=True)
class PersonMatch:
    """A person a search found, as a list shows it: read in one statement, no ORM objects."""

    id: str
    status: str
    sensitivity: str
    name: str  # the full form of the name that matched best


@dataclass
class MatchPage:
    """:class:`PersonPage` for :func:`search_matches`."""

    matches: list[PersonMatch]
    total: int
    total_is_lower_bound: bool = False


ROWS_PER_PERSON = 4  # index rows read per person a capped search may list (names × branches)
DRIVE_PER_CAP = 5  # rows of a query's rarest word a capped search checks per person it may list


@dataclass
class _Ids:
    query: _Query
    levels: list[str] | None
    ids: list[str]
    total: int
    lower_bound: bool = False


def search_page(
    session: Session,
    case: Case,
    query: str,
    *,
    limit: int = 50,
    offset: int = 0,
    max_sensitivity: str | None = None,
    cap: int | None = None,
) -> PersonPage:
    """A page of :func:`search_persons` and the total, counted in the same statement.

    ``cap`` bounds the work for a common name: the search then reads at most
    ``ROWS_PER_PERSON × cap`` matching index rows (those the index yields first: matches of the
    words before matches of transliteration keys), checks at most ``DRIVE_PER_CAP × cap`` names
    of its rarest word for the other words, and pages and counts only the first ``cap`` persons
    among those found (by rank, then ID). When rows were left unread or more persons were found,
    ``total_is_lower_bound`` is true: at least ``total`` persons match, and pages past ``cap``
    are empty. Without a cap, every match is counted and ordered.
    """
    found = _page_ids(session, case, query, limit, offset, max_sensitivity, cap)
    return PersonPage(_load(session, found.query, found.ids), found.total, found.lower_bound)


def search_matches(
    session: Session,
    case: Case,
    query: str,
    *,
    limit: int = 50,
    offset: int = 0,
    max_sensitivity: str | None = None,
    cap: int | None = None,
) -> MatchPage:
    """:func:`search_page` for a list that shows only each person's ID, status, level and
    matched name (the API's): the page's persons and names are read in one statement, and
    again only up to ``max_sensitivity``."""
    found = _page_ids(session, case, query, limit, offset, max_sensitivity, cap)
    matches = _load_matches(session, found.query, found.ids, found.levels)
    return MatchPage(matches, found.total, found.lower_bound)


def _page_ids(
    session: Session,
    case: Case,
    query: str,
    limit: int,
    offset: int,
    max_sensitivity: str | None,
    cap: int | None,
) -> _Ids:
    if limit < 0 or offset < 0:
        raise InvalidInput("limit", "limit and offset cannot be negative")
    if cap is not None and cap < 1:
        raise InvalidInput("cap", "the cap must be at least 1")
    q = _parse(query)
    levels = _levels(max_sensitivity)
    hits, cut = _hits(session, case, q, levels, None if cap is None else DRIVE_PER_CAP * cap)
    if hits is None:
        return _Ids(q, levels, [], 0)
    if cap is not None:
        found = _capped_ids(session, q, levels, hits, limit, offset, cap)
        found.lower_bound |= cut
        return found
    rank = func.min(hits.c.rank).label("rank")
    rows = list(
        session.execute(
            select(hits.c.person_id, rank, func.count().over().label("total"))
            .group_by(hits.c.person_id)
            .order_by(rank, hits.c.person_id)
            .limit(limit)
            .offset(offset)
        )
    )
    if not rows:  # past the last page (or limit 0): the window gave no total
        total = int(session.scalar(select(func.count(distinct(hits.c.person_id)))) or 0)
        return _Ids(q, levels, [], total)
    return _Ids(q, levels, [r.person_id for r in rows], int(rows[0].total))


def _capped_ids(
    session: Session,
    q: _Query,
    levels: list[str] | None,
    hits: Any,
    limit: int,
    offset: int,
    cap: int,
) -> _Ids:
    """:func:`_page_ids` over at most ``ROWS_PER_PERSON × cap`` index rows (see search_page)."""
    budget = ROWS_PER_PERSON * cap
    found = select(hits.c.person_id, hits.c.rank).limit(budget + 1).subquery("found")
    rank = func.min(found.c.rank).label("rank")
    persons = (
        select(
            found.c.person_id,
            rank,
            func.count().over().label("persons"),
            func.sum(func.count()).over().label("rows"),
        )
        .group_by(found.c.person_id)
        .subquery("persons")
    )
    # The one-row summary rides along with the page, or alone when the page is empty.
    stop = max(0, min(limit, cap - offset))
    rows = list(
        session.execute(
            select(persons.c.person_id, persons.c.persons, persons.c.rows)
            .order_by(persons.c.rank, persons.c.person_id)
            .limit(max(stop, 1))
            .offset(offset if stop else 0)
        )
    )
    ids = [r.person_id for r in rows] if stop else []
    if stop and not rows:  # past the last person found: the summary row alone
        rows = list(
            session.execute(select(persons.c.person_id, persons.c.persons, persons.c.rows).limit(1))
        )
    if not rows:
        return _Ids(q, levels, [], 0)
    counted, read = int(rows[0].persons), int(rows[0].rows)
    return _Ids(q, levels, ids, min(counted, cap), read > budget or counted > cap)


def _load(session: Session, q: _Query, ids: list[str]) -> list[PersonHit]:
    """The persons of a page, in its order, each with the name that matched best."""
    if not ids:
        return []
    persons = {
        p.id: p
        for p in session.scalars(
            select(Person).where(Person.id.in_(ids)).options(selectinload(Person.names))
        )
    }
    found: list[PersonHit] = []
    for person_id in ids:
        person = persons.get(person_id)
        if person is None:  # removed since the page was read
            continue
        ranked = [
            (r, n.position, n.id, n)
            for n in person.names
            if (r := _name_rank(q, n.search_key, n.full, (getattr(n, p) for p in OWN_PARTS)))
            is not None
        ]
        if ranked:
            found.append(PersonHit(person, min(ranked, key=lambda t: t[:3])[3]))
    return found


def _load_matches(
    session: Session, q: _Query, ids: list[str], levels: list[str] | None
) -> list[PersonMatch]:
    """:func:`_load` as plain rows: the page's live persons up to ``levels``, with their names.

    The levels are asked again because, on PostgreSQL, each statement sees the latest commit: a
    person made confidential since the index was read is not listed to a lower role.
    """
    if not ids:
        return []
    where = [_NAMES.c.person_id.in_(ids), _ENTITIES.c.deleted_at.is_(None)]
    if levels is not None:
        where.append(_ENTITIES.c.sensitivity.in_(levels))
    rows = session.execute(
        select(
            _NAMES.c.person_id,
            _NAMES.c.position,
            _NAMES.c.id,
            _NAMES.c.search_key,
            _NAMES.c.full,
            *(_NAMES.c[p] for p in OWN_PARTS),
            _PERSONS.c.status,
            _ENTITIES.c.sensitivity,
        )
        .join(_ENTITIES, _ENTITIES.c.id == _NAMES.c.person_id)
        .join(_PERSONS, _PERSONS.c.id == _NAMES.c.person_id)
        .where(*where)
    )
    best: dict[str, tuple[tuple[int, int, str], PersonMatch]] = {}
    for row in rows:
        parts = (row[5 + i] for i in range(len(OWN_PARTS)))
        rank = _name_rank(q, row.search_key, row.full, parts)
        if rank is None:
            continue
        order = (rank, row.position, row.id)
        held = best.get(row.person_id)
        if held is None or order < held[0]:
            match = PersonMatch(row.person_id, row.status, row.sensitivity, row.full)
            best[row.person_id] = (order, match)
    return [best[i][1] for i in ids if i in best]


def search_persons(
    session: Session,
    case: Case,
    query: str,
    *,
    limit: int = 50,
    offset: int = 0,
    max_sensitivity: str | None = None,
) -> list[PersonHit]:
    """Live persons of ``case`` one of whose names matches ``query``, best first, then by ID.

    ``max_sensitivity`` (``public``, ``restricted``…) leaves out persons above that level; they
    are never loaded. ``offset`` and ``limit`` page in SQL.
    """
    page = search_page(
        session, case, query, limit=limit, offset=offset, max_sensitivity=max_sensitivity
    )
    return page.hits


def count_persons(
    session: Session, case: Case, query: str, *, max_sensitivity: str | None = None
) -> int:
    """How many persons :func:`search_persons` would list over all pages."""
    hits, _ = _hits(session, case, _parse(query), _levels(max_sensitivity))
    if hits is None:
        return 0
    return int(session.scalar(select(func.count(distinct(hits.c.person_id)))) or 0)


__all__ = [
    "MatchPage",
    "PersonHit",
    "PersonMatch",
    "PersonPage",
    "count_persons",
    "index_persons",
    "install",
    "rebuild_index",
    "search_matches",
    "search_page",
    "search_persons",
]
