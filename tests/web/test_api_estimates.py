"""Estimates over the API: analysts run them, viewers may not read them, errors stay 4xx."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from dalil.access import AccessSettings, create_token, create_user, get_user, grant
from dalil.access.policy import Principal
from dalil.db import Database
from dalil.documentation import get_case
from web.api_support import PASSWORD, World, access_settings, client, headers, world

__all__ = ["access_settings", "client", "world"]

URL = "/api/cases/tadamon/estimates"


def analyst(db: Database, settings: AccessSettings) -> str:
    op = Principal.operator("op")
    with db.transaction("op") as s:
        create_user(s, settings, None, name="analyst", password=PASSWORD, actor="op")
        case = get_case(s, "tadamon")
        grant(s, op, case, get_user(s, "analyst"), "analyst")
        return create_token(s, settings, op, get_user(s, "analyst"), case, "analyst", 1).token


def test_who_may_read_and_run_estimates(
    client: TestClient, world: World, db: Database, access_settings: AccessSettings
) -> None:
    token = analyst(db, access_settings)
    listed = client.get(URL, headers=headers(token))
    assert listed.status_code == 200
    assert listed.json() == {"items": [], "page": {"limit": 50, "offset": 0, "total": 0}}
    assert client.get(URL, headers=headers(world.viewer)).status_code == 403
    assert client.post(URL, json={}, headers=headers(world.viewer)).status_code == 403
    assert client.get(URL, headers=headers(world.other_viewer)).status_code == 404
    # The case has no list sources: a clear refusal, not a crash, and nothing stored.
    run = client.post(URL, json={"method": "chapman"}, headers=headers(token))
    assert run.status_code in (400, 422), run.text
    assert run.json()["error"]["message"]
    assert client.get(URL, headers=headers(token)).json()["page"]["total"] == 0
    assert client.post(URL, json={"method": "magic"}, headers=headers(token)).status_code == 422
    assert client.get("/api/estimates/est_aaaaaaaa", headers=headers(token)).status_code == 404


def _lists(db: Database) -> None:
    """Two list sources of tadamon: A names persons 0–11, B names 7–16 (5 on both)."""
    from dalil.documentation import NameInput, add_claim, add_person, create

    with db.transaction("op") as s:
        case = get_case(s, "tadamon")
        a = create(s, case, "source", {"source_type": "list", "title": "List A"})
        b = create(s, case, "source", {"source_type": "list", "title": "List B"})
        for i in range(17):
            person = add_person(s, case, [NameInput(full=f"Synthetic victim {i}")])
            for source, on in ((a, i < 12), (b, i >= 7)):
                if on:
                    add_claim(s, case, person.id, "name", f"Synthetic victim {i}", source.id)


def test_an_analyst_runs_an_estimate_and_reads_it_back(
    client: TestClient, world: World, db: Database, access_settings: AccessSettings
) -> None:
    token = analyst(db, access_settings)
    _lists(db)
    run = client.post(URL, json={"method": "chapman"}, headers=headers(token))
    assert run.status_code == 201, run.text
    made = run.json()
    # Chapman: (n1 + 1)(n2 + 1)/(m + 1) - 1 with n1 = 12, n2 = 10, m = 5.
    assert made["total"] == pytest.approx(13 * 11 / 6 - 1)
    assert made["documented"] == 17
    assert made["created_by"] == "analyst"
    listed = client.get(URL, headers=headers(token)).json()
    assert [e["id"] for e in listed["items"]] == [made["id"]]
    again = client.get(f"/api/estimates/{made['id']}", headers=headers(token)).json()
    assert again["total"] == made["total"]
    assert (
        client.get(f"/api/estimates/{made['id']}", headers=headers(world.viewer)).status_code == 403
    )
    assert client.get(f"/api/estimates/{made['id']}",
                      headers=headers(world.other_viewer)).status_code == 404  # fmt: skip
