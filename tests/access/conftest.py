"""Fixtures for the access tests: cheap Argon2 settings, a master key, a case and users."""

from __future__ import annotations

import pytest

from access.access_support import PASSWORD, World
from dalil.access import AccessSettings, MasterKey, create_user, get_user, grant
from dalil.access.policy import Principal
from dalil.db import Database
from dalil.documentation import create_case


@pytest.fixture
def settings() -> AccessSettings:
    # Argon2 parameters far below production so the suite stays fast; production defaults are
    # checked in test_access_accounts.
    return AccessSettings(argon2_time_cost=1, argon2_memory_kib=64, argon2_parallelism=1)


@pytest.fixture
def master() -> MasterKey:
    return MasterKey.generate()


@pytest.fixture
def world(db: Database, settings: AccessSettings, master: MasterKey) -> World:
    """Two cases and users: ``owner`` (owner of case A), ``viewer`` and ``liaison`` in case A."""
    operator = Principal.operator("op")
    with db.transaction("op") as s:
        a = create_case(s, "tadamon", title_en="Tadamon")
        b = create_case(s, "other", title_en="Other")
        for name, role in (("owner", "owner"), ("viewer", "viewer"), ("liaison", "family_liaison")):
            create_user(s, settings, master, name=name, password=PASSWORD, actor="op")
            grant(s, operator, a, get_user(s, name), role)
        return World(a.id, b.id, operator)
