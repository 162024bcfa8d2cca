"""Administration of a case: members and their roles, API tokens, and the audit trail.

Owners only (``roles.manage``, and ``audit.read`` for the trail); anyone else gets a 404, as if
the page did not exist. The account list appears only to instance admins. Opening the trail is
itself recorded (``audit_read``). Token secrets are never shown: only IDs, holders and dates.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from dalil.access import audit as audit_trail
from dalil.access import list_users, members
from dalil.db.models_access import ApiToken, User
from dalil.db.types import utcnow
from dalil.errors import NotFound
from dalil.web.ui.context import CasePage, database
from dalil.web.ui.templating import render

router = APIRouter(include_in_schema=False)

AUDIT_ROWS = 100


@router.get("/cases/{slug}/admin")
def admin_page(page: CasePage, request: Request) -> Response:
    assert page.case is not None
    assert page.user is not None
    if not page.can("roles.manage", "confidential"):
        raise NotFound("no such page")
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
        "audit": None,
    }
    if page.can("audit.read", "confidential"):
        with database(request).transaction(page.user.name) as writer:
            audit_trail.record(writer, page.user.name, "audit_read", page.case.id, {"via": "web"})
        context["audit"] = audit_trail.entries(page.session, page.case.id, limit=AUDIT_ROWS)[::-1]
    return render(request, "admin.html", context)
