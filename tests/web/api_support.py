"""Shared fixtures of the API tests (no tests here): a two-case world with planted canaries.

Case ``tadamon`` holds public, restricted and confidential records; every confidential one carries
``CANARY`` in its name or title, so a test can assert the string appears in no response a viewer
gets. Case ``other`` has its own incident and person, for cross-case probes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from dalil.access import AccessSettings, create_token, create_user, get_user, grant
from dalil.access.policy import Principal
from dalil.db import Database
from dalil.db.types import utcnow
from dalil.documentation import (
    NameInput,
    add_claim,
    add_person,
    add_relation,
    create,
    create_case,
    get_case,
)
from dalil.web.api import create_app

CANARY = "CANARY-7f3a"
PASSWORD = "tall-olive-tree-by-the-river"


@dataclass(frozen=True)
class World:
    viewer: str  # token: viewer in tadamon
    owner: str  # token: owner in tadamon
    other_viewer: str  # token: viewer in other
    public_person: str
    restricted_person: str
    secret_person: str
    public_incident: str
    restricted_incident: str
    other_incident: str
    other_person: str


def headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def access_settings() -> AccessSettings:
    return AccessSettings(argon2_time_cost=1, argon2_memory_kib=64, argon2_parallelism=1)


@pytest.fixture
def world(db: Database, access_settings: AccessSettings) -> World:
    op = Principal.operator("op")
    with db.transaction("op") as s:
        case = create_case(s, "tadamon", title_en="Tadamon", title_ar="التضامن")
        other = create_case(s, "other", title_en="Other")
        pub = {"sensitivity": "public"}
        secret = {"sensitivity": "confidential"}
        hidden_place = create(
            s, case, "place", {"place_type": "site", "name_en": f"Safehouse {CANARY}"} | secret
        )
        public_incident = create(
            s,
            case,
            "incident",
            {"title_en": "Tadamon massacre", "start_date": "2013-04-16"}
            | {"place_id": hidden_place.id}
            | pub,
            violation_types=["extrajudicial_execution"],
        )
        restricted_incident = create(s, case, "incident", {"title_en": "Raid"})
        public_source = create(
            s, case, "source", {"source_type": "report", "title": "Report"} | pub
        )
        secret_source = create(
            s, case, "source", {"source_type": "testimony", "title": f"Witness {CANARY}"} | secret
        )
        public_person = add_person(
            s, case, [NameInput(given="أحمد", family="الخطيب"), NameInput(full="Ahmad al-Khatib")],
            pub,
        )  # fmt: skip
        restricted_person = add_person(s, case, [NameInput(full="أحمد المصري")])
        secret_person = add_person(s, case, [NameInput(full=f"أحمد {CANARY}")], secret)
        add_claim(s, case, public_person.id, "detention_place", hidden_place.id, public_source.id)
        add_claim(s, case, public_person.id, "name", f"Ahmad {CANARY}", secret_source.id)
        add_claim(s, case, public_person.id, "name", "Ahmad al-Khatib", public_source.id)
        add_relation(s, case, "victim_of", secret_person.id, public_incident.id, fields=pub)
        add_relation(s, case, "victim_of", public_person.id, public_incident.id, fields=pub)
        other_incident = create(s, other, "incident", {"title_en": "Elsewhere"} | pub)
        other_person = add_person(s, other, [NameInput(full="أحمد آخر")], pub)

        tokens = {}
        for user, role, c in (
            ("viewer", "viewer", case),
            ("owner", "owner", case),
            ("stranger", "viewer", other),
        ):
            create_user(s, access_settings, None, name=user, password=PASSWORD, actor="op")
            grant(s, op, c, get_user(s, user), role)
            tokens[user] = create_token(s, access_settings, op, get_user(s, user), c, role, 7).token
        return World(
            viewer=tokens["viewer"],
            owner=tokens["owner"],
            other_viewer=tokens["stranger"],
            public_person=public_person.id,
            restricted_person=restricted_person.id,
            secret_person=secret_person.id,
            public_incident=public_incident.id,
            restricted_incident=restricted_incident.id,
            other_incident=other_incident.id,
            other_person=other_person.id,
        )


@pytest.fixture
def client(db: Database, world: World) -> Iterator[TestClient]:
    with TestClient(create_app(db), raise_server_exceptions=False) as test_client:
        yield test_client


def expired_token(db: Database, settings: AccessSettings) -> str:
    """A viewer token of tadamon that expired yesterday."""
    with db.transaction("op") as s:
        user = get_user(s, "viewer")
        made = create_token(
            s, settings, Principal.operator("op"), user, get_case(s, "tadamon"), "viewer", 1,
            now=utcnow() - timedelta(days=2),
        )  # fmt: skip
        return made.token
