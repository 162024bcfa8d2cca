"""A failed write leaves no trace: the database is exactly as it was, on both dialects.

The property tests feed arbitrary text to every field a user can type into and require that the
engine either accepts it or says why with a ``DalilError`` (never a crash from the database or
Python), and that a refusal changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from dalil.db import Database, Entity, Incident, Person
from dalil.documentation import (
    NameInput,
    add_claim,
    add_person,
    add_relation,
    create,
    create_case,
    get_case,
    get_entity,
    properties,
    soft_delete,
    update,
)
from dalil.errors import DalilError, InvalidInput, NotFound

if TYPE_CHECKING:  # the fixtures' conftest.py is not importable by name (tests/conftest is)
    from documentation.conftest import Dump, World

PROPERTY_TESTS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# Characters that have broken input handling elsewhere: NUL, LIKE wildcards and escape, bidi and
# zero-width marks, tatweel, Arabic-Indic digits and decimal separator, date markers.
TRICKY = "\x00%_/\\ \t\n\u200f\u200dـ٣٫-~?؟:'ًa0"
typed_text = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=TRICKY, max_size=12),
    st.sampled_from(["2013", "2013-04-16", "circa 1975", "٢٠١٣-٠٤", "41", "torture", "public"]),
    st.integers(0, 1200).map(lambda n: "x" * n),
)
INCIDENT_FIELDS = [
    "title_en",
    "title_ar",
    "start_date",
    "end_date",
    "place_id",
    "description_en",
    "description_ar",
    "sensitivity",
]
PERSON_FIELDS = ["sex", "birth_date", "status", "status_date", "sensitivity"]
NAME_PARTS = ["given", "father", "grandfather", "family", "mother", "full", "kind"]
INCIDENT_PROPERTIES = sorted(properties()["incident"])


def _refusal_changes_nothing(
    db: Database, dump: Callable[[Database], Dump], write: Callable[[Any], object]
) -> None:
    """Run ``write(session)`` in a transaction; if it is refused, nothing may have changed."""
    before = dump(db)
    try:
        with db.transaction("fuzz") as s:
            write(s)
    except DalilError as exc:
        event(f"refused: {type(exc).__name__}")  # --hypothesis-show-statistics shows the mix
        assert dump(db) == before
    else:
        event("accepted")


# --- failed transactions ----------------------------------------------------------------------


def test_failure_late_in_a_transaction_undoes_everything_before_it(
    db: Database, world: World, dump: Callable[[Database], Dump]
) -> None:
    def work() -> None:
        with db.transaction("alice") as s:
            case = create_case(s, "hama", title_en="Hama")
            source = create(s, case, "source", {"source_type": "testimony", "title": "Witness A"})
            person = add_person(s, case, [NameInput(full="Sami Khalil")], {"status": "missing"})
            update(s, get_entity(s, world.incident, Incident), {"title_en": "Renamed"})
            add_claim(s, case, person.id, "age", "thirty-four", source.id)

    before = dump(db)
    with pytest.raises(InvalidInput, match="value of age"):
        work()
    assert dump(db) == before


def test_person_with_a_bad_birth_date_is_not_stored_at_all(
    db: Database, world: World, dump: Callable[[Database], Dump]
) -> None:
    before = dump(db)
    with pytest.raises(InvalidInput) as err, db.transaction("alice") as s:
        add_person(
            s, get_case(s, "tadamon"), [NameInput(full="Sami")], {"birth_date": "1975-02-30"}
        )
    assert err.value.field == "birth_date"
    assert dump(db) == before


def test_relation_of_the_wrong_kind_leaves_the_earlier_writes_undone(
    db: Database, world: World, dump: Callable[[Database], Dump]
) -> None:
    def work() -> None:
        with db.transaction("alice") as s:
            case = get_case(s, "tadamon")
            person = add_person(s, case, [NameInput(full="Sami")])
            add_relation(s, case, "victim_of", person.id, world.incident)
            soft_delete(s, get_entity(s, world.syria, Entity))
            add_relation(s, case, "commander_of", person.id, world.incident)

    before = dump(db)
    with pytest.raises(InvalidInput, match="object of commander_of"):
        work()
    assert dump(db) == before


def test_lookup_failure_after_writes_undoes_them(
    db: Database, world: World, dump: Callable[[Database], Dump]
) -> None:
    def work() -> None:
        with db.transaction("alice") as s:
            case = get_case(s, "tadamon")
            add_person(s, case, [NameInput(full="Sami")])
            add_claim(s, case, world.incident, "place", world.other_place, world.snhr)

    before = dump(db)
    with pytest.raises(NotFound):
        work()
    assert dump(db) == before


# --- arbitrary input: accepted, or refused with a DalilError and no trace ---------------------


@PROPERTY_TESTS
@given(
    field=st.sampled_from(INCIDENT_FIELDS),
    value=typed_text,
    violation=st.sampled_from(["torture", ""]) | typed_text,
)
@example(field="start_date", value="2013-13-40", violation="torture")
@example(field="place_id", value="plc_\x00", violation="")
def test_any_incident_field_text_is_accepted_or_refused_cleanly(
    db: Database,
    world: World,
    dump: Callable[[Database], Dump],
    field: str,
    value: str,
    violation: str,
) -> None:
    def write(s: Any) -> None:
        values = {"title_en": "Fuzzed"} | {field: value}
        create(s, get_case(s, "tadamon"), "incident", values, violation_types=[violation])

    _refusal_changes_nothing(db, dump, write)


@PROPERTY_TESTS
@given(part=st.sampled_from(NAME_PARTS), value=typed_text, field=st.sampled_from(PERSON_FIELDS))
@example(part="full", value="\x00", field="birth_date")
@example(part="kind", value="nickname", field="status")
def test_any_person_name_or_field_text_is_accepted_or_refused_cleanly(
    db: Database,
    world: World,
    dump: Callable[[Database], Dump],
    part: str,
    value: str,
    field: str,
) -> None:
    def write(s: Any) -> None:
        case = get_case(s, "tadamon")
        name = NameInput(**({"full": "Sami"} | {part: value}))
        person = add_person(s, case, [name, NameInput(full="سامي")], {field: value})
        assert isinstance(person, Person)

    _refusal_changes_nothing(db, dump, write)


@PROPERTY_TESTS
@given(
    prop=st.sampled_from(INCIDENT_PROPERTIES),
    value=typed_text,
    qualifier=st.sampled_from(["at_least", ""]) | typed_text,
)
@example(prop="victim_count", value="٤١", qualifier="at_least")
@example(prop="victim_count", value="nan", qualifier="")
@example(prop="place", value="plc_\x00abcdef", qualifier="")
def test_any_claim_value_is_accepted_or_refused_cleanly(
    db: Database,
    world: World,
    dump: Callable[[Database], Dump],
    prop: str,
    value: str,
    qualifier: str,
) -> None:

    def write(s: Any) -> None:
        add_claim(
            s,
            get_case(s, "tadamon"),
            world.incident,
            prop,
            value,
            world.snhr,
            qualifier=qualifier,
        )

    _refusal_changes_nothing(db, dump, write)


@PROPERTY_TESTS
@given(prop=st.sampled_from([p for p in INCIDENT_PROPERTIES if p != "place"]), value=typed_text)
@example(prop="victim_count", value="1e309")
@example(prop="violation_type", value="\x00")
def test_any_non_reference_claim_value_is_accepted_or_refused_cleanly(
    db: Database, world: World, dump: Callable[[Database], Dump], prop: str, value: str
) -> None:
    def write(s: Any) -> None:
        add_claim(s, get_case(s, "tadamon"), world.incident, prop, value, world.snhr)

    _refusal_changes_nothing(db, dump, write)
