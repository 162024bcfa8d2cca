"""Estimates of a case (multiple systems estimation): list, read, and run one (analyst and up).

Estimates are built from restricted list sources, so reading one needs ``read`` at restricted and
running one needs ``analyse``. A run from the API uses small defaults (a fast method, few LCMCR
iterations) so that one request cannot tie up the server; heavy runs belong to the CLI.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from dalil.access import Principal, require
from dalil.db import Case
from dalil.errors import NotFound
from dalil.web.api.deps import DB, Caller, ExpensiveCaller, Paging, Reader
from dalil.web.api.errors import ERROR_RESPONSES
from dalil.web.api.records import Slug, caller_case
from dalil.web.api.schemas import PageInfo
from dalil.web.api.visibility import strip_names

router = APIRouter(prefix="/api", tags=["estimates"], responses=ERROR_RESPONSES)

EstimateId = Annotated[str, Path(pattern=r"^[a-z]{2,8}_[a-z0-9]{4,64}$", description="Full ID.")]


class EstimateBrief(BaseModel):
    id: str
    created_at: str
    created_by: str | None
    method: str
    label: str | None
    stratified_by: str | None
    total: float | None
    lower: float | None
    upper: float | None
    level: float | None
    documented: int | None


class EstimatePage(BaseModel):
    items: list[EstimateBrief]
    page: PageInfo


class EstimateOut(EstimateBrief):
    source: str | None
    seed: int | None
    parameters: dict[str, Any] | None
    captures: dict[str, Any] | None
    result: dict[str, Any] | None


class EstimateRun(BaseModel):
    method: Literal["chapman", "lincoln", "loglinear", "lcmcr"] = Field(
        default="chapman", description="Two-list methods and log-linear are fast; LCMCR is not."
    )
    by: Literal["governorate", "sex", "year"] | None = Field(
        default=None, description="Stratify by this."
    )
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1, description="LCMCR only.")
    iterations: int = Field(default=2000, ge=100, le=20000, description="LCMCR only.")


def _require(session: Session, caller: Principal, slug: str, action: str) -> Case:
    case = caller_case(session, caller, slug)
    require(caller, action, case.id, "restricted")
    return case


def _brief(caller: Principal, case_id: str, row: dict[str, Any]) -> dict[str, Any]:
    return strip_names(caller, case_id, row)


@router.get("/cases/{slug}/estimates", response_model=EstimatePage, summary="A case's estimates")
def list_case_estimates(
    slug: Slug, session: Reader, caller: Caller, paging: Paging
) -> EstimatePage:
    from dalil.estimation import list_estimates
    from dalil.estimation.store import summary

    case = _require(session, caller, slug, "read")
    rows = list_estimates(session, case)
    chosen = rows[paging.offset : paging.offset + paging.limit]
    items = [EstimateBrief(**_brief(caller, case.id, summary(r))) for r in chosen]
    return EstimatePage(items=items, page=PageInfo(**paging.__dict__, total=len(rows)))


@router.get("/estimates/{id}", response_model=EstimateOut, summary="One estimate, in full")
def read_estimate(id: EstimateId, session: Reader, caller: Caller) -> EstimateOut:
    from dalil.db.models_estimation import StoredEstimate
    from dalil.estimation.store import view

    stored = session.get(StoredEstimate, id)
    missing = f"no estimate {id!r}"
    if stored is None or stored.case_id is None or stored.case_id not in caller.roles:
        raise NotFound(missing)
    require(caller, "read", stored.case_id, "restricted")
    return EstimateOut(**_brief(caller, stored.case_id, view(stored)))


@router.post(
    "/cases/{slug}/estimates",
    response_model=EstimateOut,
    status_code=201,
    summary="Estimate the case's total from its list sources, and store it",
)
def run_estimate(slug: Slug, body: EstimateRun, db: DB, caller: ExpensiveCaller) -> EstimateOut:
    from dalil.db.models_estimation import StoredEstimate
    from dalil.estimation import estimate_case
    from dalil.estimation.store import view

    with db.reader() as session:
        case_id = _require(session, caller, slug, "analyse").id
    options: dict[str, Any] = {}
    if body.method == "lcmcr":
        options |= {"iterations": body.iterations, "burn_in": body.iterations // 4, "chains": 2}
        if body.seed is not None:
            options["seed"] = body.seed
    with db.transaction(caller.name) as session:
        case = session.get(Case, case_id)
        assert case is not None
        done = estimate_case(
            session, case, method=body.method, by=body.by, save_result=True, **options
        )
        stored = session.get(StoredEstimate, done.stored_id)
        assert stored is not None
        return EstimateOut(**_brief(caller, case_id, view(stored)))
