"""Link runs on a real case (real importer, real Splink engine, SQLite and PostgreSQL): what a run
writes, IDs that survive re-runs, judgements that merge and split persons, incremental lists."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from dalil.db import Database, Source
from dalil.db.models_registry import (
    LinkPair,
    LinkRun,
    ListRecord,
    RegistryMember,
    RegistryPerson,
    RegistryRedirect,
)
from dalil.errors import InvalidInput, NotFound
from dalil.registry.link_store import NEAR_MISSES
from dalil.registry.linking import link_case
from dalil.registry.review import judge, queue
from dalil.registry.stable_ids import members_digest
from registry.linking_support import ACTOR, import_rows, make_case, row, two_lists, write_list


def records_of(db: Database, case_id: str, source: str) -> list[str]:
    """The list's record ids in row order."""
    with db.reader() as s:
        return list(
            s.scalars(
                select(ListRecord.id)
                .join(Source, Source.id == ListRecord.source_id)
                .where(ListRecord.case_id == case_id, Source.title == source)
                .order_by(ListRecord.row_number)
            )
        )


def persons(db: Database, case_id: str) -> dict[str, frozenset[str]]:
    """Active registry person id → its member record ids."""
    with db.reader() as s:
        rows = s.execute(
            select(RegistryMember.registry_person_id, RegistryMember.record_id)
            .join(RegistryPerson, RegistryPerson.id == RegistryMember.registry_person_id)
            .where(RegistryPerson.case_id == case_id, RegistryPerson.status == "active")
        )
        out: dict[str, set[str]] = {}
        for pid, record in rows:
            out.setdefault(pid, set()).add(record)
    return {k: frozenset(v) for k, v in out.items()}


def person_of(db: Database, record: str) -> str:
    with db.reader() as s:
        pid = s.scalar(
            select(RegistryMember.registry_person_id).where(RegistryMember.record_id == record)
        )
    assert pid is not None
    return pid


def redirects(db: Database) -> set[tuple[str, str, str]]:
    with db.reader() as s:
        return {
            (r.old_id, r.new_id, r.reason) for r in s.scalars(select(RegistryRedirect))
        }  # fmt: skip


def add_judgement(db: Database, case_id: str, a: str, b: str, decision: str) -> None:
    with db.transaction(ACTOR) as s:
        judge(s, case_id, a, b, decision, ACTOR, note="test")


def test_a_first_run_places_every_record_in_one_person_and_stores_the_run(
    db: Database, tmp_path: Path
) -> None:
    case_id, _ = two_lists(db, tmp_path)
    summary = link_case(db, case_id, actor=ACTOR)
    assert not summary.incremental
    everyone = persons(db, case_id)
    members = [r for m in everyone.values() for r in m]
    all_records = records_of(db, case_id, "List A") + records_of(db, case_id, "List B")
    assert sorted(members) == sorted(all_records)  # each record in exactly one person
    assert summary.records == len(all_records) == 110
    assert summary.persons == len(everyone) == summary.created
    with db.reader() as s:
        run = s.get(LinkRun, summary.run_id)
        assert run is not None
        assert (run.status, run.record_count, run.person_count) == ("done", 110, summary.persons)
        assert run.model is not None
        assert run.model["format"].startswith("dalil.linkage-model")
        assert run.calibration is not None
        assert "prior" in run.calibration
        stored = s.execute(
            select(LinkPair.status, func.count()).where(LinkPair.run_id == run.id)
            .group_by(LinkPair.status)
        ).all()  # fmt: skip
        digests = {p.id: p.members_digest for p in s.scalars(select(RegistryPerson))}
    counts = dict(stored)
    assert sum(counts.values()) == summary.pairs > 0
    assert counts.get("unlinked", 0) <= NEAR_MISSES
    assert summary.review == counts.get("review", 0)  # nothing judged, no contradiction yet
    assert all(digests[pid] == members_digest(m) for pid, m in everyone.items())


def test_runs_without_change_keep_every_id_full_or_incremental(
    db: Database, tmp_path: Path
) -> None:
    case_id, _ = two_lists(db, tmp_path)
    link_case(db, case_id, actor=ACTOR)
    before = persons(db, case_id)
    again = link_case(db, case_id, actor=ACTOR)  # incremental: nothing new
    assert again.incremental
    assert again.new_records == 0
    assert persons(db, case_id) == before
    full = link_case(db, case_id, actor=ACTOR, incremental=False)
    assert not full.incremental
    assert (full.kept, full.created, full.retired) == (len(before), 0, 0)
    assert persons(db, case_id) == before


def test_same_merges_two_persons_and_different_splits_them_again(
    db: Database, tmp_path: Path
) -> None:
    case_id, _ = two_lists(db, tmp_path)
    a, b = records_of(db, case_id, "List A"), records_of(db, case_id, "List B")
    link_case(db, case_id, actor=ACTOR)
    pa, pb = person_of(db, a[0]), person_of(db, b[0])
    assert pa != pb or len(persons(db, case_id)[pa]) > 1

    add_judgement(db, case_id, a[0], b[0], "same")
    merged = link_case(db, case_id, actor=ACTOR)
    joined = person_of(db, a[0])
    assert person_of(db, b[0]) == joined
    if pa != pb:
        assert merged.retired >= 2
        assert {(pa, joined, "merged"), (pb, joined, "merged")} <= redirects(db)
    with db.reader() as s:
        assert all({i.record_a, i.record_b} != {a[0], b[0]} for i in queue(s, case_id))
        old = s.get(RegistryPerson, pa)
        assert old is not None
        if pa != joined:
            assert (old.status, old.retired_run_id) == ("retired", merged.run_id)

    add_judgement(db, case_id, a[0], b[0], "different")  # the latest judgement counts
    split = link_case(db, case_id, actor=ACTOR)
    assert person_of(db, a[0]) != person_of(db, b[0])
    assert split.retired >= 1
    assert {(joined, person_of(db, a[0]), "split"), (joined, person_of(db, b[0]), "split")} <= (
        redirects(db)
    )
    # A full run obeys the same judgement: the model never puts them together again.
    link_case(db, case_id, actor=ACTOR, incremental=False)
    assert person_of(db, a[0]) != person_of(db, b[0])
    # No ID was ever reused: every person row is unique, and retired ones stay retired.
    with db.reader() as s:
        statuses = dict(s.execute(select(RegistryPerson.id, RegistryPerson.status)).all())
    assert statuses[joined] == "retired"


def test_a_new_list_links_incrementally_and_grown_persons_keep_their_id(
    db: Database, tmp_path: Path
) -> None:
    case_id, people = two_lists(db, tmp_path)
    link_case(db, case_id, actor=ACTOR)
    before = persons(db, case_id)
    a = records_of(db, case_id, "List A")
    import_rows(db, case_id, write_list(tmp_path / "c.csv", [row(p, 0) for p in people[:5]]), "C")
    c = records_of(db, case_id, "C")
    target = person_of(db, a[3])
    add_judgement(db, case_id, a[3], c[3], "same")  # known before the run: a label for it
    summary = link_case(db, case_id, actor=ACTOR)
    assert summary.incremental
    assert summary.new_records == 5
    after = persons(db, case_id)
    assert person_of(db, c[3]) == target  # grown by the new record, same ID
    assert after[target] == before[target] | {c[3]}
    assert summary.grown >= 1
    # Persons the new list did not touch are exactly as they were, under the same IDs.
    touched = {person_of(db, r) for r in c}
    for pid, members in before.items():
        if pid in after and pid not in touched:
            assert after[pid] == members
    assert sorted(r for m in after.values() for r in m) == sorted(
        a + records_of(db, case_id, "List B") + c
    )


def test_a_case_without_lists_and_a_bad_engine_are_refused(db: Database) -> None:
    case_id = make_case(db, "empty")
    with pytest.raises(InvalidInput, match="no list records"):
        link_case(db, case_id, actor=ACTOR)
    with pytest.raises(InvalidInput, match="engine"):
        link_case(db, case_id, actor=ACTOR, engine="excel")
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(LinkRun)) == 0


def test_judge_validates_and_appends(db: Database, tmp_path: Path) -> None:
    case_id, _ = two_lists(db, tmp_path, n=6, overlap=3)
    a = records_of(db, case_id, "List A")
    with db.transaction(ACTOR) as s:
        with pytest.raises(InvalidInput, match="decision"):
            judge(s, case_id, a[0], a[1], "maybe", ACTOR)
        with pytest.raises(InvalidInput, match="itself"):
            judge(s, case_id, a[0], a[0], "same", ACTOR)
        with pytest.raises(NotFound):
            judge(s, case_id, a[0], "lrc_doesnotexist0000", "same", ACTOR)
        with pytest.raises(InvalidInput, match="note"):
            judge(s, case_id, a[0], a[1], "same", ACTOR, note="x" * 2001)
        first = judge(s, case_id, a[1], a[0], "same", ACTOR)  # either order
        second = judge(s, case_id, a[0], a[1], "unsure", ACTOR, note="  ")
    assert (first.record_a, first.record_b) == tuple(sorted(a[:2]))
    assert second.id != first.id
    assert second.note is None
