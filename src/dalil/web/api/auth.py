"""Log in and out with a browser session: ``POST /api/session``, ``DELETE /api/session``.

Login is rate-limited per address and per account name (429 with ``Retry-After``) on top of the
lock-out the database counts; a refusal never says which part was wrong. This module must never
echo or log the password or code it receives.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field, SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session

from dalil.access import principal_for
from dalil.db import Case
from dalil.web.api.deps import DB, Caller, Reader
from dalil.web.api.errors import ERROR_RESPONSES
from dalil.web.session import check_origin, csrf_token, log_in, log_out, settings_of

router = APIRouter(prefix="/api", tags=["session"], responses=ERROR_RESPONSES)


class LoginIn(BaseModel):
    name: str = Field(min_length=1, max_length=64, description="The account name.")
    password: SecretStr = Field(min_length=1, max_length=1024)
    totp: SecretStr | None = Field(
        default=None, max_length=64, description="A TOTP code or a recovery code, when enrolled."
    )


class SessionOut(BaseModel):
    user: str
    admin: bool
    roles: dict[str, str] = Field(description="The caller's role by case slug.")
    csrf_token: str | None = Field(
        description="Send it as X-CSRF-Token on unsafe requests made with the session cookie."
    )


def _slugs(session: Session, roles: Mapping[str, str]) -> dict[str, str]:
    rows = session.execute(select(Case.id, Case.slug).where(Case.id.in_(list(roles))))
    return {str(case_id): str(slug) for case_id, slug in rows}


@router.post(
    "/session",
    response_model=SessionOut,
    summary="Log in: sets the session and CSRF cookies",
    responses={429: ERROR_RESPONSES[429]},
)
def create_session(body: LoginIn, request: Request, response: Response, db: DB) -> SessionOut:
    check_origin(request)
    totp = None if body.totp is None else body.totp.get_secret_value()
    user = log_in(
        request, response, db, settings_of(request), body.name,
        body.password.get_secret_value(), totp,
    )  # fmt: skip
    with db.reader() as session:
        principal = principal_for(session, user)
        slugs = _slugs(session, principal.roles)
    return SessionOut(
        user=user.name,
        admin=user.is_admin,
        roles={slugs[c]: r for c, r in principal.roles.items() if c in slugs},
        csrf_token=csrf_token(request),
    )


@router.get("/session", response_model=SessionOut, summary="Who the caller is")
def read_session(request: Request, session: Reader, caller: Caller) -> SessionOut:
    slugs = _slugs(session, caller.roles)
    return SessionOut(
        user=caller.name,
        admin=caller.is_admin,
        roles={slugs[c]: r for c, r in caller.roles.items() if c in slugs},
        csrf_token=csrf_token(request) if caller.via == "session" else None,
    )


@router.delete("/session", status_code=204, summary="Log out: ends the session, clears cookies")
def delete_session(request: Request, caller: Caller, db: DB) -> Response:
    response = Response(status_code=204)
    log_out(request, response, db)
    return response
