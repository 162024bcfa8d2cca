"""Confidential values and the audit trail, on both databases; canaries never leak."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import select, text, update

from access.access_support import World
from dalil.access import DecryptionFailed, Forbidden, MasterKey, Principal, audit
from dalil.access.confidential import put_confidential, read_confidential, rotate
from dalil.access.crypto import aad, open_sealed, read_key_file, seal, write_key_file
from dalil.db import Base, Database
from dalil.db.models_access import AuditEntry, AuditTampering, ConfidentialValue
from dalil.errors import ConfigError, DalilError

CANARY = "CANARY-7f3a-witness-Umm-Khaled-+963-944-000111"
RECORD, OTHER_RECORD = "per_aaaaaaaaaaaaaaaa", "per_bbbbbbbbbbbbbbbb"


def _principal(world: World, role: str) -> Principal:
    return Principal(name=role, via="session", user_id=f"usr_{role}", roles={world.case_id: role})


def _put(db: Database, master: MasterKey, world: World, record: str = RECORD) -> None:
    with db.transaction("owner") as s:
        put_confidential(
            s, master, _principal(world, "owner"), world.case_id, record, "phone", CANARY
        )


def _read(db: Database, master: MasterKey, world: World, role: str = "owner", **kw: str) -> str:
    with db.transaction(role) as s:
        return read_confidential(
            s, master, _principal(world, role), world.case_id, RECORD, "phone", **kw
        )


def _raw_rows(db: Database) -> str:
    with db.engine.connect() as c:
        return repr([list(c.execute(select(t))) for t in Base.metadata.sorted_tables])


def test_round_trip_is_audited_and_nothing_is_stored_in_the_clear(
    db: Database, world: World, master: MasterKey
) -> None:
    _put(db, master, world)
    assert _read(db, master, world) == CANARY
    assert CANARY not in _raw_rows(db)
    assert CANARY.encode() not in _raw_rows(db).encode()
    with db.reader() as s:
        reads = [e for e in audit.entries(s, world.case_id) if e["action"] == "confidential_read"]
    assert reads[-1]["actor"] == "owner"
    assert reads[-1]["detail"] == {"record": RECORD, "field": "phone", "via": "session"}


@pytest.mark.parametrize("role", ["viewer", "analyst", "reviewer", "family_liaison"])
def test_roles_below_confidential_cannot_read_and_the_refusal_leaks_nothing(
    db: Database, world: World, master: MasterKey, role: str
) -> None:
    _put(db, master, world)
    with pytest.raises(Forbidden) as caught:
        _read(db, master, world, role)
    assert CANARY not in str(caught.value)


def test_family_liaison_reads_family_contacts_through_missing_read(
    db: Database, world: World, master: MasterKey
) -> None:
    _put(db, master, world)
    assert _read(db, master, world, "family_liaison", action="missing.read") == CANARY


@pytest.mark.parametrize("column", ["ciphertext", "nonce"])
def test_a_flipped_byte_fails_to_decrypt_without_echoing(
    db: Database, world: World, master: MasterKey, column: str, caplog: pytest.LogCaptureFixture
) -> None:
    _put(db, master, world)
    with db.engine.begin() as c:
        row = c.execute(select(ConfidentialValue)).one()
        value = bytearray(getattr(row, column))
        value[0] ^= 0x01
        c.execute(update(ConfidentialValue.__table__).values({column: bytes(value)}))
    caplog.set_level(logging.DEBUG)
    with pytest.raises(DecryptionFailed) as caught:
        _read(db, master, world)
    assert CANARY not in str(caught.value) + repr(caught.value) + caplog.text


def test_a_ciphertext_moved_to_another_record_fails(
    db: Database, world: World, master: MasterKey
) -> None:
    _put(db, master, world, OTHER_RECORD)
    with db.engine.begin() as c:
        c.execute(update(ConfidentialValue.__table__).values(record_id=RECORD))
    with pytest.raises(DecryptionFailed):
        _read(db, master, world)


@pytest.mark.parametrize("reencrypt", [False, True])
def test_rotation_keeps_values_readable_and_the_old_master_key_stops_working(
    db: Database, world: World, master: MasterKey, reencrypt: bool
) -> None:
    _put(db, master, world)
    new = MasterKey.generate()
    with db.transaction("op") as s:
        counts = rotate(s, master, new, "op", reencrypt=reencrypt)
    assert counts["rewrapped"] == 1
    assert counts["reencrypted"] == (1 if reencrypt else 0)
    assert _read(db, new, world) == CANARY
    with pytest.raises(DecryptionFailed):
        _read(db, master, world)


def test_rotation_with_the_wrong_old_key_changes_nothing(
    db: Database, world: World, master: MasterKey
) -> None:
    _put(db, master, world)
    before = _raw_rows(db)
    with pytest.raises(DecryptionFailed), db.transaction("op") as s:
        rotate(s, MasterKey.generate(), MasterKey.generate(), "op", reencrypt=True)
    assert _raw_rows(db) == before


def test_audit_chain_verifies_and_detects_an_altered_or_removed_entry(
    db: Database, world: World, master: MasterKey
) -> None:
    _put(db, master, world)
    _read(db, master, world)
    with db.reader() as s:
        good = audit.verify(s)
    assert good.ok, good.problems
    assert good.size >= 5
    with db.engine.begin() as c:  # someone with database access hides a read
        c.execute(
            text("UPDATE audit_entries SET actor = 'nobody' WHERE action = 'confidential_read'")
        )
    with db.reader() as s:
        altered = audit.verify(s)
    assert not altered.ok
    assert any("altered" in p for p in altered.problems)
    with db.engine.begin() as c:
        c.execute(text("DELETE FROM audit_entries WHERE action = 'confidential_read'"))
    with db.reader() as s:
        removed = audit.verify(s)
    assert not removed.ok
    assert removed.root != good.root


def _change_first_entry(db: Database, *, delete: bool) -> None:
    with db.transaction("x") as s:
        entry = s.scalars(select(AuditEntry).order_by(AuditEntry.seq)).first()
        assert entry is not None
        if delete:
            s.delete(entry)
        else:
            entry.actor = "nobody"
        s.flush()


def test_the_orm_refuses_to_change_or_delete_audit_entries(db: Database, world: World) -> None:
    with pytest.raises(AuditTampering):
        _change_first_entry(db, delete=False)
    with pytest.raises(AuditTampering):
        _change_first_entry(db, delete=True)
    with pytest.raises(AuditTampering), db.transaction("x") as s:
        s.execute(update(AuditEntry).values(actor="nobody"))


def test_audit_detail_refuses_secret_looking_keys(db: Database, world: World) -> None:
    with pytest.raises(ValueError, match="secrets"), db.transaction("x") as s:
        audit.record(s, "x", "login", detail={"password": "nope"})


@hsettings(max_examples=50, deadline=None)
@given(plain=st.text(max_size=200), where=st.tuples(st.text(max_size=20), st.text(max_size=20)))
def test_seal_open_round_trip_and_context_binding(plain: str, where: tuple[str, str]) -> None:
    key = MasterKey.generate().key
    nonce, sealed = seal(key, plain.encode(), aad(*where))
    assert open_sealed(key, nonce, sealed, aad(*where)).decode() == plain
    with pytest.raises(DecryptionFailed):
        open_sealed(key, nonce, sealed, aad(where[0] + "x", where[1]))


def test_key_file_must_be_private_and_outside_dalil_home(tmp_path: Path) -> None:
    home, elsewhere = tmp_path / "home", tmp_path / "keys"
    home.mkdir()
    elsewhere.mkdir()
    key = MasterKey.generate()
    with pytest.raises(ConfigError, match="inside DALIL_HOME"):
        write_key_file(home / "master.key", key, home)
    path = elsewhere / "master.key"
    write_key_file(path, key, home)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_key_file(path, home) == key
    os.chmod(path, 0o640)
    with pytest.raises(ConfigError, match="readable by others") as caught:
        read_key_file(path, home)
    assert key.encoded() not in str(caught.value)
    with pytest.raises(ConfigError, match="never overwritten"):
        write_key_file(path, key, home)
    assert key.encoded() not in repr(key)


def test_errors_never_carry_the_canary(db: Database, world: World, master: MasterKey) -> None:
    _put(db, master, world)
    problems: list[DalilError] = []
    for attempt in (
        lambda: _read(db, MasterKey.generate(), world),
        lambda: _read(db, master, world, "viewer"),
    ):
        with pytest.raises(DalilError) as caught:
            attempt()
        problems.append(caught.value)
    assert all(CANARY not in f"{p} {p.hint} {p!r}" for p in problems)
