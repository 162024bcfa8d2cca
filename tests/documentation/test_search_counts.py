"""The search's per-token counts: equal to the index's rows after every kind of write, made anew
by a rebuild and by migration 0010, never making one writer wait for another; and the word a
search reads first, with the answer it gives, is what counting the index would choose."""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, insert, select, text

from dalil.db import Database, Person, PersonName, upgrade
from dalil.db.models_search import TRANSLIT, WORD, PersonSearchCount, PersonSearchKey
from dalil.documentation import (
    NameInput,
    add_name,
    add_person,
    create_case,
    get_case,
    get_entity,
    purge,
    rebuild_index,
    restore,
    search_counts,
    search_page,
    soft_delete,
    update,
)
from dalil.documentation import search as search_module
from dalil.documentation.search_counts import rebuild_counts
from dalil.documentation.search_index import OFF_KEY
from dalil.errors import InvalidInput
from dalil.values import search_key
from support import DIALECTS, database_at

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from documentation.conftest import World

Key = tuple[str, str, str, str]


def _indexed(db: Database) -> Counter[Key]:
    """The index's rows by case, key type, token and level: what the counts must say."""
    table = PersonSearchKey.__table__
    with db.engine.connect() as connection:
        rows = connection.execute(
            select(table.c.case_id, table.c.key_type, table.c.token, table.c.sensitivity)
        )
        return Counter(tuple(r) for r in rows)


def _counted(db: Database) -> Counter[Key]:
    table = PersonSearchCount.__table__
    with db.engine.connect() as connection:
        rows = connection.execute(
            select(table.c.case_id, table.c.key_type, table.c.token, table.c.sensitivity, table.c.n)
        )
        total: Counter[Key] = Counter()
        for *key, n in rows:
            total[(key[0], key[1], key[2], key[3])] += n
    return +total  # keys whose rows add up to nothing are no key


def _assert_counts_right(db: Database) -> None:
    assert _counted(db) == _indexed(db)


def _add(db: Database, *names: str, slug: str = "tadamon", level: str | None = None) -> str:
    fields = {} if level is None else {"sensitivity": level}
    with db.transaction("alice") as s:
        return add_person(s, get_case(s, slug), [NameInput(full=n) for n in names], fields).id


def _rename(name: PersonName, full: str) -> None:
    """What changing a name in place writes: its full form and its search key."""
    for part in ("given", "father", "grandfather", "family", "mother"):
        setattr(name, part, None)
    name.full = full
    name.search_key = search_key(full)


# --- kept in step -----------------------------------------------------------------------------


def test_counts_follow_every_write_to_persons_and_names(db: Database, world: World) -> None:
    first = _add(db, "محمد الشامي", "Mohammad al-Shami")
    second = _add(db, "محمد الحلبي", level="public")
    _add(db, "محمد الشامي", slug="other")
    _assert_counts_right(db)
    key = (get_case_id(db, "tadamon"), WORD, "محمد", "restricted")
    assert _counted(db)[key] == 1
    with db.transaction("bob") as s:  # a second name
        add_name(s, get_entity(s, first, Person), NameInput(given="أبو", family="سمير"))
    _assert_counts_right(db)
    with db.transaction("bob") as s:  # a name renamed in place
        person = get_entity(s, second, Person)
        _rename(person.names[0], "أحمد الحلبي")
        s.flush()
    _assert_counts_right(db)
    assert _counted(db)[(*key[:3], "public")] == 0
    with db.transaction("bob") as s:  # a name taken away (the foreign key drops its rows)
        person = get_entity(s, first, Person)
        person.names.remove(person.names[1])
        s.flush()
    _assert_counts_right(db)
    with db.transaction("bob") as s:  # a level changed: its rows move to the other level
        update(s, get_entity(s, first, Person), {"sensitivity": "confidential"})
    _assert_counts_right(db)
    assert _counted(db)[(*key[:3], "confidential")] == 1
    with db.transaction("bob") as s:
        soft_delete(s, get_entity(s, first, Person))
    _assert_counts_right(db)
    assert _counted(db)[(*key[:3], "confidential")] == 0
    with db.transaction("bob") as s:
        restore(s, get_entity(s, first, Person, include_deleted=True))
    _assert_counts_right(db)
    with db.transaction("bob") as s:
        soft_delete(s, get_entity(s, first, Person))
    with db.transaction("bob") as s:
        purge(s, get_entity(s, first, Person, include_deleted=True), "entered in error")
    _assert_counts_right(db)
    assert _counted(db)  # the other persons are still counted


def get_case_id(db: Database, slug: str) -> str:
    with db.reader() as s:
        return get_case(s, slug).id


def test_a_failed_write_leaves_the_counts_as_they_were(db: Database, world: World) -> None:
    _add(db, "Sami Khalil")
    before = _counted(db)

    def two_persons_one_without_a_name() -> None:
        with db.transaction("alice") as s:
            case = get_case(s, "tadamon")
            add_person(s, case, [NameInput(full="Sami Bassam")])
            add_person(s, case, [NameInput()])  # refused: the whole transaction rolls back

    with pytest.raises(InvalidInput):
        two_persons_one_without_a_name()
    assert _counted(db) == before
    _assert_counts_right(db)


def test_writes_of_one_common_word_fold_into_one_row(db: Database, world: World) -> None:
    for i in range(12):
        _add(db, f"محمد {i}")
    with db.engine.connect() as connection:
        table = PersonSearchCount.__table__
        rows = connection.scalar(
            select(func.count()).select_from(table).where(table.c.token == "محمد")
        )
    assert rows == 1
    _assert_counts_right(db)


def test_a_rebuild_makes_the_counts_anew_from_the_index(db: Database, world: World) -> None:
    _add(db, "محمد الشامي", "Mohammad al-Shami")
    _add(db, "زينب المصري", level="confidential")
    _add(db, "Sami Khalil", slug="other")
    right = _indexed(db)
    table = PersonSearchCount.__table__
    other = get_case_id(db, "other")
    with db.engine.begin() as connection:  # counts gone astray: lost, and invented
        connection.execute(delete(table))
        connection.execute(
            insert(table),
            [{"case_id": other, "key_type": WORD, "token": "zzz", "sensitivity": "public",
              "n": 7}],
        )  # fmt: skip
    with db.transaction("maintenance") as s:
        rebuild_index(s.connection(), case_id=other)
    assert _counted(db) == Counter({k: n for k, n in right.items() if k[0] == other})
    with db.transaction("maintenance") as s:
        rebuild_index(s.connection())
    assert _counted(db) == right
    with db.transaction("maintenance") as s:
        rebuild_counts(s.connection())
    assert _counted(db) == right


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_writers_of_one_common_word_do_not_wait_for_each_other(db: Database, world: World) -> None:
    # PostgreSQL only: SQLite lets one writer in at a time. Two transactions add a محمد while
    # both are open; the second must not wait for the first's rows (lock_timeout would fail it).
    _add(db, "محمد الشامي")
    for first_commits in (True, False):
        try:
            with db.transaction("alice") as a:
                add_person(a, get_case(a, "tadamon"), [NameInput(full="محمد الحلبي")])
                with db.transaction("bob") as b:
                    b.execute(text("SET LOCAL lock_timeout = '2s'"))
                    add_person(b, get_case(b, "tadamon"), [NameInput(full="محمد المصري")])
                if not first_commits:
                    raise _GiveUp
        except _GiveUp:
            pass
        _assert_counts_right(db)
    assert _counted(db)[(get_case_id(db, "tadamon"), WORD, "محمد", "restricted")] == 4


class _GiveUp(Exception):
    """The first writer rolls back after the second committed."""


# --- migration 0010 ---------------------------------------------------------------------------


@pytest.mark.parametrize("dialect", DIALECTS)
def test_migration_0010_counts_the_index_rows_already_stored(dialect: str, tmp_path: Path) -> None:
    with database_at(dialect, tmp_path, "0009") as db:
        with db.transaction("before-0010") as s:
            s.info[OFF_KEY] = True  # today's hook writes counts 0009 has no table for
            case = create_case(s, "old", title_en="Old")
            case_id = case.id
            for full in ("محمد الشامي", "محمد الحلبي", "Mohammad al-Shami", "أحمد الشامي"):
                add_person(s, case, [NameInput(full=full)])
            s.flush()
            rebuild_index(s.connection(), counts=False)  # the index a 0009 Dalil kept
        upgrade(db)
        assert _counted(db) == _indexed(db)
        assert _counted(db)[(case_id, WORD, "محمد", "restricted")] == 2
        with db.reader() as s:
            page = search_page(s, get_case(s, "old"), "محمد الشامي", cap=1000)
            assert page.total == 2  # محمد الشامي, and Mohammad al-Shami by its keys


# --- the word read first, against counting ----------------------------------------------------

WORDS = ["محمد", "محمود", "أحمد", "الشامي", "الشام", "حسن", "الحسن", "Mohammad", "Sami", "Shami"]
LEVELS = ["public", "restricted", "confidential"]
_slugs = itertools.count()

person = st.tuples(
    st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join), min_size=1,
             max_size=2),
    st.sampled_from(LEVELS),
)  # fmt: skip
change = st.tuples(st.sampled_from(["delete", "level", "rename", "drop name"]), st.integers(0, 99))
query = st.lists(
    st.one_of(st.sampled_from(WORDS), st.sampled_from(WORDS).map(lambda w: w[:2])),
    min_size=2,
    max_size=3,
).map(" ".join)


def _bounded(rows: Counter[Key], case_id: str, key_type: str, tokens: tuple[str, ...],
             levels: list[str] | None) -> dict[str, int] | None:  # fmt: skip
    """What counting the index (bounded as ``PROBES`` say) gives: the rows of each token."""
    found = {
        t: sum(
            n
            for (c, k, token, level), n in rows.items()
            if c == case_id
            and k == key_type
            and (token.startswith(t) if key_type == WORD else token == t)
            and (levels is None or level in levels)
        )
        for t in tokens
    }
    seen: dict[str, int] = {}
    for probe in search_module.PROBES:
        seen = {t: min(n, probe) for t, n in found.items()}
        if not all(seen.values()):
            return None
        if min(seen.values()) < probe:
            break
    return seen


def _change(s: Session, case_id: str, ids: list[str], what: str, which: int) -> None:
    person = s.get(Person, ids[which % len(ids)])
    assert person is not None
    if person.deleted_at is not None:
        restore(s, person)
    elif what == "delete":
        soft_delete(s, person)
    elif what == "level":
        update(s, person, {"sensitivity": LEVELS[which % 3]})
    elif what == "rename":
        _rename(person.names[0], " ".join(WORDS[(which + i) % len(WORDS)] for i in range(2)))
    elif len(person.names) > 1:
        person.names.remove(person.names[-1])
    s.flush()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    persons=st.lists(person, min_size=1, max_size=10),
    changes=st.lists(change, max_size=4),
    queries=st.lists(query, min_size=1, max_size=3),
)
def test_the_counts_choose_the_word_and_answer_counting_the_index_would(
    db: Database, persons: list[Any], changes: list[Any], queries: list[str]
) -> None:
    slug = f"counts-{next(_slugs)}"
    with db.transaction("prop") as s:
        case = create_case(s, slug, title_en="Counts")
        ids = [
            add_person(s, case, [NameInput(full=n) for n in names], {"sensitivity": level}).id
            for names, level in persons
        ]
        for what, which in changes:
            _change(s, case.id, ids, what, which)
        case_id = case.id
    rows = _indexed(db)
    assert _counted(db) == rows
    # Small bounds, so that a few persons reach them and a prefix can be too wide to sum.
    with (
        patch.object(search_module, "PROBES", (2, 4)),
        patch.object(search_counts, "WIDE", 2),
        db.reader() as s,
    ):
        case = get_case(s, slug)
        for q, level in itertools.product(queries, [None, "public", "restricted"]):
            parsed = search_module._parse(q)
            levels = search_module._levels(level)
            for key_type, tokens in ((WORD, parsed.words), (TRANSLIT, parsed.keys)):
                if len(tokens) > 1:
                    chosen = search_module._rows_per_token(s, case_id, key_type, tokens, levels)
                    assert chosen == _bounded(rows, case_id, key_type, tokens, levels), (q, level)

            def counted_in_index(
                session: Session, case_id: str, key_type: str, tokens: tuple[str, ...],
                levels: list[str] | None,
            ) -> dict[str, int] | None:  # fmt: skip
                return _bounded(rows, case_id, key_type, tokens, levels)

            for cap in (1, 2, None):
                kw: dict[str, Any] = {"limit": 50, "cap": cap, "max_sensitivity": level}
                got = search_page(s, case, q, **kw)
                with patch.object(search_module, "_rows_per_token", counted_in_index):
                    want = search_page(s, case, q, **kw)
                assert [h.person.id for h in got.hits] == [h.person.id for h in want.hits]
                assert (got.total, got.total_is_lower_bound) == (
                    want.total,
                    want.total_is_lower_bound,
                ), (q, level, cap)
