"""Logging in and out, and choosing a case.

Login goes through :func:`dalil.web.session.log_in` (rate limits, lock-out, audit, cookies); a
refusal never says which part was wrong. The ``next`` target is followed only when it is a path
on this site, so the form cannot be used to send someone elsewhere.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from dalil.access import LoginFailed
from dalil.db import Case
from dalil.web import session as web_session
from dalil.web.limits import RateLimited
from dalil.web.ui.context import AnyPage, UserPage, database
from dalil.web.ui.labels import ROLES
from dalil.web.ui.templating import render, translate

router = APIRouter(include_in_schema=False)


def safe_next(target: str | None) -> str:
    """A local path to go to after login, else the case list."""
    if target is None:
        return "/cases"
    local = target.startswith("/") and not target.startswith(("//", "/\\"))
    if local and len(target) <= 2000 and not any(ch in target for ch in "\r\n\x00\\"):
        return target
    return "/cases"


@router.get("/")
def home(page: AnyPage) -> Response:
    return RedirectResponse("/cases" if page.user else "/login", status_code=303)


@router.get("/login")
def login_form(page: AnyPage, request: Request, next: str | None = None) -> Response:
    if page.user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(
        request, "login.html", {"page": page, "message": None, "name": "", "next": safe_next(next)}
    )


@router.post("/login", dependencies=[Depends(web_session.check_csrf)])
def login_submit(
    page: AnyPage,
    request: Request,
    name: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    totp: Annotated[str, Form(max_length=64)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/cases",
) -> Response:
    response = RedirectResponse(safe_next(next), status_code=303)
    settings = web_session.settings_of(request)
    try:
        web_session.log_in(
            request, response, database(request), settings, name, password, totp.strip() or None
        )
    except RateLimited:
        message, status = translate(page.lang, "Too many attempts. Wait a few minutes."), 429
    except LoginFailed:
        message = translate(page.lang, "Wrong name, password or code, or too many attempts.")
        status = 401
    else:
        return response
    context = {"page": page, "message": message, "name": name, "next": safe_next(next)}
    return render(request, "login.html", context, status_code=status)


@router.post("/logout", dependencies=[Depends(web_session.check_csrf)])
def logout(request: Request) -> Response:
    response = RedirectResponse("/login", status_code=303)
    web_session.log_out(request, response, database(request))
    return response


@router.get("/cases")
def choose_case(page: UserPage, request: Request) -> Response:
    assert page.principal is not None
    held = page.principal.roles
    cases = page.session.scalars(
        select(Case).where(Case.id.in_(list(held)), Case.deleted_at.is_(None)).order_by(Case.slug)
    )
    items = [{"case": c, "role_label": translate(page.lang, ROLES[held[c.id]])} for c in cases]
    return render(request, "cases.html", {"page": page, "cases": items})
