"""Read views of cases' records as plain dictionaries: what ``show`` prints and ``--json`` emits.

Views choose what to show; they never change what is stored. Labels come in the reader's language
(``en`` or ``ar``) with the other language as fallback.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from dalil.db import Case, Claim, Entity, Incident, Organisation, Person, Place, Relation, Source
from dalil.documentation.claims import format_number, property_claims
from dalil.documentation.persons import display_name
from dalil.documentation.relations import relations_of
from dalil.vocab import vocabularies


def _pick(en: str | None, ar: str | None, lang: str) -> str:
    first, second = (ar, en) if lang == "ar" else (en, ar)
    return first or second or ""


def term_label(vocabulary: str, term: str | None, lang: str) -> str | None:
    return None if term is None else vocabularies().get(vocabulary).label(term, lang)


def label(session: Session, entity: Entity, lang: str = "en") -> str:
    """A short human name for any entity."""
    if isinstance(entity, Incident):
        return _pick(entity.title_en, entity.title_ar, lang)
    if isinstance(entity, Person):
        return display_name(entity, lang)
    if isinstance(entity, Place | Organisation):
        return _pick(entity.name_en, entity.name_ar, lang)
    if isinstance(entity, Source):
        return entity.title
    if isinstance(entity, Relation):
        subj, obj = session.get(Entity, entity.subject_id), session.get(Entity, entity.object_id)
        assert subj is not None
        assert obj is not None
        verb = term_label("relation_types", entity.relation_type, lang)
        return f"{label(session, subj, lang)} — {verb} — {label(session, obj, lang)}"
    return entity.id


def place_path(session: Session, place_id: str | None, lang: str = "en") -> str | None:
    """``Syria › Damascus › al-Tadamon`` for a place, from the widest to the place itself."""
    names: list[str] = []
    place = session.get(Place, place_id) if place_id else None
    while place is not None:
        names.append(label(session, place, lang))
        place = session.get(Place, place.parent_id) if place.parent_id else None
    return " › ".join(reversed(names)) if names else None


def source_brief(source: Source, lang: str = "en") -> dict[str, Any]:
    return {
        "id": source.id,
        "title": source.title,
        "type": source.source_type,
        "type_label": term_label("source_types", source.source_type, lang),
        "author": source.author,
        "publisher": source.publisher,
        "published": None if source.published is None else str(source.published),
        "url": source.url,
        "reliability": source.reliability,
    }


def claim_view(session: Session, claim: Claim, lang: str = "en") -> dict[str, Any]:
    source = session.get(Source, claim.source_id)
    assert source is not None
    shown = claim.value_text
    if claim.value_ref:
        target = session.get(Entity, claim.value_ref)
        shown = label(session, target, lang) if target is not None else claim.value_ref
    elif claim.value_type == "number" and claim.value_number is not None:
        shown = format_number(claim.value_number)
        if claim.qualifier not in (None, "exact"):
            shown = f"{term_label('number_qualifiers', claim.qualifier, lang)} {shown}"
    elif claim.value_type == "date" and claim.value_date is not None:
        shown = claim.value_date.format(lang)
    return {
        "id": claim.id,
        "property": claim.property,
        "value": claim.value_number if claim.value_type == "number" else claim.value_text,
        "value_type": claim.value_type,
        "value_ref": claim.value_ref,  # the record a reference claim names (policy filters use it)
        "qualifier": claim.qualifier,
        "shown": shown,
        "status": claim.status,
        "status_label": term_label("claim_statuses", claim.status, lang),
        "source": source_brief(source, lang),
        "locator": claim.locator,
        "note": claim.note,
        "author": claim.author,
        "created_at": claim.created_at.isoformat(),
    }


def _fields(session: Session, entity: Entity, lang: str) -> dict[str, Any]:
    def date(value: Any) -> str | None:
        return None if value is None else str(value)

    if isinstance(entity, Incident):
        return {
            "title_en": entity.title_en,
            "title_ar": entity.title_ar,
            "start_date": date(entity.start_date),
            "end_date": date(entity.end_date),
            "place": place_path(session, entity.place_id, lang),
            "place_id": entity.place_id,
            "violation_types": [
                {"id": t, "label": term_label("violation_types", t, lang)}
                for t in entity.violation_types
            ],
            "description_en": entity.description_en,
            "description_ar": entity.description_ar,
        }
    if isinstance(entity, Person):
        return {
            "names": [
                {"kind": n.kind, "script": n.script, "full": n.full}
                | {p: getattr(n, p) for p in ("given", "father", "grandfather", "family", "mother")}
                for n in entity.names
            ],
            "sex": entity.sex,
            "birth_date": date(entity.birth_date),
            "status": entity.status,
            "status_label": term_label("person_statuses", entity.status, lang),
            "status_date": date(entity.status_date),
        }
    if isinstance(entity, Place):
        return {
            "place_type": entity.place_type,
            "name_en": entity.name_en,
            "name_ar": entity.name_ar,
            "path": place_path(session, entity.id, lang),
            "parent_id": entity.parent_id,
            "latitude": entity.latitude,
            "longitude": entity.longitude,
        }
    if isinstance(entity, Organisation):
        return {
            "org_type": entity.org_type,
            "org_type_label": term_label("organisation_types", entity.org_type, lang),
            "name_en": entity.name_en,
            "name_ar": entity.name_ar,
            "abbreviation": entity.abbreviation,
            "description": entity.description,
        }
    if isinstance(entity, Source):
        return source_brief(entity, lang) | {"language": entity.language, "note": entity.note}
    assert isinstance(entity, Relation)
    return {
        "relation_type": entity.relation_type,
        "subject_id": entity.subject_id,
        "object_id": entity.object_id,
        "start_date": date(entity.start_date),
        "end_date": date(entity.end_date),
        "attributes": dict(entity.attributes),
        "note": entity.note,
    }


def relation_view(
    session: Session, relation: Relation, seen_from: Entity, lang: str = "en"
) -> dict[str, Any]:
    term = vocabularies().get("relation_types").require(relation.relation_type)
    outgoing = relation.subject_id == seen_from.id
    other = session.get(Entity, relation.object_id if outgoing else relation.subject_id)
    assert other is not None
    inverse = term.inverse.get(lang) if term.inverse is not None else term.label(lang)
    return {
        "id": relation.id,
        "type": relation.relation_type,
        "direction": "out" if outgoing else "in",
        "label": term.label(lang) if outgoing else inverse,
        "other": {"id": other.id, "kind": other.kind, "label": label(session, other, lang)},
        "start_date": None if relation.start_date is None else str(relation.start_date),
        "end_date": None if relation.end_date is None else str(relation.end_date),
        "attributes": dict(relation.attributes),
        "claims": len(property_claims(session, relation)),
    }


def entity_view(
    session: Session, entity: Entity, lang: str = "en", *, with_relations: bool = True
) -> dict[str, Any]:
    """Everything ``show`` prints about an entity: fields, claims by property, relations.

    ``with_relations=False`` leaves ``relations`` empty, for a caller that pages them itself
    (an incident may have thousands of victims).
    """
    case = session.get(Case, entity.case_id)
    assert case is not None
    return {
        "id": entity.id,
        "kind": entity.kind,
        "case": case.slug,
        "label": label(session, entity, lang),
        "sensitivity": entity.sensitivity,
        "deleted": entity.deleted_at is not None,
        "created": {"at": entity.created_at.isoformat(), "by": entity.created_by},
        "updated": {"at": entity.updated_at.isoformat(), "by": entity.updated_by},
        "fields": _fields(session, entity, lang),
        "claims": [
            {
                "property": group.prop.name,
                "label": group.prop.label(lang),
                "in_dispute": group.in_dispute,
                "accepted": [c.value_text for c in group.accepted],
                "claims": [claim_view(session, c, lang) for c in group.claims],
            }
            for group in property_claims(session, entity)
        ],
        "relations": [
            relation_view(session, r, entity, lang) for r in relations_of(session, entity)
        ]
        if with_relations
        else [],
    }
