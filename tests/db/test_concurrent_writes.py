"""Concurrent writers that read before they write wait for each other instead of failing."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from dalil.db import Database, Source
from dalil.documentation import create, create_case, get_case


def test_read_then_write_transactions_in_parallel_all_commit(db_url: str) -> None:
    db = Database(db_url)
    with db.transaction("setup") as session:
        create_case(session, "busy", title_en="Busy")
    failures: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(15):
                with db.transaction(f"writer-{n}") as session:
                    case = get_case(session, "busy")  # a read first, then a write
                    create(session, case, "source", {"source_type": "report", "title": f"{n}-{i}"})
        except BaseException as exc:  # collected and asserted below
            failures.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with db.reader() as session:
        count = session.scalar(select(func.count()).select_from(Source))
    db.dispose()
    assert failures == []
    assert count == 60
