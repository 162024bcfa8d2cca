"""Authentication and case isolation: no token, a bad one, or another case's record → refused."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from dalil.access import AccessSettings, get_user, revoke, revoke_token
from dalil.access.policy import Principal
from dalil.db import Database
from dalil.db.models_access import ApiToken
from dalil.documentation import get_case
from web.api_support import World, access_settings, client, expired_token, headers, world

__all__ = ["access_settings", "client", "world"]

URL = "/api/cases/tadamon"


def assert_refused(response: object, status: int) -> None:
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert "Traceback" not in response.text


def test_a_valid_token_reads_its_case(client: TestClient, world: World) -> None:
    response = client.get(URL, headers=headers(world.viewer))
    assert response.status_code == 200
    assert response.json()["slug"] == "tadamon"
    assert response.json()["role"] == "viewer"


@pytest.mark.parametrize(
    "header",
    [None, "Bearer ", "Bearer dalil_not-a-real-token", "Bearer nonsense", "Basic dXNlcjpwdw=="],
)
def test_missing_or_wrong_tokens_get_401(client: TestClient, header: str | None) -> None:
    sent = {} if header is None else {"Authorization": header}
    response = client.get(URL, headers=sent)
    assert_refused(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_revoked_token_gets_401(client: TestClient, db: Database, world: World) -> None:
    assert client.get(URL, headers=headers(world.viewer)).status_code == 200
    with db.transaction("op") as s:
        user = get_user(s, "viewer")
        (token_id,) = s.query(ApiToken.id).filter(ApiToken.user_id == user.id).one()
        revoke_token(s, Principal.operator("op"), token_id)
    assert_refused(client.get(URL, headers=headers(world.viewer)), 401)


def test_a_token_dies_with_its_users_role(client: TestClient, db: Database, world: World) -> None:
    with db.transaction("op") as s:
        revoke(s, Principal.operator("op"), get_case(s, "tadamon"), get_user(s, "viewer"))
    assert_refused(client.get(URL, headers=headers(world.viewer)), 401)


def test_an_expired_token_gets_401(
    client: TestClient, db: Database, access_settings: AccessSettings
) -> None:
    token = expired_token(db, access_settings)
    assert_refused(client.get(URL, headers=headers(token)), 401)


def test_other_cases_answer_404_as_if_absent(client: TestClient, world: World) -> None:
    """A token of case ``other`` cannot tell tadamon's records from records that do not exist."""
    mine = headers(world.other_viewer)
    probes = [
        "/api/cases/tadamon",
        "/api/cases/tadamon/incidents",
        "/api/cases/tadamon/persons?q=احمد",
        f"/api/incidents/{world.public_incident}",
        f"/api/persons/{world.public_person}",
    ]
    absent = [
        "/api/cases/nosuchcase",
        "/api/cases/nosuchcase/incidents",
        "/api/cases/nosuchcase/persons?q=احمد",
        "/api/incidents/inc_aaaaaaaaaaaaaaaa",
        "/api/persons/per_aaaaaaaaaaaaaaaa",
    ]
    for probe, control in zip(probes, absent, strict=True):
        found, missing = client.get(probe, headers=mine), client.get(control, headers=mine)
        assert_refused(found, 404)
        assert_refused(missing, 404)
        assert found.json()["error"]["code"] == missing.json()["error"]["code"] == "not_found"
    # …while its own records are there.
    assert client.get(f"/api/incidents/{world.other_incident}", headers=mine).status_code == 200
    assert client.get(f"/api/persons/{world.other_person}", headers=mine).status_code == 200


def test_unknown_routes_and_methods_answer_json(client: TestClient, world: World) -> None:
    assert_refused(client.get("/api/nothing", headers=headers(world.viewer)), 404)
    assert_refused(client.post(URL, headers=headers(world.viewer)), 405)
