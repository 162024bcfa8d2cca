"""The person-name search index, written: which words of a name are indexed, and the writes that
keep the index (and its per-token counts) in step with persons and names.

The index (:class:`dalil.db.models_search.PersonSearchKey`) is derived data: every flush that
touches a person or a name re-derives that person's rows (the hook :func:`install` puts on the
session), and :func:`rebuild_index` re-derives them all. It holds only live persons, with their
sensitivity, so that a page and its total are counted without loading a record the caller may not
see; each row carries all its name's words, so that a query's other words are checked on the row
its rarest word found, without a look-up per row. The same writes keep how many rows each token
has (:mod:`dalil.documentation.search_counts`). Searching is :mod:`dalil.documentation.search`.
This module never changes a name.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from itertools import chain
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Table,
    delete,
    event,
    insert,
    select,
)
from sqlalchemy.orm import Mapper, Session, UOWTransaction, object_session

from dalil.db import Entity, Person, PersonName
from dalil.db.engine import DalilSession
from dalil.db.models_search import TRANSLIT, WORD, PersonSearchKey
from dalil.documentation.search_counts import (
    add_counts,
    keys_of,
    rebuild_counts,
)
from dalil.registry.names import translit_key
from dalil.values import search_key

MAX_WORDS = 12
MAX_TOKEN = 200  # the index column's width; longer words are cut (a prefix still matches)
# The most a row's copy of its name's words may take (UTF-8 bytes): PostgreSQL refuses an index
# entry over ~2.7 kB, and a token alone may take 800. A longer name's rows hold None instead,
# and a search looks their words up in the index, row by row, as it did before the copy.
MAX_WORDS_BYTES = 1500
BATCH = 500
_ARTICLE = "ال"
# The parts that make up a person's own name (the mother's name is not searched: a search for
# فاطمة must not list every son of a Fatima).
OWN_PARTS = ("given", "father", "grandfather", "family")

_KEYS = cast(Table, PersonSearchKey.__table__)
_NAMES = cast(Table, PersonName.__table__)
_ENTITIES = cast(Table, Entity.__table__)
_PERSONS = cast(Table, Person.__table__)


# --- what is indexed --------------------------------------------------------------------------


def name_text(full: str, parts: Iterable[str | None]) -> str:
    """The text a name is searched by: its full form and its own parts."""
    return " ".join([full, *(p for p in parts if p)])


def key_tokens(key: str) -> set[str]:
    """The words of a ``search_key``, and each ال-word without its article too."""
    words = set(key.split())
    words |= {w[len(_ARTICLE) :] for w in words if w.startswith(_ARTICLE) and len(w) > 3}
    return {w[:MAX_TOKEN] for w in words}


def word_tokens(text: str) -> set[str]:
    """Arabic-normalised words of ``text`` (see :func:`key_tokens`)."""
    return key_tokens(search_key(text))


def translit_tokens(text: str) -> set[str]:
    return {k[:MAX_TOKEN] for k in translit_key(text).split()}


def words_of(tokens: Iterable[str]) -> str | None:
    """A name's tokens of one kind as its index rows carry them: sorted, each between spaces
    (so that `` tok`` finds a word beginning with tok, `` tok `` the word tok), or None when
    longer than ``MAX_WORDS_BYTES``."""
    words = " " + " ".join(sorted(tokens)) + " "
    return words if len(words.encode()) <= MAX_WORDS_BYTES else None


def _rows(connection: Connection, person_ids: Collection[str]) -> Iterator[dict[str, Any]]:
    """The index rows of the live ones among ``person_ids``."""
    names = connection.execute(
        select(
            _NAMES.c.id,
            _NAMES.c.person_id,
            _NAMES.c.search_key,
            _NAMES.c.full,
            *(_NAMES.c[p] for p in OWN_PARTS),
            _ENTITIES.c.case_id,
            _ENTITIES.c.sensitivity,
        )
        .join(_ENTITIES, _ENTITIES.c.id == _NAMES.c.person_id)
        .where(_NAMES.c.person_id.in_(person_ids), _ENTITIES.c.deleted_at.is_(None))
    )
    for row in names:
        text = name_text(row.full, (row[4 + i] for i in range(len(OWN_PARTS))))
        common = {
            "case_id": row.case_id,
            "sensitivity": row.sensitivity,
            "person_id": row.person_id,
            "name_id": row.id,
        }
        # The stored search_key is the normalised form of this same text (persons.py).
        words = key_tokens(row.search_key)
        for key_type, tokens in ((WORD, words), (TRANSLIT, translit_tokens(text))):
            held = words_of(tokens)
            for token in sorted(tokens):
                yield common | {"key_type": key_type, "token": token, "words": held}


_KEY_OF_ROW = (_KEYS.c.case_id, _KEYS.c.key_type, _KEYS.c.token, _KEYS.c.sensitivity)


def index_persons(connection: Connection, person_ids: Iterable[str]) -> int:
    """Re-derive the index rows of these persons (dropping those of deleted ones), and the
    counts by the difference; rows written."""
    wanted = sorted(set(person_ids))
    written = 0
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        dropped = connection.execute(
            delete(_KEYS)
            .where(_KEYS.c.name_id.in_(select(_NAMES.c.id).where(_NAMES.c.person_id.in_(chunk))))
            .returning(*_KEY_OF_ROW)
        )
        old = keys_of(r._mapping for r in dropped)
        rows = list(_rows(connection, chunk))
        if rows:
            connection.execute(insert(_KEYS), rows)
        # Rows written minus rows dropped: a name that kept its words changes no count.
        new = keys_of(rows)
        add_counts(connection, {k: new[k] - old[k] for k in new.keys() | old.keys()})
        written += len(rows)
    return written


def rebuild_index(
    connection: Connection, *, case_id: str | None = None, counts: bool = True
) -> int:
    """Drop and re-derive the whole index (or one case's part of it) and, unless ``counts`` is
    False (a migration older than the counts' table), its counts; index rows written."""
    scope = [] if case_id is None else [_KEYS.c.case_id == case_id]
    connection.execute(delete(_KEYS).where(*scope))
    persons = select(_ENTITIES.c.id).where(_ENTITIES.c.kind == "person")
    if case_id is not None:
        persons = persons.where(_ENTITIES.c.case_id == case_id)
    ids = list(connection.scalars(persons.order_by(_ENTITIES.c.id)))
    written = 0
    for start in range(0, len(ids), BATCH):
        rows = list(_rows(connection, ids[start : start + BATCH]))
        if rows:
            connection.execute(insert(_KEYS), rows)
        written += len(rows)
    if counts:
        rebuild_counts(connection, case_id=case_id)
    return written


OFF_KEY = "dalil.search.off"  # session.info flag: a migration older than the index writes


def _after_flush(session: Session, flush_context: UOWTransaction) -> None:
    if session.info.get(OFF_KEY):
        return
    touched: set[str] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Person):
            touched.add(obj.id)
        elif isinstance(obj, PersonName) and obj.person_id:
            touched.add(obj.person_id)
    if touched:
        index_persons(session.connection(), touched)


def _before_name_delete(mapper: Mapper[Any], connection: Connection, name: PersonName) -> None:
    # The foreign key would drop the name's index rows with it, unseen by the counts.
    session = object_session(name)
    if session is not None and session.info.get(OFF_KEY):
        return
    dropped = connection.execute(
        delete(_KEYS).where(_KEYS.c.name_id == name.id).returning(*_KEY_OF_ROW)
    )
    add_counts(connection, {k: -n for k, n in keys_of(r._mapping for r in dropped).items()})


def install(session_class: type[Session]) -> None:
    """Keep the index in step with every flush of ``session_class`` (idempotent)."""
    if not event.contains(session_class, "after_flush", _after_flush):
        event.listen(session_class, "after_flush", _after_flush)
    if not event.contains(PersonName, "before_delete", _before_name_delete):
        event.listen(PersonName, "before_delete", _before_name_delete)


__all__ = [
    "BATCH",
    "MAX_TOKEN",
    "MAX_WORDS",
    "OFF_KEY",
    "OWN_PARTS",
    "index_persons",
    "install",
    "key_tokens",
    "name_text",
    "rebuild_index",
    "translit_tokens",
    "word_tokens",
    "words_of",
]

install(DalilSession)
