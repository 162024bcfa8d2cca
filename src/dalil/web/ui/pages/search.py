"""Search across a case: persons (Arabic-normalised and transliteration-aware), incidents, sources.

Persons are found by :func:`dalil.documentation.search_persons` up to the user's read clearance
(records above it are never loaded); incidents and sources are matched on their Arabic-normalised
titles among those the role may read. With HTMX the results refresh as one types; without
JavaScript the form submits and the same page comes back with the results.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import select

from dalil.access import clearance
from dalil.db import Incident, Source
from dalil.documentation import count_persons, display_name, search_persons
from dalil.values import search_key
from dalil.web import session as web_session
from dalil.web.ui.context import CasePage, Page
from dalil.web.ui.templating import render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 20


def _matches(words: list[str], *texts: str | None) -> bool:
    key = search_key(" ".join(t for t in texts if t))
    return all(w in key for w in words)


def _others(page: Page, words: list[str]) -> dict[str, list[Any]]:
    """Incidents and sources whose titles hold every word (the role's levels only)."""
    assert page.case is not None
    incidents = page.session.scalars(
        select(Incident)
        .where(Incident.case_id == page.case.id, Incident.deleted_at.is_(None))
        .where(Incident.sensitivity.in_(page.levels))
        .order_by(Incident.start_date, Incident.id)
    )
    sources = page.session.scalars(
        select(Source)
        .where(Source.case_id == page.case.id, Source.deleted_at.is_(None))
        .where(Source.sensitivity.in_(page.levels))
        .order_by(Source.title, Source.id)
    )
    return {
        "incidents": [i for i in incidents if _matches(words, i.title_en, i.title_ar)][:PAGE_SIZE],
        "sources": [s for s in sources if _matches(words, s.title, s.author, s.publisher)][
            :PAGE_SIZE
        ],
    }


@router.get("/cases/{slug}/search")
def search_page(
    page: CasePage,
    request: Request,
    q: Annotated[str, Query(max_length=200)] = "",
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    assert page.case is not None
    assert page.principal is not None
    words = search_key(q).split()[:12]
    context: dict[str, Any] = {
        "page": page, "active": "search", "q": q, "searched": bool(words),
        "persons": [], "total": 0, "offset": offset, "size": PAGE_SIZE,
        "incidents": [], "sources": [],
    }  # fmt: skip
    if words:
        # The same bucket as the API's searches: typing a long name costs a few requests.
        web_session.limits_of(request).spend(f"session:{page.principal.user_id}")
        top = clearance(page.principal, "read", page.case.id)
        query = " ".join(words)
        hits = search_persons(
            page.session, page.case, query, limit=PAGE_SIZE, offset=offset, max_sensitivity=top
        )
        context["persons"] = [
            {
                "id": h.person.id,
                "name": h.matched.full,
                "display": display_name(h.person, page.lang),
                "status": h.person.status,
            }
            for h in hits
        ]
        context["total"] = count_persons(page.session, page.case, query, max_sensitivity=top)
        context.update(_others(page, words))
    if request.headers.get("hx-request") and request.headers.get("hx-target") == "results":
        return render(request, "partials/search_results.html", context)
    return render(request, "search.html", context)
