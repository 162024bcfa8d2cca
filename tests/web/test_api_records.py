"""Writing through the API: records, relations and claims, with the policy on every step."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from dalil.db import Database
from dalil.db.models import Change as History
from web.api_support import CANARY, World, access_settings, client, headers, world

__all__ = ["access_settings", "client", "world"]


def post(client: TestClient, token: str, url: str, body: dict[str, Any]) -> Any:
    response = client.post(url, json=body, headers=headers(token))
    assert response.status_code == 201, response.text
    return response.json()


def test_an_owner_documents_a_case_end_to_end(
    client: TestClient, world: World, db: Database
) -> None:
    owner = world.owner
    base = "/api/cases/tadamon"
    syria = post(client, owner, f"{base}/places", {"fields": {"place_type": "country",
                 "name_en": "Syria", "sensitivity": "public"}})  # fmt: skip
    incident = post(
        client, owner, f"{base}/incidents",
        {"fields": {"title_en": "Shelling", "start_date": "2014-02", "place_id": syria["id"],
                    "sensitivity": "public"}, "violation_types": ["attack_on_civilians"]},
    )  # fmt: skip
    assert incident["fields"]["place_id"] == syria["id"]
    assert incident["fields"]["start_date"] == "2014-02"
    person = post(
        client, owner, f"{base}/persons",
        {"names": [{"given": "سمير", "family": "الحلبي"}], "fields": {"status": "killed",
         "sensitivity": "public"}},
    )  # fmt: skip
    assert person["label"]
    source = post(client, owner, f"{base}/sources",
                  {"fields": {"source_type": "report", "title": "Field report",
                              "sensitivity": "public"}})  # fmt: skip
    org = post(client, owner, f"{base}/organisations",
               {"fields": {"org_type": "militia", "name_en": "Unit 9"}})  # fmt: skip
    assert org["sensitivity"] == "restricted"  # the engine's default
    relation = post(
        client, owner, f"{base}/relations",
        {"relation_type": "victim_of", "subject": person["id"], "object": incident["id"],
         "fields": {"sensitivity": "public"}},
    )  # fmt: skip
    claim = post(
        client, owner, f"{base}/claims",
        {"subject": incident["id"], "property": "victim_count", "value": "12",
         "source": source["id"]},
    )  # fmt: skip
    assert claim["value"] == 12
    assert claim["author"] == "owner"

    # Read back: the relation and the claim are on the incident; the viewer sees them too.
    seen = client.get(f"/api/incidents/{incident['id']}", headers=headers(world.viewer)).json()
    assert [r["id"] for r in seen["relations"]] == [relation["id"]]
    assert [c["id"] for g in seen["claims"] for c in g["claims"]] == [claim["id"]]
    listed = client.get(f"{base}/relations", headers=headers(world.viewer)).json()
    assert relation["id"] in [r["id"] for r in listed["items"]]

    # Change, accept, delete, restore.
    patched = client.patch(
        f"/api/incidents/{incident['id']}", json={"fields": {"title_en": "Shelling of the market"}},
        headers=headers(owner),
    )  # fmt: skip
    assert patched.status_code == 200
    assert patched.json()["fields"]["title_en"] == "Shelling of the market"
    accepted = client.patch(f"/api/claims/{claim['id']}", json={"status": "accepted"},
                            headers=headers(owner))  # fmt: skip
    assert accepted.json()["status"] == "accepted"
    assert (
        client.delete(f"/api/organisations/{org['id']}", headers=headers(owner)).status_code == 204
    )
    assert client.get(f"/api/organisations/{org['id']}", headers=headers(owner)).status_code == 404
    back = client.post(f"/api/organisations/{org['id']}/restore", headers=headers(owner))
    assert back.status_code == 200
    assert back.json()["deleted"] is False
    assert client.delete(f"/api/claims/{claim['id']}", headers=headers(owner)).status_code == 204
    assert client.get(f"/api/claims/{claim['id']}", headers=headers(owner)).status_code == 404

    # History names the API caller as the actor of every change.
    with db.reader() as s:
        actors = {h.actor for h in s.query(History).filter(History.entity_id == incident["id"])}
    assert actors == {"owner"}


def test_a_viewer_cannot_write(client: TestClient, world: World) -> None:
    viewer = headers(world.viewer)
    attempts = [
        client.post("/api/cases/tadamon/places", headers=viewer,
                    json={"fields": {"place_type": "country", "name_en": "X"}}),
        client.patch(f"/api/persons/{world.public_person}", headers=viewer,
                     json={"fields": {"status": "released"}}),
        client.delete(f"/api/persons/{world.public_person}", headers=viewer),
        client.post("/api/cases/tadamon/claims", headers=viewer,
                    json={"subject": world.public_person, "property": "name", "value": "x",
                          "source": world.public_incident}),
    ]  # fmt: skip
    assert [a.status_code for a in attempts] == [403, 403, 403, 403]
    assert client.get(f"/api/persons/{world.public_person}", headers=viewer).status_code == 200


def test_writes_to_another_case_answer_404(client: TestClient, world: World) -> None:
    stranger = headers(world.other_viewer)
    for response in (
        client.patch(f"/api/persons/{world.public_person}", headers=stranger,
                     json={"fields": {"status": "released"}}),
        client.delete(f"/api/incidents/{world.public_incident}", headers=stranger),
        client.post("/api/cases/tadamon/places", headers=stranger,
                    json={"fields": {"place_type": "country", "name_en": "X"}}),
    ):  # fmt: skip
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_bad_fields_are_refused_and_nothing_is_written(
    client: TestClient, world: World, db: Database
) -> None:
    with db.reader() as s:
        before = s.query(History).count()
    for body in (
        {"fields": {"place_type": "planet", "name_en": "Mars"}},
        {"fields": {"place_type": "country"}},  # no name
        {"fields": {"place_type": "country", "name_en": "X", "latitude": "91"}},
        {"fields": {"place_type": "country", "name_en": "X", "no_such_field": "1"}},
        {"fields": {"place_type": "country", "name_en": "X"}, "names": [{"full": "Y"}]},
    ):
        response = client.post("/api/cases/tadamon/places", json=body, headers=headers(world.owner))
        assert response.status_code in (400, 422), (body, response.text)
        assert "Traceback" not in response.text
    with db.reader() as s:
        assert s.query(History).count() == before


def test_viewers_see_no_user_names_and_no_hidden_claims(client: TestClient, world: World) -> None:
    viewer = client.get(f"/api/persons/{world.public_person}", headers=headers(world.viewer))
    owner = client.get(f"/api/persons/{world.public_person}", headers=headers(world.owner))
    assert owner.json()["created"]["by"] == "op"
    assert viewer.json()["created"]["by"] is None
    assert all(c.get("author") is None for g in viewer.json()["claims"] for c in g["claims"])
    claims = client.get("/api/cases/tadamon/claims", headers=headers(world.viewer)).json()
    assert claims["page"]["total"] == len(claims["items"]) == 1  # the public one only
    assert CANARY not in viewer.text + str(claims)
    everything = client.get("/api/cases/tadamon/claims", headers=headers(world.owner)).json()
    assert everything["page"]["total"] == 3


def test_a_relation_to_a_hidden_record_is_hidden(client: TestClient, world: World) -> None:
    owner_view = client.get(f"/api/incidents/{world.public_incident}", headers=headers(world.owner))
    hidden = [
        r["id"] for r in owner_view.json()["relations"] if r["other"]["id"] == world.secret_person
    ]
    assert len(hidden) == 1
    assert (
        client.get(f"/api/relations/{hidden[0]}", headers=headers(world.owner)).status_code == 200
    )
    response = client.get(f"/api/relations/{hidden[0]}", headers=headers(world.viewer))
    assert response.status_code == 404
    listed = client.get("/api/cases/tadamon/relations", headers=headers(world.viewer)).json()
    assert hidden[0] not in [r["id"] for r in listed["items"]]
    assert listed["page"]["total"] == len(listed["items"])
