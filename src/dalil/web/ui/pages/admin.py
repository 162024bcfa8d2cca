"""Administration of a case: members and their roles, API tokens, and the audit trail.

Owners only (``roles.manage``, and ``audit.read`` for the trail); anyone else gets a 404, as if
the page did not exist. The account list appears only to instance admins. Opening the trail is
itself recorded (``audit_read``). Token secrets are never shown: only IDs, holders and dates.

Owners give, change and take away roles and revoke the case's API tokens here, through
:func:`dalil.access.grant`, :func:`dalil.access.revoke` and :func:`dalil.access.revoke_token`
(which check ``roles.manage`` again and audit every change), behind the CSRF check. An owner
cannot take away or change their own role here, so that no one locks themselves out by a click.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from dalil.access import audit as audit_trail
from dalil.access import get_user, grant, list_users, members, revoke, revoke_token
from dalil.db import Case
from dalil.db.models_access import ApiToken, User
from dalil.db.types import utcnow
from dalil.errors import DalilError, NotFound
from dalil.web import session as web_session
from dalil.web.ui.context import CasePage, Page, database
from dalil.web.ui.labels import ROLES
from dalil.web.ui.templating import engine_message, render, translate

router = APIRouter(include_in_schema=False)

AUDIT_ROWS = 100


def _owner(page: Page) -> None:
    if not page.can("roles.manage", "confidential"):
        raise NotFound("no such page")


def _context(page: Page, request: Request, **extra: Any) -> dict[str, Any]:
    assert page.case is not None
    assert page.user is not None
    tokens = page.session.execute(
        select(ApiToken, User.name)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.case_id == page.case.id)
        .order_by(ApiToken.created_at.desc())
    ).all()
    now = utcnow()
    context = {
        "page": page,
        "active": "admin",
        "members": members(page.session, page.case),
        "users": list_users(page.session) if page.can("users.manage") else None,
        "tokens": [
            {"token": t, "user": name, "live": t.revoked_at is None and t.expires_at > now}
            for t, name in tokens
        ],
        "roles": ROLES,
        "audit": None,
        "error": None,
        "form": {},
        "done": request.query_params.get("done") if request.method == "GET" else None,
        **extra,
    }
    if page.can("audit.read", "confidential"):
        with database(request).transaction(page.user.name) as writer:
            audit_trail.record(writer, page.user.name, "audit_read", page.case.id, {"via": "web"})
        context["audit"] = audit_trail.entries(page.session, page.case.id, limit=AUDIT_ROWS)[::-1]
    return context


@router.get("/cases/{slug}/admin")
def admin_page(page: CasePage, request: Request) -> Response:
    _owner(page)
    return render(request, "admin.html", _context(page, request))


def _refuse(page: Page, request: Request, message: str, form: dict[str, str]) -> Response:
    context = _context(page, request, error=translate(page.lang, message), form=form)
    return render(request, "admin.html", context, status_code=422)


def _done(page: Page, what: str) -> Response:
    return RedirectResponse(page.case_url("admin") + f"?done={what}#members-h", status_code=303)


@router.post("/cases/{slug}/admin/roles", dependencies=[Depends(web_session.check_csrf)])
def grant_role(
    page: CasePage,
    request: Request,
    name: Annotated[str, Form(max_length=200)],
    role: Annotated[str, Form(max_length=64)],
) -> Response:
    """Give an account a role in this case (replacing the role it held here)."""
    assert page.case is not None
    assert page.principal is not None
    assert page.user is not None
    _owner(page)
    form = {"name": name, "role": role}
    if role not in ROLES:
        return _refuse(page, request, "Choose one of the roles offered.", form)
    if name.strip().lower() == page.user.name:
        return _refuse(page, request, "You cannot change your own role here.", form)
    try:
        get_user(page.session, name)
    except NotFound:
        return _refuse(page, request, "No account has that name.", form)
    try:
        with database(request).transaction(page.user.name) as writer:
            case = writer.get(Case, page.case.id)
            assert case is not None
            grant(writer, page.principal, case, get_user(writer, name), role)
    except DalilError as exc:
        context = _context(page, request, error=engine_message(page.lang, exc.message), form=form)
        return render(request, "admin.html", context, status_code=422)
    return _done(page, "granted")


@router.post("/cases/{slug}/admin/roles/revoke", dependencies=[Depends(web_session.check_csrf)])
def revoke_role(
    page: CasePage, request: Request, name: Annotated[str, Form(max_length=200)]
) -> Response:
    """Take an account's role in this case away (its API tokens for the case stop working)."""
    assert page.case is not None
    assert page.principal is not None
    assert page.user is not None
    _owner(page)
    if name.strip().lower() == page.user.name:
        return _refuse(page, request, "You cannot take away your own role here.", {})
    with database(request).transaction(page.user.name) as writer:
        try:
            user = get_user(writer, name)
        except NotFound:
            raise NotFound(f"no member {name!r} in this case") from None
        case = writer.get(Case, page.case.id)
        assert case is not None
        revoke(writer, page.principal, case, user)
    return _done(page, "revoked")


@router.post("/cases/{slug}/admin/tokens/revoke", dependencies=[Depends(web_session.check_csrf)])
def revoke_case_token(
    page: CasePage, request: Request, token: Annotated[str, Form(max_length=80)]
) -> Response:
    """Revoke an API token of this case (it stops working at once)."""
    assert page.case is not None
    assert page.principal is not None
    assert page.user is not None
    _owner(page)
    with database(request).transaction(page.user.name) as writer:
        row = writer.get(ApiToken, token)
        if row is None or row.case_id != page.case.id:
            raise NotFound(f"no token {token!r} in this case")
        revoke_token(writer, page.principal, token)
    return _done(page, "token-revoked")
