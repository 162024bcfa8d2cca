"""What the CLI, the API and the demo call: run one method or several, on a table or a case.

A :class:`Request` says which method(s) and options; :func:`plan` turns ``all`` into the runs
worth showing side by side (Chapman when two lists are named, log-linear main effects and
stepwise, LCMCR); :func:`run_plan` runs them on one table or on strata. :func:`estimate_case`
builds the capture table from a case's lists and estimates, optionally storing the result.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from dalil.db import Case
from dalil.errors import InvalidInput
from dalil.estimation import params as checks
from dalil.estimation.captures import CaptureTable
from dalil.estimation.from_case import CaseCaptures, case_captures
from dalil.estimation.methods import ESTIMATORS, run
from dalil.estimation.result import Estimate, Progress
from dalil.estimation.store import save
from dalil.estimation.strata import Stratified, estimate_strata

METHODS = (*ESTIMATORS, "all")
Result = Estimate | Stratified
# Given a run's label, a progress callback for it (the CLI draws a bar per run).
ProgressFactory = Callable[[str], Progress | None]


@dataclass(frozen=True)
class Request:
    method: str = "all"
    model: str | None = None
    select: str = "none"  # log-linear: none, stepwise, aic or bic
    pair: str | None = None  # two-list methods: which two lists
    interval: str | None = None  # log-linear: profile, bootstrap or wald
    bootstrap: int | None = None
    seed: int | None = None
    iterations: int | None = None  # LCMCR
    burn_in: int | None = None
    thin: int | None = None
    chains: int | None = None
    classes: int | None = None
    level: float = 0.95

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise InvalidInput("method", f"{self.method!r}: use {', '.join(METHODS)}")


def plan(request: Request, table: CaptureTable) -> list[tuple[str, dict[str, Any]]]:
    """The (method, options) runs a request stands for on this table."""
    seed = checks.seed(request.seed)  # one seed for the whole request, recorded by every run
    two: dict[str, Any] = {"pair": request.pair, "level": request.level}
    loglinear: dict[str, Any] = {
        "model": request.model,
        "select": request.select,
        "level": request.level,
    }
    loglinear |= {"interval": request.interval, "bootstrap": request.bootstrap, "seed": seed}
    lcmcr: dict[str, Any] = {
        "iterations": request.iterations,
        "burn_in": request.burn_in,
        "seed": seed,
    }
    lcmcr |= {"thin": request.thin, "chains": request.chains, "classes": request.classes}
    lcmcr |= {"level": request.level}
    if request.method in {"chapman", "lincoln"}:
        return [(request.method, two)]
    if request.method == "loglinear":
        return [("loglinear", loglinear)]
    if request.method == "lcmcr":
        return [("lcmcr", lcmcr)]
    runs: list[tuple[str, dict[str, Any]]] = []
    if table.size == 2 or request.pair:
        runs.append(("chapman", two))
    if request.model or request.select != "none":
        runs.append(("loglinear", loglinear))
    elif table.size > 2:
        runs += [("loglinear", loglinear), ("loglinear", loglinear | {"select": "stepwise"})]
    if table.size > 2:
        runs.append(("lcmcr", lcmcr))
    return runs


def run_plan(
    tables: Mapping[str, CaptureTable],
    request: Request,
    *,
    by: str | None = None,
    progress: ProgressFactory | None = None,
) -> list[Result]:
    """Run every planned method on the table, or on each stratum with the total summed."""
    first = next(iter(tables.values()))
    results: list[Result] = []
    for method, options in plan(request, first):
        options = {k: v for k, v in options.items() if v is not None}
        bar = progress(method) if progress is not None else None
        if by is None:
            results.append(run(first, method, progress=bar, **options))
        else:
            results.append(estimate_strata(tables, method, by, progress=bar, **options))
    return results


@dataclass
class CaseEstimate:
    """An estimate for a case: the capture table(s) it came from and the result."""

    captures: CaseCaptures
    result: Result
    stored_id: str | None = None

    @property
    def estimate(self) -> Estimate:
        """The estimate of the case's total (the strata summed when stratified)."""
        return self.result.total if isinstance(self.result, Stratified) else self.result


def case_source(captures: CaseCaptures, slug: str) -> str:
    return f"case {slug}: lists " + ", ".join(
        f"{name}={info['source_id']}" for name, info in captures.lists.items()
    )


def estimate_case(
    session: Session,
    case: Case,
    *,
    method: str = "lcmcr",
    by: str | None = None,
    lists: list[str] | None = None,
    save_result: bool = False,
    progress: Progress | None = None,
    **options: Any,
) -> CaseEstimate:
    """Estimate the case's total from its list sources with one method (the demo's entry).

    With ``save_result`` the session must be a write transaction; the stored ID is returned.
    """
    if method not in ESTIMATORS:
        raise InvalidInput("method", f"{method!r}: use one of {', '.join(ESTIMATORS)}")
    captures = case_captures(session, case, lists=lists, by=by)
    result: Result
    if by is None:
        result = run(captures.tables[""], method, progress=progress, **options)
    else:
        result = estimate_strata(captures.tables, method, by, progress=progress, **options)
    done = CaseEstimate(captures, result)
    if save_result:
        stored = save(
            session,
            result,
            captures.tables,
            source=case_source(captures, case.slug),
            case=case,
            list_sources=captures.lists,
        )
        done.stored_id = stored.id
    return done
