"""People and organisations linked to an incident, grouped by role, counted and paged in SQL.

An incident may have thousands of victims, so this module does not build every relation's view:
it keeps, in SQL, the relations the role may read whose other end it may read too (the rule
:func:`dalil.access.visible` applies to relation views), counts them by type and loads only the
page shown. Labels follow :func:`dalil.documentation.views.relation_view`. It must never return
a relation or a name above the role's clearance.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import aliased, selectinload

from dalil.db import Entity, Person, Relation
from dalil.documentation import label
from dalil.vocab import vocabularies
from dalil.web.ui.context import Page

ROLES_FIRST = ("alleged_perpetrator_in", "victim_of", "witness_of", "investigates")
KINDS = ("person", "organisation")


def term_text(vocabulary: str, value: Any, lang: str) -> Any:
    """The label of ``value`` in ``vocabulary``, or the value itself when it is not a term."""
    vocab = vocabularies().get(vocabulary) if vocabulary in vocabularies() else None
    if vocab is None or not isinstance(value, str) or value not in vocab:
        return value
    return vocab.label(value, lang)


def attribute_labels(relation_type: str, attributes: dict[str, Any], lang: str) -> list[Any]:
    """A relation's attribute values, vocabulary terms shown by their labels."""
    types = vocabularies().get("relation_types")
    term = types.require(relation_type) if relation_type in types else None
    kinds = (term.attributes if term is not None else None) or {}
    return [
        term_text(kinds[key], value, lang) if kinds.get(key) not in (None, "text") else value
        for key, value in sorted(attributes.items())
    ]


def _group_label(relation_type: str, lang: str) -> str:
    types = vocabularies().get("relation_types")
    if relation_type not in types:
        return relation_type
    term = types.require(relation_type)
    return term.inverse.get(lang) if term.inverse is not None else term.label(lang)


def linked(page: Page, incident_id: str, shown: int) -> list[dict[str, Any]]:
    """Groups ``{type, label, total, shown: [...]}`` of people and organisations linked to the
    incident (as the subject of a relation to it), at most ``shown`` items per group."""
    assert page.case is not None
    other = aliased(Entity)
    readable = (
        Relation.object_id == incident_id,
        Relation.case_id == page.case.id,
        Relation.deleted_at.is_(None),
        Relation.sensitivity.in_(page.levels),
        other.deleted_at.is_(None),
        other.sensitivity.in_(page.levels),
        other.kind.in_(KINDS),
    )
    totals = dict(
        page.session.execute(
            select(Relation.relation_type, func.count())
            .join(other, other.id == Relation.subject_id)
            .where(*readable)
            .group_by(Relation.relation_type)
        ).all()
    )
    order = [t for t in ROLES_FIRST if t in totals] + sorted(set(totals) - set(ROLES_FIRST))
    groups = []
    for relation_type in order:
        rows = page.session.execute(
            select(Relation, other.id)
            .join(other, other.id == Relation.subject_id)
            .where(*readable, Relation.relation_type == relation_type)
            .order_by(Relation.created_at, Relation.id)
            .limit(shown)
        ).all()
        ids = [other_id for _, other_id in rows]
        # One query for every name on the page (a person's label is one of its names).
        people = page.session.scalars(
            select(Person).options(selectinload(Person.names)).where(Person.id.in_(ids))
        ).all()
        known: dict[str, Entity] = {p.id: p for p in people}
        items = []
        for relation, other_id in rows:
            entity = known.get(other_id) or page.session.get(Entity, other_id)
            assert entity is not None
            items.append(
                {
                    "id": relation.id,
                    "other": {
                        "id": entity.id,
                        "kind": entity.kind,
                        "label": label(page.session, entity, page.lang),
                    },
                    "attribute_labels": attribute_labels(
                        relation_type, dict(relation.attributes), page.lang
                    ),
                }
            )
        groups.append(
            {
                "type": relation_type,
                "label": _group_label(relation_type, page.lang),
                "total": int(totals[relation_type]),
                "shown": items,
            }
        )
    return groups
