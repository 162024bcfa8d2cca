"""Cases, places, incidents and the life of an entity: validation, dates, soft delete, lookup."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select

from dalil.db import Case, Database, Entity, Incident, Person, Place
from dalil.documentation import (
    NameInput,
    add_person,
    create,
    create_case,
    entity_view,
    get_case,
    get_entity,
    restore,
    soft_delete,
    summarise,
    update,
)
from dalil.errors import Ambiguous, Conflict, InvalidInput, NotFound
from dalil.values import DatePrecision, PartialDate

if TYPE_CHECKING:  # the fixtures' conftest.py is not importable by name (tests/conftest is)
    from documentation.conftest import World

# --- cases ------------------------------------------------------------------------------------


BAD_SLUGS = [
    "",
    "   ",
    "Tadamon",
    "-tadamon",
    "tadamon-",
    "ta damon",
    "ta_damon",
    "تضامن",
    "a" * 65,
]


def test_case_slug_must_be_lowercase_letters_digits_and_hyphens(
    db: Database, subtests: pytest.Subtests
) -> None:
    for slug in BAD_SLUGS:
        with subtests.test(slug=slug):
            with pytest.raises(InvalidInput) as err, db.transaction("alice") as s:
                create_case(s, slug, title_en="T")
            assert err.value.field == "slug"
            assert "lowercase letters, digits and hyphens" in err.value.message
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 0


def test_valid_case_slugs_are_stored_trimmed_and_found_by_slug(db: Database) -> None:
    with db.transaction("alice") as s:
        for typed in ["a", "tadamon-2013", "  hama  ", "a" * 64]:
            create_case(s, typed, title_en="T")
    with db.reader() as s:
        for slug in ["a", "tadamon-2013", "hama", "a" * 64]:
            case = get_case(s, slug)
            assert (case.slug, case.created_by) == (slug, "alice")


def test_duplicate_case_slug_is_a_conflict_and_keeps_the_first_case(db: Database) -> None:
    with db.transaction("alice") as s:
        create_case(s, "tadamon", title_en="First")
    with pytest.raises(Conflict, match="tadamon"), db.transaction("bob") as s:
        create_case(s, "tadamon", title_en="Second")
    with db.reader() as s:
        assert s.scalars(select(Case.title_en)).all() == ["First"]


def test_case_needs_a_title_in_english_or_arabic(db: Database) -> None:
    for titles in [{}, {"title_en": "  ", "title_ar": ""}]:
        with pytest.raises(InvalidInput) as err, db.transaction("alice") as s:
            create_case(s, "tadamon", **titles)
        assert err.value.field == "title"
    with db.transaction("alice") as s:
        create_case(s, "tadamon", title_ar="مجزرة التضامن")
    with db.reader() as s:
        case = get_case(s, "tadamon")
        assert (case.title_en, case.title_ar) == (None, "مجزرة التضامن")


def test_unknown_case_is_not_found(db: Database) -> None:
    with pytest.raises(NotFound, match="nowhere"), db.reader() as s:
        get_case(s, "nowhere")


# --- places -----------------------------------------------------------------------------------


def test_places_nest_from_country_down_and_show_their_path(db: Database, world: World) -> None:
    with db.reader() as s:
        assert get_entity(s, world.damascus, Place).parent_id == world.syria
        tadamon = get_entity(s, world.tadamon, Place)
        assert entity_view(s, tadamon)["fields"]["path"] == "Syria › Damascus › al-Tadamon"
        assert entity_view(s, tadamon, "ar")["fields"]["path"] == "Syria › Damascus › التضامن"


def test_country_inside_a_neighbourhood_is_refused_naming_the_order(
    db: Database, world: World
) -> None:
    with pytest.raises(InvalidInput) as err, db.transaction("alice") as s:
        create(
            s,
            get_case(s, "tadamon"),
            "place",
            {"place_type": "country", "name_en": "Syria", "parent_id": world.tadamon},
        )
    assert err.value.field == "parent"
    assert "a country cannot lie inside a neighbourhood" in err.value.message
    assert "country › governorate › district" in err.value.message
    same_rank = {"place_type": "governorate", "name_en": "Rif", "parent_id": world.damascus}
    with (
        pytest.raises(InvalidInput, match="governorate cannot lie inside a governorate"),
        db.transaction("alice") as s,
    ):
        create(s, get_case(s, "tadamon"), "place", same_rank)


def test_place_parent_from_another_case_is_not_found(db: Database, world: World) -> None:
    with pytest.raises(NotFound, match="in case tadamon"), db.transaction("alice") as s:
        create(
            s,
            get_case(s, "tadamon"),
            "place",
            {"place_type": "city", "name_en": "Beirut", "parent_id": world.other_place},
        )
    with db.reader() as s:
        assert s.scalar(select(func.count()).where(Place.name_en == "Beirut")) == 0


def test_coordinates_out_of_range_are_refused(
    db: Database, world: World, subtests: pytest.Subtests
) -> None:
    for field, value in [
        ("latitude", "90.01"),
        ("latitude", "-91"),
        ("longitude", "180.5"),
        ("longitude", "-200"),
        ("latitude", "nan"),
        ("longitude", "east"),
    ]:
        with subtests.test(field=field, value=value):
            values = {"place_type": "site", "name_en": "X", field: value}
            with pytest.raises(InvalidInput) as err, db.transaction("alice") as s:
                create(s, get_case(s, "tadamon"), "place", values)
            assert err.value.field == field


def test_coordinates_at_the_limits_and_in_arabic_digits_are_stored(
    db: Database, world: World
) -> None:
    with db.transaction("alice") as s:
        case = get_case(s, "tadamon")
        pole = create(s, case, "place", {"place_type": "site", "name_en": "P", "latitude": "-90"})
        site = create(
            s,
            case,
            "place",
            {"place_type": "site", "name_ar": "حاجز", "latitude": "٣٣٫٤٧", "longitude": "180"},
        )
        pole_id, site_id = pole.id, site.id
    with db.reader() as s:
        assert get_entity(s, pole_id, Place).latitude == -90.0
        stored = get_entity(s, site_id, Place)
        assert (stored.latitude, stored.longitude) == (33.47, 180.0)


def test_place_needs_a_name_and_a_known_type(db: Database, world: World) -> None:
    with pytest.raises(InvalidInput) as err, db.transaction("alice") as s:
        create(s, get_case(s, "tadamon"), "place", {"place_type": "site", "name_en": " "})
    assert err.value.field == "name"
    with pytest.raises(InvalidInput) as err, db.transaction("alice") as s:
        create(s, get_case(s, "tadamon"), "place", {"place_type": "village", "name_en": "X"})
    assert err.value.field == "place_type"
    assert "neighbourhood" in err.value.message


def test_narrowing_a_place_type_below_its_children_is_refused(db: Database, world: World) -> None:
    with pytest.raises(InvalidInput), db.transaction("alice") as s:
        update(s, get_entity(s, world.syria, Place), {"place_type": "site"})
    with db.reader() as s:
        assert get_entity(s, world.syria, Place).place_type == "country"


# --- incidents and dates ----------------------------------------------------------------------


def test_incident_partial_dates_read_back_exactly(db: Database, world: World) -> None:
    typed = {
        "2013": (PartialDate(2013), DatePrecision.YEAR),
        "2013-04": (PartialDate(2013, 4), DatePrecision.MONTH),
        "2013-04-16": (PartialDate(2013, 4, 16), DatePrecision.DAY),
        "circa 1975": (PartialDate(1975, estimated=True), DatePrecision.YEAR),
        "٢٠١٣-٠٤": (PartialDate(2013, 4), DatePrecision.MONTH),
    }
    ids = {}
    with db.transaction("alice") as s:
        case = get_case(s, "tadamon")
        for text in typed:
            values = {"title_en": text, "start_date": text, "end_date": text}
            ids[text] = create(s, case, "incident", values).id
    with db.reader() as s:
        for text, (expected, precision) in typed.items():
            incident = get_entity(s, ids[text], Incident)
            assert (incident.start_date, incident.end_date) == (expected, expected), text
            assert incident.start_date is not None
            assert incident.start_date.precision is precision
            assert entity_view(s, incident)["fields"]["start_date"] == str(expected)


def test_end_date_before_start_date_is_refused(db: Database, world: World) -> None:
    with pytest.raises(InvalidInput) as err, db.transaction("alice") as s:
        create(
            s,
            get_case(s, "tadamon"),
            "incident",
            {"title_en": "X", "start_date": "2013-04-16", "end_date": "2013-04-15"},
        )
    assert err.value.field == "end_date"
    assert "2013-04-15" in err.value.message


def test_coarser_end_date_that_may_follow_the_start_is_accepted(db: Database, world: World) -> None:
    # "ended in April 2013" does not contradict "started on 16 April 2013".
    with db.transaction("alice") as s:
        incident = create(
            s,
            get_case(s, "tadamon"),
            "incident",
            {"title_en": "X", "start_date": "2013-04-16", "end_date": "2013-04"},
        )
        assert incident.end_date == PartialDate(2013, 4)


def test_nonsense_date_is_refused_naming_the_field(db: Database, world: World) -> None:
    with pytest.raises(InvalidInput) as err, db.transaction("alice") as s:
        create(s, get_case(s, "tadamon"), "incident", {"title_en": "X", "start_date": "2013-13-40"})
    assert err.value.field == "start_date"
    assert err.value.message.startswith("start_date: ")
    assert "2013-13-40" in err.value.message


def test_incident_needs_a_title_and_known_fields(db: Database, world: World) -> None:
    with pytest.raises(InvalidInput) as err, db.transaction("alice") as s:
        create(s, get_case(s, "tadamon"), "incident", {"start_date": "2013"})
    assert err.value.field == "title"
    with pytest.raises(InvalidInput) as err, db.transaction("alice") as s:
        create(s, get_case(s, "tadamon"), "incident", {"title_en": "X", "date": "2013"})
    assert err.value.field == "date"
    assert "start_date" in err.value.message


def test_unknown_violation_type_lists_the_valid_terms(db: Database, world: World) -> None:
    with pytest.raises(InvalidInput) as err, db.transaction("alice") as s:
        create(
            s,
            get_case(s, "tadamon"),
            "incident",
            {"title_en": "X"},
            violation_types=["torture", "massacre"],
        )
    assert err.value.field == "violation_type"
    assert "'massacre'" in err.value.message
    assert "extrajudicial_execution" in err.value.message
    assert "torture" in err.value.message


def test_violation_types_are_stored_once_each_in_order(db: Database, world: World) -> None:
    with db.transaction("alice") as s:
        incident_id = create(
            s,
            get_case(s, "tadamon"),
            "incident",
            {"title_en": "X"},
            violation_types=["torture", "arbitrary_detention", "torture", " "],
        ).id
    with db.reader() as s:
        incident = get_entity(s, incident_id, Incident)
        assert incident.violation_types == ["arbitrary_detention", "torture"]
        labels = [v["label"] for v in entity_view(s, incident)["fields"]["violation_types"]]
        assert labels[1] == "Torture"


def test_incident_place_from_another_case_is_not_found(db: Database, world: World) -> None:
    with pytest.raises(NotFound), db.transaction("alice") as s:
        create(
            s, get_case(s, "tadamon"), "incident", {"title_en": "X", "place_id": world.other_place}
        )


# --- update, soft delete, restore -------------------------------------------------------------


def test_update_changes_fields_and_who_last_changed_them(db: Database, world: World) -> None:
    with db.transaction("bob") as s:
        update(
            s,
            get_entity(s, world.incident, Incident),
            {"title_en": "Tadamon killings", "end_date": "2013-04"},
        )
    with db.reader() as s:
        incident = get_entity(s, world.incident, Incident)
        assert incident.title_en == "Tadamon killings"
        assert incident.title_ar == "مجزرة التضامن"  # untouched
        assert incident.end_date == PartialDate(2013, 4)
        assert (incident.created_by, incident.updated_by) == ("setup", "bob")


def test_update_that_breaks_date_order_is_refused_and_changes_nothing(
    db: Database, world: World
) -> None:
    with pytest.raises(InvalidInput), db.transaction("bob") as s:
        update(s, get_entity(s, world.incident, Incident), {"end_date": "2012"})
    with db.reader() as s:
        incident = get_entity(s, world.incident, Incident)
        assert (incident.end_date, incident.updated_by) == (None, "setup")


def test_emptying_a_field_that_cannot_be_empty_is_invalid_input(db: Database, world: World) -> None:
    with pytest.raises(InvalidInput) as err, db.transaction("bob") as s:
        update(s, get_entity(s, world.incident, Incident), {"sensitivity": ""})
    assert err.value.field == "sensitivity"


def test_soft_deleted_entity_is_hidden_but_can_be_found_on_request(
    db: Database, world: World
) -> None:
    with db.transaction("bob") as s:
        soft_delete(s, get_entity(s, world.incident, Incident))
    with db.reader() as s:
        with pytest.raises(NotFound):
            get_entity(s, world.incident, Incident)
        found = get_entity(s, world.incident, Incident, include_deleted=True)
        assert found.deleted_at is not None
        assert found.updated_by == "bob"
        assert entity_view(s, found)["deleted"] is True
        summary = summarise(s, get_case(s, "tadamon"))
        assert "incident" not in summary.entities
        assert summary.incidents == []


def test_restore_brings_a_deleted_entity_back(db: Database, world: World) -> None:
    with db.transaction("bob") as s:
        soft_delete(s, get_entity(s, world.incident, Incident))
    with db.transaction("carol") as s:
        restore(s, get_entity(s, world.incident, Incident, include_deleted=True))
    with db.reader() as s:
        incident = get_entity(s, world.incident, Incident)
        assert (incident.deleted_at, incident.title_en) == (None, "Tadamon massacre")
        assert incident.updated_by == "carol"


def test_deleting_twice_restoring_a_live_record_and_editing_a_deleted_one_conflict(
    db: Database, world: World
) -> None:
    with db.transaction("bob") as s:
        soft_delete(s, get_entity(s, world.incident, Incident))
    with db.transaction("bob") as s:
        deleted = get_entity(s, world.incident, Incident, include_deleted=True)
        with pytest.raises(Conflict, match="already deleted"):
            soft_delete(s, deleted)
        with pytest.raises(Conflict, match="restore it"):
            update(s, deleted, {"title_en": "New"})
        with pytest.raises(Conflict, match="not deleted"):
            restore(s, get_entity(s, world.syria, Place))


def test_summary_counts_live_records_by_kind(db: Database, world: World) -> None:
    with db.reader() as s:
        summary = summarise(s, get_case(s, "tadamon"))
        assert summary.entities == {"place": 3, "incident": 1, "source": 2}
        assert [i.id for i in summary.incidents] == [world.incident]


# --- lookup by ID or prefix -------------------------------------------------------------------


def test_lookup_by_unique_prefix_ambiguous_prefix_and_full_id(db: Database) -> None:
    with db.transaction("alice") as s:
        case = create_case(s, "ids", title_en="IDs")
        create(s, case, "incident", {"title_en": "First"}, entity_id="inc_aaaaaaaaaaaaaaaa")
        create(s, case, "incident", {"title_en": "Second"}, entity_id="inc_aaaabbbbbbbbbbbb")
        # A full ID that another ID extends still names its own record.
        create(s, case, "place", {"place_type": "country", "name_en": "Long"}, entity_id="plc_sy1")
        create(s, case, "place", {"place_type": "country", "name_en": "Short"}, entity_id="plc_sy")
    with db.reader() as s:
        assert get_entity(s, "inc_aaaaa", Incident).title_en == "First"
        assert get_entity(s, "  inc_aaaab ", Incident).title_en == "Second"
        assert get_entity(s, "inc_aaaaaaaaaaaaaaaa", Entity).kind == "incident"
        assert get_entity(s, "plc_sy", Place).name_en == "Short"
        with pytest.raises(Ambiguous, match="give more of the ID"):
            get_entity(s, "inc_aaaa", Incident)
        for short in ["", "inc_a", "inc"]:
            with pytest.raises(InvalidInput, match="too short"):
                get_entity(s, short, Incident)


def test_id_of_another_kind_is_refused(db: Database, world: World) -> None:
    with db.transaction("alice") as s:
        person_id = add_person(s, get_case(s, "tadamon"), [NameInput(full="Sami")]).id
    with db.reader() as s:
        with pytest.raises(InvalidInput, match="names a person"):
            get_entity(s, person_id, Incident)
        with pytest.raises(InvalidInput, match="names a place"):
            get_entity(s, world.syria[:8], Person)


def test_lookup_with_a_case_does_not_see_other_cases(db: Database, world: World) -> None:
    with db.reader() as s:
        case = get_case(s, "tadamon")
        with pytest.raises(NotFound, match="in case tadamon"):
            get_entity(s, world.other_incident, Incident, case=case)
        assert get_entity(s, world.other_incident, Incident).title_en == "Elsewhere"


def test_id_lookup_is_case_sensitive_on_both_databases(db: Database, world: World) -> None:
    with pytest.raises(NotFound), db.reader() as s:
        get_entity(s, world.incident.upper(), Incident)
