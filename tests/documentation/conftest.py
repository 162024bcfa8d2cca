"""Fixtures for the documentation engine's tests: a small Tadamon case, and whole-database dumps.

``world`` builds, in one transaction, the records most tests start from (a place hierarchy, an
incident, two sources, and a second case to check that references never cross cases). ``dump``
reads every table of the model so a test can say "the database is exactly as it was".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from dalil.db import Base, Database
from dalil.documentation import create, create_case

Dump = dict[str, list[tuple[Any, ...]]]


def dump_database(db: Database) -> Dump:
    """Every row of every table of the model, sorted, so two dumps compare equal iff same data."""
    tables: Dump = {}
    with db.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows = [tuple(row) for row in connection.execute(select(table))]
            tables[table.name] = sorted(rows, key=repr)
    return tables


@pytest.fixture
def dump() -> Callable[[Database], Dump]:
    return dump_database


@dataclass(frozen=True)
class World:
    """IDs of the records ``world`` created."""

    case_id: str
    syria: str  # country
    damascus: str  # governorate, inside syria
    tadamon: str  # neighbourhood, inside damascus
    incident: str  # in tadamon, 2013-04-16
    snhr: str  # source A
    guardian: str  # source B
    other_case_id: str
    other_place: str  # a country in the other case
    other_source: str  # a source in the other case
    other_incident: str  # an incident in the other case


@pytest.fixture
def world(db: Database) -> World:
    with db.transaction("setup") as s:
        case = create_case(s, "tadamon", title_en="Tadamon", title_ar="التضامن")
        syria = create(s, case, "place", {"place_type": "country", "name_en": "Syria"})
        damascus = create(
            s,
            case,
            "place",
            {"place_type": "governorate", "name_en": "Damascus", "parent_id": syria.id},
        )
        tadamon = create(
            s,
            case,
            "place",
            {
                "place_type": "neighbourhood",
                "name_en": "al-Tadamon",
                "name_ar": "التضامن",
                "parent_id": damascus.id,
            },
        )
        incident = create(
            s,
            case,
            "incident",
            {
                "title_en": "Tadamon massacre",
                "title_ar": "مجزرة التضامن",
                "start_date": "2013-04-16",
                "place_id": tadamon.id,
            },
            violation_types=["extrajudicial_execution"],
        )
        snhr = create(s, case, "source", {"source_type": "report", "title": "SNHR report"})
        guardian = create(
            s, case, "source", {"source_type": "news_article", "title": "Guardian article"}
        )
        other = create_case(s, "other", title_en="Another case")
        other_place = create(s, other, "place", {"place_type": "country", "name_en": "Lebanon"})
        other_source = create(s, other, "source", {"source_type": "report", "title": "Other"})
        other_incident = create(s, other, "incident", {"title_en": "Elsewhere"})
        return World(
            case_id=case.id,
            syria=syria.id,
            damascus=damascus.id,
            tadamon=tadamon.id,
            incident=incident.id,
            snhr=snhr.id,
            guardian=guardian.id,
            other_case_id=other.id,
            other_place=other_place.id,
            other_source=other_source.id,
            other_incident=other_incident.id,
        )
