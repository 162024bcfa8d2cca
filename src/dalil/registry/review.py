"""The review queue and reviewers' judgements on pairs of list records.

The queue holds the pairs a human should decide: the model's ``review`` pairs, and ``linked``
pairs whose records the registry still keeps in two persons (a judgement or the clustering
contradicted the model). Pairs with a ``same`` or ``different`` judgement leave the queue;
``unsure`` ones stay, after all the others. The most useful decision comes first: the one most
likely to change the registry, as learned from the case's own judgements
(:mod:`dalil.registry.linkage.reviewed`); until there are enough of them, the probability closest to
0.5; then the most records affected (the sizes of the persons involved).

Judgements are appended, never changed (the table refuses updates): the latest judgement of a
pair is the one that counts, and the next link run obeys it and passes it to the model as a
label. This module never decides permissions (callers ask :mod:`dalil.access.policy`) and never
puts a record's content into an error message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dalil.db import Source, new_id
from dalil.db.models_registry import (
    LinkJudgement,
    LinkPair,
    LinkRun,
    ListRecord,
    RegistryMember,
)
from dalil.errors import InvalidInput, NotFound
from dalil.registry.constraints import Pair, ordered
from dalil.registry.linkage.reviewed import Learned, PairContext, enough, learn
from dalil.registry.linkage.schema import RECORD_COLUMNS

DECISIONS = ("same", "different", "unsure")
NOTE_MAX = 2000
FIELDS = [c for c in RECORD_COLUMNS if c not in ("record_id", "source_id")]


@dataclass(frozen=True)
class QueueItem:
    record_a: str
    record_b: str
    match_weight: float
    match_probability: float
    status: str  # the model's: review | linked
    explanation: Any
    run_id: str
    person_a: str | None
    person_b: str | None
    size: int  # list records in the person(s) a decision would touch
    unsure: bool  # judged unsure before
    # The learned chance that a decision changes the registry ("same" on two persons, "different"
    # on one); None until the case has enough judgements to learn it (reviewed.MIN_EACH).
    chance: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "record_a": self.record_a,
            "record_b": self.record_b,
            "match_weight": self.match_weight,
            "match_probability": self.match_probability,
            "status": self.status,
            "explanation": self.explanation,
            "run_id": self.run_id,
            "person_a": self.person_a,
            "person_b": self.person_b,
            "size": self.size,
            "unsure": self.unsure,
            "chance": self.chance,
        }


def priority(item: QueueItem) -> tuple[bool, float, int, str, str]:
    """Sort key: unsure last; then the likeliest to change the registry (when learned; one
    queue is learned throughout or not at all), else closest to 0.5; then the most records
    affected."""
    return (
        item.unsure,
        abs(item.match_probability - 0.5) if item.chance is None else -item.chance,
        -item.size,
        item.record_a,
        item.record_b,
    )


def current_runs(session: Session, case_id: str) -> list[str]:
    """The finished runs whose pairs still count: the latest full run and the incremental ones
    after it (newest first). Earlier runs were superseded by that full run."""
    runs = session.execute(
        select(LinkRun.id, LinkRun.incremental)
        .where(LinkRun.case_id == case_id, LinkRun.status == "done")
        .order_by(LinkRun.started_at.desc(), LinkRun.id.desc())
    ).all()
    kept: list[str] = []
    for run_id, incremental in runs:
        kept.append(run_id)
        if not incremental:
            break
    return kept


def latest_judgements(session: Session, case_id: str) -> dict[Pair, str]:
    """(record_a, record_b) → the latest decision on that pair."""
    rows = session.execute(
        select(LinkJudgement.record_a, LinkJudgement.record_b, LinkJudgement.decision)
        .where(LinkJudgement.case_id == case_id)
        .order_by(LinkJudgement.created_at, LinkJudgement.id)
    )
    return {(a, b): decision for a, b, decision in rows}


def membership(session: Session, case_id: str) -> dict[str, str]:
    """list record id → its active registry person id."""
    rows = session.execute(
        select(RegistryMember.record_id, RegistryMember.registry_person_id)
        .join(ListRecord, ListRecord.id == RegistryMember.record_id)
        .where(ListRecord.case_id == case_id)
    )
    return dict(rows.all())


def current_pairs(
    session: Session, case_id: str, statuses: Iterable[str] | None = None
) -> list[LinkPair]:
    """The pairs of the current runs, one per record pair (the newest run's score wins)."""
    runs = current_runs(session, case_id)
    if not runs:
        return []
    rank = {run_id: i for i, run_id in enumerate(runs)}
    query = select(LinkPair).where(LinkPair.case_id == case_id, LinkPair.run_id.in_(runs))
    if statuses is not None:
        query = query.where(LinkPair.status.in_(list(statuses)))
    best: dict[Pair, LinkPair] = {}
    for pair in session.scalars(query):
        key = (pair.record_a, pair.record_b)
        if key not in best or rank[pair.run_id] < rank[best[key].run_id]:
            best[key] = pair
    return list(best.values())


def record_lists(session: Session, case_id: str) -> dict[str, str]:
    """list record id → its list (source) id."""
    rows = session.execute(
        select(ListRecord.id, ListRecord.source_id).where(ListRecord.case_id == case_id)
    )
    return dict(rows.all())


def queue(session: Session, case_id: str) -> list[QueueItem]:
    """Every pair awaiting a decision, best first (see :func:`priority`)."""
    return review_queue(session, case_id)[0]


def review_queue(session: Session, case_id: str) -> tuple[list[QueueItem], Learned | None]:
    """The queue, and the order learned from the case's judgements (None: not yet learned).
    Until the judgements can teach anything, neither the records' lists nor the unlinked pairs
    (decided ones among them) are read."""
    judged = latest_judgements(session, case_id)
    taught = _teach(judged)
    return waiting_in_order(
        current_pairs(session, case_id, None if taught else ("review", "linked")),
        judged,
        membership(session, case_id),
        record_lists(session, case_id) if taught else None,
    )


def _teach(judged: Mapping[Pair, str]) -> bool:
    decisions = list(judged.values())
    return enough(decisions.count("same"), decisions.count("different"))


class ScoredPair(Protocol):
    """What the queue reads of a stored pair (a ``LinkPair``, or a row of the engine's pairs)."""

    record_a: str
    record_b: str
    match_weight: float
    match_probability: float
    status: str
    explanation: Any
    run_id: str


def waiting(
    pairs: Iterable[ScoredPair],
    judged: Mapping[Pair, str],
    person: Mapping[str, str],
    lists: Mapping[str, str] | None = None,
) -> list[QueueItem]:
    """The pairs among ``pairs`` that await a decision, best first (see
    :func:`waiting_in_order`)."""
    return waiting_in_order(pairs, judged, person, lists)[0]


def waiting_in_order(
    pairs: Iterable[ScoredPair],
    judged: Mapping[Pair, str],
    person: Mapping[str, str],
    lists: Mapping[str, str] | None = None,
) -> tuple[list[QueueItem], Learned | None]:
    """The ``review`` and ``linked`` pairs among a run's ``pairs`` that await a decision, given
    the latest judgement of each pair and each placed record's person, best first: a pair
    judged same or different has its answer; a ``linked`` pair whose records share a person, or
    that was judged at all, has nothing to decide. With each record's list (``lists``), the
    order is learned from the judgements over all of ``pairs``
    (:mod:`dalil.registry.linkage.reviewed`); it is returned too (None: not learned)."""
    pairs = list(pairs)
    learned, context = None, None
    if lists is not None and _teach(judged):
        scored = pd.DataFrame(
            {
                "a": [p.record_a for p in pairs],
                "b": [p.record_b for p in pairs],
                "p": np.array([p.match_probability for p in pairs], dtype=float),
            }
        )
        context = PairContext(scored, lists)
        learned = learn(context, ((a, b, d) for (a, b), d in judged.items()))
    sizes: dict[str, int] = {}
    for pid in person.values():
        sizes[pid] = sizes.get(pid, 0) + 1
    open_pairs: list[tuple[ScoredPair, str | None, str | None, int, bool]] = []
    for pair in pairs:
        if pair.status not in ("review", "linked"):
            continue
        decision = judged.get((pair.record_a, pair.record_b))
        if decision in ("same", "different"):
            continue
        pa, pb = person.get(pair.record_a), person.get(pair.record_b)
        if pair.status == "linked" and (pa == pb or decision is not None):
            continue  # the model and the registry agree: nothing to decide
        touched = {p for p in (pa, pb) if p is not None}
        size = sum(sizes[p] for p in touched) + (pa is None) + (pb is None)
        open_pairs.append((pair, pa, pb, size, decision == "unsure"))
    chances: list[float | None] = [None] * len(open_pairs)
    if learned is not None and context is not None and open_pairs:
        asked = pd.DataFrame(
            {"a": [w[0].record_a for w in open_pairs], "b": [w[0].record_b for w in open_pairs]}
        )
        same = learned.chance_same(context.describe(asked))
        # "same" changes two persons; "different" changes one.
        chances = [
            None if np.isnan(s) else float(1 - s if pa is not None and pa == pb else s)
            for s, (_, pa, pb, _, _) in zip(same.tolist(), open_pairs, strict=True)
        ]
    items = [
        QueueItem(
            record_a=pair.record_a,
            record_b=pair.record_b,
            match_weight=pair.match_weight,
            match_probability=pair.match_probability,
            status=pair.status,
            explanation=pair.explanation,
            run_id=pair.run_id,
            person_a=pa,
            person_b=pb,
            size=size,
            unsure=unsure,
            chance=chance,
        )
        for (pair, pa, pb, size, unsure), chance in zip(open_pairs, chances, strict=True)
    ]
    items.sort(key=priority)
    return items, learned


def record_views(session: Session, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """list record id → its derived fields, list (source) and sensitivity, for display."""
    wanted = sorted(set(ids))
    views: dict[str, dict[str, Any]] = {}
    for start in range(0, len(wanted), 500):
        rows = session.execute(
            select(ListRecord, Source.title, Source.sensitivity)
            .join(Source, Source.id == ListRecord.source_id)
            .where(ListRecord.id.in_(wanted[start : start + 500]))
        )
        for record, title, sensitivity in rows:
            views[record.id] = record_view(record, title, sensitivity)
    return views


def record_view(record: ListRecord, source_title: str, sensitivity: str) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name in FIELDS:
        value = getattr(record, name)
        if name == "age" and value is not None:
            value = int(value) if float(value).is_integer() else value
        fields[name] = None if value is None else (value if name == "age" else str(value))
    return {
        "id": record.id,
        "source": {"id": record.source_id, "title": source_title},
        "row_number": record.row_number,
        "sensitivity": sensitivity,
        "fields": fields,
    }


def agreeing(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, bool | None]:
    """Field → True when both records give the same value, False when they differ, None when
    either is blank (compared after trimming and case-folding only: a display aid, not a model)."""

    def key(value: Any) -> str:
        return " ".join(str(value).split()).casefold()

    return {
        name: None if a.get(name) in (None, "") or b.get(name) in (None, "") else
        key(a[name]) == key(b[name])
        for name in FIELDS
    }  # fmt: skip


NAME_FIELDS = ("full_name", "given", "father", "grandfather", "family", "mother")


def alike(a: Any, b: Any) -> bool:
    """Two names that read the same across spellings or scripts (خالد and Khaled, مثال and
    المثال): the same folded form or transliteration key, word by word. A display aid only."""
    from dalil.registry.names import part_keys

    def keys(value: Any) -> list[tuple[str, str]]:
        found = [part_keys(word) for word in str(value).split()]
        return [(k.exact, k.translit) for k in found if k is not None]

    left, right = keys(a), keys(b)
    return len(left) == len(right) > 0 and all(
        x[0] == y[0] or (x[1] and x[1] == y[1]) for x, y in zip(left, right, strict=True)
    )


def field_states(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, str]:
    """Field → "agree", "alike" (a name in another spelling or script that reads the same),
    "differ" or "missing" (blank in one record), for each field either record fills: what a
    reviewer is shown beside the two values, in the terminal and on the web."""
    agree = agreeing(a, b)
    states = {}
    for name in FIELDS:
        if a.get(name) in (None, "") and b.get(name) in (None, ""):
            continue
        state = "missing" if agree[name] is None else ("agree" if agree[name] else "differ")
        if state == "differ" and name in NAME_FIELDS and alike(a[name], b[name]):
            state = "alike"
        states[name] = state
    return states


def judge(
    session: Session,
    case_id: str,
    record_a: str,
    record_b: str,
    decision: str,
    actor: str,
    note: str | None = None,
) -> LinkJudgement:
    """Append a judgement on a pair of the case's list records (in either order)."""
    if decision not in DECISIONS:
        raise InvalidInput("decision", f"must be one of {', '.join(DECISIONS)}")
    if record_a == record_b:
        raise InvalidInput("record_b", "a record cannot be judged against itself")
    if note is not None:
        note = note.strip() or None
        if note is not None and len(note) > NOTE_MAX:
            raise InvalidInput("note", f"at most {NOTE_MAX} characters")
    a, b = ordered(record_a, record_b)
    found = session.scalar(
        select(func.count())
        .select_from(ListRecord)
        .where(ListRecord.case_id == case_id, ListRecord.id.in_([a, b]))
    )
    if found != 2:
        raise NotFound("no such pair of list records in this case")
    judgement = LinkJudgement(
        id=new_id("judgement"),
        case_id=case_id,
        record_a=a,
        record_b=b,
        decision=decision,
        note=note,
        actor=actor,
    )
    session.add(judgement)
    session.flush()
    return judgement


def judgements_of(session: Session, case_id: str, a: str, b: str) -> list[dict[str, Any]]:
    """Every judgement of the pair, oldest first (the history a reviewer sees)."""
    a, b = ordered(a, b)
    rows = session.scalars(
        select(LinkJudgement)
        .where(
            LinkJudgement.case_id == case_id,
            LinkJudgement.record_a == a,
            LinkJudgement.record_b == b,
        )
        .order_by(LinkJudgement.created_at, LinkJudgement.id)
    )
    return [
        {
            "id": j.id,
            "decision": j.decision,
            "note": j.note,
            "actor": j.actor,
            "created_at": j.created_at.isoformat(),
        }
        for j in rows
    ]


__all__ = [
    "DECISIONS",
    "FIELDS",
    "NAME_FIELDS",
    "QueueItem",
    "agreeing",
    "alike",
    "current_pairs",
    "current_runs",
    "field_states",
    "judge",
    "judgements_of",
    "latest_judgements",
    "membership",
    "priority",
    "queue",
    "record_lists",
    "record_view",
    "record_views",
    "review_queue",
    "waiting",
    "waiting_in_order",
]
