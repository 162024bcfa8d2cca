"""Relations: which kinds each relation type joins, its attributes, and how views show them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from dalil.db import Database, Entity, Incident, Person, Relation
from dalil.documentation import (
    NameInput,
    add_person,
    add_relation,
    create,
    entity_view,
    get_case,
    get_entity,
    relations_of,
    soft_delete,
)
from dalil.errors import InvalidInput, NotFound
from dalil.values import PartialDate

if TYPE_CHECKING:  # the fixtures' conftest.py is not importable by name (tests/conftest is)
    from documentation.conftest import World


@dataclass(frozen=True)
class Actors:
    victim: str
    brother: str
    officer: str
    branch: str  # an intelligence branch


@pytest.fixture
def actors(db: Database, world: World) -> Actors:
    with db.transaction("setup") as s:
        case = get_case(s, "tadamon")
        victim = add_person(s, case, [NameInput(full="Sami Khalil"), NameInput(full="سامي خليل")])
        brother = add_person(s, case, [NameInput(full="Omar Khalil")])
        officer = add_person(s, case, [NameInput(full="Amjad Youssef")])
        branch = create(
            s,
            case,
            "organisation",
            {"org_type": "intelligence_branch", "name_en": "Branch 227", "name_ar": "الفرع 227"},
        )
        return Actors(victim.id, brother.id, officer.id, branch.id)


def _relate(db: Database, kind: str, subject: str, object_: str, **kw: Any) -> str:
    with db.transaction("alice") as s:
        return add_relation(s, get_case(s, "tadamon"), kind, subject, object_, **kw).id


def _refused(db: Database, kind: str, subject: str, object_: str, **kw: Any) -> InvalidInput:
    with pytest.raises(InvalidInput) as err, db.transaction("alice") as s:
        add_relation(s, get_case(s, "tadamon"), kind, subject, object_, **kw)
    return err.value


# --- kinds ------------------------------------------------------------------------------------


def test_person_can_be_the_victim_of_an_incident(
    db: Database, world: World, actors: Actors
) -> None:
    relation_id = _relate(
        db, "victim_of", actors.victim, world.incident, fields={"start_date": "2013-04-16"}
    )
    with db.reader() as s:
        relation = get_entity(s, relation_id, Relation)
        assert (relation.relation_type, relation.subject_id, relation.object_id) == (
            "victim_of",
            actors.victim,
            world.incident,
        )
        assert relation.start_date == PartialDate(2013, 4, 16)
        assert (relation.case_id, relation.created_by) == (world.case_id, "alice")


def test_relation_ends_must_be_of_the_kinds_the_type_allows(
    db: Database, world: World, actors: Actors
) -> None:
    err = _refused(db, "victim_of", world.incident, actors.victim)
    assert err.field == "subject"
    assert "an incident cannot be the subject of victim_of; allowed: person" in err.message
    err = _refused(db, "victim_of", actors.branch, world.incident)
    assert err.field == "subject"
    assert "organisation cannot be the subject of victim_of" in err.message
    err = _refused(db, "commander_of", actors.officer, actors.victim)
    assert err.field == "object"
    assert "allowed: organisation" in err.message
    # Sources and places are never ends of a relation.
    assert _refused(db, "witness_of", world.snhr, world.incident).field == "subject"
    assert _refused(db, "detained_by", actors.victim, world.tadamon).field == "object"
    # An organisation may be an alleged perpetrator, unlike a victim.
    assert _relate(db, "alleged_perpetrator_in", actors.branch, world.incident)


def test_unknown_relation_type_lists_the_valid_types(db: Database, actors: Actors) -> None:
    err = _refused(db, "tortured", actors.officer, actors.victim)
    assert err.field == "relation_type"
    assert "victim_of" in err.message
    assert "commander_of" in err.message


def test_a_record_cannot_be_related_to_itself(db: Database, actors: Actors) -> None:
    err = _refused(db, "relative_of", actors.victim, actors.victim)
    assert err.field == "object"
    assert "two different records" in err.message


def test_relation_ends_must_be_in_the_same_case(db: Database, world: World, actors: Actors) -> None:
    with pytest.raises(NotFound, match="in case tadamon"), db.transaction("alice") as s:
        add_relation(s, get_case(s, "tadamon"), "victim_of", actors.victim, world.other_incident)


def test_relation_dates_must_be_in_order(db: Database, actors: Actors) -> None:
    err = _refused(
        db,
        "commander_of",
        actors.officer,
        actors.branch,
        fields={"start_date": "2014", "end_date": "2012"},
    )
    assert err.field == "end_date"


# --- attributes -------------------------------------------------------------------------------


def test_attributes_are_checked_against_the_relation_type(
    db: Database, world: World, actors: Actors
) -> None:
    ordered = _relate(
        db,
        "alleged_perpetrator_in",
        actors.officer,
        world.incident,
        attributes={"degree_of_involvement": " ordered "},
    )
    commander = _relate(
        db, "commander_of", actors.officer, actors.branch, attributes={"rank": "عميد", "title": ""}
    )
    brother = _relate(
        db, "relative_of", actors.brother, actors.victim, attributes={"kinship": "sibling"}
    )
    with db.reader() as s:
        assert get_entity(s, ordered, Relation).attributes == {"degree_of_involvement": "ordered"}
        # Free-text attributes keep what was typed; empty ones are left out.
        assert get_entity(s, commander, Relation).attributes == {"rank": "عميد"}
        assert get_entity(s, brother, Relation).attributes == {"kinship": "sibling"}

    err = _refused(
        db,
        "alleged_perpetrator_in",
        actors.officer,
        world.incident,
        attributes={"degree_of_involvement": "bystander"},
    )
    assert err.field == "degree_of_involvement"
    assert "involvement_degrees" in err.message
    assert "direct_perpetrator" in err.message

    err = _refused(db, "victim_of", actors.victim, world.incident, attributes={"weapon": "knife"})
    assert err.field == "weapon"
    assert "attributes: none" in err.message
    err = _refused(db, "member_of", actors.officer, actors.branch, attributes={"kinship": "son"})
    assert "attributes: rank, title" in err.message
    err = _refused(
        db, "relative_of", actors.brother, actors.victim, attributes={"kinship": "best friend"}
    )
    assert (err.field, "sibling" in err.message) == ("kinship", True)


# --- reading relations ------------------------------------------------------------------------


def test_relations_are_seen_from_both_ends(db: Database, world: World, actors: Actors) -> None:
    victim = _relate(db, "victim_of", actors.victim, world.incident)
    detained = _relate(db, "detained_by", actors.victim, actors.branch)
    with db.reader() as s:
        assert {r.id for r in relations_of(s, get_entity(s, actors.victim, Person))} == {
            victim,
            detained,
        }
        assert [r.id for r in relations_of(s, get_entity(s, world.incident, Incident))] == [victim]
        assert [r.id for r in relations_of(s, get_entity(s, actors.branch, Entity))] == [detained]


def test_deleted_relations_are_not_listed(db: Database, world: World, actors: Actors) -> None:
    victim = _relate(db, "victim_of", actors.victim, world.incident)
    with db.transaction("bob") as s:
        soft_delete(s, get_entity(s, victim, Relation))
    with db.reader() as s:
        assert relations_of(s, get_entity(s, world.incident, Incident)) == []


def test_views_label_the_relation_from_each_side(
    db: Database, world: World, actors: Actors
) -> None:
    relation_id = _relate(db, "victim_of", actors.victim, world.incident)
    with db.reader() as s:
        incident = get_entity(s, world.incident, Incident)
        (seen,) = entity_view(s, incident)["relations"]
        assert (seen["id"], seen["direction"], seen["label"]) == (relation_id, "in", "Victims")
        assert seen["other"] == {"id": actors.victim, "kind": "person", "label": "Sami Khalil"}
        (seen,) = entity_view(s, incident, "ar")["relations"]
        assert (seen["label"], seen["other"]["label"]) == ("الضحايا", "سامي خليل")

        (seen,) = entity_view(s, get_entity(s, actors.victim, Person))["relations"]
        assert (seen["direction"], seen["label"]) == ("out", "Victim of")
        assert seen["other"]["label"] == "Tadamon massacre"

        relation = get_entity(s, relation_id, Relation)
        assert entity_view(s, relation)["label"] == "Sami Khalil — Victim of — Tadamon massacre"
