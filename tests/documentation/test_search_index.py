"""The person-search index: Arabic variants, across scripts, paging, sensitivity, kept in sync."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import func, inspect, select

from dalil.db import Database, Person, upgrade
from dalil.db.models_search import PersonSearchKey
from dalil.documentation import (
    NameInput,
    add_name,
    add_person,
    count_persons,
    create_case,
    get_case,
    get_entity,
    purge,
    rebuild_index,
    restore,
    search_matches,
    search_page,
    search_persons,
    soft_delete,
    update,
)
from dalil.documentation.search_index import OWN_PARTS, name_text, translit_tokens, word_tokens
from dalil.errors import InvalidInput
from dalil.registry.names import translit_key
from dalil.values import search_key
from support import DIALECTS, database_at

if TYPE_CHECKING:
    from cli.clihelp import Cli
    from documentation.conftest import World


def _add(db: Database, *names: str, slug: str = "tadamon", sensitivity: str | None = None) -> str:
    fields = {} if sensitivity is None else {"sensitivity": sensitivity}
    with db.transaction("alice") as s:
        return add_person(s, get_case(s, slug), [NameInput(full=n) for n in names], fields).id


def _found(db: Database, query: str, slug: str = "tadamon", **kw: Any) -> list[str]:
    with db.reader() as s:
        return [h.person.id for h in search_persons(s, get_case(s, slug), query, **kw)]


def _index(db: Database) -> list[tuple[Any, ...]]:
    with db.engine.connect() as connection:
        table = PersonSearchKey.__table__
        return sorted(tuple(r) for r in connection.execute(select(table)))


def _rows_of(db: Database, person: str) -> int:
    with db.reader() as s:
        return (
            s.scalar(
                select(func.count())
                .select_from(PersonSearchKey)
                .where(PersonSearchKey.person_id == person)
            )
            or 0
        )


# --- matching ---------------------------------------------------------------------------------


def test_arabic_spelling_variants_find_each_other(db: Database, world: World) -> None:
    ahmad = _add(db, "أحمد الحسن")
    fatima = _add(db, "فاطمة العلي")
    assert _found(db, "احمد") == [ahmad]
    assert _found(db, "أحمد") == [ahmad]
    assert _found(db, "فاطمه") == [fatima]
    assert _found(db, "فاطمة") == [fatima]
    # A word without its article finds the name with it; a word starts a name word.
    assert _found(db, "حسن") == [ahmad]
    assert _found(db, "الحس") == [ahmad]
    assert _found(db, "احم الحسن") == [ahmad]
    assert _found(db, "مد") == []  # inside a word, not at its start


def test_latin_queries_find_arabic_names_and_back(db: Database, world: World) -> None:
    arabic = _add(db, "محمد الخطيب")
    latin = _add(db, "Mohammed Khatib")
    ahmad = _add(db, "أحمد الخطيب")
    # Mohammad finds محمد and Mohammed; it does not find أحمد (whose key is inside محمد's).
    assert sorted(_found(db, "Mohammad")) == sorted([arabic, latin])
    assert sorted(_found(db, "Muhammad al-Khatib")) == sorted([arabic, latin])
    assert ahmad not in _found(db, "Mohammad")
    # An Arabic query finds the Latin spelling too, after the Arabic names it matches exactly.
    assert _found(db, "محمد") == [arabic, latin]
    assert sorted(_found(db, "Ahmad")) == [ahmad]
    # Every word must match one name: a second word nobody has finds nobody.
    assert _found(db, "Mohammad Zaytuni") == []


def test_the_matched_name_is_the_one_that_matched(db: Database, world: World) -> None:
    person = _add(db, "Abu Sami", "عبد الله الشامي")
    with db.reader() as s:
        (hit,) = search_persons(s, get_case(s, "tadamon"), "Abdullah")
        assert hit.person.id == person
        assert hit.matched.full == "عبد الله الشامي"
        (hit,) = search_persons(s, get_case(s, "tadamon"), "abu")
        assert hit.matched.full == "Abu Sami"


# --- paging and sensitivity -------------------------------------------------------------------


def test_pages_are_stable_disjoint_and_complete(db: Database, world: World) -> None:
    with db.transaction("alice") as s:
        case = get_case(s, "tadamon")
        ids = [add_person(s, case, [NameInput(full=f"Sami {i}")]).id for i in range(17)]
        ids += [add_person(s, case, [NameInput(full=f"سامي {i}")]).id for i in range(6)]
    latin, arabic = sorted(ids[:17]), sorted(ids[17:])
    with db.reader() as s:
        case = get_case(s, "tadamon")
        assert count_persons(s, case, "sami") == 23
        pages = [
            [h.person.id for h in search_persons(s, case, "sami", offset=o, limit=5)]
            for o in range(0, 30, 5)
        ]
        again = [h.person.id for h in search_persons(s, case, "sami", offset=5, limit=5)]
        # A page carries the total of all pages, also past the last one.
        assert search_page(s, case, "sami", offset=20, limit=5).total == 23
        past = search_page(s, case, "sami", offset=40, limit=5)
        assert (past.hits, past.total) == ([], 23)
        assert search_page(s, case, "zzzz").total == 0
    # Exact (Latin) matches first, then the transliteration matches, each by ID.
    assert [p for page in pages for p in page] == latin + arabic
    assert again == pages[1]
    assert [len(p) for p in pages] == [5, 5, 5, 5, 3, 0]


def test_a_capped_search_counts_up_to_the_cap_and_says_so(db: Database, world: World) -> None:
    with db.transaction("alice") as s:
        case = get_case(s, "tadamon")
        ids = [add_person(s, case, [NameInput(full=f"Sami {i}")]).id for i in range(9)]
        ids += [add_person(s, case, [NameInput(full=f"سامي {i}")]).id for i in range(3)]
        hidden = add_person(
            s, case, [NameInput(full="Sami Secret")], {"sensitivity": "confidential"}
        ).id
    with db.reader() as s:
        case = get_case(s, "tadamon")
        # Under the cap the answer is the exact one, pages and all.
        exact = search_page(s, case, "sami", limit=5, offset=5)
        roomy = search_page(s, case, "sami", limit=5, offset=5, cap=100)
        assert (roomy.total, roomy.total_is_lower_bound) == (13, False)
        assert [h.person.id for h in roomy.hits] == [h.person.id for h in exact.hits]
        assert (search_page(s, case, "sami", cap=13).total_is_lower_bound) is False
        # Over the cap: at least `cap` match, and the pages hold exactly those counted.
        capped = search_page(s, case, "sami", limit=3, cap=5)
        assert (capped.total, capped.total_is_lower_bound) == (5, True)
        pages = [
            [h.person.id for h in search_page(s, case, "sami", limit=3, offset=o, cap=5).hits]
            for o in (0, 3, 6)
        ]
        assert [len(p) for p in pages] == [3, 2, 0]
        listed = [p for page in pages for p in page]
        assert len(set(listed)) == 5
        assert set(listed) <= set(ids) | {hidden}
        past = search_page(s, case, "sami", limit=3, offset=6, cap=5)
        assert (past.hits, past.total, past.total_is_lower_bound) == ([], 5, True)
        # The cap never widens what the level filter lets through.
        public = search_page(s, case, "sami", max_sensitivity="restricted", cap=100)
        assert hidden not in [h.person.id for h in public.hits]
        assert (public.total, public.total_is_lower_bound) == (12, False)
        assert search_page(s, case, "zzzz", cap=5).total == 0
        with pytest.raises(InvalidInput):
            search_page(s, case, "sami", cap=0)


def test_a_capped_search_of_two_common_words_checks_a_bounded_number_of_names(
    db: Database, world: World
) -> None:
    with db.transaction("alice") as s:
        case = get_case(s, "tadamon")
        for i in range(30):
            add_person(s, case, [NameInput(full=f"Sami {i}")])
            add_person(s, case, [NameInput(full=f"Haddad {i}")])
        both = {add_person(s, case, [NameInput(full="Sami Haddad")]).id for _ in range(2)}
    with db.reader() as s:
        case = get_case(s, "tadamon")
        exact = search_page(s, case, "sami haddad")
        assert {h.person.id for h in exact.hits} == both
        # Room enough (5 × cap names of the rarer word): the exact answer.
        roomy = search_page(s, case, "sami haddad", cap=100)
        assert (roomy.total, roomy.total_is_lower_bound) == (2, False)
        # Each word has 32 names, more than 5 × 5: only some are checked, and the page says so.
        cut = search_page(s, case, "sami haddad", cap=5)
        assert cut.total_is_lower_bound is True
        assert cut.total <= 2
        assert {h.person.id for h in cut.hits} <= both


def _scan(db: Database, query: str, slug: str = "tadamon") -> list[str]:
    """What a search must list, by reading every live name of the case (no index): persons of
    whom a name holds a word beginning with each query word, or every transliteration key of
    the query, those of the first kind first, each kind by ID."""
    words, keys = word_tokens(query), set(translit_key(query).split())
    ranks: dict[str, int] = {}
    with db.reader() as s:
        case = get_case(s, slug)
        persons = s.scalars(select(Person).where(Person.case_id == case.id))
        for person in persons:
            if person.deleted_at is not None:
                continue
            for n in person.names:
                text = name_text(n.full, (getattr(n, p) for p in OWN_PARTS))
                held = word_tokens(text)
                if all(any(w.startswith(t) for w in held) for t in search_key(query).split()):
                    rank = 0
                elif keys and keys <= translit_tokens(text):
                    rank = 1
                else:
                    continue
                ranks[person.id] = min(rank, ranks.get(person.id, rank))
    assert words or not ranks
    return [p for _, p in sorted((r, p) for p, r in ranks.items())]


def test_two_common_words_find_what_a_scan_of_every_name_finds(db: Database, world: World) -> None:
    # Two given names and two family names, each common, in every combination and order; some
    # with only one of them, some in Latin; one name too long to carry its words in its rows.
    given = ["محمد", "أحمد", "Mohammad", "Sami"]
    family = ["الشامي", "الحلبي", "al-Shami", "Haddad"]
    with db.transaction("alice") as s:
        case = get_case(s, "tadamon")
        for i in range(120):
            full = f"{given[i % 4]} {given[(i // 4) % 4]} {family[(i // 16) % 4]}"
            add_person(s, case, [NameInput(full=full if i % 7 else given[i % 4])])
        long = " ".join("ا" * 110 + str(i) for i in range(8))
        add_person(s, case, [NameInput(full=f"محمد {long} الشامي")])
    with db.engine.connect() as connection:
        table = PersonSearchKey.__table__
        held = list(connection.execute(select(table.c.words).distinct()))
    assert (None,) in held  # the long name's rows: its words are looked up
    assert (" الشامي شامي محمد ",) in held  # "محمد محمد الشامي": one copy of each token
    queries = [
        "محمد الشامي",
        "الشامي محمد",
        "Mohammad al-Shami",
        "sami haddad",
        "محمد أحمد",
        "مح ال",
    ]
    queries += ["محمد " + "ا" * 110, "Sami Ahmad al-Halabi", "محمد محمد", "Muhammad Shami"]
    with db.reader() as s:
        case = get_case(s, "tadamon")
        for query in queries:
            expected = _scan(db, query)
            assert [h.person.id for h in search_persons(s, case, query, limit=500)] == expected
            assert count_persons(s, case, query) == len(expected), query
            # Capped: exact when there is room, else an honest lower bound of true matches.
            for cap in (1, 3, 10, 1000):
                page = search_page(s, case, query, limit=500, cap=cap)
                listed = [h.person.id for h in page.hits]
                assert set(listed) <= set(expected), (query, cap)
                assert page.total == len(listed)
                if page.total_is_lower_bound:
                    assert page.total <= min(cap, len(expected)), (query, cap)
                else:
                    assert listed == expected, (query, cap)
            assert search_page(s, case, query, cap=1000).total_is_lower_bound is False


def test_search_matches_lists_what_search_page_does_without_loading_records(
    db: Database, world: World
) -> None:
    _add(db, "Abu Sami", "عبد الله الشامي")
    _add(db, "محمد الخطيب", "Mohammed Khatib")
    _add(db, "Sami Secret", sensitivity="confidential")
    _add(db, "سامي العلي", sensitivity="public")
    with db.reader() as s:
        case = get_case(s, "tadamon")
        for query in ("sami", "Abdullah", "محمد", "Mohammad al-Khatib", "سا", "zzzz"):
            for level in (None, "public", "restricted"):
                for cap in (None, 1, 2, 100):
                    kw: dict[str, Any] = {"max_sensitivity": level, "cap": cap, "limit": 3}
                    page = search_page(s, case, query, **kw)
                    s.expunge_all()
                    found = search_matches(s, case, query, **kw)
                    assert not [o for o in s.identity_map.values() if isinstance(o, Person)]
                    assert [(m.id, m.status, m.sensitivity, m.name) for m in found.matches] == [
                        (h.person.id, h.person.status, h.person.sensitivity, h.matched.full)
                        for h in page.hits
                    ], (query, level, cap)
                    assert (found.total, found.total_is_lower_bound) == (
                        page.total,
                        page.total_is_lower_bound,
                    )


def test_sensitivity_filter_leaves_out_and_never_loads_hidden_persons(
    db: Database, world: World
) -> None:
    public = _add(db, "Sami Public", sensitivity="public")
    restricted = _add(db, "Sami Restricted", sensitivity="restricted")
    secret = _add(db, "Sami Secret", sensitivity="confidential")
    with db.reader() as s:
        case = get_case(s, "tadamon")
        hits = search_persons(s, case, "sami", max_sensitivity="public")
        assert [h.person.id for h in hits] == [public]
        loaded = {o.id for o in s.identity_map.values() if isinstance(o, Person)}
        assert loaded == {public}
        assert count_persons(s, case, "sami", max_sensitivity="public") == 1
        assert count_persons(s, case, "sami", max_sensitivity="restricted") == 2
        assert count_persons(s, case, "sami secret", max_sensitivity="restricted") == 0
        with pytest.raises(InvalidInput) as err:
            search_persons(s, case, "sami", max_sensitivity="top-secret")
        assert err.value.field == "max_sensitivity"
    assert sorted(_found(db, "sami", max_sensitivity="restricted")) == sorted([public, restricted])
    assert sorted(_found(db, "sami")) == sorted([public, restricted, secret])
    # Raising a person's level takes it out of lower searches at once.
    with db.transaction("bob") as s:
        update(s, get_entity(s, public, Person), {"sensitivity": "confidential"})
    assert _found(db, "sami", max_sensitivity="public") == []


def test_negative_paging_is_refused(db: Database, world: World) -> None:
    with pytest.raises(InvalidInput), db.reader() as s:
        search_persons(s, get_case(s, "tadamon"), "sami", offset=-1)


# --- keeping the index in step ----------------------------------------------------------------


def test_index_follows_create_new_name_delete_restore_and_purge(db: Database, world: World) -> None:
    person = _add(db, "Khalil Nour")
    assert _found(db, "khalil") == [person]
    with db.transaction("bob") as s:
        add_name(s, get_entity(s, person, Person), NameInput(full="خليل الحلبي"))
    assert _found(db, "الحلبي") == [person]
    assert _found(db, "Halabi") == [person]
    rows = _rows_of(db, person)
    assert rows > 0
    with db.transaction("bob") as s:
        soft_delete(s, get_entity(s, person, Person))
    assert _found(db, "khalil") == []
    assert _rows_of(db, person) == 0  # a deleted person is not in the index at all
    with db.transaction("bob") as s:
        restore(s, get_entity(s, person, Person, include_deleted=True))
    assert _found(db, "khalil") == [person]
    assert _rows_of(db, person) == rows
    with db.transaction("bob") as s:
        soft_delete(s, get_entity(s, person, Person))
    with db.transaction("bob") as s:
        purge(s, get_entity(s, person, Person, include_deleted=True), "entered in error")
    assert _rows_of(db, person) == 0


def test_a_failed_write_leaves_the_index_as_it_was(db: Database, world: World) -> None:
    _add(db, "Sami Khalil")
    before = _index(db)

    def two_persons_one_without_a_name() -> None:
        with db.transaction("alice") as s:
            case = get_case(s, "tadamon")
            add_person(s, case, [NameInput(full="Nour Bassam")])
            add_person(s, case, [NameInput()])  # refused: the whole transaction rolls back

    with pytest.raises(InvalidInput):
        two_persons_one_without_a_name()
    assert _index(db) == before
    assert _found(db, "nour") == []


def test_rebuild_equals_the_incremental_index(db: Database, world: World) -> None:
    keep = _add(db, "محمد الشامي", "Mohammad al-Shami")
    gone = _add(db, "Yusuf Haddad")
    _add(db, "زينب المصري", sensitivity="confidential")
    with db.transaction("bob") as s:
        soft_delete(s, get_entity(s, gone, Person))
        add_name(s, get_entity(s, keep, Person), NameInput(given="أبو", family="سمير"))
    _add(db, "Sami Khalil", slug="other")
    incremental = _index(db)
    assert len(incremental) > 10
    with db.transaction("maintenance") as s:
        written = rebuild_index(s.connection())
    assert written == len(incremental)
    assert _index(db) == incremental
    with db.transaction("maintenance") as s:
        rebuild_index(s.connection(), case_id=get_case(s, "other").id)
    assert _index(db) == incremental


def test_cli_reindex_rebuilds_the_same_index(cli: Cli, db: Database) -> None:
    cli.ok("init")
    cli.ok("case", "create", "t", "--title-en", "T")
    person = cli.new_id("person", "add", "--full", "عبد الرحمن الحلبي")
    before = _index(db)
    with db.engine.begin() as connection:
        connection.execute(PersonSearchKey.__table__.delete())
    assert cli.json("person", "search", "Abdulrahman") == []
    result = cli.json("person", "reindex")
    assert result["index_rows"] == len(before)
    assert _index(db) == before
    assert [r["id"] for r in cli.json("person", "search", "Abdulrahman")] == [person]


# --- hostile input ----------------------------------------------------------------------------

INJECTIONS = [
    "'; DROP TABLE persons; --",
    "' OR '1'='1",
    '" OR ""="',
    "x' UNION SELECT id FROM users --",
    "\\' OR 1=1 #",
    "sami') OR ('a'='a",
]


@pytest.mark.parametrize("query", INJECTIONS)
def test_sql_injection_strings_are_just_text(db: Database, world: World, query: str) -> None:
    _add(db, "Sami Khalil")
    odd = _add(db, "Robert'); DROP TABLE persons; -- Tables")
    found = _found(db, query)
    assert found in ([], [odd])
    assert _found(db, "robert drop tables") == [odd]
    assert "persons" in inspect(db.engine).get_table_names()
    with db.reader() as s:
        assert count_persons(s, get_case(s, "tadamon"), query) == len(found)


def test_other_cases_are_never_searched(db: Database, world: World) -> None:
    here = _add(db, "Sami Khalil")
    _add(db, "Sami Khalil", slug="other")
    with db.transaction("alice") as s:
        create_case(s, "third", title_en="Third")
    assert _found(db, "sami") == [here]
    assert _found(db, "sami", slug="third") == []


# --- the migration ----------------------------------------------------------------------------


@pytest.mark.parametrize("dialect", DIALECTS)
def test_migration_0008_indexes_the_names_already_stored(dialect: str, tmp_path: Path) -> None:
    with database_at(dialect, tmp_path, "0007") as db:
        with db.transaction("before-0008") as s:
            # The hook would write to a table 0007 does not have: bypass it as an old Dalil would.
            s.info["dalil.search.off"] = True
            case = create_case(s, "old", title_en="Old")
            person = add_person(s, case, [NameInput(full="يوسف الحلبي")]).id
        upgrade(db)
        assert _found(db, "Youssef", slug="old") == [person]
        incremental = _index(db)
        with db.transaction("maintenance") as s:
            rebuild_index(s.connection())
        assert _index(db) == incremental


@pytest.mark.parametrize("dialect", DIALECTS)
def test_migration_0009_gives_the_rows_of_names_already_stored_their_words(
    dialect: str, tmp_path: Path
) -> None:
    with database_at(dialect, tmp_path, "0008") as db:
        with db.transaction("before-0009") as s:
            s.info["dalil.search.off"] = True  # today's hook writes a column 0008 lacks
            case = create_case(s, "old", title_en="Old")
            person = add_person(s, case, [NameInput(full="محمد يوسف الحلبي")]).id
        upgrade(db)
        assert _found(db, "محمد الحلبي", slug="old") == [person]
        assert _found(db, "Muhammad Halabi", slug="old") == [person]
        with db.engine.connect() as connection:
            table = PersonSearchKey.__table__
            held = set(connection.scalars(select(table.c.words)))
        assert held == {" الحلبي حلبي محمد يوسف ", " hlby mhmd ysf "}
