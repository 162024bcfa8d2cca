"""Tampering with the custody log through SQL is found by ``verify``, which names the leaves.

The ORM refuses to change log rows; these tests go around it, as an intruder with database access
would, on SQLite and PostgreSQL. The log has 40 leaves, checkpoints at 16 and 40, and 4 leaves
appended after the last checkpoint.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from dalil.db import Database
from dalil.evidence import log, merkle
from dalil.evidence.keys import LogKey, load_key

SIGNED, TOTAL = 40, 44


@pytest.fixture
def key(tmp_path: Path) -> LogKey:
    return load_key(tmp_path / "home")


@pytest.fixture
def filled(db: Database, key: LogKey) -> Database:
    with db.transaction("alice") as session:
        log.append_many(session, [event(i) for i in range(16)])
        log.checkpoint(session, key)
        log.append_many(session, [event(i) for i in range(16, SIGNED)])
        log.checkpoint(session, key)
        log.append_many(session, [event(i) for i in range(SIGNED, TOTAL)])
    return db


def event(n: int) -> dict[str, object]:
    return {"action": "view", "item": f"sha256:{n:064x}", "case_id": "case_t", "n": n}


def sql(db: Database, *statements: str, **params: object) -> None:
    with db.engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement), params)


def verify(db: Database, key: LogKey) -> log.VerifyReport:
    with db.reader() as session:
        return log.verify(session, key=key)


def kinds(report: log.VerifyReport) -> set[str]:
    return {p.kind for p in report.problems}


def test_an_untouched_log_verifies(filled: Database, key: LogKey) -> None:
    report = verify(filled, key)
    assert report.ok, report.problems
    assert (report.tree_size, report.added_since_checkpoint) == (TOTAL, TOTAL - SIGNED)


def test_an_altered_leaf_is_named(filled: Database, key: LogKey) -> None:
    sql(filled, "UPDATE custody_leaves SET data = :d WHERE idx = 21", d=b'{"action":"view"}')
    report = verify(filled, key)
    assert report.indexes("leaf_altered") == [21]
    assert kinds(report) == {"leaf_altered", "checkpoint_mismatch"}  # only #2 covers leaf 21


def test_a_leaf_altered_with_its_stored_hash_is_pinned_to_its_pair(filled: Database, key) -> None:
    forged = merkle.canonical_json({**event(21), "n": 99})
    sql(
        filled,
        "UPDATE custody_leaves SET data = :d WHERE idx = 21",
        "UPDATE custody_nodes SET hash = :h WHERE level = 0 AND idx = 21",
        d=forged,
        h=merkle.leaf_hash(forged),
    )
    report = verify(filled, key)
    assert report.indexes("leaves_altered") == [20, 21]
    assert "leaf_altered" not in kinds(report)


def test_a_wrong_stored_hash_is_named_and_the_leaves_are_cleared(filled: Database, key) -> None:
    sql(filled, "UPDATE custody_nodes SET hash = :h WHERE level = 2 AND idx = 3", h=b"\x01" * 32)
    sql(filled, "UPDATE custody_nodes SET hash = :h WHERE level = 0 AND idx = 9", h=b"\x02" * 32)
    report = verify(filled, key)
    assert kinds(report) == {"hash_altered"}
    assert sorted((p.level, p.index, p.end) for p in report.problems) == [(0, 9, 10), (2, 12, 16)]


def test_a_removed_leaf_is_named(filled: Database, key: LogKey) -> None:
    sql(filled, "DELETE FROM custody_leaves WHERE idx = 7")
    report = verify(filled, key)
    assert report.indexes("leaf_removed") == [7]
    assert kinds(report) == {"leaf_removed", "checkpoint_mismatch"}


def test_a_removed_leaf_with_the_rest_renumbered_is_named(filled: Database, key) -> None:
    sql(
        filled,
        "DELETE FROM custody_leaves WHERE idx = 7",
        "UPDATE custody_leaves SET idx = -idx WHERE idx > 7",
        "UPDATE custody_leaves SET idx = -idx - 1 WHERE idx < 0",
    )
    report = verify(filled, key)
    assert report.indexes("leaf_removed") == [7]
    moved = [p for p in report.problems if p.kind == "leaf_moved"]
    assert [(p.index, p.end, p.moved_to) for p in moved] == [(8, TOTAL, 7)]


def test_an_inserted_leaf_is_named(filled: Database, key: LogKey) -> None:
    sql(
        filled,
        "UPDATE custody_leaves SET idx = -idx WHERE idx >= 30",
        "UPDATE custody_leaves SET idx = -idx + 1 WHERE idx < 0",
        "INSERT INTO custody_leaves (idx, data, action) VALUES (30, :d, 'view')",
        d=merkle.canonical_json({"action": "view", "actor": "mallory"}),
    )
    report = verify(filled, key)
    assert report.indexes("leaf_inserted") == [30]
    moved = [p for p in report.problems if p.kind == "leaf_moved"]
    assert [(p.index, p.end, p.moved_to) for p in moved] == [(30, TOTAL, 31)]


def test_swapped_leaves_are_named(filled: Database, key: LogKey) -> None:
    sql(
        filled,
        "UPDATE custody_leaves SET idx = -1 WHERE idx = 3",
        "UPDATE custody_leaves SET idx = 3 WHERE idx = 4",
        "UPDATE custody_leaves SET idx = 4 WHERE idx = -1",
    )
    report = verify(filled, key)
    moved = sorted((p.index, p.moved_to) for p in report.problems if p.kind == "leaf_moved")
    assert moved == [(3, 4), (4, 3)]
    assert kinds(report) == {"leaf_moved", "checkpoint_mismatch"}


def test_truncating_the_log_is_found(filled: Database, key: LogKey) -> None:
    sql(
        filled,
        "DELETE FROM custody_leaves WHERE idx >= 37",
        "DELETE FROM custody_nodes WHERE idx >= 37 AND level = 0",
    )
    report = verify(filled, key)
    assert report.indexes("leaf_removed") == [37, 38, 39]
    assert report.tree_size == 37


def test_a_leaf_slipped_in_after_the_end_is_found(filled: Database, key: LogKey) -> None:
    sql(
        filled,
        "INSERT INTO custody_leaves (idx, data, action) VALUES (:i, :d, 'view')",
        i=TOTAL,
        d=b'{"action":"view"}',
    )
    report = verify(filled, key)
    assert [(p.kind, p.index) for p in report.problems] == [("hash_missing", TOTAL)]


def test_changes_after_the_last_checkpoint_are_found_against_append_time_hashes(
    filled: Database, key: LogKey
) -> None:
    sql(filled, "UPDATE custody_leaves SET data = :d WHERE idx = 42", d=b'{"action":"copy"}')
    report = verify(filled, key)
    assert [(p.kind, p.index) for p in report.problems] == [("leaf_altered", 42)]


def test_lookup_columns_that_disagree_with_the_data_are_found(filled: Database, key) -> None:
    sql(filled, "UPDATE custody_leaves SET item = 'sha256:00' WHERE idx = 5")
    report = verify(filled, key)
    assert [(p.kind, p.index) for p in report.problems] == [("leaf_columns", 5)]


def test_a_rewritten_tree_is_narrowed_by_the_older_checkpoint(filled: Database, key) -> None:
    """Leaf 20 changed and every stored hash recomputed: only the signatures still tell."""
    with filled.reader() as session:
        leaves = [log.get_leaf(session, i).data for i in range(TOTAL)]
    leaves[20] = merkle.canonical_json({**event(20), "n": -1})
    levels = merkle.complete_levels(b"".join(merkle.leaf_hash(d) for d in leaves))
    with filled.engine.begin() as connection:
        connection.execute(text("DELETE FROM custody_nodes"))
        connection.execute(
            text("UPDATE custody_leaves SET data = :d WHERE idx = 20"), {"d": leaves[20]}
        )
        rows = [
            {"l": level, "i": i, "h": hashes[i * 32 : i * 32 + 32]}
            for level, hashes in enumerate(levels)
            for i in range(len(hashes) // 32)
        ]
        connection.execute(text("INSERT INTO custody_nodes VALUES (:l, :i, :h)"), rows)
    report = verify(filled, key)
    assert [(p.kind, p.index, p.end) for p in report.problems if p.index is not None] == [
        ("leaves_altered", 16, SIGNED)
    ]
    assert "checkpoint_mismatch" in kinds(report)


def test_forged_and_removed_checkpoints_are_found(filled: Database, key: LogKey) -> None:
    sql(
        filled,
        "UPDATE custody_checkpoints SET note = replace(note, '\n40\n', '\n41\n') WHERE seq = 2",
    )
    sql(filled, "DELETE FROM custody_checkpoints WHERE seq = 1")
    report = verify(filled, key)
    messages = [p.message for p in report.problems]
    assert kinds(report) == {"checkpoint_removed", "checkpoint_invalid", "no_checkpoint"}
    assert any("#1" in m for m in messages)
    assert any("forged" in m for m in messages)


def test_a_forged_or_truncated_checkpoint_given_to_verify_fails(filled: Database, key) -> None:
    with filled.reader() as session:
        good = log.latest_checkpoint(session)
        assert good is not None
        assert log.verify(session, good.note, key=key).ok
        for bad in [good.note.replace("\n40\n", "\n39\n"), good.note[:-30], good.note[:40]]:
            report = log.verify(session, bad, key=key)
            assert [p.kind for p in report.problems] == ["checkpoint_invalid"]
            assert report.checkpoint is None


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.data())
def test_any_single_byte_change_to_any_leaf_is_detected(filled: Database, key, data) -> None:
    """Each example changes one byte of one leaf inside a transaction that is rolled back."""
    index = data.draw(st.integers(0, TOTAL - 1))
    with filled.reader() as session:
        original = log.get_leaf(session, index).data
    position = data.draw(st.integers(0, len(original) - 1))
    delta = data.draw(st.integers(1, 255))
    changed = bytearray(original)
    changed[position] ^= delta
    with filled.engine.connect() as connection:
        transaction = connection.begin()
        _set(connection, index, bytes(changed))
        report = log.verify(Session(bind=connection), key=key)
        transaction.rollback()
    assert index in report.indexes("leaf_altered"), report.problems


def _set(connection: Connection, index: int, data: bytes) -> None:
    connection.execute(
        text("UPDATE custody_leaves SET data = :d WHERE idx = :i"), {"d": data, "i": index}
    )
