"""Persons: names in parts and scripts, several names each, and Arabic-aware name search."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from dalil.db import Database, Person
from dalil.documentation import (
    NameInput,
    add_name,
    add_person,
    create_case,
    display_name,
    entity_view,
    get_case,
    get_entity,
    restore,
    search_persons,
    soft_delete,
)
from dalil.errors import InvalidInput
from dalil.values import PartialDate

if TYPE_CHECKING:  # the fixtures' conftest.py is not importable by name (tests/conftest is)
    from documentation.conftest import World


def _add(db: Database, *names: NameInput, slug: str = "tadamon") -> str:
    with db.transaction("alice") as s:
        return add_person(s, get_case(s, slug), list(names)).id


def _found(db: Database, query: str, slug: str = "tadamon") -> list[str]:
    with db.reader() as s:
        return [hit.person.id for hit in search_persons(s, get_case(s, slug), query)]


# --- names ------------------------------------------------------------------------------------


def test_name_parts_are_composed_into_the_full_name(db: Database, world: World) -> None:
    latin = _add(
        db,
        NameInput(
            given="Ahmad", father="Mahmoud", grandfather="Khalil", family="al-Hassan", mother="Amna"
        ),
    )
    arabic = _add(db, NameInput(given="أحمد", father="محمود", family="الحسن"))
    with db.reader() as s:
        (name,) = get_entity(s, latin, Person).names
        # The mother's name is kept as a part but is not part of the person's own full name.
        assert name.full == "Ahmad Mahmoud Khalil al-Hassan"
        assert (name.given, name.family, name.mother, name.script) == (
            "Ahmad",
            "al-Hassan",
            "Amna",
            "latn",
        )
        (name,) = get_entity(s, arabic, Person).names
        assert (name.full, name.script, name.grandfather) == ("أحمد محمود الحسن", "arab", None)


def test_a_full_name_given_as_written_is_kept_as_written(db: Database, world: World) -> None:
    person = _add(db, NameInput(full="  Abu Ali al-Dimashqi ", given="Ali"))
    with db.reader() as s:
        (name,) = get_entity(s, person, Person).names
        assert (name.full, name.given, name.kind) == ("Abu Ali al-Dimashqi", "Ali", "primary")


def test_person_keeps_several_names_in_order_and_shows_one_per_script(
    db: Database, world: World
) -> None:
    with db.transaction("alice") as s:
        person = add_person(
            s,
            get_case(s, "tadamon"),
            [
                NameInput(given="أحمد", family="الحسن"),
                NameInput(full="Ahmad al-Hassan", kind="variant"),
                NameInput(full="  "),  # empty names are skipped, not stored
            ],
            {"sex": "male", "birth_date": "circa 1975", "status": "missing"},
        )
        add_name(s, person, NameInput(full="Abu Khalil", kind="nickname"))
        person_id = person.id
    with db.reader() as s:
        person = get_entity(s, person_id, Person)
        names = [(n.position, n.kind, n.script, n.full) for n in person.names]
        assert names == [
            (0, "primary", "arab", "أحمد الحسن"),
            (1, "variant", "latn", "Ahmad al-Hassan"),
            (2, "nickname", "latn", "Abu Khalil"),
        ]
        assert display_name(person, "ar") == "أحمد الحسن"
        assert display_name(person, "en") == "Ahmad al-Hassan"
        assert person.birth_date == PartialDate(1975, estimated=True)
        view = entity_view(s, person, "ar")
        assert view["label"] == "أحمد الحسن"
        assert [n["full"] for n in view["fields"]["names"]][1] == "Ahmad al-Hassan"
        assert view["fields"]["status"] == "missing"


def test_person_needs_a_name_and_name_kinds_come_from_the_vocabulary(
    db: Database, world: World
) -> None:
    with pytest.raises(InvalidInput) as err, db.transaction("alice") as s:
        add_person(s, get_case(s, "tadamon"), [NameInput(), NameInput(given=" ")])
    assert err.value.field == "name"
    with pytest.raises(InvalidInput) as err, db.transaction("alice") as s:
        add_person(s, get_case(s, "tadamon"), [NameInput(full="Sami", kind="codename")])
    assert err.value.field == "name.kind"
    assert "nickname" in err.value.message
    with pytest.raises(InvalidInput) as err, db.transaction("alice") as s:
        add_person(s, get_case(s, "tadamon"), [NameInput(full="Sami")], {"status": "dead"})
    assert err.value.field == "status"
    assert "killed" in err.value.message


# --- search -----------------------------------------------------------------------------------

SPELLINGS = [
    # (as the source wrote it, as a user types it)
    ("أحمد", "احمد"),  # hamza on alef
    ("فاطمة", "فاطمه"),  # taa marbuta / haa
    ("علي", "على"),  # yaa / alef maksura, both ways
    ("على", "علي"),
    ("محمد", "مُحَمَّد"),  # tashkeel in the query
    ("مُحَمَّد", "محمد"),  # tashkeel in the record
    ("محمد", "محـــمد"),  # tatweel
    ("al-Mithal", "AL-MITHAL"),  # Latin case and hyphen
    ("Sa'id", "said"),  # apostrophe dropped
]


def test_search_finds_names_across_arabic_spelling_variants(
    db: Database, world: World, subtests: pytest.Subtests
) -> None:
    _add(db, NameInput(full="عمر Omar"))  # never found by these queries
    for written, typed in SPELLINGS:
        with subtests.test(written=written, typed=typed):
            person = _add(db, NameInput(full=written))
            assert _found(db, typed) == [person]
            with db.transaction("cleanup") as s:
                soft_delete(s, get_entity(s, person, Person))


def test_every_word_of_the_query_must_match_one_name(db: Database, world: World) -> None:
    both = _add(db, NameInput(given="أحمد", family="الحسن"))
    only_given = _add(db, NameInput(given="أحمد", family="العلي"))
    assert sorted(_found(db, "احمد")) == sorted([both, only_given])
    assert _found(db, "احمد الحسن") == [both]
    assert _found(db, "الحسن احمد") == [both]  # word order does not matter
    # Words from two different names of one person do not combine into a match.
    split = _add(db, NameInput(full="Khalil"), NameInput(full="Nour"))
    assert _found(db, "Khalil Nour") == []
    assert _found(db, "nour") == [split]


def test_a_person_matched_by_several_names_is_listed_once(db: Database, world: World) -> None:
    person = _add(db, NameInput(full="Mohammad al-Ali"), NameInput(full="Mohammed al-Ali"))
    with db.reader() as s:
        hits = search_persons(s, get_case(s, "tadamon"), "al-ali")
        assert [h.person.id for h in hits] == [person]
        assert hits[0].matched.full == "Mohammad al-Ali"


def test_search_stays_inside_the_case(db: Database, world: World) -> None:
    here = _add(db, NameInput(full="Sami Khalil"))
    there = _add(db, NameInput(full="Sami Khalil"), slug="other")
    assert _found(db, "sami") == [here]
    assert _found(db, "sami", slug="other") == [there]


def test_deleted_persons_are_not_found_until_restored(db: Database, world: World) -> None:
    person = _add(db, NameInput(full="Sami Khalil"))
    with db.transaction("bob") as s:
        soft_delete(s, get_entity(s, person, Person))
    assert _found(db, "sami") == []
    with db.transaction("bob") as s:
        restore(s, get_entity(s, person, Person, include_deleted=True))
    assert _found(db, "sami") == [person]


def test_sql_wildcards_in_the_query_never_match_every_name(db: Database, world: World) -> None:
    ali = _add(db, NameInput(full="Abu Ali"))
    _add(db, NameInput(full="Bassam"))
    # "%" and "_" are punctuation: they separate words and never reach LIKE as wildcards, so a
    # query made only of them has nothing to search for, instead of listing every person.
    for query in ["%", "_", "%%", "%_%", "  _ "]:
        with pytest.raises(InvalidInput) as err, db.reader() as s:
            search_persons(s, get_case(s, "tadamon"), query)
        assert err.value.field == "query"
    assert _found(db, "abu_ali") == [ali]
    assert _found(db, "100%") == []


def test_empty_or_overlong_query_is_refused(db: Database, world: World) -> None:
    for query in ["", "   ", "-- ,"]:
        with pytest.raises(InvalidInput, match="at least one letter"), db.reader() as s:
            search_persons(s, get_case(s, "tadamon"), query)
    with pytest.raises(InvalidInput, match="at most 12 words"), db.reader() as s:
        search_persons(s, get_case(s, "tadamon"), " ".join(["a"] * 13))


def test_search_returns_at_most_the_limit(db: Database, world: World) -> None:
    with db.transaction("alice") as s:
        case = create_case(s, "many", title_en="Many")
        for i in range(5):
            add_person(s, case, [NameInput(full=f"Sami {i}")])
    with db.reader() as s:
        assert len(search_persons(s, get_case(s, "many"), "sami", limit=3)) == 3
        assert len(search_persons(s, get_case(s, "many"), "sami")) == 5
