"""Request dependencies: the injected database, one read session per request, the caller.

The caller is whoever the ``Authorization: Bearer`` token names (:func:`authenticate_token`) or,
without one, the user of the browser's session cookie (:func:`dalil.web.session.session_user`),
who acts with their roles in every case (:func:`principal_for`); unsafe methods with a cookie must
pass the CSRF check first. A missing, unknown, expired or revoked credential is refused with 401
before any record is read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from dalil.access import Principal, Unauthenticated, authenticate_token, principal_for
from dalil.db import Database
from dalil.web.session import check_csrf, limits_of, session_user

MAX_LIMIT = 100

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="An API token (`dalil token create`): one case, one role.",
)


# Dependencies that neither read nor wait are ``async``: FastAPI runs a plain ``def`` one on a
# worker thread, a hand-off that costs more than they do, on every request.


async def database(request: Request) -> Database:
    db = request.app.state.db
    assert isinstance(db, Database)
    return db


DB = Annotated[Database, Depends(database)]


def reader(db: DB) -> Iterator[Session]:
    """One read-only session for the whole request (shared by authentication and the view)."""
    with db.reader() as session:
        yield session


Reader = Annotated[Session, Depends(reader)]


cookie_session = APIKeyCookie(
    name="__Host-dalil_session",
    auto_error=False,
    scheme_name="session",
    description=(
        "A browser session (`POST /api/session`); unsafe methods also need the `X-CSRF-Token` "
        "header equal to the `dalil_csrf` cookie."
    ),
)


def principal(
    request: Request,
    session: Reader,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    _cookie: Annotated[str | None, Depends(cookie_session)],
    _csrf: Annotated[None, Depends(check_csrf)],
) -> Principal:
    if credentials is not None and credentials.scheme.lower() == "bearer":
        if len(credentials.credentials) > 128:
            raise Unauthenticated("the token is not valid", hint="ask for a new token")
        return authenticate_token(session, credentials.credentials)
    user = session_user(request, session)
    if user is None:
        raise Unauthenticated(
            "a bearer token or a login session is required",
            hint="send Authorization: Bearer …, or log in (POST /api/session)",
        )
    return principal_for(session, user)


Caller = Annotated[Principal, Depends(principal)]


async def expensive(request: Request, caller: Caller) -> Principal:
    """The caller, after taking one token of their bucket for expensive requests (else 429)."""
    limits_of(request).spend(f"{caller.via}:{caller.user_id or caller.name}")
    return caller


ExpensiveCaller = Annotated[Principal, Depends(expensive)]


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int


async def page(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="At most this many items.")] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip.")] = 0,
) -> Page:
    return Page(limit, offset)


Paging = Annotated[Page, Depends(page)]
