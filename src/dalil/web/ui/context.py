"""What every page handler starts from: a :class:`Page` (language, user, principal, case).

Dependencies here decide who is asking — the session cookie (:mod:`dalil.web.session`) turned
into a :class:`~dalil.access.Principal` by :func:`dalil.access.principal_for` — and whether they
may see the case at all (a case where they hold no role answers 404, as if it did not exist).
Handlers then ask :meth:`Page.can` or :mod:`dalil.web.api.visibility` for everything they show.
This module must never decide a permission itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Path, Request
from sqlalchemy.orm import Session

from dalil.access import Principal, decide, principal_for
from dalil.db import Case, Database
from dalil.db.models_access import User
from dalil.documentation import get_case
from dalil.errors import DalilError, NotFound
from dalil.web import session as web_session
from dalil.web.api.visibility import readable_levels, require_read
from dalil.web.ui import i18n


class LoginRequired(DalilError):
    """No live session: the handler answers with a redirect to the login page."""


@dataclass
class Page:
    """The request as pages see it. ``session`` reads the database for this request only."""

    request: Request
    lang: str
    session: Session
    user: User | None = None
    principal: Principal | None = None
    case: Case | None = None
    levels: list[str] = field(default_factory=list)

    @property
    def dir(self) -> str:
        return i18n.direction(self.lang)

    @property
    def comma(self) -> str:
        return "، " if self.lang == "ar" else ", "

    @property
    def csrf(self) -> str:
        return web_session.csrf_token(self.request)

    @property
    def role(self) -> str | None:
        if self.principal is None or self.case is None:
            return None
        return self.principal.roles.get(self.case.id)

    def can(self, action: str, sensitivity: str = "public") -> bool:
        """What :func:`dalil.access.decide` answers for this user in this case."""
        if self.principal is None:
            return False
        case_id = self.case.id if self.case is not None else None
        return decide(self.principal, action, case_id, sensitivity).allowed

    def pick(self, en: str | None, ar: str | None) -> str:
        return i18n.pick(en, ar, self.lang)

    def lang_url(self, lang: str) -> str:
        """This page in another language (other query parameters kept)."""
        params = [(k, v) for k, v in self.request.query_params.multi_items() if k != "lang"]
        return f"{self.request.url.path}?{urlencode([*params, ('lang', lang)])}"

    @property
    def languages(self) -> dict[str, str]:
        return i18n.NAMES

    def case_url(self, *parts: str) -> str:
        assert self.case is not None
        return "/".join(["", "cases", self.case.slug, *parts])


def database(request: Request) -> Database:
    db = request.app.state.db
    assert isinstance(db, Database)
    return db


def anonymous_page(request: Request) -> Iterator[Page]:
    """A page anyone may open (the login form); ``user`` is set when a session is live."""
    with database(request).reader() as session:
        page = Page(request, i18n.negotiate(request), session)
        page.user = web_session.session_user(request, session)
        if page.user is not None:
            page.principal = principal_for(session, page.user)
        yield page


def user_page(page: Annotated[Page, Depends(anonymous_page)]) -> Page:
    """A page for a logged-in user; otherwise :class:`LoginRequired` (a redirect to log in)."""
    if page.user is None:
        raise LoginRequired("log in first")
    return page


Slug = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
RecordId = Annotated[str, Path(pattern=r"^[a-z]{2,8}_[a-z0-9]{4,64}$")]


def case_page(slug: Slug, page: Annotated[Page, Depends(user_page)]) -> Page:
    """A page of one case the user holds a role in; 404 for any other (existing or not)."""
    missing = f"no case {slug!r}"
    try:
        case = get_case(page.session, slug)
    except NotFound:
        raise NotFound(missing) from None
    assert page.principal is not None
    require_read(page.principal, case.id, "public", missing)
    page.case = case
    page.levels = readable_levels(page.principal, case.id)
    return page


AnyPage = Annotated[Page, Depends(anonymous_page)]
UserPage = Annotated[Page, Depends(user_page)]
CasePage = Annotated[Page, Depends(case_page)]


def base_context(page: Page, **values: Any) -> dict[str, Any]:
    return {"page": page, **values}
