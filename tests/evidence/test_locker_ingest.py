"""Ingest keeps originals byte-exact, recognises duplicates, checks suppliers' hashes, and logs."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dalil.db.models_evidence_items import Acquisition, Derivative, EvidenceItem
from dalil.errors import InvalidInput
from dalil.evidence import log
from dalil.evidence.ingest import expand, ingest_file, parse_supplier_hash
from evidence.conftest import Locker


def _add(locker: Locker, path: Path, **kw: object) -> object:
    return ingest_file(
        locker.db, locker.store, path, case="locker", source=locker.source, actor="amal", **kw
    )


def test_original_is_stored_byte_exact_read_only_and_logged(locker: Locker, tmp_path: Path) -> None:
    data = os.urandom(3 << 20) + b"tail"
    path = tmp_path / "شهادة.bin"
    path.write_bytes(data)
    got = _add(locker, path, collected_by="Field team 2")
    sha = "sha256:" + hashlib.sha256(data).hexdigest()
    assert got.sha256 == sha
    assert got.new_item
    stored = locker.store.path(sha)
    assert stored.read_bytes() == data
    assert not stored.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    with locker.db.reader() as session:
        item = session.scalars(select(EvidenceItem)).one()
        assert (item.name, item.size, item.sha256) == ("شهادة.bin", len(data), sha)
        acq = session.scalars(select(Acquisition)).one()
        assert acq.collected_by == "Field team 2"
        event = log.get_leaf(session, got.log_index).event
    assert event["action"] == "ingest"
    assert event["item"] == sha
    assert event["actor"] == "amal"
    assert event["previous_state"] == "new"


def test_same_bytes_twice_is_one_item_two_acquisitions_two_events(
    locker: Locker, tmp_path: Path
) -> None:
    a, b = tmp_path / "a.jpg", tmp_path / "copy-from-whatsapp.jpg"
    a.write_bytes(b"same bytes" * 1000)
    b.write_bytes(b"same bytes" * 1000)
    first, second = _add(locker, a), _add(locker, b, acquired_from="a witness")
    assert first.item_id == second.item_id
    assert (first.new_blob, second.new_blob, second.new_item) == (True, False, False)
    with locker.db.reader() as session:
        assert session.scalar(select(func.count()).select_from(Acquisition)) == 2
        events = log.find_leaves(session, item=first.sha256)
    assert [e.event["action"] for e in events] == ["ingest", "ingest"]
    assert events[1].event["previous_state"] == "known item, 1 earlier acquisition(s)"
    assert "a witness" not in events[1].data.decode()  # who supplied it stays off the log


@pytest.mark.parametrize("algorithm", ["sha256", "sha1", "md5"])
def test_supplier_hash_is_checked_in_its_own_algorithm(
    locker: Locker, tmp_path: Path, algorithm: str
) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(b"evidence")
    right = hashlib.new(algorithm, b"evidence").hexdigest()
    assert _add(locker, path, supplier_hash=f"{algorithm}:{right}").supplier_hash_ok is True
    wrong = "0" * len(right)
    assert _add(locker, path, supplier_hash=wrong).supplier_hash_ok is False


@pytest.mark.parametrize("bad", ["md5:xyz", "sha256:abcd", "crc32:12345678", "12345"])
def test_malformed_supplier_hash_is_refused(bad: str) -> None:
    with pytest.raises(InvalidInput, match="supplier_hash"):
        parse_supplier_hash(bad)


def test_unreadable_media_is_preserved_with_the_error_recorded(
    locker: Locker, tmp_path: Path
) -> None:
    path = tmp_path / "cut.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(500))
    got = _add(locker, path)
    assert got.media_error
    assert locker.store.path(got.sha256).read_bytes() == path.read_bytes()
    with locker.db.reader() as session:
        kinds = session.scalars(select(Derivative.kind)).all()
    assert kinds == ["metadata"]


def test_folder_is_taken_recursively_and_links_refused(tmp_path: Path) -> None:
    (tmp_path / "d" / "sub").mkdir(parents=True)
    (tmp_path / "d" / "one.txt").write_text("1")
    (tmp_path / "d" / "sub" / "two.txt").write_text("2")
    assert [p.name for p in expand([tmp_path / "d"])] == ["one.txt", "two.txt"]
    (tmp_path / "link").symlink_to(tmp_path / "d" / "one.txt")
    with pytest.raises(InvalidInput, match="symbolic link"):
        expand([tmp_path / "link"])
    with pytest.raises(InvalidInput, match="does not exist"):
        expand([tmp_path / "nope"])


def test_wrong_case_or_source_fails_before_anything_is_stored(
    locker: Locker, tmp_path: Path
) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(b"x")
    with pytest.raises(Exception, match="no source"):
        ingest_file(locker.db, locker.store, path, case="locker", source="src_missing00", actor="a")
    assert list(locker.store.iter_hashes()) == []


def test_a_source_that_evidence_rests_on_cannot_be_purged(locker: Locker, tmp_path: Path) -> None:
    from dalil.db import Source
    from dalil.documentation import get_entity, purge, soft_delete
    from dalil.errors import Conflict

    path = tmp_path / "f.bin"
    path.write_bytes(b"the evidence")
    _add(locker, path)
    with locker.db.transaction("dpo") as session:
        soft_delete(session, get_entity(session, locker.source, Source))
    with (
        pytest.raises(Conflict, match=r"evidence_items\.source_id \(1\)"),
        locker.db.transaction("dpo") as session,
    ):
        purge(session, get_entity(session, locker.source, Source, include_deleted=True), "test")
    with locker.db.reader() as session:
        assert session.scalar(select(func.count()).select_from(EvidenceItem)) == 1
