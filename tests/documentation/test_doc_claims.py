"""Claims: typed, sourced values that may conflict, with statuses, withdrawal and views."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from dalil.db import Database, Incident, Person
from dalil.documentation import (
    NameInput,
    add_claim,
    add_person,
    add_relation,
    entity_view,
    get_case,
    get_claim,
    get_entity,
    history_of,
    property_claims,
    set_status,
    summarise,
    withdraw,
)
from dalil.errors import Conflict, InvalidInput, NotFound
from dalil.values import PartialDate

if TYPE_CHECKING:  # the fixtures' conftest.py is not importable by name (tests/conftest is)
    from documentation.conftest import World


def _claim(db: Database, subject: str, prop: str, value: str, source: str, **kw: Any) -> str:
    with db.transaction("alice") as s:
        return add_claim(s, get_case(s, "tadamon"), subject, prop, value, source, **kw).id


def _refusal(db: Database, subject: str, prop: str, value: str, source: str, **kw: Any) -> str:
    """The message of the InvalidInput that ``add_claim`` raises: ``"<field>: <what is wrong>"``."""
    with pytest.raises(InvalidInput) as err, db.transaction("alice") as s:
        add_claim(s, get_case(s, "tadamon"), subject, prop, value, source, **kw)
    assert err.value.message.startswith(f"{err.value.field}: ")
    return err.value.message


def _incident_claims(db: Database, world: World, lang: str = "en") -> list[dict[str, Any]]:
    with db.reader() as s:
        groups: list[dict[str, Any]] = entity_view(
            s, get_entity(s, world.incident, Incident), lang
        )["claims"]
        return groups


# --- typed values -----------------------------------------------------------------------------


def test_numeric_claim_is_stored_as_a_number_and_canonical_text(db: Database, world: World) -> None:
    typed = {
        "41": (41.0, "41"),
        " ٤١ ": (41.0, "41"),
        "41.5": (41.5, "41.5"),
        "4.1e2": (410, "410"),
    }
    ids = {text: _claim(db, world.incident, "victim_count", text, world.snhr) for text in typed}
    with db.reader() as s:
        for text, (number, canonical) in typed.items():
            claim = get_claim(s, ids[text])
            assert isinstance(claim.value_number, float)
            assert (claim.value_number, claim.value_text) == (number, canonical), text
            assert (claim.value_type, claim.qualifier, claim.status) == (
                "number",
                "exact",
                "unverified",
            )
            assert (claim.author, claim.source_id, claim.case_id) == (
                "alice",
                world.snhr,
                world.case_id,
            )


def test_numeric_claim_refuses_text_that_is_not_a_finite_number(db: Database, world: World) -> None:
    for value in ["forty-one", "", "inf", "nan", "41 people"]:
        refusal = _refusal(db, world.incident, "victim_count", value, world.snhr)
        assert refusal.startswith("value of victim_count: "), value


def test_only_numeric_claims_take_a_qualifier(db: Database, world: World) -> None:
    claim_id = _claim(db, world.incident, "victim_count", "288", world.snhr, qualifier="at_least")
    with db.reader() as s:
        assert get_claim(s, claim_id).qualifier == "at_least"
    (group,) = _incident_claims(db, world)
    assert group["claims"][0]["shown"] == "At least 288"
    refusal = _refusal(db, world.incident, "title", "Massacre", world.snhr, qualifier="at_least")
    assert refusal.startswith("qualifier: only numeric claims")
    refusal = _refusal(db, world.incident, "victim_count", "41", world.snhr, qualifier="some")
    assert refusal.startswith("qualifier: ")
    assert "approximately" in refusal


def test_date_claim_keeps_the_precision_given(db: Database, world: World) -> None:
    claim_id = _claim(db, world.incident, "start_date", "circa 2013-04", world.snhr)
    with db.reader() as s:
        claim = get_claim(s, claim_id)
        expected = PartialDate(2013, 4, estimated=True)
        assert (claim.value_date, claim.value_text) == (expected, "~2013-04")
    (group,) = _incident_claims(db, world)
    assert group["claims"][0]["shown"] == "circa April 2013"
    (group,) = _incident_claims(db, world, "ar")
    assert group["claims"][0]["shown"] == "حوالي نيسان 2013"
    refusal = _refusal(db, world.incident, "start_date", "2013-13-40", world.snhr)
    assert refusal.startswith("value of start_date: ")


def test_term_claim_must_come_from_the_property_vocabulary(db: Database, world: World) -> None:
    claim_id = _claim(db, world.incident, "violation_type", " torture ", world.snhr)
    with db.reader() as s:
        assert get_claim(s, claim_id).value_text == "torture"
    refusal = _refusal(db, world.incident, "violation_type", "massacre", world.snhr)
    assert refusal.startswith("value of violation_type: ")
    assert "'massacre' is not a known term of violation_types" in refusal
    assert "enforced_disappearance" in refusal
    # The same word is checked against the vocabulary of the property, not any vocabulary.
    with db.transaction("alice") as s:
        person = add_person(s, get_case(s, "tadamon"), [NameInput(full="Sami")]).id
    assert "sexes" in _refusal(db, person, "sex", "torture", world.snhr)
    status = _claim(db, person, "status", "missing", world.snhr)
    with db.reader() as s:
        assert get_claim(s, status).value_text == "missing"


def test_boolean_claim_reads_english_and_arabic_yes_and_no(db: Database, world: World) -> None:
    with db.transaction("alice") as s:
        case = get_case(s, "tadamon")
        person = add_person(s, case, [NameInput(full="Sami")])
        relation = add_relation(s, case, "victim_of", person.id, world.incident).id
    answers = {"نعم": "true", "No": "false", " yes ": "true", "لا": "false", "0": "false"}
    ids = {typed: _claim(db, relation, "holds", typed, world.snhr) for typed in answers}
    with db.reader() as s:
        assert {typed: get_claim(s, ids[typed]).value_text for typed in answers} == answers
    assert _refusal(db, relation, "holds", "maybe", world.snhr).startswith("value of holds: ")


def test_entity_claim_points_at_a_record_of_the_right_kind_in_the_same_case(
    db: Database, world: World
) -> None:
    claim_id = _claim(db, world.incident, "place", world.damascus, world.snhr)
    with db.reader() as s:
        claim = get_claim(s, claim_id)
        assert (claim.value_ref, claim.value_text) == (world.damascus, world.damascus)
    (group,) = _incident_claims(db, world)
    assert group["claims"][0]["shown"] == "Damascus"
    with pytest.raises(NotFound, match="in case tadamon"), db.transaction("alice") as s:
        add_claim(s, get_case(s, "tadamon"), world.incident, "place", world.other_place, world.snhr)
    assert "names an incident, not a place" in _refusal(
        db, world.incident, "place", world.incident, world.snhr
    )


def test_unknown_property_lists_the_valid_ones(db: Database, world: World) -> None:
    refusal = _refusal(db, world.incident, "death_toll", "41", world.snhr)
    assert refusal.startswith("property: 'death_toll' is not a property of an incident")
    assert "victim_count" in refusal
    assert "start_date" in refusal
    assert "birth_date" not in refusal  # a person's property, not an incident's


def test_source_must_be_a_source_of_the_same_case(db: Database, world: World) -> None:
    with pytest.raises(NotFound, match="no source"), db.transaction("alice") as s:
        add_claim(
            s, get_case(s, "tadamon"), world.incident, "victim_count", "41", world.other_source
        )
    assert "names a place, not a source" in _refusal(
        db, world.incident, "victim_count", "41", world.syria
    )
    with pytest.raises(NotFound), db.transaction("alice") as s:
        add_claim(s, get_case(s, "tadamon"), world.other_incident, "victim_count", "41", world.snhr)


def test_null_character_in_a_reference_is_invalid_input_on_both_databases(
    db: Database, world: World
) -> None:
    with pytest.raises((InvalidInput, NotFound)), db.transaction("alice") as s:
        add_claim(s, get_case(s, "tadamon"), world.incident, "place", "plc_\x00abcdef", world.snhr)


# --- conflicting claims and statuses ----------------------------------------------------------


def test_conflicting_claims_coexist_and_are_reported_in_dispute(db: Database, world: World) -> None:
    low = _claim(db, world.incident, "victim_count", "41", world.snhr)
    high = _claim(db, world.incident, "victim_count", "288", world.guardian)
    _claim(db, world.incident, "title", "Tadamon massacre", world.snhr)
    with db.reader() as s:
        incident = get_entity(s, world.incident, Incident)
        groups = property_claims(s, incident)
        # Properties come in the order the schema declares: title before victim_count.
        assert [g.prop.name for g in groups] == ["title", "victim_count"]
        title, count = groups
        assert not title.in_dispute
        assert count.in_dispute
        assert count.values == ["288", "41"]
        assert {(c.id, c.value_number, c.source_id) for c in count.claims} == {
            (low, 41.0, world.snhr),
            (high, 288.0, world.guardian),
        }
        assert count.accepted == []


def test_agreeing_accepted_claims_are_not_in_dispute(db: Database, world: World) -> None:
    for source in (world.snhr, world.guardian):
        _claim(db, world.incident, "victim_count", "41", source, status="accepted")
    _claim(db, world.incident, "victim_count", "41.0", world.snhr, qualifier="at_least")
    with db.reader() as s:
        (count,) = property_claims(s, get_entity(s, world.incident, Incident))
        assert count.values == ["41"]
        assert not count.in_dispute
        assert len(count.accepted) == 2


def test_a_claim_marked_disputed_puts_its_property_in_dispute(db: Database, world: World) -> None:
    claim_id = _claim(db, world.incident, "victim_count", "41", world.snhr)
    _claim(db, world.incident, "victim_count", "41", world.guardian)
    with db.transaction("reviewer") as s:
        set_status(s, get_claim(s, claim_id), "disputed", note="contradicted by a witness")
    with db.reader() as s:
        (count,) = property_claims(s, get_entity(s, world.incident, Incident))
        assert count.in_dispute
        summary = summarise(s, get_case(s, "tadamon"))
        assert (summary.claims, summary.disputed_claims) == (2, 1)


def test_status_change_is_recorded_in_history_with_before_and_after(
    db: Database, world: World
) -> None:
    claim_id = _claim(db, world.incident, "victim_count", "41", world.snhr)
    with db.transaction("reviewer") as s:
        set_status(s, get_claim(s, claim_id), "accepted")
    with db.reader() as s:
        claim = get_claim(s, claim_id)
        assert claim.status == "accepted"
        assert claim.author == "alice"  # the author stays who made the claim
        changes = history_of(s, claim_id)
        assert [(c.action, c.actor) for c in changes] == [
            ("create", "alice"),
            ("update", "reviewer"),
        ]
        assert (changes[1].before, changes[1].after) == (
            {"status": "unverified"},
            {"status": "accepted"},
        )
        assert changes[1].entity_id == world.incident


def test_unknown_status_is_refused_listing_the_statuses(db: Database, world: World) -> None:
    claim_id = _claim(db, world.incident, "victim_count", "41", world.snhr)
    with pytest.raises(InvalidInput) as err, db.transaction("reviewer") as s:
        set_status(s, get_claim(s, claim_id), "confirmed")
    assert err.value.field == "status"
    assert "accepted, disputed, unverified" in err.value.message
    refusal = _refusal(db, world.incident, "victim_count", "41", world.snhr, status="true")
    assert refusal.startswith("status: ")


def test_withdrawn_claim_leaves_the_views_but_not_the_record(db: Database, world: World) -> None:
    low = _claim(db, world.incident, "victim_count", "41", world.snhr)
    high = _claim(db, world.incident, "victim_count", "288", world.guardian)
    with db.transaction("reviewer") as s:
        withdraw(s, get_claim(s, high))
    with db.reader() as s:
        (count,) = property_claims(s, get_entity(s, world.incident, Incident))
        assert [c.id for c in count.claims] == [low]
        assert not count.in_dispute
        assert get_claim(s, high).deleted_at is not None
        assert [c.action for c in history_of(s, high)] == ["create", "delete"]
    with db.transaction("reviewer") as s:
        claim = get_claim(s, high)
        with pytest.raises(Conflict, match="already withdrawn"):
            withdraw(s, claim)
        with pytest.raises(Conflict, match="withdrawn"):
            set_status(s, claim, "accepted")


def test_unknown_claim_id_is_refused(db: Database, world: World) -> None:
    with pytest.raises(NotFound, match="no claim"), db.reader() as s:
        get_claim(s, "clm_doesnotexist00")


# --- the incident view ------------------------------------------------------------------------


def test_incident_view_groups_claims_by_property_with_their_sources(
    db: Database, world: World
) -> None:
    _claim(db, world.incident, "victim_count", "41", world.snhr, locator="p. 12", status="accepted")
    _claim(db, world.incident, "victim_count", "288", world.guardian, qualifier="approximately")
    (group,) = _incident_claims(db, world)
    assert (group["property"], group["label"], group["in_dispute"]) == (
        "victim_count",
        "Number of victims",
        True,
    )
    assert group["accepted"] == ["41"]
    by_source = {c["source"]["title"]: c for c in group["claims"]}
    assert set(by_source) == {"SNHR report", "Guardian article"}
    snhr, guardian = by_source["SNHR report"], by_source["Guardian article"]
    assert (snhr["value"], snhr["shown"], snhr["locator"], snhr["status"]) == (
        41.0,
        "41",
        "p. 12",
        "accepted",
    )
    assert (guardian["shown"], guardian["status_label"]) == ("Approximately 288", "Unverified")
    assert guardian["source"]["type"] == "news_article"
    (arabic,) = _incident_claims(db, world, "ar")
    assert arabic["label"] == "عدد الضحايا"
    shown = {c["source"]["title"]: c["shown"] for c in arabic["claims"]}
    assert shown["Guardian article"] == "تقريباً 288"


def test_claims_about_a_person_are_shown_on_the_person(db: Database, world: World) -> None:
    with db.transaction("alice") as s:
        person = add_person(s, get_case(s, "tadamon"), [NameInput(full="Sami")]).id
    _claim(db, person, "detention_place", world.tadamon, world.snhr)
    _claim(db, person, "age", "34", world.snhr)
    with db.reader() as s:
        view = entity_view(s, get_entity(s, person, Person))
        assert [(g["property"], g["claims"][0]["shown"]) for g in view["claims"]] == [
            ("age", "34"),
            ("detention_place", "al-Tadamon"),
        ]
