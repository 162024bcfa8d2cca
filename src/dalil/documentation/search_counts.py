"""How many search-index rows each token has, kept by the index's own writes, so that a search
of several words finds its rarest word in a few rows instead of counting the index.

A search of two common words reads the rows of the rarer (:mod:`dalil.documentation.search`);
counting both words in the index, up to 50,000 rows each, was most of such a search's time.
:class:`dalil.db.models_search.PersonSearchCount` holds, per case, key type, token and
sensitivity, rows whose ``n`` add up to the index rows of that key. A prefix (a word's key is
matched by prefix) is the sum over the range of tokens it begins, a few rows of this table where
the index holds thousands; a prefix whose range here is wider than ``WIDE`` rows is left to the
caller to count in the index.

Why rows that add up, not one row per key: every writer of a common name would update the same
row, and on PostgreSQL a row being updated stays locked until its transaction commits, so an
import holding ``محمد`` would stall every other writer of ``محمد`` in the case, and two writers
taking such rows in different orders would deadlock. Here a writer locks only the rows no one
else holds (``FOR UPDATE SKIP LOCKED``), deletes them and inserts one row with their sum plus its
own change: it never waits for another writer, no row is lost or counted twice (a held row stays
for its holder to fold), and a key keeps about one row plus one per writer in flight. SQLite has
one writer at a time and ignores the lock clause: the same statements fold every row.

Derived data, like the index: :func:`rebuild_counts` makes it anew from the index. It must
always equal the index's row counts: the search trusts a count to choose which word to read
first (never to decide whether a person matches: a token counted as absent is looked up in the
index before a search gives up on it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Connection,
    FromClause,
    Table,
    and_,
    case,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.orm import Session

from dalil.db.models_search import WORD, PersonSearchCount, PersonSearchKey

Key = tuple[str, str, str, str]  # case_id, key_type, token, sensitivity
BATCH = 500
# Count rows read at most for one query word: a prefix of one or two letters may begin more
# tokens than this, and its index rows are then counted as before (bounded by the search).
WIDE = 5_000

_COUNTS = cast(Table, PersonSearchCount.__table__)
_KEYS = cast(Table, PersonSearchKey.__table__)
_KEY_COLUMNS = ("case_id", "key_type", "token", "sensitivity")


def after(prefix: str) -> str:
    """The least string above every string that starts with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def token_is(column: ColumnElement[str], token: str, *, prefix: bool) -> ColumnElement[bool]:
    if prefix:
        return and_(column >= token, column < after(token))
    return column == token


def key_where(
    table: FromClause, case_id: str, key_type: str, token: str, levels: list[str] | None
) -> list[ColumnElement[bool]]:
    """The rows of ``table`` (the index, an alias of it, or the counts) under ``case_id`` and
    ``key_type`` whose token is ``token`` (begins with it, for a word) at one of ``levels``."""
    where = [
        table.c.case_id == case_id,
        table.c.key_type == key_type,
        token_is(table.c.token, token, prefix=key_type == WORD),
    ]
    if levels is not None:
        where.append(table.c.sensitivity.in_(levels))
    return where


def keys_of(rows: Iterable[Mapping[Any, Any]]) -> Counter[Key]:
    """Index rows (or rows of their key columns) counted by key."""
    return Counter((r["case_id"], r["key_type"], r["token"], r["sensitivity"]) for r in rows)


def add_counts(connection: Connection, change: Mapping[Key, int]) -> None:
    """Add ``change`` (index rows written minus rows dropped, by key) to the counts.

    Folds the rows of those tokens that no other transaction holds into one row per key, so
    that a key keeps few rows; waits for no other writer (see the module's docstring).
    """
    totals: Counter[Key] = Counter({k: n for k, n in change.items() if n})
    if not totals:
        return
    tokens: dict[tuple[str, str], set[str]] = {}
    for case_id, key_type, token, _ in totals:
        tokens.setdefault((case_id, key_type), set()).add(token)
    held: list[int] = []
    for (case_id, key_type), wanted in sorted(tokens.items()):
        ordered = sorted(wanted)
        for start in range(0, len(ordered), BATCH):
            rows = connection.execute(
                select(_COUNTS.c.id, *(_COUNTS.c[c] for c in _KEY_COLUMNS), _COUNTS.c.n)
                .where(
                    _COUNTS.c.case_id == case_id,
                    _COUNTS.c.key_type == key_type,
                    _COUNTS.c.token.in_(ordered[start : start + BATCH]),
                )
                .with_for_update(skip_locked=True)
            )
            for row in rows:
                held.append(row.id)
                totals[(row.case_id, row.key_type, row.token, row.sensitivity)] += row.n
    for start in range(0, len(held), BATCH):
        connection.execute(delete(_COUNTS).where(_COUNTS.c.id.in_(held[start : start + BATCH])))
    rows_out = [
        dict(zip(_KEY_COLUMNS, key, strict=True)) | {"n": n}
        for key, n in sorted(totals.items())
        if n
    ]
    if rows_out:
        connection.execute(insert(_COUNTS), rows_out)


def rebuild_counts(connection: Connection, *, case_id: str | None = None) -> None:
    """Make the counts (of one case, or all) anew from the index."""
    scope_counts = [] if case_id is None else [_COUNTS.c.case_id == case_id]
    scope_keys = [] if case_id is None else [_KEYS.c.case_id == case_id]
    connection.execute(delete(_COUNTS).where(*scope_counts))
    columns = [_KEYS.c[c] for c in _KEY_COLUMNS]
    grouped = select(*columns, func.count()).where(*scope_keys).group_by(*columns)
    connection.execute(insert(_COUNTS).from_select([*_KEY_COLUMNS, "n"], grouped))


def token_counts(
    session: Session,
    case_id: str,
    key_type: str,
    tokens: Iterable[str],
    levels: list[str] | None,
) -> dict[str, int | None]:
    """How many index rows each token has (a word's key: every token it begins) up to
    ``levels``, read in one statement; None for a prefix that begins more than ``WIDE`` rows'
    worth of tokens here (count it in the index)."""
    wanted = list(tokens)
    if not wanted:
        return {}
    counts = []
    for token in wanted:
        where = key_where(_COUNTS, case_id, key_type, token, levels)
        rows = select(_COUNTS.c.n).where(*where).limit(WIDE + 1).subquery()
        total = case((func.count() > WIDE, None), else_=func.coalesce(func.sum(rows.c.n), 0))
        counts.append(select(total).select_from(rows).scalar_subquery())
    row = session.execute(select(*counts)).one()
    return {t: None if n is None else int(n) for t, n in zip(wanted, row, strict=True)}


__all__ = [
    "WIDE",
    "add_counts",
    "key_where",
    "keys_of",
    "rebuild_counts",
    "token_counts",
    "token_is",
]
