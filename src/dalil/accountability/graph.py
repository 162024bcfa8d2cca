"""Reading a case's units, unit relations, postings and positionings, with their evidence.

:func:`load` reads everything once (a handful of queries) into plain objects; the queries in
:mod:`dalil.accountability.chains` then work in memory with networkx. Deleted records, relations
to deleted records and withdrawn claims are left out. Nothing here writes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
from sqlalchemy import select
from sqlalchemy.orm import Session

from dalil.accountability.periods import Period
from dalil.accountability.vocab import UNIT_ORG_TYPES, term_label
from dalil.db import Case, Claim, Entity, Organisation, Person, Place, Relation, Source
from dalil.db.models_accountability import LinkDetail, Positioning, PositioningCitation, UnitDetail
from dalil.documentation import label, place_path
from dalil.values import PartialDate

# Weakest first. A link no source supports is weaker than a disputed one.
STATUS_ORDER = ("unsourced", "disputed", "unverified", "accepted")


def weakest(statuses: list[str]) -> str:
    return min(statuses, key=STATUS_ORDER.index) if statuses else "unsourced"


@dataclass
class Evidence:
    """The claims (or citations) behind one link, and what they add up to."""

    items: list[dict[str, Any]] = field(default_factory=list)

    @property
    def in_dispute(self) -> bool:
        values: dict[str, set[str]] = defaultdict(set)
        for item in self.items:
            values[item["property"]].add(item["value"])
        return any(len(v) > 1 for v in values.values())

    @property
    def status(self) -> str:
        """The weakest claim status; ``disputed`` at best when sources give different values."""
        found = weakest([i["status"] for i in self.items])
        return weakest([found, "disputed"]) if self.in_dispute else found

    @property
    def sources(self) -> list[dict[str, Any]]:
        seen: dict[str, dict[str, Any]] = {}
        for item in self.items:
            seen.setdefault(item["source"]["id"], item["source"])
        return list(seen.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "in_dispute": self.in_dispute,
            "sources": self.sources,
            "claims": self.items,
        }


@dataclass
class Link:
    """A child-of or member-of link between units, or a posting of a person to a unit."""

    id: str
    kind: str  # child | member | posting
    subject_id: str  # the child unit, member unit or posted person
    object_id: str  # the parent unit, the joint operation or the unit posted to
    period: Period
    sensitivity: str
    evidence: Evidence
    role: str | None = None
    rank: str | None = None
    title: str | None = None

    def to_dict(self, names: dict[str, str], on: PartialDate | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "relation_id": self.id,
            "kind": self.kind,
            "subject": {"id": self.subject_id, "label": names.get(self.subject_id)},
            "object": {"id": self.object_id, "label": names.get(self.object_id)},
            "period": self.period.to_dict(),
            "dates": self.period.text(),
            "caveats": self.period.caveats(on),
            "sensitivity": self.sensitivity,
        }
        if on is not None:
            data["coverage"] = self.period.covers(on)
        if self.kind == "posting":
            data |= {"role": self.role, "role_label": term_label("posting_roles", self.role)}
            data |= {"rank": self.rank, "title": self.title}
        return data | self.evidence.to_dict()


@dataclass
class Unit:
    id: str
    label: str
    org_type: str
    unit_type: str | None
    sensitivity: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "org_type": self.org_type,
            "unit_type": self.unit_type,
            "unit_type_label": term_label("unit_types", self.unit_type),
            "sensitivity": self.sensitivity,
        }


@dataclass
class CaseData:
    case: Case
    units: dict[str, Unit]
    links: list[Link]
    positionings: list[dict[str, Any]]
    names: dict[str, str]  # entity id → label, for units and persons

    def of_kind(self, kind: str) -> list[Link]:
        return [link for link in self.links if link.kind == kind]

    def hierarchy(self, on: PartialDate | None = None) -> nx.MultiDiGraph:
        """Units as nodes, child → parent edges (keyed by relation id) that hold ``on``."""
        graph = nx.MultiDiGraph()
        graph.add_nodes_from(self.units)
        for link in self.of_kind("child"):
            if on is None or link.period.covers(on) is not None:
                graph.add_edge(link.subject_id, link.object_id, key=link.id, link=link)
        return graph

    def postings_of(self, unit_id: str) -> list[Link]:
        return [p for p in self.of_kind("posting") if p.object_id == unit_id]


def evidence_for(session: Session, subject_ids: list[str], lang: str) -> dict[str, Evidence]:
    evidence: dict[str, Evidence] = defaultdict(Evidence)
    if not subject_ids:
        return evidence
    rows = session.execute(
        select(Claim, Source)
        .join(Source, Source.id == Claim.source_id)
        .where(Claim.subject_id.in_(subject_ids), Claim.deleted_at.is_(None))
        .order_by(Claim.property, Claim.created_at, Claim.id)
    )
    for claim, source in rows:
        evidence[claim.subject_id].items.append(_item(claim.id, claim, source, lang))
    return evidence


def _item(item_id: str, claim: Any, source: Source, lang: str) -> dict[str, Any]:
    return {
        "id": item_id,
        "property": getattr(claim, "property", "positioning"),
        "value": getattr(claim, "value_text", "true"),
        "status": claim.status,
        "locator": claim.locator,
        "note": claim.note,
        "source": {
            "id": source.id,
            "title": source.title,
            "publisher": source.publisher,
            "published": None if source.published is None else str(source.published),
            "sensitivity": source.sensitivity,
        },
    }


def _is_unit(org: Organisation, details: dict[str, UnitDetail], linked: set[str]) -> bool:
    return org.id in details or org.org_type in UNIT_ORG_TYPES or org.id in linked


def load(session: Session, case: Case, lang: str = "en") -> CaseData:
    """Everything the accountability queries need about ``case``."""
    live = {
        e.id: e
        for e in session.scalars(
            select(Entity).where(Entity.case_id == case.id, Entity.deleted_at.is_(None))
        )
    }
    details = {d.organisation_id: d for d in session.scalars(select(UnitDetail))}
    relations = [
        r
        for r in live.values()
        if isinstance(r, Relation) and r.subject_id in live and r.object_id in live
    ]
    link_details = {
        d.relation_id: d
        for d in session.scalars(
            select(LinkDetail).where(LinkDetail.relation_id.in_([r.id for r in relations]))
        )
    }
    evidence = evidence_for(session, [r.id for r in relations], lang)
    links: list[Link] = []
    for r in relations:
        subject, object_ = live[r.subject_id], live[r.object_id]
        detail = link_details.get(r.id)
        period = Period(
            r.start_date,
            r.end_date,
            detail.start_kind if detail else "start",
            detail.end_kind if detail else "end",
        )
        kind, role, ends = "", None, (subject.id, object_.id)
        if r.relation_type == "parent_unit_of":
            kind, ends = "child", (object_.id, subject.id)
        elif r.relation_type == "member_of" and isinstance(subject, Organisation):
            kind = "member"
        elif r.relation_type in ("member_of", "commander_of") and isinstance(subject, Person):
            kind = "posting"
            role = detail.role if detail and detail.role else None
            role = role or ("commander" if r.relation_type == "commander_of" else "member")
        if kind:
            links.append(
                Link(
                    r.id,
                    kind,
                    *ends,
                    period,
                    r.sensitivity,
                    evidence[r.id],
                    role,
                    r.attributes.get("rank"),
                    r.attributes.get("title"),
                )
            )
    # Units: typed as units, or placed in a hierarchy, or with a commander. A person's plain
    # membership of an NGO does not make the NGO a unit.
    linked = {
        x for link in links if link.kind == "child" for x in (link.subject_id, link.object_id)
    }
    linked |= {p.object_id for p in links if p.kind == "posting" and p.role == "commander"}
    units = {
        e.id: Unit(
            e.id,
            label(session, e, lang),
            e.org_type,
            details[e.id].unit_type if e.id in details else None,
            e.sensitivity,
        )
        for e in live.values()
        if isinstance(e, Organisation) and _is_unit(e, details, linked)
    }
    links = [
        link
        for link in links
        if link.kind != "member" or (link.subject_id in units and link.object_id in units)
    ]
    names = {u.id: u.label for u in units.values()}
    names |= {e.id: label(session, e, lang) for e in live.values() if isinstance(e, Person)}
    return CaseData(case, units, links, _positionings(session, case, live, lang), names)


def _positionings(
    session: Session, case: Case, live: dict[str, Entity], lang: str
) -> list[dict[str, Any]]:
    rows = list(
        session.scalars(
            select(Positioning)
            .where(Positioning.case_id == case.id, Positioning.deleted_at.is_(None))
            .order_by(Positioning.unit_id, Positioning.start_date, Positioning.id)
        )
    )
    cites: dict[str, Evidence] = defaultdict(Evidence)
    for cite, source in session.execute(
        select(PositioningCitation, Source)
        .join(Source, Source.id == PositioningCitation.source_id)
        .where(
            PositioningCitation.positioning_id.in_([r.id for r in rows]),
            PositioningCitation.deleted_at.is_(None),
        )
        .order_by(PositioningCitation.created_at, PositioningCitation.id)
    ):
        cites[cite.positioning_id].items.append(_item(cite.id, cite, source, lang))
    result = []
    for row in rows:
        if row.unit_id not in live or row.place_id not in live:
            continue
        place = live[row.place_id]
        assert isinstance(place, Place)
        period = Period(row.start_date, row.end_date, row.start_kind, row.end_kind)
        result.append(
            {
                "id": row.id,
                "unit_id": row.unit_id,
                "kind": row.kind,
                "place": {"id": place.id, "label": place_path(session, place.id, lang)},
                "period": period,
                "sensitivity": row.sensitivity,
                "note": row.note,
                "evidence": cites[row.id],
            }
        )
    return result


def positioning_view(row: dict[str, Any], on: PartialDate | None = None) -> dict[str, Any]:
    period: Period = row["period"]
    view = {k: v for k, v in row.items() if k not in ("period", "evidence")}
    view |= {"period": period.to_dict(), "dates": period.text(), "caveats": period.caveats(on)}
    if on is not None:
        view["coverage"] = period.covers(on)
    evidence: Evidence = row["evidence"]
    return view | evidence.to_dict()
