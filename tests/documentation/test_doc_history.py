"""The change trail: every write leaves a Change; only an audited purge ever removes a record."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import func, select

from dalil.db import (
    Case,
    Change,
    Claim,
    Database,
    Entity,
    Incident,
    Person,
    PersonName,
    Place,
    Relation,
    Source,
)
from dalil.documentation import (
    NameInput,
    add_claim,
    add_name,
    add_person,
    add_relation,
    change_view,
    create_case,
    get_case,
    get_claim,
    get_entity,
    history_of,
    purge,
    restore,
    search_persons,
    soft_delete,
    update,
    withdraw,
)
from dalil.errors import Conflict, InvalidInput, NotFound

if TYPE_CHECKING:  # the fixtures' conftest.py is not importable by name (tests/conftest is)
    from documentation.conftest import Dump, World


def _own_changes(db: Database, record_id: str) -> list[Change]:
    """Changes of the record's own row, oldest first."""
    with db.reader() as s:
        return [c for c in history_of(s, record_id) if c.row_id == record_id]


# --- what each write records ------------------------------------------------------------------


def test_create_update_delete_and_restore_each_leave_a_change(db: Database, world: World) -> None:
    with db.transaction("bob") as s:
        update(s, get_entity(s, world.incident, Incident), {"title_en": "Tadamon killings"})
    with db.transaction("carol") as s:
        soft_delete(s, get_entity(s, world.incident, Incident))
    with db.transaction("dana") as s:
        restore(s, get_entity(s, world.incident, Incident, include_deleted=True))

    changes = _own_changes(db, world.incident)
    assert [(c.action, c.actor) for c in changes] == [
        ("create", "setup"),
        ("update", "bob"),
        ("delete", "carol"),
        ("restore", "dana"),
    ]
    assert {(c.case_id, c.entity_id) for c in changes} == {(world.case_id, world.incident)}
    created, updated, deleted, restored = changes
    assert created.before is None
    assert created.after is not None
    assert created.after["title_en"] == "Tadamon massacre"
    assert created.after["start_date"] == "2013-04-16"
    assert created.after["place_id"] == world.tadamon
    assert (updated.before, updated.after) == (
        {"title_en": "Tadamon massacre"},
        {"title_en": "Tadamon killings"},
    )
    assert deleted.before == {"deleted_at": None}
    assert deleted.after is not None
    assert deleted.after["deleted_at"] is not None
    assert restored.before == deleted.after
    assert restored.after == {"deleted_at": None}
    assert changes[0].at <= changes[1].at <= changes[2].at <= changes[3].at


def test_update_records_only_the_fields_that_changed(db: Database, world: World) -> None:
    with db.transaction("bob") as s:
        update(
            s,
            get_entity(s, world.incident, Incident),
            {"title_en": "Tadamon massacre", "title_ar": "مجزرة التضامن", "end_date": "2013-04"},
        )
    update_ = _own_changes(db, world.incident)[-1]
    assert (update_.action, update_.before, update_.after) == (
        "update",
        {"end_date": None},
        {"end_date": "2013-04"},
    )


def test_update_that_changes_nothing_leaves_no_change(db: Database, world: World) -> None:
    with db.transaction("bob") as s:
        update(s, get_entity(s, world.incident, Incident), {"title_en": "Tadamon massacre"})
    assert [c.action for c in _own_changes(db, world.incident)] == ["create"]


def test_names_and_claims_are_filed_under_their_person(db: Database, world: World) -> None:
    with db.transaction("alice") as s:
        case = get_case(s, "tadamon")
        person = add_person(s, case, [NameInput(full="سامي خليل"), NameInput(full="Sami Khalil")])
        person_id = person.id
        first_names = [n.id for n in person.names]
    with db.transaction("bob") as s:
        person = get_entity(s, person_id, Person)
        late_name = add_name(s, person, NameInput(full="Abu Omar", kind="nickname")).id
        claim_id = add_claim(s, get_case(s, "tadamon"), person_id, "age", "34", world.snhr).id
    with db.reader() as s:
        changes = history_of(s, person_id)
        assert {c.entity_id for c in changes} == {person_id}
        assert {c.case_id for c in changes} == {world.case_id}
        filed = [(c.table, c.row_id, c.action, c.actor) for c in changes]
        assert filed[0] == ("persons", person_id, "create", "alice")
        assert sorted(filed[1:3]) == sorted(
            ("person_names", n, "create", "alice") for n in first_names
        )
        assert filed[3:] == [
            ("person_names", late_name, "create", "bob"),
            ("claims", claim_id, "create", "bob"),
        ]
        assert changes[3].after is not None
        assert changes[3].after["full"] == "Abu Omar"
        # A name's or a claim's own ID finds its changes too.
        assert [c.row_id for c in history_of(s, late_name)] == [late_name]
        assert [c.row_id for c in history_of(s, claim_id)] == [claim_id]


def test_violation_types_are_filed_under_their_incident(db: Database, world: World) -> None:
    with db.reader() as s:
        rows = [(c.table, c.row_id) for c in history_of(s, world.incident)]
    assert ("incident_violations", f"{world.incident}/extrajudicial_execution") in rows


def test_history_lookup_needs_a_full_known_id(db: Database, world: World) -> None:
    with db.reader() as s:
        with pytest.raises(InvalidInput, match="too short"):
            history_of(s, "inc_1")
        with pytest.raises(NotFound, match="no history"):
            history_of(s, "inc_nothinghere0000")
        view = change_view(history_of(s, world.incident)[0])
    assert (view["action"], view["actor"], view["entity_id"], view["reason"]) == (
        "create",
        "setup",
        world.incident,
        None,
    )


def test_a_reader_session_refuses_to_write(db: Database) -> None:
    with pytest.raises(Conflict, match="transaction"), db.reader() as s:
        create_case(s, "tadamon", title_en="T")
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 0


# --- no hard deletes --------------------------------------------------------------------------


def test_hard_delete_of_cases_entities_and_claims_is_refused_and_writes_nothing(
    db: Database, world: World, dump: Callable[[Database], Dump], subtests: pytest.Subtests
) -> None:
    claim_id = _add_claim(db, world.incident, "victim_count", "41", world.snhr)
    before = dump(db)
    targets: list[tuple[type[Any], str]] = [
        (Case, world.case_id),
        (Incident, world.incident),
        (Place, world.syria),
        (Claim, claim_id),
    ]

    def hard_delete(cls: type[Any], record_id: str) -> None:
        with db.transaction("mallory") as s:
            s.delete(s.get_one(cls, record_id))
            s.flush()

    for cls, record_id in targets:
        with subtests.test(kind=cls.__name__):
            with pytest.raises(Conflict, match="cannot be deleted outright"):
                hard_delete(cls, record_id)
            assert dump(db) == before


def _add_claim(db: Database, subject: str, prop: str, value: str, source: str) -> str:
    with db.transaction("alice") as s:
        return add_claim(s, get_case(s, "tadamon"), subject, prop, value, source).id


# --- purge ------------------------------------------------------------------------------------


def test_purge_needs_a_deleted_record_and_a_reason(
    db: Database, world: World, dump: Callable[[Database], Dump]
) -> None:
    before = dump(db)
    with pytest.raises(Conflict, match="delete it first"), db.transaction("dpo") as s:
        purge(s, get_entity(s, world.incident, Incident), "witness at risk")
    assert dump(db) == before
    with db.transaction("dpo") as s:
        soft_delete(s, get_entity(s, world.incident, Incident))
    with pytest.raises(InvalidInput) as err, db.transaction("dpo") as s:
        purge(s, get_entity(s, world.incident, Incident, include_deleted=True), "  ")
    assert err.value.field == "reason"
    with db.reader() as s:
        assert get_entity(s, world.incident, Incident, include_deleted=True).deleted_at is not None


def test_purge_removes_a_person_with_names_claims_and_relations_and_redacts_history(
    db: Database, world: World, dump: Callable[[Database], Dump]
) -> None:
    with db.transaction("alice") as s:
        case = get_case(s, "tadamon")
        person = add_person(s, case, [NameInput(given="Sami", family="Khalil")], {"sex": "male"})
        person_id, name_id = person.id, person.names[0].id
        relation_id = add_relation(s, case, "victim_of", person_id, world.incident).id
        about_person = add_claim(s, case, person_id, "age", "34", world.snhr).id
        about_relation = add_claim(s, case, relation_id, "holds", "yes", world.guardian).id
        incident_claim = add_claim(s, case, world.incident, "victim_count", "41", world.snhr).id
    with db.transaction("alice") as s:
        update(s, get_entity(s, person_id, Person), {"status": "killed"})
        soft_delete(s, get_entity(s, person_id, Person))
    with db.transaction("dpo") as s:
        removed = purge(
            s, get_entity(s, person_id, Person, include_deleted=True), "witness at risk"
        )
    assert sorted(removed) == sorted([person_id, relation_id, about_person, about_relation])

    with db.reader() as s:
        for cls, record_id in [(Person, person_id), (Relation, relation_id)]:
            with pytest.raises(NotFound):
                get_entity(s, record_id, cls, include_deleted=True)
        assert s.get(PersonName, name_id) is None
        assert s.scalar(select(func.count()).select_from(Claim)) == 1
        assert get_claim(s, incident_claim).value_text == "41"  # other records are untouched
        assert search_persons(s, get_case(s, "tadamon"), "sami") == []

        trail = history_of(s, person_id)
        purges = [c for c in trail if c.action == "purge"]
        assert {c.row_id for c in purges} >= {person_id, name_id, about_person}
        assert {(c.actor, c.reason) for c in purges} == {("dpo", "witness at risk")}
        # That the person existed and changed stays on record; what the values were does not.
        earlier = [c for c in trail if c.action != "purge"]
        assert [c.action for c in earlier if c.row_id == person_id] == [
            "create",
            "update",
            "delete",
        ]
        assert all(c.before is None and c.after is None for c in earlier)
        relation_trail = history_of(s, relation_id)
        assert all(c.before is None and c.after is None for c in relation_trail)
        # The incident's own trail keeps its values.
        incident_created = history_of(s, world.incident)[0]
        assert incident_created.after is not None
        assert incident_created.after["title_en"] == "Tadamon massacre"

    everything = repr(dump(db))
    assert "Sami" not in everything
    assert "sami khalil" not in everything


def test_purging_a_source_that_claims_cite_is_refused(
    db: Database, world: World, dump: Callable[[Database], Dump]
) -> None:
    claim_id = _add_claim(db, world.incident, "victim_count", "41", world.guardian)
    with db.transaction("alice") as s:
        withdraw(s, get_claim(s, claim_id))  # even a withdrawn claim keeps its source
        soft_delete(s, get_entity(s, world.guardian, Source))
    before = dump(db)
    with pytest.raises(Conflict, match="cited by 1 claim"), db.transaction("dpo") as s:
        purge(s, get_entity(s, world.guardian, Source, include_deleted=True), "duplicate")
    assert dump(db) == before
    # An uncited source can go.
    with db.transaction("dpo") as s:
        soft_delete(s, get_entity(s, world.snhr, Source))
        assert purge(s, get_entity(s, world.snhr, Source, include_deleted=True), "dup") == [
            world.snhr
        ]
    with db.reader() as s:
        assert s.get(Entity, world.snhr) is None


def test_purging_a_place_that_records_point_at_is_a_conflict(
    db: Database, world: World, dump: Callable[[Database], Dump]
) -> None:
    with db.transaction("alice") as s:
        soft_delete(s, get_entity(s, world.tadamon, Place))
    before = dump(db)
    with pytest.raises(Conflict), db.transaction("dpo") as s:
        purge(s, get_entity(s, world.tadamon, Place, include_deleted=True), "wrong place")
    assert dump(db) == before
