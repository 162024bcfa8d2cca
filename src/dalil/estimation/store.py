"""Storing estimates with their inputs, and repeating them to check a figure.

A stored estimate holds the capture table(s), method, every option (seed included), who ran it
and when, and the versions of Dalil, NumPy, SciPy and Python. :func:`reproduce` runs it again
from that record alone and says whether the figure is the same. Rows are never updated.
"""

from __future__ import annotations

import math
import platform
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.metadata import version as _version
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

import dalil
from dalil.db import Case, new_id
from dalil.db.models_estimation import StoredEstimate
from dalil.documentation import actor_of
from dalil.errors import Ambiguous, InvalidInput, NotFound
from dalil.estimation.captures import CaptureTable
from dalil.estimation.methods import run
from dalil.estimation.result import Estimate, Progress, finite
from dalil.estimation.strata import Stratified, estimate_strata

MIN_PREFIX = 6
TOLERANCE = 1e-9  # relative: the same software gives the same figure to the last digit


def software() -> dict[str, str]:
    return {
        "dalil": dalil.__version__,
        "numpy": np.__version__,
        "scipy": _version("scipy"),
        "python": platform.python_version(),
    }


def new_estimate_id() -> str:
    return new_id("estimate")


def captures_json(
    tables: Mapping[str, CaptureTable], sources: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    first = next(iter(tables.values()))
    data: dict[str, Any] = {
        "lists": list(first.lists),
        "tables": {name: t.nonzero() for name, t in tables.items()},
    }
    if sources:
        data["list_sources"] = dict(sources)
    return data


def tables_of(stored: StoredEstimate) -> dict[str, CaptureTable]:
    lists = tuple(stored.captures["lists"])
    return {name: CaptureTable(lists, counts) for name, counts in stored.captures["tables"].items()}


def save(
    session: Session,
    result: Estimate | Stratified,
    tables: Mapping[str, CaptureTable],
    *,
    source: str,
    case: Case | None = None,
    list_sources: Mapping[str, Any] | None = None,
) -> StoredEstimate:
    total = result.total if isinstance(result, Stratified) else result
    interval = total.interval
    stored = StoredEstimate(
        id=new_estimate_id(),
        case_id=case.id if case is not None else None,
        method=total.method,
        label=total.label,
        parameters=total.to_json()["parameters"],
        seed=total.parameters.get("seed"),
        source=source,
        stratified_by=result.by if isinstance(result, Stratified) else None,
        captures=captures_json(tables, list_sources),
        total=total.total,
        lower=None if interval is None else finite(interval.lower),
        upper=None if interval is None else finite(interval.upper),
        level=None if interval is None else interval.level,
        documented=total.documented,
        result=result.to_json(),
        software=software(),
        created_by=actor_of(session),
    )
    session.add(stored)
    session.flush()
    return stored


def get_estimate(session: Session, ref: str) -> StoredEstimate:
    ref = (ref or "").strip()
    if len(ref) < MIN_PREFIX:
        raise InvalidInput("estimate", f"{ref!r} is too short to name an estimate (give its ID)")
    found = list(
        session.scalars(
            select(StoredEstimate)
            .where(StoredEstimate.id.startswith(ref, autoescape=True))
            .limit(2)
        )
    )
    if not found:
        raise NotFound(f"no estimate {ref!r}", hint="`dalil estimate list` shows them")
    if len(found) > 1 and found[0].id != ref:
        raise Ambiguous(f"{ref!r} matches more than one estimate; give more of the ID")
    return found[0]


def list_estimates(session: Session, case: Case | None = None) -> list[StoredEstimate]:
    query = select(StoredEstimate).order_by(StoredEstimate.created_at, StoredEstimate.id)
    if case is not None:
        query = query.where(StoredEstimate.case_id == case.id)
    return list(session.scalars(query))


def summary(stored: StoredEstimate) -> dict[str, Any]:
    """What ``dalil estimate list`` shows of a stored estimate."""
    return {
        "id": stored.id,
        "created_at": stored.created_at.isoformat(timespec="seconds"),
        "created_by": stored.created_by,
        "case_id": stored.case_id,
        "method": stored.method,
        "label": stored.label,
        "source": stored.source,
        "stratified_by": stored.stratified_by,
        "total": stored.total,
        "lower": stored.lower,
        "upper": stored.upper,
        "level": stored.level,
        "documented": stored.documented,
    }


def view(stored: StoredEstimate) -> dict[str, Any]:
    """Everything stored about an estimate, as JSON: what ``dalil estimate show`` prints."""
    return summary(stored) | {
        "seed": stored.seed,
        "parameters": stored.parameters,
        "captures": stored.captures,
        "result": stored.result,
        "software": stored.software,
    }


@dataclass
class Reproduction:
    stored: StoredEstimate
    again: Estimate | Stratified
    differences: list[str] = field(default_factory=list)

    @property
    def matches(self) -> bool:
        return not self.differences


def _differs(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return (a is None) != (b is None)
    return not math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=TOLERANCE)


def reproduce(stored: StoredEstimate, progress: Progress | None = None) -> Reproduction:
    """Run the stored estimate again from its stored inputs and compare the figures."""
    tables = tables_of(stored)
    params = dict(stored.parameters)
    again: Estimate | Stratified
    if stored.stratified_by:
        again = estimate_strata(
            tables, stored.method, stored.stratified_by, progress=progress, **params
        )
        total = again.total
    else:
        again = run(next(iter(tables.values())), stored.method, progress=progress, **params)
        total = again
    result = Reproduction(stored, again)
    interval = total.interval
    pairs = {
        "estimate": (stored.total, total.total),
        "lower": (stored.lower, None if interval is None else finite(interval.lower)),
        "upper": (stored.upper, None if interval is None else finite(interval.upper)),
    }
    for name, (before, now) in pairs.items():
        if _differs(before, now):
            result.differences.append(f"{name}: stored {before}, now {now}")
    if result.differences and stored.software != software():
        result.differences.append(f"software differs: stored {stored.software}, now {software()}")
    return result
