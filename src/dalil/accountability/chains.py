"""Command-responsibility queries: the unit tree, units on a date, chains of command, incidents.

Every query takes a date (a :class:`~dalil.values.PartialDate`) and counts a unit relation or a
posting only when its period covers that date, by the rules in :mod:`dalil.accountability.periods`
(widest reading of partial dates; first/last-cited bounds are not stretched, but a posting that
only a cited bound excludes is listed as a *candidate*). Each link carries its sources and the
weakest status of its claims; each path up the hierarchy carries the weakest status on it.
Views are plain dictionaries for the CLI's tables and ``--json``; nothing here writes.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
from sqlalchemy import select
from sqlalchemy.orm import Session

from dalil.accountability.graph import (
    CaseData,
    Link,
    evidence_for,
    positioning_view,
    weakest,
)
from dalil.accountability.vocab import COMMAND_ROLES
from dalil.db import Entity, Incident, Organisation, Person, Relation
from dalil.documentation import label
from dalil.documentation.fields import Date
from dalil.errors import InvalidInput, NotFound
from dalil.values import PartialDate
from dalil.vocab import vocabularies

DATE_RULES = (
    "A link or posting counts when its period covers the date (partial dates read widely: "
    "'2013' covers 2013-04-16, marked 'possible'). First/last-cited dates are not stretched: a "
    "posting excluded only by one is listed as a candidate, not counted."
)


def parse_on(raw: str | None, field: str = "on") -> PartialDate:
    date = Date().parse(field, raw)
    if date is None:
        raise InvalidInput(field, "give a date such as 2013, 2013-04 or 2013-04-16")
    return date


def require_unit(data: CaseData, unit_id: str) -> None:
    if unit_id not in data.units:
        raise NotFound(
            f"{unit_id} is not a unit of case {data.case.slug}",
            hint="units are organisations with a unit type, a place in a hierarchy or a commander",
        )


def commanders(data: CaseData, unit_id: str, on: PartialDate) -> tuple[list[Link], list[Link]]:
    """(commanders whose posting covers ``on``, commanders excluded only by a cited bound)."""
    heads = [p for p in data.postings_of(unit_id) if p.role in COMMAND_ROLES]
    return (
        [p for p in heads if p.period.covers(on) is not None],
        [p for p in heads if p.period.beyond_citations(on) is not None],
    )


def _unit_step(data: CaseData, unit_id: str, on: PartialDate) -> dict[str, Any]:
    covering, candidates = commanders(data, unit_id, on)
    return data.units[unit_id].to_dict() | {
        "commanders": [p.to_dict(data.names, on) for p in covering],
        "candidates": [
            p.to_dict(data.names, on) | {"why_not_counted": p.period.beyond_citations(on)}
            for p in candidates
        ],
        "memberships": [
            link.to_dict(data.names, on)
            for link in data.of_kind("member")
            if link.subject_id == unit_id and link.period.covers(on) is not None
        ],
        "positions": [
            positioning_view(row, on)
            for row in data.positionings
            if row["unit_id"] == unit_id and row["period"].covers(on) is not None
        ],
    }


def chain(data: CaseData, unit_id: str, on: PartialDate) -> dict[str, Any]:
    """The unit, every unit above it on ``on``, their commanders, and each path to the top."""
    require_unit(data, unit_id)
    graph = data.hierarchy(on)
    depth = nx.single_source_shortest_path_length(graph, unit_id)
    above = graph.subgraph(depth)
    tops = [n for n in above if above.out_degree(n) == 0] or [n for n in above if n != unit_id]
    heads = {n: commanders(data, n, on)[0] for n in above}
    paths: list[dict[str, Any]] = []
    for top in sorted(tops, key=lambda n: (depth[n], n)):
        edge_paths = [[]] if top == unit_id else nx.all_simple_edge_paths(above, unit_id, top)
        for edges in edge_paths:
            units = [unit_id, *(v for _, v, _ in edges)]
            links = [above.edges[e]["link"] for e in edges]
            links += [p for n in units for p in heads[n]]
            status = weakest([link.evidence.status for link in links])
            paths.append(
                {
                    "units": [{"id": n, "label": data.names[n]} for n in units],
                    "weakest_status": status,
                    "weakest_links": [x.id for x in links if x.evidence.status == status],
                }
            )
    return {
        "unit": data.units[unit_id].to_dict(),
        "on": str(on),
        "date_rules": DATE_RULES,
        "steps": [
            _unit_step(data, n, on) | {"depth": depth[n]}
            for n in sorted(depth, key=lambda n: (depth[n], n))
        ],
        "links": [
            above.edges[e]["link"].to_dict(data.names, on)
            for e in sorted(above.edges(keys=True), key=lambda e: (depth[e[0]], e))
        ],
        "paths": paths,
        "weakest_status": weakest([p["weakest_status"] for p in paths]),
    }


def units_at(data: CaseData, on: PartialDate) -> list[dict[str, Any]]:
    """Every unit with its parents, commanders, joint operations and positions on ``on``."""
    graph = data.hierarchy(on)
    rows = []
    for unit_id in sorted(data.units, key=lambda u: data.names[u]):
        step = _unit_step(data, unit_id, on)
        step["parents"] = [
            graph.edges[e]["link"].to_dict(data.names, on)
            for e in graph.out_edges(unit_id, keys=True)
        ]
        rows.append(step)
    return rows


def unit_tree(data: CaseData, on: PartialDate | None = None) -> list[dict[str, Any]]:
    """The hierarchy as nested nodes; a unit with two parents appears under both."""
    graph = data.hierarchy(on)

    def node(unit_id: str, via: Link | None, seen: frozenset[str]) -> dict[str, Any]:
        parents: list[str] = sorted(data.names[p] for p in graph.successors(unit_id))
        children = sorted(
            (
                (c, graph.edges[c, unit_id, k]["link"])
                for c, _, k in graph.in_edges(unit_id, keys=True)
            ),
            key=lambda pair: (data.names[pair[0]], pair[1].id),
        )
        return data.units[unit_id].to_dict() | {
            "via": None if via is None else via.to_dict(data.names, on),
            "parents": parents,
            "children": [
                node(child, link, seen | {unit_id}) if child not in seen else {"loop": child}
                for child, link in children
            ],
        }

    roots = [n for n in graph if graph.out_degree(n) == 0]
    reached = set(roots) | {d for r in roots for d in nx.ancestors(graph, r)}
    roots += sorted(set(graph) - reached)  # units caught in a loop: shown, not hidden
    return [node(r, None, frozenset()) for r in sorted(roots, key=lambda n: data.names[n])]


def incident_chains(
    session: Session, data: CaseData, incident: Incident, on: PartialDate | None, lang: str = "en"
) -> dict[str, Any]:
    """Units alleged to be involved, their commanders on the incident's date, the chain above."""
    date = on or incident.start_date
    if date is None:
        raise InvalidInput("on", "the incident has no start date: give the date with --on")
    alleged = list(
        session.scalars(
            select(Relation).where(
                Relation.relation_type == "alleged_perpetrator_in",
                Relation.object_id == incident.id,
                Relation.deleted_at.is_(None),
            )
        )
    )
    evidence = evidence_for(session, [r.id for r in alleged], lang)
    degrees = vocabularies().get("involvement_degrees")
    involved: dict[str, list[dict[str, Any]]] = {}
    persons = []
    for rel in alleged:
        who = session.get(Entity, rel.subject_id)
        if who is None or who.deleted_at is not None:
            continue
        degree = rel.attributes.get("degree_of_involvement")
        allegation = {
            "relation_id": rel.id,
            "degree": degree,
            "degree_label": None if degree is None else degrees.label(degree, lang),
        } | evidence[rel.id].to_dict()
        if isinstance(who, Organisation) and who.id in data.units:
            involved.setdefault(who.id, []).append(allegation | {"via": "unit alleged"})
        elif isinstance(who, Person):
            postings = [
                p
                for p in data.of_kind("posting")
                if p.subject_id == who.id and p.period.covers(date) is not None
            ]
            persons.append(
                {"id": who.id, "label": label(session, who, lang)}
                | allegation
                | {"postings": [p.to_dict(data.names, date) for p in postings]}
            )
            for p in postings:
                if p.object_id in data.units:
                    via = f"posting of alleged perpetrator {data.names[who.id]}"
                    involved.setdefault(p.object_id, []).append(allegation | {"via": via})
    return {
        "incident": {
            "id": incident.id,
            "label": label(session, incident, lang),
            "start_date": None if incident.start_date is None else str(incident.start_date),
        },
        "on": str(date),
        "date_rules": DATE_RULES,
        "persons": persons,
        "units": [
            {
                "unit": data.units[u].to_dict(),
                "allegations": involved[u],
                "chain": chain(data, u, date),
            }
            for u in sorted(involved, key=lambda u: data.names[u])
        ],
    }
