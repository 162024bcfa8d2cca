"""The demo login: a fresh random password per build, owner of the demo cases only."""

from __future__ import annotations

import pytest

from access.access_support import World
from dalil.access import AccessSettings, LoginFailed, get_user, login, principal_for
from dalil.db import Database
from dalil.demo.login import DEMO_USER, ensure_demo_login


def test_a_new_password_only_when_asked_and_the_old_one_stops(
    db: Database, settings: AccessSettings, world: World
) -> None:
    first = ensure_demo_login(db, settings, None, [world.case_id])
    assert first.password is not None
    assert ensure_demo_login(db, settings, None, [world.case_id]).password is None  # idempotent
    assert login(db, settings, None, DEMO_USER, first.password).user_name == DEMO_USER
    second = ensure_demo_login(db, settings, None, [world.case_id], renew=True)
    assert second.password is not None
    assert first.password != second.password
    assert len(second.password) >= 20
    assert first.password not in repr(first)
    assert login(db, settings, None, DEMO_USER, second.password).user_name == DEMO_USER
    with pytest.raises(LoginFailed):
        login(db, settings, None, DEMO_USER, first.password)
    with db.reader() as s:
        principal = principal_for(s, get_user(s, DEMO_USER))
    assert dict(principal.roles) == {world.case_id: "owner"}
    assert not principal.is_admin
    assert first.totp_uri is None  # TOTP policy "admins": the demo owner needs none


def test_with_totp_for_all_the_demo_login_is_enrolled(
    db: Database, world: World, master: object
) -> None:
    strict = AccessSettings(
        argon2_time_cost=1, argon2_memory_kib=64, argon2_parallelism=1, totp_policy="all"
    )
    made = ensure_demo_login(db, strict, master, [world.case_id])  # type: ignore[arg-type]
    assert made.totp_uri is not None
    assert made.totp_uri.startswith("otpauth://totp/")
