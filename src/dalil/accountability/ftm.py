"""FollowTheMoney export of a case's accountability records, for Aleph and OpenSanctions tools.

Line-delimited FtM JSON built with the ``followthemoney`` package: units as PublicBody (state
forces) or Organization (militias and others), persons of interest as Person, hierarchy and
joint operations and non-command postings as Membership, command postings as Occupancy of a
Position, incidents as Event (alleged perpetrators as ``involved``, plus an UnknownLink naming the
degree of involvement).

It must never leak: only records whose sensitivity is ``public`` are exported, a link only when
it and both its ends are public, sources only when public. Victims and witnesses are not
exported at all (do no harm: this file is meant to leave the organisation). A first/last-cited
date is not written as a start/end date; it goes in the description, said as such.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from followthemoney import model
from sqlalchemy import select
from sqlalchemy.orm import Session

from dalil.accountability.graph import CaseData, Link, load
from dalil.accountability.profiles import persons_of_interest
from dalil.accountability.vocab import term_label
from dalil.db import Case, Entity, Incident, Organisation, Relation
from dalil.documentation import place_path
from dalil.values import PartialDate
from dalil.vocab import vocabularies

STATE_TYPES = ("armed_forces_unit", "intelligence_branch", "security_force", "government_body")
PUBLIC = "public"


@dataclass
class ExportResult:
    path: Path
    written: Counter[str] = field(default_factory=Counter)
    left_out: Counter[str] = field(default_factory=Counter)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "entities": sum(self.written.values()),
            "by_schema": dict(sorted(self.written.items())),
            "left_out_not_public": {k: v for k, v in sorted(self.left_out.items()) if v},
            "rule": "only public records are exported; victims and witnesses never",
        }


def _date(date: PartialDate | None) -> str | None:
    return None if date is None else str(date).lstrip("~")


def _ftm_id(entity_id: str) -> str:
    """``per_abc…`` → ``dalil-per-abc…``: FtM IDs (and so references) allow no underscore."""
    return f"dalil-{entity_id.replace('_', '-')}"


def _dates(proxy: Any, link: Link) -> None:
    """Real start/end as FtM dates; cited ones in the description, said as such."""
    notes = []
    if link.period.start is not None:
        if link.period.start_kind == "first_cited":
            notes.append(f"first cited {link.period.start} (may have begun earlier)")
        else:
            proxy.add("startDate", _date(link.period.start))
    if link.period.end is not None:
        if link.period.end_kind == "last_cited":
            notes.append(f"last cited {link.period.end} (may have lasted longer)")
        else:
            proxy.add("endDate", _date(link.period.end))
    if notes:
        proxy.add("description", "; ".join(notes))


class _Exporter:
    def __init__(self, session: Session, data: CaseData) -> None:
        self.session, self.data = session, data
        self.proxies: dict[str, Any] = {}
        # Public persons wait here until a public link names them: a public person linked only
        # by restricted postings must not appear (their presence would reveal the posting).
        self.waiting: dict[str, Any] = {}
        self.left_out: Counter[str] = Counter()

    def public(self, entity: Entity | None, kind: str) -> bool:
        if entity is None or entity.deleted_at is not None:
            return False
        if entity.sensitivity != PUBLIC:
            self.left_out[kind] += 1
            return False
        return True

    def add(self, proxy: Any) -> None:
        self.proxies[proxy.id] = proxy

    def units(self) -> None:
        for unit in self.data.units.values():
            org = self.session.get(Organisation, unit.id)
            if not self.public(org, "unit"):
                continue
            assert org is not None
            proxy = model.make_entity(
                "PublicBody" if org.org_type in STATE_TYPES else "Organization"
            )
            proxy.id = _ftm_id(org.id)
            proxy.add("name", [n for n in (org.name_en, org.name_ar) if n])
            proxy.add("alias", org.abbreviation)
            proxy.add("description", org.description)
            proxy.add("classification", term_label("unit_types", unit.unit_type))
            self.add(proxy)

    def persons(self) -> None:
        for person in persons_of_interest(self.session, self.data):
            if not self.public(person, "person"):
                continue
            proxy = model.make_entity("Person")
            proxy.id = _ftm_id(person.id)
            names = [n.full for n in person.names]
            proxy.add("name", names[:1])
            proxy.add("alias", names[1:])
            proxy.add("birthDate", _date(person.birth_date))
            proxy.add("gender", person.sex if person.sex in ("male", "female") else None)
            self.waiting[proxy.id] = proxy

    def link_public(self, link: Link) -> bool:
        relation = self.session.get(Relation, link.id)
        ends = (_ftm_id(link.subject_id), _ftm_id(link.object_id))
        return self.public(relation, "link") and all(self.named(e) for e in ends)

    def named(self, ftm_id: str) -> bool:
        """Whether ``ftm_id`` is exported, bringing in a waiting person a public link names."""
        if ftm_id in self.waiting:
            self.add(self.waiting.pop(ftm_id))
        return ftm_id in self.proxies

    def links(self) -> None:
        for link in self.data.links:
            if not self.link_public(link):
                continue
            if link.kind == "posting" and link.role == "commander":
                position = model.make_entity("Position")
                position.id = _ftm_id(f"pos-{link.id}")
                position.add("name", f"Commander of {self.data.names[link.object_id]}")
                position.add("organization", _ftm_id(link.object_id))
                self.add(position)
                proxy = model.make_entity("Occupancy")
                proxy.add("holder", _ftm_id(link.subject_id))
                proxy.add("post", position.id)
            else:
                proxy = model.make_entity("Membership")
                proxy.add("member", _ftm_id(link.subject_id))
                proxy.add("organization", _ftm_id(link.object_id))
                role = {"child": "subordinate unit", "member": "member of joint operation"}
                proxy.add("role", role.get(link.kind) or term_label("posting_roles", link.role))
            proxy.id = _ftm_id(link.id)
            proxy.add("summary", ", ".join(x for x in (link.rank, link.title) if x) or None)
            proxy.add("status", f"claims: {link.evidence.status}")
            _dates(proxy, link)
            self.add(proxy)

    def incidents(self) -> None:
        degrees = vocabularies().get("involvement_degrees")
        for incident in self.session.scalars(
            select(Incident).where(Incident.case_id == self.data.case.id).order_by(Incident.id)
        ):
            if not self.public(incident, "incident"):
                continue
            event = model.make_entity("Event")
            event.id = _ftm_id(incident.id)
            event.add("name", [t for t in (incident.title_en, incident.title_ar) if t])
            event.add("startDate", _date(incident.start_date))
            event.add("endDate", _date(incident.end_date))
            event.add("summary", incident.description_en)
            place = self.session.get(Entity, incident.place_id) if incident.place_id else None
            if place is not None and place.sensitivity == PUBLIC:
                event.add("location", place_path(self.session, place.id))
            self.add(event)
            for rel in self.session.scalars(
                select(Relation)
                .where(
                    Relation.object_id == incident.id,
                    Relation.relation_type == "alleged_perpetrator_in",
                )
                .order_by(Relation.id)
            ):
                subject = _ftm_id(rel.subject_id)
                if not self.public(rel, "link") or not self.named(subject):
                    continue
                event.add("involved", subject)
                degree = rel.attributes.get("degree_of_involvement")
                link = model.make_entity("UnknownLink")
                link.id = _ftm_id(rel.id)
                link.add("subject", subject)
                link.add("object", event.id)
                shown = degrees.label(degree, "en") if degree else "unknown degree"
                link.add("role", f"alleged perpetrator ({shown})")
                self.add(link)


def export_ftm(session: Session, case: Case, out: Path) -> ExportResult:
    """Write the case's public accountability records to ``out`` (temp file, fsync, rename)."""
    exporter = _Exporter(session, load(session, case))
    exporter.units()
    exporter.persons()
    exporter.links()
    exporter.incidents()
    exporter.left_out["person"] += len(exporter.waiting)
    result = ExportResult(out, left_out=exporter.left_out)
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            for key in sorted(exporter.proxies):
                proxy = exporter.proxies[key]
                stream.write(json.dumps(proxy.to_dict(), ensure_ascii=False, sort_keys=True))
                stream.write("\n")
                result.written[proxy.schema.name] += 1
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, out)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return result
