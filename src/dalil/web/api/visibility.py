"""The API's use of the policy: which levels a caller reads, 404 rather than 403 for reads.

Deciding what a view may show is :func:`dalil.access.views.visible_view`'s job (claims through
hidden values or sources, hidden places, user names for public-only roles); this module only
turns its refusals into 404s. It must never widen what the policy returns.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from dalil.access import Principal, decide, require
from dalil.access import views as access_views
from dalil.access.policy import USER_NAMES, policy
from dalil.access.views import levels_of
from dalil.errors import NotFound

__all__ = ["levels_of", "readable_levels", "require_read", "strip_names", "visible_view"]


def readable_levels(principal: Principal, case_id: str) -> list[str]:
    """The sensitivity levels the principal may read in the case (empty: no role there)."""
    return [lvl for lvl in policy().levels if decide(principal, "read", case_id, lvl).allowed]


def require_read(principal: Principal, case_id: str, sensitivity: str, missing: str) -> None:
    """:func:`require` read access, answering 404 (``missing``) rather than 403.

    A 403 would confirm that the record exists to someone who may not know it.
    """
    if not decide(principal, "read", case_id, sensitivity).allowed:
        raise NotFound(missing)
    require(principal, "read", case_id, sensitivity)


def visible_view(
    session: Session, principal: Principal, case_id: str, view: dict[str, Any], missing: str
) -> dict[str, Any]:
    """The entity view as the principal may see it, or :class:`NotFound` (``missing``)."""
    require_read(principal, case_id, str(view.get("sensitivity")), missing)
    result = access_views.visible_view(session, principal, case_id, view)
    if result is None:
        raise NotFound(missing)
    return result


def strip_names(principal: Principal, case_id: str, view: dict[str, Any]) -> dict[str, Any]:
    """``view`` with user names set to None when the principal may read only public data."""
    if decide(principal, "read", case_id, "restricted").allowed:
        return view

    def clean(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: None if k in USER_NAMES else clean(v) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    result = clean(view)
    assert isinstance(result, dict)
    return result
