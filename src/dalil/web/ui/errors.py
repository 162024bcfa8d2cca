"""Errors on interface pages: an HTML page in the reader's language, never a traceback.

The API's JSON handlers stay in charge of ``/api``; this module wraps them so that every other
path gets a page instead. Messages shown are the engine's own (which never carry confidential
values) or a translated fixed text; a missing login becomes a redirect to the login form.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from dalil.access import Forbidden, LoginFailed, Unauthenticated
from dalil.errors import DalilError, InvalidInput, NotFound
from dalil.web.limits import TooBusy
from dalil.web.ui import i18n
from dalil.web.ui.context import LoginRequired, Page
from dalil.web.ui.templating import engine_message, render

log = logging.getLogger(__name__)
Handler = Callable[[Request, Exception], Awaitable[Response] | Response]


def _status(exc: Exception) -> int:
    if isinstance(exc, HTTPException):
        return exc.status_code
    if isinstance(exc, RequestValidationError | InvalidInput):
        return 422
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Forbidden):
        return 403
    if isinstance(exc, Unauthenticated | LoginFailed):
        return 401
    if isinstance(exc, TooBusy):
        return 429
    if isinstance(exc, DalilError):
        return 400
    return 500


def login_redirect(request: Request) -> Response:
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    location = "/login?next=" + quote(target, safe="/")
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": location})
    return RedirectResponse(location, status_code=303)


def error_page(request: Request, exc: Exception) -> Response:
    status = _status(exc)
    if status == 500:
        log.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.url.path)
    # A page without a database session: the error page needs only the language.
    page = Page(request, i18n.negotiate(request), session=None)  # type: ignore[arg-type]
    detail = (
        engine_message(page.lang, exc.message)
        if isinstance(exc, DalilError) and status in (400, 409, 422, 429)
        else None
    )
    return render(
        request,
        "error.html",
        {"page": page, "status": status, "detail": detail, "error_page": True},
        status_code=status,
    )


def install(app: FastAPI) -> None:
    """Route errors of non-API paths to HTML pages; keep the API's JSON handlers for ``/api``."""
    for kind in (DalilError, RequestValidationError, HTTPException, Exception):
        previous: Any = app.exception_handlers.get(kind)

        async def handler(request: Request, exc: Exception, previous: Any = previous) -> Response:
            if request.url.path.startswith("/api") and previous is not None:
                result = previous(request, exc)
                if inspect.isawaitable(result):
                    result = await result
                assert isinstance(result, Response)
                return result
            if isinstance(exc, LoginRequired):
                return login_redirect(request)
            return error_page(request, exc)

        app.add_exception_handler(kind, handler)
