"""Appends from concurrent transactions are serialised: dense indexes, one verifiable tree."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import select

from dalil.db import Database
from dalil.db.models_evidence import CustodyCheckpoint
from dalil.evidence import log
from dalil.evidence.keys import load_key

WRITERS, TRANSACTIONS, BATCH = 3, 12, 4


def test_concurrent_appends_and_checkpoints_make_one_dense_verifiable_log(
    db: Database, tmp_path: Path
) -> None:
    key = load_key(tmp_path / "home")
    start = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            start.wait()
            for t in range(TRANSACTIONS):
                with db.transaction(name) as session:  # each thread: its own session
                    events = [{"action": "view", "seq": [t, b]} for b in range(BATCH)]
                    refs = log.append_many(session, events)
                    assert [r.index for r in refs] == list(
                        range(refs[0].index, refs[0].index + BATCH)
                    )
                    if t % 4 == 3:
                        log.checkpoint(session, key)
        except BaseException as exc:  # reported below, with the thread's name
            failures.append(exc)

    threads = [threading.Thread(target=writer, args=(f"w{i}",)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures

    total = WRITERS * TRANSACTIONS * BATCH
    with db.reader() as session:
        leaves = [log.get_leaf(session, i).event for i in range(log.size(session))]
        seqs = list(session.scalars(select(CustodyCheckpoint.seq).order_by(CustodyCheckpoint.seq)))
    assert len(leaves) == total
    for name in (f"w{i}" for i in range(WRITERS)):  # each writer's events in its own order
        mine = [e["seq"] for e in leaves if e["actor"] == name]
        assert mine == [[t, b] for t in range(TRANSACTIONS) for b in range(BATCH)]
    assert seqs == list(range(1, len(seqs) + 1))
    assert seqs
    with db.transaction("auditor") as session:
        log.checkpoint(session, key)
        report = log.verify(session, key=key)
    assert report.ok, report.problems
    assert report.tree_size == total
