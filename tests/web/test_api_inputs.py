"""Hostile and out-of-range inputs: pagination bounds, SQL-shaped searches, odd path values."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from web.api_support import World, access_settings, client, headers, world

__all__ = ["access_settings", "client", "world"]

PERSONS = "/api/cases/tadamon/persons"


@pytest.mark.parametrize(
    "params",
    [{"limit": 1000}, {"limit": 101}, {"limit": 0}, {"limit": -1}, {"offset": -1}, {"limit": "x"}],
)
def test_pagination_out_of_bounds_is_422(client: TestClient, world: World, params: dict) -> None:
    for url in (PERSONS, "/api/cases/tadamon/incidents"):
        response = client.get(url, params=params, headers=headers(world.owner))
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "invalid_input"
        assert "limit" in response.json()["error"]["message"] or "offset" in response.text


def test_pages_partition_the_results(client: TestClient, world: World) -> None:
    owner = headers(world.owner)
    whole = client.get(PERSONS, params={"q": "احمد", "limit": 100}, headers=owner).json()
    pages = [
        client.get(PERSONS, params={"q": "احمد", "limit": 1, "offset": i}, headers=owner).json()
        for i in range(4)
    ]
    assert [p["items"][0]["id"] for p in pages[:3]] == [i["id"] for i in whole["items"]]
    assert pages[3]["items"] == []
    assert pages[3]["page"]["total"] == 3


INJECTIONS = [
    "' OR '1'='1",
    "احمد' OR 1=1 --",
    "x%' UNION SELECT password_hash FROM users --",
    '"; DROP TABLE persons; --',
    "%",
    "_",
    "\\",
    "a%b_c",
    "' OR ''='",
    "1; SELECT pg_sleep(5)",
]


@pytest.mark.parametrize("q", INJECTIONS)
def test_sql_shaped_searches_match_nothing_extra(client: TestClient, world: World, q: str) -> None:
    for token in (world.viewer, world.owner):
        response = client.get(PERSONS, params={"q": q}, headers=headers(token))
        assert response.status_code == 200, response.text
        assert response.json()["items"] == []
        assert response.json()["page"]["total"] == 0
    # The tables are still there and answer.
    assert (
        client.get(PERSONS, params={"q": "احمد"}, headers=headers(world.owner)).json()["page"][
            "total"
        ]
        == 3
    )


@pytest.mark.parametrize(
    "url",
    [
        "/api/persons/per_' OR 1=1",
        "/api/persons/..%2F..%2Fetc%2Fpasswd",
        "/api/incidents/inc_%00",
        "/api/cases/TADAMON",
        "/api/cases/tadamon%27--",
    ],
)
def test_malformed_ids_are_refused_without_detail(
    client: TestClient, world: World, url: str
) -> None:
    response = client.get(url, headers=headers(world.owner))
    assert response.status_code in (404, 422)
    assert set(response.json()) == {"error"}
    assert "Traceback" not in response.text
    assert "sqlalchemy" not in response.text.lower()


def test_an_incident_filter_narrows(client: TestClient, world: World) -> None:
    owner = headers(world.owner)
    url = "/api/cases/tadamon/incidents"
    hit = client.get(url, params={"violation_type": "extrajudicial_execution"}, headers=owner)
    miss = client.get(url, params={"violation_type": "' OR 1=1 --"}, headers=owner)
    assert [i["id"] for i in hit.json()["items"]] == [world.public_incident]
    assert miss.json()["items"] == []
