"""Builds the Tadamon demo case from ``data/tadamon.yaml`` through the ordinary engines.

IDs are derived from the file's keys (:func:`dalil.db.stable_id`), so a second build finds the
case and changes nothing. Everything runs in one transaction: a failed build leaves no trace.
The demo never invents facts: public claims come from the YAML, where each names its source;
people other than the publicly named alleged perpetrator are synthetic.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from dalil.db import Case, Database, stable_id
from dalil.documentation import (
    NameInput,
    add_claim,
    add_person,
    add_relation,
    create,
    create_case,
)

DEMO_ACTOR = "dalil-demo"


def yaml_text(value: Any) -> Any:
    """YAML reads 2013-04-16 as a date and 1985 as a number; the engines take text."""
    if isinstance(value, dt.date | int | float) and not isinstance(value, bool):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    return value


def load_data() -> dict[str, Any]:
    text = files("dalil.demo").joinpath("data", "tadamon.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


@dataclass
class BuildResult:
    case_id: str
    created: bool
    incident_id: str
    media_items: int = 0
    estimate_id: str | None = None


def build(db: Database, home: Path | None = None) -> BuildResult:
    """Build the demo case in ``db`` unless it is there already; with ``home``, its media too."""
    data = load_data()
    slug = data["case"]["slug"]
    case_id = stable_id("case", slug)
    incident_id = stable_id("incident", slug, "massacre")
    created = False
    with db.transaction(DEMO_ACTOR) as session:
        if session.get(Case, case_id) is None:
            _build(session, data, case_id)
            created = True
    estimate_id = ensure_estimate(db, slug)
    from dalil.demo.registry import ensure_registry  # Splink only when the demo is built

    ensure_registry(db, slug)  # the lists as list records, linked
    media = 0
    if home is not None:
        from dalil.demo.media import ensure_media  # PyAV and FAISS only when media are built

        media = ensure_media(db, home, slug, stable_id("source", slug, "synthetic_media"))
    return BuildResult(case_id, created, incident_id, media, estimate_id)


# Short enough for a demo (seconds); `dalil estimate run` uses the long defaults.
DEMO_LCMCR: dict[str, Any] = {
    "chains": 4,
    "burn_in": 2_000,
    "iterations": 8_000,
    "thin": 10,
    "seed": 2013,
}


def ensure_estimate(db: Database, slug: str) -> str | None:
    """Store an LCMCR estimate from the case's synthetic lists, once; returns its ID."""
    from dalil.estimation import estimate_case, list_estimates

    with db.transaction(DEMO_ACTOR) as session:
        case = session.get(Case, stable_id("case", slug))
        assert case is not None
        existing = list_estimates(session, case)
        if existing:
            return None
        done = estimate_case(session, case, method="lcmcr", save_result=True, **DEMO_LCMCR)
        return done.stored_id


def case_from_spec(session: Session, spec: dict[str, Any], case_id: str) -> Case:
    """The demo case a YAML file's ``case:`` section describes."""
    return create_case(
        session,
        spec["slug"],
        title_en=spec["title_en"],
        title_ar=spec["title_ar"],
        description=spec["description"],
        case_id=case_id,
    )


def _build(session: Session, data: dict[str, Any], case_id: str) -> None:
    case = case_from_spec(session, data["case"], case_id)
    slug = case.slug
    ids: dict[str, str] = {}

    def make(kind: str, key: str, values: dict[str, Any], **kw: Any) -> None:
        fields = {k: yaml_text(v) for k, v in values.items()}
        entity = create(session, case, kind, fields, entity_id=stable_id(kind, slug, key), **kw)
        ids[key] = entity.id

    for key, values in data["sources"].items():
        make("source", key, values)
    for key, values in data["places"].items():
        values = dict(values)
        if "parent" in values:
            values["parent_id"] = ids[values.pop("parent")]
        make("place", key, values)
    for key, values in data["organisations"].items():
        make("organisation", key, values)
    for key, values in data["incidents"].items():
        values = dict(values)
        violations = values.pop("violation_types", [])
        values["place_id"] = ids[values.pop("place")]
        make("incident", key, values, violation_types=violations)
    for key, values in data["persons"].items():
        values = dict(values)
        names = [NameInput(**n) for n in values.pop("names")]
        person = add_person(session, case, names, values, person_id=stable_id("person", slug, key))
        ids[key] = person.id
    for rel in data["relations"]:
        relation = add_relation(
            session,
            case,
            rel["type"],
            ids[rel["subject"]],
            ids[rel["object"]],
            attributes=rel.get("attributes"),
            fields={"sensitivity": rel.get("sensitivity")},
            relation_id=stable_id("relation", slug, rel["key"]),
        )
        ids[rel["key"]] = relation.id
    for n, claim in enumerate(data["claims"]):
        value = yaml_text(claim["value"])
        if claim["property"] in {"place"}:
            value = ids[value]
        add_claim(
            session,
            case,
            ids[claim["subject"]],
            claim["property"],
            value,
            ids[claim["source"]],
            status=claim["status"],
            qualifier=claim.get("qualifier"),
            note=claim.get("note"),
            claim_id=stable_id("claim", slug, str(n)),
        )
    _synthetic(session, case, data["synthetic_persons"], ids)
    _synthetic_victims(session, case, data["synthetic_victims"], ids)


def _variant(full: str) -> NameInput:
    """A spelling another list uses, as written, with its parts where the registry's parser is
    sure of them (so the person page shows name parts in Latin script too)."""
    from dalil.registry.names import parse_full_name

    parts = parse_full_name(full)
    if parts.confidence < 0.9 or parts.others or parts.kunya:
        return NameInput(full=full, kind="variant")
    return NameInput(
        full=full,
        given=parts.given,
        father=parts.father,
        grandfather=parts.grandfather,
        family=parts.family,
        kind="variant",
    )


def _synthetic(
    session: Session, case: Case, people: list[dict[str, Any]], ids: dict[str, str]
) -> None:
    """Fictional people, as a synthetic list gives them: killed ones linked as victims."""
    slug, source = case.slug, ids["synthetic_list"]
    for n, p in enumerate(people):
        key = f"synthetic-{n}"
        names = [
            NameInput(
                given=p["given"],
                father=p.get("father"),
                grandfather=p.get("grandfather"),
                family=p["family"],
                mother=p.get("mother"),
            )
        ]
        names += [_variant(other) for other in p.get("other_names", [])]
        fields = {
            "sex": p["sex"],
            "birth_date": yaml_text(p.get("birth")),
            "status": p["status"],
            "status_date": yaml_text(p.get("status_date")),
            "sensitivity": "restricted",
        }
        person = add_person(session, case, names, fields, person_id=stable_id("person", slug, key))
        for prop in ("status", "birth_date"):
            if fields[prop] is not None:
                add_claim(
                    session,
                    case,
                    person.id,
                    prop,
                    fields[prop],
                    source,
                    claim_id=stable_id("claim", slug, key, prop),
                )
        if p["status"] == "killed" and p.get("status_date") is not None:
            _synthetic_victim_of(session, case, person.id, ids["massacre"], key)


def _synthetic_victims(
    session: Session, case: Case, spec: dict[str, Any], ids: dict[str, str]
) -> None:
    """A seeded, fictional population; those documented by lists A/B/C become victims."""
    rng = random.Random(spec["seed"])  # noqa: S311 - a seeded simulation, not security
    lists = [ids["synthetic_list"], ids["synthetic_list_b"], ids["synthetic_list_c"]]
    slug = case.slug
    for n in range(spec["population"]):
        draw, group = rng.random(), spec["groups"][-1]
        for candidate in spec["groups"]:
            if draw < candidate["share"]:
                group = candidate
                break
            draw -= candidate["share"]
        on = [lst for lst, p in zip(lists, group["capture"], strict=True) if rng.random() < p]
        given, father = rng.choice(spec["given"]), rng.choice(spec["father"])
        if not on:
            continue  # killed, but on no list: what the estimate is about
        key = f"synthetic-victim-{n}"
        person = add_person(
            session,
            case,
            [NameInput(given=given, father=father, family="المثال")],
            {
                "sex": "male",
                "status": "killed",
                "status_date": "2013-04-16",
                "sensitivity": "restricted",
            },
            person_id=stable_id("person", slug, key),
        )
        for source in on:
            add_claim(
                session,
                case,
                person.id,
                "status",
                "killed",
                source,
                claim_id=stable_id("claim", slug, key, source),
            )
        _synthetic_victim_of(session, case, person.id, ids["massacre"], key)


def _synthetic_victim_of(
    session: Session, case: Case, person_id: str, incident_id: str, key: str
) -> None:
    add_relation(
        session,
        case,
        "victim_of",
        person_id,
        incident_id,
        fields={"sensitivity": "restricted", "note": "SYNTHETIC person"},
        relation_id=stable_id("relation", case.slug, key, "victim"),
    )
