"""Evidence over the API: streamed upload, size limit, metadata, custody proofs, downloads."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from dalil.access import AccessSettings, audit, create_token, create_user, get_user, grant
from dalil.access.policy import Principal
from dalil.config import load_settings
from dalil.db import Database, Source
from dalil.documentation import get_case
from dalil.evidence import log
from dalil.evidence.keys import load_key
from dalil.web.api import create_app
from web.api_support import PASSWORD, World, access_settings, headers, world

__all__ = ["access_settings", "world"]

BODY = b"\x89PNG fake evidence bytes " * 100


@pytest.fixture
def app(db: Database, world: World, tmp_path: Path, access_settings: AccessSettings) -> FastAPI:
    app = create_app(db, access_settings)
    app.state.settings = load_settings(home=tmp_path / "home")
    return app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def public_source(db: Database) -> str:
    with db.reader() as s:
        return next(
            src.id
            for src in s.query(Source)
            if src.sensitivity == "public" and src.title == "Report"
        )


def analyst_token(db: Database, settings: AccessSettings) -> str:
    op = Principal.operator("op")
    with db.transaction("op") as s:
        create_user(s, settings, None, name="analyst", password=PASSWORD, actor="op")
        case = get_case(s, "tadamon")
        grant(s, op, case, get_user(s, "analyst"), "analyst")
        return create_token(s, settings, op, get_user(s, "analyst"), case, "analyst", 1).token


def upload(client: TestClient, token: str, source: str, body: bytes = BODY, **params: str) -> Any:
    return client.post(
        "/api/cases/tadamon/evidence",
        params={"source": source, **params},
        content=body,
        headers=headers(token) | {"Content-Type": "application/octet-stream"},
    )


def test_upload_then_read_prove_and_download(
    client: TestClient, app: FastAPI, db: Database, world: World, access_settings: AccessSettings
) -> None:
    digest = hashlib.sha256(BODY).hexdigest()
    done = upload(client, world.owner, public_source(db), name="photo.png",
                  supplier_hash=f"sha256:{digest}")  # fmt: skip
    assert done.status_code == 201, done.text
    item = done.json()
    assert item["sha256"] == f"sha256:{digest}"
    assert item["size"] == len(BODY)
    assert item["supplier_hash_ok"] is True
    meta = client.get(f"/api/evidence/{item['item_id']}", headers=headers(world.owner)).json()
    assert meta["name"] == "photo.png"
    assert meta["acquisitions"][0]["collected_by"] == "owner"
    # The custody event is pending until a signed checkpoint covers it, then proved.
    custody = client.get(f"/api/evidence/{item['item_id']}/custody", headers=headers(world.owner))
    assert [e["proof"] for e in custody.json()["events"]] == ["pending"]
    home = app.state.settings.home
    with db.transaction("op") as s:
        log.checkpoint(s, load_key(home))
    custody = client.get(f"/api/evidence/{item['item_id']}/custody", headers=headers(world.owner))
    assert [e["proof"] for e in custody.json()["events"]] == ["checkpointed"]
    # The owner downloads the original: same bytes, never rendered, and recorded twice over.
    original = client.get(f"/api/evidence/{item['item_id']}/original", headers=headers(world.owner))
    assert original.status_code == 200
    assert original.content == BODY
    assert original.headers["content-type"] == "application/octet-stream"
    assert original.headers["x-content-type-options"] == "nosniff"
    assert original.headers["content-disposition"].startswith("attachment")
    with db.reader() as s:
        actions = [e["action"] for e in audit.entries(s)]
        events = [leaf.event["action"] for leaf in log.find_leaves(s, item=item["sha256"])]
    assert "evidence_download" in actions
    assert events == ["ingest", "download"]
    # A derivative (the extracted metadata) by its ID.
    derivative = meta["derivatives"][0]["id"]
    got = client.get(f"/api/evidence/{item['item_id']}/derivatives/{derivative}",
                     headers=headers(world.owner))  # fmt: skip
    assert got.status_code == 200
    assert hashlib.sha256(got.content).hexdigest() == meta["derivatives"][0]["sha256"][7:]


def test_only_owners_and_investigators_download_originals(
    client: TestClient, db: Database, world: World, access_settings: AccessSettings
) -> None:
    item = upload(client, world.owner, public_source(db)).json()["item_id"]
    analyst = analyst_token(db, access_settings)
    assert client.get(f"/api/evidence/{item}", headers=headers(analyst)).status_code == 200
    refused = client.get(f"/api/evidence/{item}/original", headers=headers(analyst))
    assert refused.status_code == 403
    assert BODY[:20] not in refused.content
    # A viewer may not even know the (restricted) item exists; another case neither.
    for token in (world.viewer, world.other_viewer):
        assert (
            client.get(f"/api/evidence/{item}/original", headers=headers(token)).status_code == 404
        )
        assert client.get(f"/api/evidence/{item}", headers=headers(token)).status_code == 404
    assert upload(client, analyst, public_source(db)).status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/derivatives/..%2F..%2F..%2Fetc%2Fpasswd",
        "/derivatives/%2Fetc%2Fpasswd",
        "/derivatives/....//....//etc/passwd",
        "/../../../../etc/passwd",
        "/derivatives/sha256:0000",
    ],
)
def test_downloads_take_no_paths(client: TestClient, db: Database, world: World, path: str) -> None:
    item = upload(client, world.owner, public_source(db)).json()["item_id"]
    response = client.get(f"/api/evidence/{item}{path}", headers=headers(world.owner))
    assert response.status_code in (404, 422)
    assert "root:" not in response.text


def test_an_uploaded_name_cannot_climb_out(
    client: TestClient, app: FastAPI, db: Database, world: World
) -> None:
    done = upload(client, world.owner, public_source(db), name="../../../outside.txt")
    assert done.status_code == 201
    home: Path = app.state.settings.home
    assert not list(home.parent.glob("**/outside.txt"))  # the temporary copy is gone, too
    meta = client.get(f"/api/evidence/{done.json()['item_id']}", headers=headers(world.owner))
    assert meta.json()["name"] == "outside.txt"


def _run(coro: Any) -> Any:
    """Run a coroutine on a loop of its own thread: a session-scoped browser (Playwright's sync
    API) may already run a loop on this thread when the whole suite runs."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _call(app: FastAPI, token: str, source: str, length: int | None, chunks: int) -> Any:
    """Drive the ASGI app directly, counting how many body chunks it pulls."""
    pulled = 0
    sent: list[dict[str, Any]] = []
    chunk = b"x" * 65536
    raw = [(b"authorization", f"Bearer {token}".encode()), (b"host", b"testserver"),
           (b"content-type", b"application/octet-stream")]  # fmt: skip
    if length is not None:
        raw.append((b"content-length", str(length).encode()))
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/api/cases/tadamon/evidence", "raw_path": b"",
        "query_string": f"source={source}".encode(), "headers": raw, "client": ("1.2.3.4", 1),
        "server": ("testserver", 80), "root_path": "", "state": {},
    }  # fmt: skip

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": chunk, "more_body": pulled < chunks}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, pulled


def test_oversized_uploads_are_refused_without_reading_them(
    app: FastAPI, db: Database, world: World
) -> None:
    app.state.upload_max_bytes = 200_000  # ~3 chunks of 64 KiB
    source = public_source(db)
    # Declared too large: refused before a single chunk is read.
    status, pulled = _run(_call(app, world.owner, source, 10**12, chunks=10**6))
    assert (status, pulled) == (413, 0)
    # Not declared (chunked): refused as soon as the limit is passed, not at the end.
    status, pulled = _run(_call(app, world.owner, source, None, chunks=10**6))
    assert status == 413
    assert pulled <= 4
    # Nothing was stored.
    assert not list((app.state.settings.home / "blobs").glob("**/*")) or all(
        p.is_dir() for p in (app.state.settings.home / "blobs").glob("**/*")
    )
    # Under the limit, the same path works.
    status, _ = _run(_call(app, world.owner, source, None, chunks=2))
    assert status == 201


@given(st.text(max_size=300))
def test_a_safe_name_never_names_a_folder(name: str) -> None:
    from dalil.web.api.evidence import safe_name

    cleaned = safe_name(name)
    assert cleaned
    assert "/" not in cleaned
    assert "\\" not in cleaned
    assert cleaned not in (".", "..")
    assert not cleaned.startswith(".")
    assert len(cleaned) <= 200
    assert "\x00" not in cleaned


def test_a_public_item_does_not_reveal_its_hidden_source(
    client: TestClient, db: Database, world: World
) -> None:
    from dalil.db.models_evidence_items import EvidenceItem

    with db.reader() as s:
        secret = next(src.id for src in s.query(Source) if src.sensitivity == "confidential")
    item = upload(client, world.owner, secret).json()["item_id"]
    with db.transaction("op") as s:
        row = s.get(EvidenceItem, item)
        assert row is not None
        row.sensitivity = "public"
    seen = client.get(f"/api/evidence/{item}", headers=headers(world.viewer)).json()
    assert seen["source_id"] is None
    assert seen["created_by"] is None
    assert (
        client.get(f"/api/evidence/{item}", headers=headers(world.owner)).json()["source_id"]
        == secret
    )
