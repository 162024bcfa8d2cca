"""Builds the FICTIONAL training case from ``data/training.yaml`` through the ordinary engines.

The Tadamon demo may only say what its sources say, and they name no commanders; this second,
clearly labelled case of invented units and people shows chains of command over time: a commander
replaced mid-year, a unit with two parents, conflicting claims about a posting, an incident with
an alleged unit. It holds no real unit, so no invented person is ever attached to one. IDs derive
from the file's keys: building twice finds the case and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import yaml
from sqlalchemy.orm import Session

from dalil.accountability import (
    add_positioning,
    add_posting,
    add_unit,
    cite_positioning,
    relate_units,
)
from dalil.accountability.records import acc_id
from dalil.db import Case, Database, stable_id
from dalil.demo.build import DEMO_ACTOR, case_from_spec, yaml_text
from dalil.documentation import (
    NameInput,
    add_claim,
    add_person,
    add_relation,
    create,
)

TRAINING_SLUG = "training-fictional"


@dataclass
class TrainingResult:
    case_id: str
    created: bool
    incident_id: str
    unit_ids: dict[str, str]


def load_training() -> dict[str, Any]:
    text = files("dalil.demo").joinpath("data", "training.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def build_training(db: Database) -> TrainingResult:
    """Build the fictional training case in ``db`` unless it is there already."""
    data = load_training()
    slug = data["case"]["slug"]
    case_id = stable_id("case", slug)
    created = False
    with db.transaction(DEMO_ACTOR) as session:
        if session.get(Case, case_id) is None:
            _build(session, data, case_id)
            created = True
    units = {key: stable_id("organisation", slug, key) for key in data["units"]}
    return TrainingResult(case_id, created, stable_id("incident", slug, "market"), units)


def _build(session: Session, data: dict[str, Any], case_id: str) -> None:
    case = case_from_spec(session, data["case"], case_id)
    slug = case.slug
    ids: dict[str, str] = {}

    def fields(values: dict[str, Any], *drop: str) -> dict[str, Any]:
        return {k: yaml_text(v) for k, v in values.items() if k not in drop}

    def cite(subject: str, sources: list[list[str]], key: str) -> None:
        for n, (source, status) in enumerate(sources):
            add_claim(
                session,
                case,
                subject,
                "holds",
                "true",
                ids[source],
                status=status,
                claim_id=stable_id("claim", slug, key, str(n)),
            )

    for key, values in data["sources"].items():
        ids[key] = create(
            session, case, "source", fields(values), entity_id=stable_id("source", slug, key)
        ).id
    for key, values in data["places"].items():
        place = fields(values, "parent") | {"parent_id": ids.get(values.get("parent", ""))}
        ids[key] = create(session, case, "place", place, entity_id=stable_id("place", slug, key)).id
    for key, values in data["units"].items():
        org = add_unit(
            session,
            case,
            fields(values, "unit_type"),
            values["unit_type"],
            unit_id=stable_id("organisation", slug, key),
        )
        ids[key] = org.id
    for key, values in data["persons"].items():
        names = [NameInput(**n) for n in values["names"]]
        person = add_person(
            session, case, names, fields(values, "names"), person_id=stable_id("person", slug, key)
        )
        ids[key] = person.id
    for rel in data["unit_relations"]:
        relation = relate_units(
            session,
            case,
            ids[rel["unit"]],
            ids[rel["of"]],
            kind=rel["kind"],
            fields={
                "start_date": yaml_text(rel.get("start")),
                "end_date": yaml_text(rel.get("end")),
                "sensitivity": "public",
            },
            start_kind=rel.get("start_kind", "start"),
            end_kind=rel.get("end_kind", "end"),
            relation_id=stable_id("relation", slug, rel["key"]),
        )
        ids[rel["key"]] = relation.id
        cite(relation.id, rel["sources"], rel["key"])
    for post in data["postings"]:
        relation = add_posting(
            session,
            case,
            ids[post["person"]],
            ids[post["unit"]],
            role=post["role"],
            rank=post.get("rank"),
            title=post.get("title"),
            fields={
                "start_date": yaml_text(post.get("start")),
                "end_date": yaml_text(post.get("end")),
                "sensitivity": "public",
            },
            start_kind=post.get("start_kind", "start"),
            end_kind=post.get("end_kind", "end"),
            relation_id=stable_id("relation", slug, post["key"]),
        )
        ids[post["key"]] = relation.id
        cite(relation.id, post["sources"], post["key"])
    for pos in data["positionings"]:
        row = add_positioning(
            session,
            case,
            ids[pos["unit"]],
            ids[pos["place"]],
            kind=pos["kind"],
            start=yaml_text(pos.get("start")),
            end=yaml_text(pos.get("end")),
            start_kind=pos.get("start_kind", "start"),
            end_kind=pos.get("end_kind", "end"),
            sensitivity="public",
            positioning_id=acc_id("positioning", slug, pos["key"]),
        )
        for n, (source, status) in enumerate(pos["sources"]):
            cite_positioning(
                session,
                case,
                row.id,
                ids[source],
                status=status,
                citation_id=acc_id("citation", slug, pos["key"], str(n)),
            )
    for key, values in data["incidents"].items():
        incident = create(
            session,
            case,
            "incident",
            fields(values, "place", "violation_types") | {"place_id": ids[values["place"]]},
            entity_id=stable_id("incident", slug, key),
            violation_types=values.get("violation_types", []),
        )
        ids[key] = incident.id
    for alleged in data["allegations"]:
        relation = add_relation(
            session,
            case,
            "alleged_perpetrator_in",
            ids[alleged["subject"]],
            ids[alleged["incident"]],
            attributes={"degree_of_involvement": alleged["degree"]},
            fields={"sensitivity": "public"},
            relation_id=stable_id("relation", slug, alleged["key"]),
        )
        ids[alleged["key"]] = relation.id
        cite(relation.id, alleged["sources"], alleged["key"])
    for n, claim in enumerate(data["claims"]):
        add_claim(
            session,
            case,
            ids[claim["subject"]],
            claim["property"],
            yaml_text(claim["value"]),
            ids[claim["source"]],
            status=claim["status"],
            note=claim.get("note"),
            claim_id=stable_id("claim", slug, "extra", str(n)),
        )
