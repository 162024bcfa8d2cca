"""JSON errors: ``{"error": {"code", "message"}}`` for every refusal, never a traceback.

Messages come from :class:`dalil.errors.DalilError`, which must not carry confidential values;
validation errors name the parameter and the rule, never echo the value given.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from dalil.access import Forbidden, LoginFailed, Unauthenticated
from dalil.errors import Ambiguous, Conflict, DalilError, InvalidInput, NotFound
from dalil.web.limits import RateLimited, TooBusy

log = logging.getLogger(__name__)


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorOut(BaseModel):
    """Every error response has this shape."""

    error: ErrorDetail


# Most specific first: the first matching class decides status and code.
STATUS: list[tuple[type[DalilError], int, str]] = [
    (RateLimited, 429, "rate_limited"),
    (TooBusy, 429, "rate_limited"),
    (LoginFailed, 401, "login_failed"),
    (Unauthenticated, 401, "unauthenticated"),
    (Forbidden, 403, "forbidden"),
    (NotFound, 404, "not_found"),
    (InvalidInput, 422, "invalid_input"),
    (Ambiguous, 400, "ambiguous"),
    (Conflict, 409, "conflict"),
]

ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorOut, "description": description}
    for status, description in (
        (400, "The request cannot be answered as it is."),
        (401, "No valid bearer token or login session."),
        (403, "The caller's role may not do this, or a CSRF check failed."),
        (404, "No such record visible to this caller."),
        (422, "A parameter is not acceptable."),
        (429, "Too many requests; the Retry-After header says how many seconds to wait."),
    )
}


def error_response(
    status: int, code: str, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    headers = dict(headers or {})
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    body = ErrorOut(error=ErrorDetail(code=code, message=message))
    return JSONResponse(body.model_dump(), status_code=status, headers=headers or None)


async def _dalil_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DalilError)
    for cls, status, code in STATUS:
        if isinstance(exc, cls):
            wait = getattr(exc, "retry_after", None)
            headers = {"Retry-After": str(wait)} if isinstance(wait, int) else None
            return error_response(status, code, exc.message, headers)
    return error_response(400, "error", exc.message)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err.get("loc", ()))
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return error_response(422, "invalid_input", "; ".join(parts) or "invalid request")


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(
        exc.status_code, "http_error"
    )
    return error_response(exc.status_code, code, str(exc.detail), exc.headers)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # The type only: an exception's text may quote data.
    log.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.url.path)
    return error_response(500, "internal", "internal error; the operator's log has the details")


def install(app: FastAPI) -> None:
    app.add_exception_handler(DalilError, _dalil_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
