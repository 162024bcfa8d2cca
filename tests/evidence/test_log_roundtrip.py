"""The custody log appends, proves and verifies on SQLite and PostgreSQL, and never rewrites."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select, update

from dalil.db import Database
from dalil.db.models_evidence import CustodyCheckpoint, CustodyLeaf, CustodyNode
from dalil.errors import Conflict, InvalidInput, NotFound
from dalil.evidence import log, merkle
from dalil.evidence.checkpoint import open_checkpoint
from dalil.evidence.keys import LogKey, load_key

ITEM = "sha256:" + "ab" * 32


@pytest.fixture
def key(tmp_path: Path) -> LogKey:
    return load_key(tmp_path / "home")


def event(n: int, action: str = "ingest") -> dict[str, object]:
    return {
        "action": action,
        "item": f"sha256:{n:064x}",
        "case_id": "case_tadamon" if n % 2 else None,
        "time": "2026-11-22T10:00:00+00:00",
        "previous_state": None,
        "details": {"n": n, "note": "تسجيل"},
    }


def test_appends_get_dense_indexes_and_the_canonical_event_is_what_is_hashed(db: Database) -> None:
    with db.transaction("alice") as session:
        first = log.append(session, {"action": "ingest", "item": ITEM, "case_id": "case_x"})
        rest = log.append_many(session, [event(n) for n in range(1, 6)])
        assert log.append_many(session, []) == []
    assert [first.index, *(r.index for r in rest)] == list(range(6))
    with db.reader() as session:
        leaf = log.get_leaf(session, 0)
        assert log.size(session) == 6
        assert [x.index for x in log.find_leaves(session, item=ITEM)] == [0]
        assert [x.index for x in log.find_leaves(session, case_id="case_tadamon")] == [1, 3, 5]
    assert leaf.leaf_hash == first.leaf_hash == merkle.leaf_hash(leaf.data)
    assert leaf.event["actor"] == "alice"  # from the transaction
    assert leaf.event["time"].endswith("+00:00")
    assert leaf.data == merkle.canonical_json(leaf.event)
    assert json.dumps(leaf.to_dict())  # JSON all the way
    assert first.to_dict() == {"index": 0, "leaf_hash": first.leaf_hash.hex()}


def test_roots_and_proofs_answer_for_every_size_from_stored_nodes(db: Database) -> None:
    n = 37
    with db.transaction("alice") as session:
        for start in range(0, n, 8):  # several batches: the right edge is stored across them
            log.append_many(session, [event(i) for i in range(start, min(start + 8, n))])
    with db.reader() as session:
        hashes = [log.get_leaf(session, i).leaf_hash for i in range(n)]
        for size in (1, 2, 5, 16, 17, 31, 36, 37):
            top = log.root(session, size)
            assert top == merkle.root_hash(hashes[:size])
            for index in range(size):
                proof = log.inclusion_proof(session, index, size)
                assert proof.leaf_hash == hashes[index]
                assert proof.verify(top)
            for old in (0, 1, 3, 8, size):
                if old <= size:
                    proof_c = log.consistency_proof(session, old, size)
                    assert proof_c.verify(merkle.root_hash(hashes[:old]), top)
        assert log.root(session) == merkle.root_hash(hashes)
        assert json.dumps(log.inclusion_proof(session, 3).to_dict())
        with pytest.raises(NotFound):
            log.inclusion_proof(session, n)
        with pytest.raises(NotFound, match="no tree of 40"):
            log.inclusion_proof(session, 0, n + 3)  # a size from elsewhere, past the log's end
        with pytest.raises(NotFound):
            log.root(session, n + 1)
        with pytest.raises(NotFound):
            log.consistency_proof(session, 5, 4)


def test_an_empty_log_has_the_empty_root_and_verifies(db: Database, key: LogKey) -> None:
    with db.reader() as session:
        assert log.size(session) == 0
        assert log.root(session) == merkle.EMPTY_ROOT
        assert log.latest_checkpoint(session) is None
        assert log.verify(session, key=key).ok


def test_checkpoints_are_signed_stored_and_only_made_when_the_log_grew(
    db: Database, key: LogKey
) -> None:
    with db.transaction("alice") as session:
        log.append_many(session, [event(i) for i in range(10)])
        first = log.checkpoint(session, key)
        assert log.checkpoint(session, key) == first  # nothing new: the same checkpoint
        log.append_many(session, [event(i) for i in range(10, 13)])
        second = log.checkpoint(session, key)
    assert (first.seq, first.tree_size, second.seq, second.tree_size) == (1, 10, 2, 13)
    signed = open_checkpoint(second.note, [key.verifier], key.origin)
    assert signed.root_hash == second.root_hash
    assert second.origin == key.origin
    with db.reader() as session:
        assert log.latest_checkpoint(session) == second
        proof = log.consistency_proof(session, first.tree_size, second.tree_size)
        assert proof.verify(first.root_hash, second.root_hash)
        report = log.verify(session, key=key)
    assert report.ok, report.problems
    assert report.checkpoint is not None
    assert report.checkpoint.size == 13
    assert json.dumps(report.to_dict())
    assert json.dumps(second.to_dict())


def test_verify_reports_leaves_added_since_the_checkpoint(
    db: Database, key: LogKey, tmp_path: Path
) -> None:
    with db.transaction("alice") as session:
        log.append_many(session, [event(i) for i in range(5)])
        cp = log.checkpoint(session, key)
        log.append_many(session, [event(i) for i in range(5, 9)])
    with db.reader() as session:
        report = log.verify(session, cp, key=key)
        unsigned = log.verify(session, key=load_key(tmp_path / "other"))
    assert report.ok
    assert report.added_since_checkpoint == 4
    assert [p.kind for p in unsigned.problems] == ["checkpoint_invalid", "no_checkpoint"]


def _delete_first(db: Database, model: type) -> None:
    with db.transaction("mallory") as session:
        session.delete(session.scalars(select(model)).first())


def _rewrite_first_leaf(db: Database) -> None:
    with db.transaction("mallory") as session:
        leaf = session.get(CustodyLeaf, 0)
        assert leaf is not None
        leaf.data = b"{}"


def _bulk_update(db: Database) -> None:
    with db.transaction("mallory") as session:
        session.execute(update(CustodyLeaf).values(action="view"))


def test_the_orm_refuses_to_rewrite_or_delete_log_rows(db: Database, key: LogKey) -> None:
    with db.transaction("alice") as session:
        log.append(session, event(0))
        log.checkpoint(session, key)
    for model in (CustodyLeaf, CustodyNode, CustodyCheckpoint):
        with pytest.raises(Conflict, match="append-only"):
            _delete_first(db, model)
    with pytest.raises(Conflict, match="append-only"):
        _rewrite_first_leaf(db)
    with pytest.raises(Conflict, match="append-only"):
        _bulk_update(db)
    with db.reader() as session:
        assert log.verify(session, key=key).ok


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"action": "delete"}, "action"),
        ({"action": "view", "time": "2026-11-22T10:00:00"}, "time"),
        ({"action": "view", "time": "2026-11-22T10:00:00+02:00"}, "time"),
        ({"action": "view", "time": "yesterday"}, "time"),
        ({"action": "view", "item": "x" * 81}, "item"),
        ({"action": "view", "case_id": 7}, "case_id"),
        ({"action": "view", "details": {"score": float("nan")}}, "event"),
        ({"action": "view", "details": {1: "int key", "a": "text key"}}, "event"),
        ({"action": "view", "blob": b"raw"}, "event"),
    ],
)
def test_bad_events_are_refused_before_anything_is_written(db: Database, bad, field) -> None:
    with pytest.raises(InvalidInput) as raised, db.transaction("alice") as session:
        log.append_many(session, [event(0), bad])
    assert raised.value.field == field
    with db.reader() as session:
        assert log.size(session) == 0


def test_an_event_needs_an_actor(db: Database) -> None:
    with db.reader() as session, pytest.raises(InvalidInput, match="who acted"):
        log.append(session, {"action": "view", "item": ITEM})


def test_checkpoint_refuses_to_sign_over_an_altered_log(
    db: Database, key: LogKey, tmp_path: Path
) -> None:
    with db.transaction("alice") as session:
        log.append_many(session, [event(i) for i in range(6)])
        log.checkpoint(session, key)
    with db.engine.begin() as connection:
        connection.execute(
            CustodyNode.__table__.update()
            .where(CustodyNode.level == 2, CustodyNode.idx == 0)  # on the right edge of 6
            .values(hash=b"\x00" * 32)
        )
    with pytest.raises(Conflict, match="no longer extends checkpoint #1"):
        _append_and_checkpoint(db, key)
    with pytest.raises(Conflict, match="does not verify"):
        _append_and_checkpoint(db, load_key(tmp_path / "stranger"))


def _append_and_checkpoint(db: Database, key: LogKey) -> None:
    with db.transaction("alice") as session:
        log.append(session, event(6))
        log.checkpoint(session, key)
