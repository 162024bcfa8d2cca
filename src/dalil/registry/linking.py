"""Link a case's list records into registry persons: one *link run*, written in one transaction.

:func:`link_case` reads the case's list records (derived columns only, never the raw rows) and
the reviewers' judgements, runs the linkage engine (:mod:`dalil.registry.linkage`) — the whole
case when there is no registry yet or ``incremental=False``, otherwise only the records no person
holds yet, against the existing persons — makes the clusters obey the judgements
(:mod:`dalil.registry.constraints`), keeps or redirects person IDs
(:mod:`dalil.registry.stable_ids`) and writes the run, its pairs, the persons, members and
redirects together. If anything fails, nothing of the run is written but a ``failed`` run row
(so the attempt is on record).

It must never re-use a person ID for a different set of records, and never write a record's
content into an error or a log.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import ArrayLike
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from dalil.db import Database, new_id
from dalil.db.models_registry import (
    LinkPair,
    LinkRun,
    ListRecord,
    RegistryPerson,
)
from dalil.db.types import utcnow
from dalil.errors import InvalidInput
from dalil.registry.constraints import apply_judgements
from dalil.registry.link_store import (
    CHUNK,
    check_token,
    jsonable,
    pair_rows,
    pairs_to_keep,
    record_failure,
    write_registry,
)
from dalil.registry.linkage.schema import RECORD_COLUMNS
from dalil.registry.remapping import remapped_since
from dalil.registry.review import current_pairs, latest_judgements, membership, queue
from dalil.registry.stable_ids import assign

if TYPE_CHECKING:
    import pandas as pd

    from dalil.config import Settings
    from dalil.registry.linkage.engine import Resources

ENGINES = ("duckdb", "spark")
log = logging.getLogger(__name__)
DECISION = 0.5  # the engine's: pairs at or above it take part in clustering

Progress = Callable[[str, float], None]  # stage, fraction done (as the engine reports)


@dataclass
class RunSummary:
    """What a run did, as the CLI and API report it."""

    run_id: str
    case_id: str
    engine: str
    incremental: bool
    records: int
    new_records: int
    persons: int
    pairs: int  # pairs stored (linked + review + near misses)
    linked: int
    review: int  # pairs in the review queue after the run
    kept: int
    grown: int
    created: int
    retired: int
    redirects: int
    judgements: int
    conflicts: list[tuple[str, str]] = field(default_factory=list)
    calibration: dict[str, Any] | None = None
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["conflicts"] = [list(c) for c in self.conflicts]
        return data


@dataclass
class _State:
    records: pd.DataFrame
    members: dict[str, str]  # record → active person
    persons: dict[str, set[str]]  # active person → records
    used: set[str]  # every person id the case ever had
    decisions: dict[tuple[str, str], str]
    model: Any
    token: str | None  # the newest finished run: unchanged when we write, or someone else ran
    remapped: list[str]  # imports whose records were derived again since that run


def records_frame(session: Session, case_id: str) -> pd.DataFrame:
    """The case's list records as the engine reads them (``RECORD_COLUMNS``)."""
    import pandas as pd

    columns = [getattr(ListRecord, c if c != "record_id" else "id") for c in RECORD_COLUMNS]
    rows = session.execute(
        select(*columns).where(ListRecord.case_id == case_id).order_by(ListRecord.id)
    )
    data: list[list[Any]] = []
    for row in rows:
        values = list(row)
        for i, name in enumerate(RECORD_COLUMNS):
            value = values[i]
            if value is None:
                continue
            if name == "age":
                values[i] = int(value)
            elif not isinstance(value, str):
                values[i] = str(value)
        data.append(values)
    frame = pd.DataFrame(data, columns=list(RECORD_COLUMNS))
    return frame.astype({"age": "Int64"})


def _read_state(session: Session, case_id: str) -> _State:
    members = membership(session, case_id)
    persons: dict[str, set[str]] = {}
    for record, pid in members.items():
        persons.setdefault(pid, set()).add(record)
    used = set(session.scalars(select(RegistryPerson.id).where(RegistryPerson.case_id == case_id)))
    last = session.execute(
        select(LinkRun.id, LinkRun.started_at)
        .where(LinkRun.case_id == case_id, LinkRun.status == "done")
        .order_by(LinkRun.started_at.desc(), LinkRun.id.desc())
        .limit(1)
    ).first()
    model = None
    if last is not None:
        model = session.scalar(
            select(LinkRun.model)
            .where(
                LinkRun.case_id == case_id,
                LinkRun.status == "done",
                LinkRun.incremental.is_(False),
            )
            .order_by(LinkRun.started_at.desc(), LinkRun.id.desc())
            .limit(1)
        )
    return _State(
        records=records_frame(session, case_id),
        members=members,
        persons=persons,
        used=used,
        decisions=latest_judgements(session, case_id),
        model=model,
        token=None if last is None else last[0],
        remapped=[] if last is None else remapped_since(session, case_id, last[1]),
    )


def labels_frame(decisions: Mapping[tuple[str, str], str]) -> pd.DataFrame:
    """Decisive judgements as engine labels: record_a, record_b, decision, clerical_match_score."""
    import pandas as pd

    rows = [
        (a, b, d, 1.0 if d == "same" else 0.0)
        for (a, b), d in sorted(decisions.items())
        if d in ("same", "different")
    ]
    return pd.DataFrame(rows, columns=["record_a", "record_b", "decision", "clerical_match_score"])


def _clusters_from(result_clusters: pd.DataFrame, records: Iterable[str],
                   existing: Mapping[str, str]) -> list[frozenset[str]]:  # fmt: skip
    """A partition of ``records``: existing persons, joined by the engine's cluster labels."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    everyone = set(records)
    for record, pid in existing.items():  # person ids and the engine's labels share a namespace
        if record in everyone:
            union("r:" + record, "c:" + pid)
    for record, cluster in zip(
        result_clusters["record_id"], result_clusters["cluster_id"], strict=True
    ):
        if str(record) in everyone:
            union("r:" + str(record), "c:" + str(cluster))
    groups: dict[str, set[str]] = {}
    for record in everyone:
        groups.setdefault(find("r:" + record), set()).add(record)
    return [frozenset(g) for g in groups.values()]


def _edges(
    a: ArrayLike, b: ArrayLike, probability: ArrayLike, weight: ArrayLike
) -> list[tuple[str, str, float]]:
    """The links the clustering may take among these pairs (at the engine's decision
    probability), with their weights."""
    keep = np.flatnonzero(np.asarray(probability, dtype=float) >= DECISION)  # NaN never is
    ends_a, ends_b = np.asarray(a, dtype=object)[keep], np.asarray(b, dtype=object)[keep]
    w = np.asarray(weight, dtype=float)[keep]
    return [(str(x), str(y), float(v)) for x, y, v in zip(ends_a, ends_b, w, strict=True)]


def _run_engine(
    state: _State,
    *,
    engine: Literal["duckdb", "spark"],
    incremental: bool,
    progress: Progress | None,
    seed: int,
    resources: Resources | None,
) -> tuple[Any, list[str]]:
    """The engine's result (or None when there is nothing new to link) and the new record ids."""
    from dalil.registry import linkage

    labels = labels_frame(state.decisions)
    records = state.records
    if not incremental:
        if progress:
            progress(f"linking {len(records):,} records ({engine})", 0.05)
        result = linkage.link(
            records,
            engine=engine,
            labels=labels,
            progress=progress,
            seed=seed,
            resources=resources,
        )
        return result, list(records["record_id"])
    new_mask = ~records["record_id"].isin(list(state.members))
    new, existing = records[new_mask], records[~new_mask]
    new_ids = [str(r) for r in new["record_id"]]
    if new.empty:
        return None, []
    if progress:
        progress(f"linking {len(new):,} new records to {len(state.persons):,} persons", 0.1)
    import pandas as pd

    existing_clusters = pd.DataFrame(
        {
            "record_id": list(existing["record_id"]),
            "cluster_id": [state.members[str(r)] for r in existing["record_id"]],
        }
    )
    result = linkage.link_new(
        new,
        existing,
        existing_clusters,
        state.model,
        engine=engine,
        labels=labels,
        resources=resources,
    )
    return result, new_ids


def resources_from(settings: Settings) -> Resources:
    """The linkage database's limits, from ``DALIL_LINK_MEMORY_LIMIT`` and
    ``DALIL_LINK_SPILL_DIR``."""
    from dalil.registry.linkage.engine import Resources

    spill = str(settings.link_spill_dir) if settings.link_spill_dir else None
    return Resources(memory_limit=settings.link_memory_limit.strip(), spill_dir=spill)


def link_case(
    db: Database,
    case_id: str,
    *,
    actor: str,
    engine: str = "duckdb",
    incremental: bool = True,
    progress: Progress | None = None,
    seed: int = 42,
    resources: Resources | None = None,
) -> RunSummary:
    """Run linkage over the case's list records and store the run (see the module docstring).
    ``resources``: the linkage database's memory limit and spill folder (the engine's defaults
    when None; :func:`resources_from` reads them from the settings)."""
    if engine not in ENGINES:
        raise InvalidInput("engine", f"must be one of {', '.join(ENGINES)}")
    started = utcnow()
    clock = time.monotonic()
    if progress:
        progress("reading list records and judgements", 0.0)
    with db.reader() as session:
        state = _read_state(session, case_id)
    if state.records.empty:
        raise InvalidInput(
            "case", "has no list records to link", hint="import a list first (`dalil lists import`)"
        )
    unplaced = int((~state.records["record_id"].isin(list(state.members))).sum())
    trained = isinstance(state.model, dict) and bool(state.model.get("splink"))
    # Incremental needs a registry, and a trained model when there are records to place; records
    # derived again with a new mapping since the last run are linked again, with all the others.
    incremental = (
        incremental and bool(state.persons) and (trained or unplaced == 0) and not state.remapped
    )
    run_id = new_id("link_run")
    try:
        result, new_ids = _run_engine(
            state,
            engine="spark" if engine == "spark" else "duckdb",
            incremental=incremental,
            progress=progress,
            seed=seed,
            resources=resources,
        )
    except Exception as exc:
        record_failure(db, case_id, run_id, actor, engine, incremental, started, exc)
        raise
    if progress:
        progress("applying judgements and keeping IDs", 0.9)
    all_ids = [str(r) for r in state.records["record_id"]]
    if result is None:
        import pandas as pd

        pairs = pd.DataFrame(
            {
                "record_a": pd.Series([], dtype=str),
                "record_b": pd.Series([], dtype=str),
                "match_weight": pd.Series([], dtype=float),
                "match_probability": pd.Series([], dtype=float),
                "status": pd.Series([], dtype=str),
            }
        )
        partition = _clusters_from(
            pd.DataFrame({"record_id": [], "cluster_id": []}), all_ids, state.members
        )
    else:
        pairs = result.pairs
        existing = state.members if incremental else {}
        partition = _clusters_from(result.clusters, all_ids, existing)
    pairs = pairs[pairs["match_probability"].notna()]  # judged pairs the model never scored
    linked = pairs[pairs["status"] == "linked"]
    edges = _edges(
        pairs["record_a"].to_numpy(),
        pairs["record_b"].to_numpy(),
        pairs["match_probability"].to_numpy(),
        pairs["match_weight"].to_numpy(),
    )
    if incremental:  # a cluster split by a judgement is rebuilt from all its links
        with db.reader() as session:
            current = current_pairs(session, case_id, ("linked", "review"))
        edges += _edges(
            [p.record_a for p in current],
            [p.record_b for p in current],
            [p.match_probability for p in current],
            [p.match_weight for p in current],
        )
    constrained = apply_judgements(partition, edges, state.decisions)
    ids = assign(state.persons, constrained.clusters, lambda: new_id("registry_person"), state.used)

    if progress:
        progress("writing the run", 0.95)
    stored = pairs_to_keep(pairs)
    with db.transaction(actor) as session:
        check_token(session, case_id, state.token)
        session.execute(
            insert(LinkRun).values(
                id=run_id,
                case_id=case_id,
                started_at=started,
                engine=engine,
                status="running",
                incremental=incremental,
                actor=actor,
            )
        )
        rows = pair_rows(stored, run_id, case_id)
        for start in range(0, len(rows), CHUNK):
            session.execute(insert(LinkPair), rows[start : start + CHUNK])
        write_registry(session, case_id, run_id, state.members, constrained, ids)
        calibration = jsonable(getattr(result, "calibration", None)) if result else None
        model = jsonable(getattr(result, "model", None)) if result else None
        if incremental:
            model = None  # the model of the full run stays the one to use
        session.execute(
            update(LinkRun)
            .where(LinkRun.id == run_id)
            .values(
                status="done",
                finished_at=utcnow(),
                model=model,
                calibration=calibration,
                record_count=len(all_ids),
                person_count=len(constrained.clusters),
                pair_count=len(rows),
            )
        )
        review = len(queue(session, case_id))
    return RunSummary(
        run_id=run_id,
        case_id=case_id,
        engine=engine,
        incremental=incremental,
        records=len(all_ids),
        new_records=len(new_ids),
        persons=len(constrained.clusters),
        pairs=len(rows),
        linked=len(linked),
        review=review,
        kept=sum(1 for k in ids.kept.values() if k == "same"),
        grown=sum(1 for k in ids.kept.values() if k == "grown"),
        created=len(ids.created),
        retired=len(ids.retired),
        redirects=len(ids.redirects),
        judgements=sum(1 for d in state.decisions.values() if d in ("same", "different")),
        conflicts=constrained.conflicts,
        calibration=calibration,
        seconds=round(time.monotonic() - clock, 2),
    )


__all__ = ["ENGINES", "RunSummary", "labels_frame", "link_case", "records_frame"]
