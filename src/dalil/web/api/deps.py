"""Request dependencies: the injected database, one read session per request, the caller.

The caller is whoever the ``Authorization: Bearer`` token names (:func:`authenticate_token`);
a missing, unknown, expired or revoked token is refused with 401 before any record is read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from dalil.access import Principal, Unauthenticated, authenticate_token
from dalil.db import Database

MAX_LIMIT = 100

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="An API token (`dalil token create`): one case, one role.",
)


def database(request: Request) -> Database:
    db = request.app.state.db
    assert isinstance(db, Database)
    return db


def reader(db: Annotated[Database, Depends(database)]) -> Iterator[Session]:
    """One read-only session for the whole request (shared by authentication and the view)."""
    with db.reader() as session:
        yield session


Reader = Annotated[Session, Depends(reader)]


def principal(
    session: Reader,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated("a bearer token is required", hint="send Authorization: Bearer …")
    return authenticate_token(session, credentials.credentials)


Caller = Annotated[Principal, Depends(principal)]


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int


def page(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="At most this many items.")] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip.")] = 0,
) -> Page:
    return Page(limit, offset)


Paging = Annotated[Page, Depends(page)]
