"""Accounts on both databases: passwords, lock-out, TOTP, recovery codes, sessions, tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from access.access_support import NOW, PASSWORD, World
from dalil.access import (
    AccessSettings,
    LoginFailed,
    MasterKey,
    Unauthenticated,
    authenticate_token,
    check_session,
    cookie,
    create_token,
    create_user,
    disable_user,
    get_user,
    grant,
    login,
    revoke,
    revoke_session,
    revoke_token,
)
from dalil.access import totp as totp_mod
from dalil.access.passwords import check_policy, hash_password, verify_password
from dalil.db import Case, Database
from dalil.db.models_access import AuditEntry, User
from dalil.errors import InvalidInput


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short-one", "at least 12"),
        ("my-name-is-owner!", "user name"),
        ("Password1234", "too common"),
        ("aaaaaaaaaaaaaaaa", "too common"),
    ],
)
def test_password_policy_refuses_weak_passwords_without_echoing(
    password: str, problem: str
) -> None:
    with pytest.raises(InvalidInput, match=problem) as caught:
        check_policy(password, "owner")
    assert password not in str(caught.value)


def test_argon2id_hash_verifies_and_is_rehashed_when_parameters_change(
    settings: AccessSettings,
) -> None:
    stored = hash_password(settings, PASSWORD)
    assert stored.startswith("$argon2id$")
    assert verify_password(settings, stored, PASSWORD) == (True, None)
    assert verify_password(settings, stored, PASSWORD + "x") == (False, None)
    stronger = settings.model_copy(update={"argon2_time_cost": 2})
    ok, new_hash = verify_password(stronger, stored, PASSWORD)
    assert ok
    assert new_hash is not None
    assert "t=2" in new_hash


def test_production_defaults_are_rfc9106_low_memory() -> None:
    defaults = AccessSettings()
    reference = PasswordHasher()
    assert (defaults.argon2_time_cost, defaults.argon2_memory_kib, defaults.argon2_parallelism) == (
        reference.time_cost, reference.memory_cost, reference.parallelism,
    )  # fmt: skip


def _failures(db: Database) -> list[dict[str, object]]:
    with db.reader() as s:
        return [
            e.detail
            for e in s.scalars(select(AuditEntry).where(AuditEntry.action == "login_failed"))
        ]


def test_login_rehashes_on_login_when_parameters_changed(
    db: Database, world: World, settings: AccessSettings, master: MasterKey
) -> None:
    stronger = settings.model_copy(update={"argon2_time_cost": 2})
    login(db, stronger, master, "viewer", PASSWORD, now=NOW)
    with db.reader() as s:
        assert "t=2" in get_user(s, "viewer").password_hash


def test_lockout_after_n_failures_counted_in_the_database(
    db: Database, world: World, settings: AccessSettings, master: MasterKey
) -> None:
    for _ in range(settings.lockout_threshold):
        with pytest.raises(LoginFailed):
            login(db, settings, master, "viewer", "wrong-password-123", now=NOW)
    with pytest.raises(LoginFailed):  # now even the right password is refused
        login(db, settings, master, "viewer", PASSWORD, now=NOW + timedelta(minutes=1))
    reasons = [d["reason"] for d in _failures(db)]
    assert reasons[-2:] == ["password; account locked", "locked"]
    later = NOW + timedelta(minutes=settings.lockout_minutes + 1)
    made = login(db, settings, master, "viewer", PASSWORD, now=later)
    with db.reader() as s:
        user = get_user(s, "viewer")
        assert (user.failed_logins, user.locked_until) == (0, None)
    assert made.user_name == "viewer"


def test_unknown_user_fails_like_a_wrong_password_and_the_name_is_not_recorded(
    db: Database, world: World, settings: AccessSettings, master: MasterKey
) -> None:
    with pytest.raises(LoginFailed) as unknown:
        login(db, settings, master, "Hunter2Hunter2!", PASSWORD, now=NOW)
    with pytest.raises(LoginFailed) as wrong:
        login(db, settings, master, "viewer", "not-the-password", now=NOW)
    assert str(unknown.value) == str(wrong.value)
    with db.reader() as s:
        actors = list(
            s.scalars(select(AuditEntry.actor).where(AuditEntry.action == "login_failed"))
        )
    assert actors == ["(unknown)", "viewer"]


def test_admin_must_use_totp_with_a_fixed_clock_and_codes_are_not_replayable(
    db: Database, world: World, settings: AccessSettings, master: MasterKey
) -> None:
    with db.transaction("op") as s:
        enrolment = create_user(
            s, settings, master, name="root", password=PASSWORD, actor="op", admin=True
        )
    assert enrolment.totp_uri
    assert enrolment.totp_uri.startswith("otpauth://totp/Dalil:root")
    with pytest.raises(LoginFailed):
        login(db, settings, master, "root", PASSWORD, now=NOW)  # no code
    with db.reader() as s:
        code = totp_mod.current_code(master, get_user(s, "root"), NOW)
    login(db, settings, master, "root", PASSWORD, code, now=NOW)
    with pytest.raises(LoginFailed):  # the same code, again: refused
        login(db, settings, master, "root", PASSWORD, code, now=NOW + timedelta(seconds=5))
    with db.reader() as s:
        stale = totp_mod.current_code(master, get_user(s, "root"), NOW - timedelta(minutes=5))
    with pytest.raises(LoginFailed):
        login(db, settings, master, "root", PASSWORD, stale, now=NOW + timedelta(seconds=40))


def test_recovery_codes_work_once_each(
    db: Database, world: World, settings: AccessSettings, master: MasterKey
) -> None:
    with db.transaction("op") as s:
        enrolment = create_user(
            s, settings, master, name="root", password=PASSWORD, actor="op", admin=True
        )
        stored = list(s.scalars(select(func.count()).select_from(User)))
    assert len(enrolment.recovery_codes) == 10 == len(set(enrolment.recovery_codes))
    assert stored
    first = enrolment.recovery_codes[0]
    login(db, settings, master, "root", PASSWORD, first.upper(), now=NOW)
    with pytest.raises(LoginFailed):
        login(db, settings, master, "root", PASSWORD, first, now=NOW)
    login(db, settings, master, "root", PASSWORD, enrolment.recovery_codes[1], now=NOW)


def test_session_idle_timeout_lifetime_revocation_and_cookie(
    db: Database, world: World, settings: AccessSettings, master: MasterKey
) -> None:
    made = login(db, settings, master, "viewer", PASSWORD, now=NOW)
    assert len(made.session_id) >= 43
    assert made.session_id not in repr(made)
    attrs = cookie(settings, made.session_id)
    assert (attrs["secure"], attrs["httponly"], attrs["samesite"]) == (True, True, "strict")
    idle = timedelta(minutes=settings.session_idle_minutes)
    with db.transaction("t") as s:
        assert (
            check_session(s, settings, made.session_id, NOW + idle - timedelta(seconds=1)).name
            == "viewer"
        )
    with db.transaction("t") as s:  # used just now: the idle clock restarted
        check_session(s, settings, made.session_id, NOW + 2 * idle - timedelta(seconds=2))
    with pytest.raises(Unauthenticated), db.transaction("t") as s:
        check_session(s, settings, made.session_id, NOW + 4 * idle)
    again = login(db, settings, master, "viewer", PASSWORD, now=NOW)
    with db.transaction("t") as s:
        assert revoke_session(s, again.session_id, NOW)
    with pytest.raises(Unauthenticated), db.transaction("t") as s:
        check_session(s, settings, again.session_id, NOW)
    third = login(db, settings, master, "viewer", PASSWORD, now=NOW)
    with pytest.raises(Unauthenticated), db.transaction("t") as s:
        check_session(
            s, settings, third.session_id, NOW + timedelta(hours=settings.session_lifetime_hours)
        )


def test_token_scope_expiry_revocation_and_role_cover(
    db: Database, world: World, settings: AccessSettings
) -> None:
    with db.transaction("op") as s:
        case = s.get(Case, world.case_id)
        assert case is not None
        with pytest.raises(InvalidInput, match="does not hold owner"):
            create_token(s, settings, world.operator, get_user(s, "viewer"), case, "owner", 7, NOW)
        made = create_token(
            s, settings, world.operator, get_user(s, "owner"), case, "analyst", 7, NOW
        )
    assert made.token not in repr(made)
    with db.reader() as s:
        who = authenticate_token(s, made.token, NOW)
        assert who.roles == {world.case_id: "analyst"}
        assert who.via == "token"
        with pytest.raises(Unauthenticated):
            authenticate_token(s, made.token, NOW + timedelta(days=7))
        with pytest.raises(Unauthenticated):
            authenticate_token(s, made.token[:-1] + "x", NOW)
    with db.transaction("op") as s:
        revoke_token(s, world.operator, made.id, NOW)
    with db.reader() as s, pytest.raises(Unauthenticated):
        authenticate_token(s, made.token, NOW)


def test_token_dies_with_the_users_role_or_account(
    db: Database, world: World, settings: AccessSettings
) -> None:
    with db.transaction("op") as s:
        case = s.get(Case, world.case_id)
        assert case is not None
        made = create_token(
            s, settings, world.operator, get_user(s, "viewer"), case, "viewer", 7, NOW
        )
        other = create_token(
            s, settings, world.operator, get_user(s, "owner"), case, "owner", 7, NOW
        )
        revoke(s, world.operator, case, get_user(s, "viewer"))
        disable_user(s, get_user(s, "owner"), actor="op", now=NOW)
    with db.reader() as s:
        for raw in (made.token, other.token):
            with pytest.raises(Unauthenticated):
                authenticate_token(s, raw, NOW)


def test_a_token_works_only_while_its_users_role_covers_it(
    db: Database, world: World, settings: AccessSettings
) -> None:
    with db.transaction("op") as s:
        case = s.get(Case, world.case_id)
        assert case is not None
        made = create_token(
            s, settings, world.operator, get_user(s, "owner"), case, "investigator", 7, NOW
        )
        grant(s, world.operator, case, get_user(s, "owner"), "analyst")  # below investigator
    with db.reader() as s, pytest.raises(Unauthenticated):
        authenticate_token(s, made.token, NOW)
    with db.transaction("op") as s:
        case = s.get(Case, world.case_id)
        assert case is not None
        grant(s, world.operator, case, get_user(s, "owner"), "owner")
    with db.reader() as s:
        who = authenticate_token(s, made.token, NOW)
        assert who.roles == {world.case_id: "investigator"}
        assert (who.name, who.is_admin) == ("owner", False)
