"""Fixtures of the evidence, lists, review and estimates page tests: the interface tests' world
with three imported lists (public, restricted, confidential; the confidential one's family names
hold the canary), a finished link run with pairs awaiting review, and a reviewer and an analyst
who log in through the login form. Synthetic people only."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from dalil.access import AccessSettings, create_user, get_user, grant
from dalil.access.policy import Principal
from dalil.config import load_settings
from dalil.db import Database, Source
from dalil.db.models_registry import ListRecord
from dalil.documentation import create, get_case
from dalil.registry.importing import import_list
from dalil.web.server import create_server
from registry.linking_support import ACTOR, MAPPING, people, row, seed_run, write_list
from web.ui.ui_support import BASE, CANARY, PASSWORD, World, log_in

CASE = "/cases/tadamon"


@dataclass(frozen=True)
class Lists:
    case_id: str
    p: list[str]  # the public list's records
    r: list[str]  # the restricted list's records
    c: list[str]  # the confidential list's records


def add_user(db: Database, settings: AccessSettings, name: str, role: str) -> None:
    with db.transaction("op") as s:
        create_user(s, settings, None, name=name, password=PASSWORD, actor="op")
        grant(s, Principal.operator("op"), get_case(s, "tadamon"), get_user(s, name), role)


def records_of(db: Database, case_id: str, title: str) -> list[str]:
    """The list's record ids in row order."""
    with db.reader() as s:
        return list(
            s.scalars(
                select(ListRecord.id)
                .join(Source, Source.id == ListRecord.source_id)
                .where(ListRecord.case_id == case_id, Source.title == title)
                .order_by(ListRecord.row_number)
            )
        )


def import_three_lists(db: Database, tmp: Path) -> Lists:
    folk = people(8, seed=11)
    secret = [[*row(p, 0)[:2], CANARY, *row(p, 0)[3:]] for p in folk[6:8]]
    files = {
        "public": write_list(tmp / "p.csv", [row(p, 0) for p in folk[:6]]),
        "restricted": write_list(tmp / "r.csv", [row(p, 1) for p in folk[:6]]),
        "confidential": write_list(tmp / "c.csv", secret),
    }
    with db.transaction(ACTOR) as s:
        case = get_case(s, "tadamon")
        for level, path in files.items():
            source = create(s, case, "source", {"source_type": "list", "title": f"List {level}",
                                                "sensitivity": level})  # fmt: skip
            import_list(s, case, path, source=source.id, mapping=MAPPING)
        case_id = case.id
    p, r, c = (records_of(db, case_id, f"List {level}") for level in files)
    return Lists(case_id, p, r, c)


@pytest.fixture
def lists(db: Database, world: World, access_settings: AccessSettings, tmp_path: Path) -> Lists:
    """Three lists and a run with four pairs in the queue: three the reviewer may judge
    (public and restricted records) and one with a confidential record (owners only)."""
    made = import_three_lists(db, tmp_path)
    p, r, c = made.p, made.r, made.c
    clusters = [[p[0], r[0]]] + [[x] for x in p[1:] + r[1:] + c]
    seed_run(
        db, made.case_id,
        [(p[1], r[1], 0.45, "review"), (p[2], r[2], 0.6, "review"), (p[3], r[3], 0.7, "review"),
         (p[4], c[0], 0.5, "review"), (p[0], r[0], 0.95, "linked")],
        clusters,
    )  # fmt: skip
    add_user(db, access_settings, "reviewer", "reviewer")
    add_user(db, access_settings, "analyst", "analyst")
    return made


def served(db: Database, settings: AccessSettings, home: Path) -> TestClient:
    app = create_server(db, settings)
    app.state.settings = load_settings(home=home)
    return TestClient(app, base_url=BASE, raise_server_exceptions=False)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def _client(db: Database, settings: AccessSettings, home: Path, name: str) -> Iterator[TestClient]:
    with served(db, settings, home) as client:
        log_in(client, name)
        yield client


@pytest.fixture
def owner(
    db: Database, world: World, access_settings: AccessSettings, home: Path
) -> Iterator[TestClient]:
    yield from _client(db, access_settings, home, "owner")


@pytest.fixture
def viewer(
    db: Database, world: World, access_settings: AccessSettings, home: Path
) -> Iterator[TestClient]:
    yield from _client(db, access_settings, home, "viewer")


@pytest.fixture
def reviewer(
    db: Database, lists: Lists, access_settings: AccessSettings, home: Path
) -> Iterator[TestClient]:
    yield from _client(db, access_settings, home, "reviewer")


@pytest.fixture
def analyst(
    db: Database, lists: Lists, access_settings: AccessSettings, home: Path
) -> Iterator[TestClient]:
    yield from _client(db, access_settings, home, "analyst")
