"""Shared fixtures of the interface tests: the API tests' two-case world, served with the
interface, and browsers (TestClients over https) logged in as its viewer or owner."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from dalil.access import AccessSettings
from dalil.db import Database
from dalil.web.server import create_server
from web.api_support import CANARY, PASSWORD, World, access_settings, world

__all__ = ["CANARY", "PASSWORD", "World", "access_settings", "world"]

BASE = "https://testserver"
ORIGIN = {"origin": BASE}


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None, "the page has no CSRF field"
    return found.group(1)


def browser(db: Database, settings: AccessSettings) -> TestClient:
    return TestClient(create_server(db, settings), base_url=BASE, raise_server_exceptions=False)


def log_in(client: TestClient, name: str, password: str = PASSWORD) -> None:
    form = client.get("/login")
    assert form.status_code == 200
    response = client.post(
        "/login",
        data={"name": name, "password": password, "csrf_token": csrf_of(form.text)},
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/cases"


@pytest.fixture
def viewer(db: Database, world: World, access_settings: AccessSettings) -> Iterator[TestClient]:
    with browser(db, access_settings) as client:
        log_in(client, "viewer")
        yield client


@pytest.fixture
def owner(db: Database, world: World, access_settings: AccessSettings) -> Iterator[TestClient]:
    with browser(db, access_settings) as client:
        log_in(client, "owner")
        yield client
