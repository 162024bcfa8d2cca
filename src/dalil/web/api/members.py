"""Who holds which role in a case: list, grant, revoke (``roles.manage``: owners).

The permission is checked before a user name is even looked up, so a caller without it cannot
learn which accounts exist. Every change is audited by :mod:`dalil.access.roles`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, Field

from dalil.access import get_user, grant, members, require, revoke
from dalil.db import Case
from dalil.errors import NotFound
from dalil.web.api.deps import DB, Caller, Reader
from dalil.web.api.errors import ERROR_RESPONSES
from dalil.web.api.records import Slug, caller_case

router = APIRouter(prefix="/api", tags=["members"], responses=ERROR_RESPONSES)

UserName = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9._-]{1,63}$", description="Account.")]


class Member(BaseModel):
    user: str
    role: str
    granted_by: str
    granted_at: str


class RoleIn(BaseModel):
    role: str = Field(max_length=32, description="owner, investigator, analyst, reviewer, …")


@router.get("/cases/{slug}/members", response_model=list[Member], summary="A case's members")
def list_members(slug: Slug, session: Reader, caller: Caller) -> list[Member]:
    case = caller_case(session, caller, slug)
    require(caller, "roles.manage", case.id, "confidential")
    return [Member(**m) for m in members(session, case)]


@router.put(
    "/cases/{slug}/members/{user}", response_model=list[Member], summary="Give a user a role"
)
def put_member(slug: Slug, user: UserName, body: RoleIn, db: DB, caller: Caller) -> list[Member]:
    with db.transaction(caller.name) as session:
        case = caller_case(session, caller, slug)
        require(caller, "roles.manage", case.id, "confidential")
        try:
            account = get_user(session, user)
        except NotFound:
            raise NotFound(f"no user {user!r}") from None
        grant(session, caller, case, account, body.role)
        return [Member(**m) for m in members(session, case)]


@router.delete("/cases/{slug}/members/{user}", status_code=204, summary="Take a user's role")
def delete_member(slug: Slug, user: UserName, db: DB, caller: Caller) -> Response:
    with db.transaction(caller.name) as session:
        case: Case = caller_case(session, caller, slug)
        require(caller, "roles.manage", case.id, "confidential")
        try:
            account = get_user(session, user)
        except NotFound:
            raise NotFound(f"no user {user!r}") from None
        revoke(session, caller, case, account)
    return Response(status_code=204)
