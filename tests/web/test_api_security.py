"""Attacks that must fail safely: role escalation, injection in filters, canaries in logs."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect

from dalil.db import Database
from web.api_support import CANARY, World, access_settings, client, headers, world

__all__ = ["access_settings", "client", "world"]

MEMBERS = "/api/cases/tadamon/members"


def test_a_viewer_cannot_grant_itself_owner(client: TestClient, world: World) -> None:
    viewer = headers(world.viewer)
    for response in (
        client.put(f"{MEMBERS}/viewer", json={"role": "owner"}, headers=viewer),
        client.put(f"{MEMBERS}/stranger", json={"role": "owner"}, headers=viewer),
        client.delete(f"{MEMBERS}/owner", headers=viewer),
        client.get(MEMBERS, headers=viewer),
    ):
        assert response.status_code == 403
    # Nobody's role changed, and the viewer still cannot write.
    members = client.get(MEMBERS, headers=headers(world.owner)).json()
    assert {m["user"]: m["role"] for m in members} == {"owner": "owner", "viewer": "viewer"}
    assert client.get("/api/cases/tadamon", headers=viewer).json()["role"] == "viewer"
    # From another case: the case does not exist, as far as the caller can tell.
    stranger = headers(world.other_viewer)
    assert (
        client.put(f"{MEMBERS}/stranger", json={"role": "owner"}, headers=stranger).status_code
        == 404
    )


def test_an_owner_grants_and_a_token_keeps_its_own_role(client: TestClient, world: World) -> None:
    owner = headers(world.owner)
    granted = client.put(f"{MEMBERS}/viewer", json={"role": "investigator"}, headers=owner)
    assert granted.status_code == 200
    assert {m["user"]: m["role"] for m in granted.json()}["viewer"] == "investigator"
    # The viewer's existing token was made for "viewer": it does not grow with the grant.
    viewer = headers(world.viewer)
    assert client.get("/api/cases/tadamon", headers=viewer).json()["role"] == "viewer"
    assert client.get(f"/api/persons/{world.secret_person}", headers=viewer).status_code == 404
    assert (
        client.put(f"{MEMBERS}/viewer", json={"role": "overlord"}, headers=owner).status_code == 422
    )
    assert client.put(f"{MEMBERS}/nobody", json={"role": "owner"}, headers=owner).status_code == 404


INJECTIONS = [
    "' OR '1'='1",
    "x' UNION SELECT password_hash FROM users --",
    "'; DROP TABLE entities; --",
]


@pytest.mark.parametrize("attack", INJECTIONS)
def test_sql_in_filters_is_just_text(
    client: TestClient, world: World, db: Database, attack: str
) -> None:
    viewer = headers(world.viewer)
    probes = [
        ("/api/cases/tadamon/places", {"type": attack}),
        ("/api/cases/tadamon/sources", {"type": attack}),
        ("/api/cases/tadamon/relations", {"type": attack}),
        ("/api/cases/tadamon/incidents", {"violation_type": attack}),
        ("/api/cases/tadamon/claims", {"subject": attack}),
        ("/api/cases/tadamon/claims", {"property": attack, "status": attack}),
        ("/api/cases/tadamon/persons", {"q": attack}),
    ]
    for url, params in probes:
        response = client.get(url, params=params, headers=viewer)
        assert response.status_code in (200, 422), (url, response.text)  # 422: too long
        if response.status_code == 200:
            assert response.json()["page"]["total"] == 0
        assert "password" not in response.text
    assert client.get("/api/cases/tadamon/places", params={"sensitivity": attack},
                      headers=viewer).status_code == 422  # fmt: skip
    assert "entities" in inspect(db.engine).get_table_names()
    assert client.get(f"/api/persons/{world.public_person}", headers=viewer).status_code == 200


def test_canaries_stay_out_of_lower_roles_logs_and_errors(
    client: TestClient, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    owner, viewer = headers(world.owner), headers(world.viewer)
    made = client.post(
        "/api/cases/tadamon/sources",
        json={"fields": {"source_type": "testimony", "title": f"Second witness {CANARY}",
                         "sensitivity": "confidential"}},
        headers=owner,
    )  # fmt: skip
    assert made.status_code == 201
    assert CANARY in made.text  # the owner sees it
    seen = []
    for url in (
        "/api/cases/tadamon", "/api/cases/tadamon/places", "/api/cases/tadamon/sources",
        "/api/cases/tadamon/relations", "/api/cases/tadamon/claims",
        "/api/cases/tadamon/incidents", "/api/cases/tadamon/persons",
        f"/api/cases/tadamon/persons?q={CANARY}", "/api/cases/tadamon/organisations",
        f"/api/incidents/{world.public_incident}", f"/api/persons/{world.public_person}",
        f"/api/sources/{made.json()['id']}", f"/api/persons/{world.secret_person}",
    ):  # fmt: skip
        response = client.get(url, headers=viewer)
        assert response.status_code in (200, 404)
        seen.append(response.text)
    # Errors: a bad request carrying the canary does not echo it back.
    bad = client.post(
        "/api/cases/tadamon/places", json={"fields": {"name_en": {"nested": CANARY}}}, headers=owner
    )
    assert bad.status_code == 422
    seen.append(bad.text)
    bad_login = client.post("/api/session", json={"name": "owner", "password": CANARY})
    seen.append(bad_login.text)
    assert all(CANARY not in text for text in seen)
    # The server's logs (the test's own HTTP client logs its URLs: not the server's).
    server_logs = [r.getMessage() for r in caplog.records if not r.name.startswith("httpx")]
    assert all(CANARY not in line for line in server_logs)
