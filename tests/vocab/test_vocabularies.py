"""The shipped vocabularies keep the term ids other code relies on, and broken files are refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dalil.vocab import (
    UnknownTermError,
    Vocabulary,
    VocabularyError,
    load_vocabularies,
    vocabularies,
)

ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")

# Other packages store these ids; renaming or dropping one is a data migration, not an edit.
EXPECTED_TERMS: dict[str, list[str]] = {
    "claim_statuses": ["unverified", "accepted", "disputed"],
    "person_statuses": [
        "killed",
        "missing",
        "detained",
        "released",
        "identified",
        "alive",
        "unknown",
    ],
    "sexes": ["female", "male", "unknown"],
    "source_types": [
        "report",
        "testimony",
        "media_item",
        "list",
        "statement",
        "court_document",
        "news_article",
        "letter",
        "other",
    ],
    "reliability": ["high", "medium", "low", "unknown"],
    "sensitivity": ["public", "restricted", "confidential"],
    "violation_types": [
        "extrajudicial_execution",
        "unlawful_killing",
        "enforced_disappearance",
        "arbitrary_detention",
        "torture",
        "sexual_violence",
        "desecration_of_bodies",
        "forced_displacement",
        "destruction_of_property",
        "attack_on_civilians",
        "hostage_taking",
        "extortion",
    ],
    "involvement_degrees": [
        "direct_perpetrator",
        "ordered",
        "planned",
        "instigated",
        "complicit",
        "failed_to_prevent",
        "unknown",
    ],
    "kinship": [
        "parent",
        "child",
        "sibling",
        "spouse",
        "grandparent",
        "grandchild",
        "uncle_aunt",
        "cousin",
        "other",
    ],
    "organisation_types": [
        "armed_forces_unit",
        "intelligence_branch",
        "security_force",
        "militia",
        "government_body",
        "ngo",
        "media_outlet",
        "prosecution_authority",
        "court",
        "international_body",
        "other",
    ],
    "place_types": [
        "country",
        "governorate",
        "district",
        "subdistrict",
        "city",
        "neighbourhood",
        "site",
    ],
    "name_kinds": ["primary", "variant", "alias", "nickname"],
    "languages": ["ar", "en", "fr", "de", "nl", "ku", "tr", "fa", "ru", "other"],
    "number_qualifiers": ["exact", "at_least", "at_most", "approximately"],
    "relation_types": [
        "victim_of",
        "alleged_perpetrator_in",
        "witness_of",
        "member_of",
        "commander_of",
        "parent_unit_of",
        "relative_of",
        "investigates",
        "detained_by",
    ],
}

# (subject kinds, object kinds, attributes) per relation type.
EXPECTED_RELATIONS: dict[str, tuple[set[str], set[str], dict[str, str]]] = {
    "victim_of": ({"person"}, {"incident"}, {}),
    "alleged_perpetrator_in": (
        {"person", "organisation"},
        {"incident"},
        {"degree_of_involvement": "involvement_degrees"},
    ),
    "witness_of": ({"person"}, {"incident"}, {}),
    "member_of": ({"person", "organisation"}, {"organisation"}, {"rank": "text", "title": "text"}),
    "commander_of": ({"person"}, {"organisation"}, {"rank": "text", "title": "text"}),
    "parent_unit_of": ({"organisation"}, {"organisation"}, {}),
    "relative_of": ({"person"}, {"person"}, {"kinship": "kinship"}),
    "investigates": ({"organisation"}, {"incident"}, {}),
    "detained_by": ({"person"}, {"organisation"}, {}),
}

ALL_TERMS = [(vocab_id, term_id) for vocab_id, ids in EXPECTED_TERMS.items() for term_id in ids]


def test_exactly_the_expected_vocabularies_are_shipped() -> None:
    assert vocabularies().ids() == sorted(EXPECTED_TERMS)


@pytest.mark.parametrize("vocab_id", sorted(EXPECTED_TERMS))
def test_vocabulary_has_exactly_the_expected_term_ids_in_order(vocab_id: str) -> None:
    assert vocabularies().get(vocab_id).ids() == EXPECTED_TERMS[vocab_id]


@pytest.mark.parametrize(("vocab_id", "term_id"), ALL_TERMS)
def test_every_term_has_an_english_label_and_an_arabic_script_label(
    vocab_id: str, term_id: str
) -> None:
    term = vocabularies().get(vocab_id).require(term_id)
    assert term.en.strip()
    assert ARABIC.search(term.ar), term.ar
    assert not re.search("[A-Za-z]", term.ar), f"Latin letters in Arabic label {term.ar!r}"
    if term.description is not None:
        assert ARABIC.search(term.description.ar)


@pytest.mark.parametrize("vocab_id", sorted(EXPECTED_TERMS))
def test_every_vocabulary_names_itself_in_both_languages_and_cites_a_reference(
    vocab_id: str,
) -> None:
    vocabulary = vocabularies().get(vocab_id)
    assert vocabulary.title.en
    assert ARABIC.search(vocabulary.title.ar)
    assert vocabulary.reference


def test_sensitivity_levels_explain_who_may_see_them() -> None:
    sensitivity = vocabularies().get("sensitivity")
    descriptions = {
        term.id: term.description.en for term in sensitivity.terms if term.description is not None
    }
    assert "public export" in descriptions["public"]
    assert "case" in descriptions["restricted"]
    assert "audited" in descriptions["confidential"]


@pytest.mark.parametrize("relation_id", sorted(EXPECTED_RELATIONS))
def test_relation_type_connects_the_expected_entity_kinds(relation_id: str) -> None:
    term = vocabularies().get("relation_types").require(relation_id)
    subject, object_, attributes = EXPECTED_RELATIONS[relation_id]
    assert set(term.subject or ()) == subject
    assert set(term.object or ()) == object_
    assert term.attributes == attributes
    assert term.inverse is not None
    assert ARABIC.search(term.inverse.ar)


def test_relation_attribute_vocabularies_exist() -> None:
    vocabs = vocabularies()
    for term in vocabs.get("relation_types").terms:
        for target in (term.attributes or {}).values():
            assert target == "text" or target in vocabs


def test_only_relation_types_declare_subjects_and_objects() -> None:
    for vocabulary in vocabularies():
        if vocabulary.id != "relation_types":
            assert all(t.subject is None and t.object is None for t in vocabulary.terms)


def test_vocabularies_are_loaded_once() -> None:
    assert vocabularies() is vocabularies()


def test_require_returns_the_term() -> None:
    term = vocabularies().get("violation_types").require("torture")
    assert (term.id, term.en) == ("torture", "Torture")


def test_require_of_a_misspelt_term_names_the_field_and_lists_valid_terms() -> None:
    violation_types = vocabularies().get("violation_types")
    with pytest.raises(UnknownTermError) as caught:
        violation_types.require("genocidee", field="violation_type")
    message = str(caught.value)
    assert message.startswith(
        "violation_type: 'genocidee' is not a known term of violation_types; valid terms: "
    )
    listed = message.split("valid terms: ", 1)[1].split(", ")
    assert listed == sorted(EXPECTED_TERMS["violation_types"])
    assert caught.value.field == "violation_type"
    assert isinstance(caught.value, ValueError)


def test_require_without_a_field_starts_with_the_value() -> None:
    with pytest.raises(UnknownTermError, match=r"^'x' is not a known term of sexes; valid terms: "):
        vocabularies().get("sexes").require("x")


@given(st.text(max_size=30))
def test_require_accepts_exactly_the_declared_ids(value: str) -> None:
    sexes = vocabularies().get("sexes")
    if value in EXPECTED_TERMS["sexes"]:
        assert sexes.require(value).id == value
        assert value in sexes
    else:
        assert value not in sexes
        with pytest.raises(UnknownTermError, match=r"valid terms: female, male, unknown$"):
            sexes.require(value)


def test_label_gives_arabic_or_english_and_falls_back_to_english() -> None:
    violation_types = vocabularies().get("violation_types")
    assert violation_types.label("torture", "ar") == "تعذيب"
    assert violation_types.label("torture", "en") == "Torture"
    assert violation_types.label("torture", "fr") == "Torture"
    with pytest.raises(UnknownTermError):
        violation_types.label("nope", "en")


def test_unknown_vocabulary_is_an_error_listing_known_ones() -> None:
    with pytest.raises(VocabularyError, match=r"unknown vocabulary 'violations'.*violation_types"):
        vocabularies().get("violations")


# --- the loader refuses broken files -----------------------------------------------------------

GOOD_SEXES = """\
id: sexes
label: {en: Sex, ar: الجنس}
reference: test
terms:
  - {id: female, en: Female, ar: أنثى}
  - {id: male, en: Male, ar: ذكر}
"""

GOOD_KINSHIP = """\
id: kinship
label: {en: Kinship, ar: صلات القرابة}
reference: test
terms:
  - {id: parent, en: Parent, ar: أحد الوالدين}
"""


def relation_file(attributes: str = "{kinship: kinship}", extra: str = "") -> str:
    return f"""\
id: relation_types
label: {{en: Relation types, ar: أنواع العلاقات}}
reference: test
terms:
  - id: relative_of
    en: Relative of
    ar: من أقارب
    inverse: {{en: Relatives, ar: الأقارب}}
    subject: [person]
    object: [person]
    attributes: {attributes}
{extra}"""


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_loader_accepts_a_consistent_folder(tmp_path: Path) -> None:
    folder = write(
        tmp_path,
        {
            "sexes.yaml": GOOD_SEXES,
            "kinship.yaml": GOOD_KINSHIP,
            "relation_types.yaml": relation_file(),
        },
    )
    loaded = load_vocabularies(folder)
    assert loaded.ids() == ["kinship", "relation_types", "sexes"]
    assert loaded.get("relation_types").require("relative_of").attributes == {"kinship": "kinship"}


def test_loader_reads_the_shipped_folder_like_vocabularies() -> None:
    import dalil.vocab

    folder = Path(dalil.vocab.__file__).parent / "data"
    assert load_vocabularies(folder).ids() == vocabularies().ids()


BROKEN_SEXES = {
    "duplicate term id": (
        GOOD_SEXES + "  - {id: male, en: Man, ar: رجل}\n",
        r"sexes\.yaml: term 'male': duplicate term id",
    ),
    "missing ar label": (
        GOOD_SEXES + "  - {id: unknown, en: Unknown}\n",
        r"sexes\.yaml: term 'unknown': ar: Field required",
    ),
    "empty ar label": (
        GOOD_SEXES + "  - {id: unknown, en: Unknown, ar: '  '}\n",
        r"sexes\.yaml: term 'unknown': ar: String should have at least 1 character",
    ),
    "Latin-only ar label": (
        GOOD_SEXES + "  - {id: unknown, en: Unknown, ar: Unknown}\n",
        r"sexes\.yaml: term 'unknown': ar label 'Unknown' contains no Arabic script",
    ),
    "Latin-only Arabic description": (
        GOOD_SEXES + "  - {id: unknown, en: Unknown, ar: غير معروف, description: {en: x, ar: x}}\n",
        r"sexes\.yaml: term 'unknown': description\.ar label 'x' contains no Arabic script",
    ),
    "id not snake_case": (
        GOOD_SEXES + "  - {id: Not-Known, en: Unknown, ar: غير معروف}\n",
        r"sexes\.yaml: term 'Not-Known': id must be snake_case ASCII",
    ),
    "unexpected key": (
        GOOD_SEXES + "  - {id: unknown, en: Unknown, ar: غير معروف, colour: red}\n",
        r"sexes\.yaml: term 'unknown': colour: Extra inputs are not permitted",
    ),
    "relation keys outside relation_types": (
        GOOD_SEXES + "  - {id: unknown, en: Unknown, ar: غير معروف, subject: [person]}\n",
        r"sexes\.yaml: term 'unknown': subject only belong in relation_types",
    ),
    "repeated YAML key": (
        GOOD_SEXES + "  - {id: unknown, en: Unknown, ar: غير معروف, ar: مجهول}\n",
        r"sexes\.yaml: not valid YAML: .*duplicate key 'ar'",
    ),
    "no terms": (
        "id: sexes\nlabel: {en: Sex, ar: الجنس}\nreference: test\nterms: []\n",
        r"sexes\.yaml: has no terms",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN_SEXES))
def test_loader_refuses_a_broken_term_naming_file_and_term(tmp_path: Path, case: str) -> None:
    text, message = BROKEN_SEXES[case]
    write(tmp_path, {"sexes.yaml": text})
    with pytest.raises(VocabularyError, match=message):
        load_vocabularies(tmp_path)


def test_loader_refuses_a_file_named_differently_from_its_id(tmp_path: Path) -> None:
    write(tmp_path, {"genders.yaml": GOOD_SEXES})
    with pytest.raises(
        VocabularyError, match=r"genders\.yaml: id 'sexes' does not match the file name"
    ):
        load_vocabularies(tmp_path)


def test_loader_refuses_an_unknown_attribute_vocabulary(tmp_path: Path) -> None:
    write(tmp_path, {"relation_types.yaml": relation_file("{kinship: kinships}")})
    with pytest.raises(
        VocabularyError,
        match=r"relation_types\.yaml: term 'relative_of': attribute 'kinship' "
        r"refers to unknown vocabulary 'kinships'",
    ):
        load_vocabularies(tmp_path)


def test_loader_refuses_an_unknown_entity_kind(tmp_path: Path) -> None:
    text = relation_file("{}").replace("object: [person]", "object: [vehicle]")
    write(tmp_path, {"relation_types.yaml": text})
    with pytest.raises(
        VocabularyError, match=r"relation_types\.yaml: term 'relative_of': object\.0: Input should"
    ):
        load_vocabularies(tmp_path)


def test_loader_refuses_a_relation_type_without_inverse(tmp_path: Path) -> None:
    text = relation_file("{}").replace("    inverse: {en: Relatives, ar: الأقارب}\n", "")
    write(tmp_path, {"relation_types.yaml": text})
    with pytest.raises(
        VocabularyError, match=r"relation_types\.yaml: term 'relative_of': missing 'inverse'"
    ):
        load_vocabularies(tmp_path)


def test_loader_refuses_an_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(VocabularyError, match="no vocabulary files"):
        load_vocabularies(tmp_path)


def test_vocabulary_model_forbids_unknown_keys() -> None:
    with pytest.raises(ValueError, match="Extra inputs"):
        Vocabulary.model_validate(
            {"id": "x", "label": {"en": "X", "ar": "س"}, "reference": "r", "terms": [], "y": 1}
        )
