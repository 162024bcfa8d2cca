"""What a viewer receives: public records only, and no trace of confidential ones (canaries)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from dalil.web.api import documentation
from web.api_support import CANARY, World, access_settings, client, headers, world

__all__ = ["access_settings", "client", "world"]


def viewer_urls(world: World) -> list[str]:
    return [
        "/api/cases/tadamon",
        "/api/cases/tadamon/incidents",
        "/api/cases/tadamon/persons",
        "/api/cases/tadamon/persons?q=احمد",
        f"/api/cases/tadamon/persons?q={CANARY}",
        f"/api/incidents/{world.public_incident}",
        f"/api/incidents/{world.restricted_incident}",
        f"/api/persons/{world.public_person}",
        f"/api/persons/{world.restricted_person}",
        f"/api/persons/{world.secret_person}",
    ]


def test_the_canary_appears_in_no_viewer_response(client: TestClient, world: World) -> None:
    for url in viewer_urls(world):
        response = client.get(url, headers=headers(world.viewer))
        assert response.status_code in (200, 404), url
        assert CANARY not in response.text, url
        if world.secret_person not in url:  # a 404 may repeat the ID asked for, nothing more
            assert world.secret_person not in response.text, url


def test_the_owner_does_see_the_canary(client: TestClient, world: World) -> None:
    """The canary is really there: the filter, not an empty world, keeps it from the viewer."""
    seen = [
        client.get(url, headers=headers(world.owner)).text
        for url in (
            f"/api/persons/{world.secret_person}",
            f"/api/incidents/{world.public_incident}",
        )
    ]
    assert all(CANARY in text for text in seen)


def test_records_above_a_viewers_level_are_404(client: TestClient, world: World) -> None:
    for url in (
        f"/api/persons/{world.secret_person}",
        f"/api/persons/{world.restricted_person}",
        f"/api/incidents/{world.restricted_incident}",
    ):
        response = client.get(url, headers=headers(world.viewer))
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_lists_and_counts_hold_only_public_records(client: TestClient, world: World) -> None:
    viewer, owner = headers(world.viewer), headers(world.owner)
    persons = client.get("/api/cases/tadamon/persons?q=احمد", headers=viewer).json()
    assert [p["id"] for p in persons["items"]] == [world.public_person]
    assert persons["page"]["total"] == 1
    everyone = client.get("/api/cases/tadamon/persons?q=احمد", headers=owner).json()
    assert everyone["page"]["total"] == 3
    assert everyone["page"]["total_is_lower_bound"] is False
    incidents = client.get("/api/cases/tadamon/incidents", headers=viewer).json()
    assert [i["id"] for i in incidents["items"]] == [world.public_incident]
    summary = client.get("/api/cases/tadamon", headers=viewer).json()
    assert summary["entities"]["person"] == 1
    assert summary["entities"]["incident"] == 1
    assert "place" not in summary["entities"]  # the only place is confidential


def test_a_public_record_loses_its_links_to_hidden_ones(client: TestClient, world: World) -> None:
    incident = client.get(f"/api/incidents/{world.public_incident}", headers=headers(world.viewer))
    fields = incident.json()["fields"]
    assert fields["place_id"] is None
    assert fields["place"] is None
    others = [r["other"]["id"] for r in incident.json()["relations"]]
    assert others == [world.public_person]
    person = client.get(f"/api/persons/{world.public_person}", headers=headers(world.viewer))
    claims = {g["property"]: g for g in person.json()["claims"]}
    assert "detention_place" not in claims  # points to a confidential place
    assert [c["value"] for c in claims["name"]["claims"]] == ["Ahmad al-Khatib"]
    assert claims["name"]["in_dispute"] is False


def test_arabic_search_is_normalised(client: TestClient, world: World) -> None:
    for q in ("احمد", "أحمد", "الخطيب", "Ahmad"):
        found = client.get(
            "/api/cases/tadamon/persons", params={"q": q}, headers=headers(world.viewer)
        ).json()
        assert [p["id"] for p in found["items"]] == [world.public_person], q


def test_a_search_over_the_cap_says_its_total_is_a_lower_bound(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(documentation, "SEARCH_CAP", 2)
    owner, viewer = headers(world.owner), headers(world.viewer)
    url = "/api/cases/tadamon/persons?q=احمد"
    first = client.get(url, headers=owner).json()
    assert first["page"] | {"limit": None} == {
        "limit": None, "offset": 0, "total": 2, "total_is_lower_bound": True,
    }  # fmt: skip
    assert len(first["items"]) == 2
    # Pages reach only the persons counted; past them a page is empty, the total unchanged.
    past = client.get(url + "&offset=2", headers=owner).json()
    assert past["items"] == []
    assert (past["page"]["total"], past["page"]["total_is_lower_bound"]) == (2, True)
    # The cap counts only what the caller may read: a viewer's one match is exact.
    mine = client.get(url, headers=viewer).json()
    assert [p["id"] for p in mine["items"]] == [world.public_person]
    assert (mine["page"]["total"], mine["page"]["total_is_lower_bound"]) == (1, False)
    assert CANARY not in str(mine)
