"""Browser sessions: the login cookie and CSRF protection, over :mod:`dalil.access.sessions`.

A login sets two cookies. ``__Host-dalil_session`` holds the session id (Secure, HttpOnly,
SameSite=Strict, Path=/, no Domain; only its SHA-256 is stored). ``dalil_csrf`` (readable by the
page's script, otherwise the same attributes) holds the CSRF token, which is derived from the
session id (HMAC), so a token planted by another site or a sibling host never matches. Every unsafe
request (POST, PUT, PATCH, DELETE) that carries the session cookie must send the same token in the
``X-CSRF-Token`` header or the ``csrf_token`` form field (compared in constant time), and, when the
browser names an ``Origin`` (or else a ``Referer``), it must be this server's. Browsers keep
``Secure`` cookies on ``http://127.0.0.1`` and ``http://localhost`` (potentially trustworthy
origins), so a local ``dalil serve`` works without TLS; anywhere else use HTTPS.

This module must never log, store or return a session id, a password or a TOTP code.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request, Response
from sqlalchemy.orm import Session

from dalil.access import (
    AccessSettings,
    Forbidden,
    MasterKey,
    Unauthenticated,
    audit,
    check_session,
    cookie,
    load_master_key,
    login,
    revoke_session,
)
from dalil.access.sessions import digest
from dalil.db import Database
from dalil.db.models_access import User, UserSession
from dalil.db.types import utcnow
from dalil.errors import ConfigError
from dalil.web.limits import Limits

COOKIE = "__Host-dalil_session"
CSRF_COOKIE = "dalil_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
TOUCH_EVERY = timedelta(seconds=60)  # last use is written at most once a minute per session
MAX_SECRET = 128  # longer cookie or token values are refused unread


def settings_of(request: Request) -> AccessSettings:
    """The app's access settings (``app.state.access_settings``, defaults when none given)."""
    settings = getattr(request.app.state, "access_settings", None)
    if settings is None:
        settings = AccessSettings()
        request.app.state.access_settings = settings
    assert isinstance(settings, AccessSettings)
    return settings


def limits_of(request: Request) -> Limits:
    limits = getattr(request.app.state, "limits", None)
    if limits is None:
        limits = Limits.default()
        request.app.state.limits = limits
    assert isinstance(limits, Limits)
    return limits


def master_of(request: Request, settings: AccessSettings) -> MasterKey | None:
    """The master key (needed to check TOTP codes), or None when none is configured."""
    if not hasattr(request.app.state, "master_key"):
        try:
            request.app.state.master_key = load_master_key(settings, None)
        except ConfigError:
            request.app.state.master_key = None
    master = request.app.state.master_key
    assert master is None or isinstance(master, MasterKey)
    return master


def client_ip(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


def _derive_csrf(session_id: str) -> str:
    return hmac.new(session_id.encode("utf-8"), b"dalil-csrf-v1", hashlib.sha256).hexdigest()


def _csrf_cookie(settings: AccessSettings, value: str) -> dict[str, Any]:
    attributes = cookie(settings, value)
    attributes.update(key=CSRF_COOKIE, httponly=False)  # the page's script sends it back
    return attributes


def _raw_session(request: Request) -> str | None:
    raw = request.cookies.get(COOKIE)
    if not raw or len(raw) > MAX_SECRET:
        return None
    return raw


def log_in(
    request: Request,
    response: Response,
    db: Database,
    settings: AccessSettings,
    name: str,
    password: str,
    totp_code: str | None = None,
) -> User:
    """Check the credentials, start a session and set both cookies on ``response``.

    Raises :class:`~dalil.web.limits.RateLimited` (a :class:`~dalil.access.LoginFailed`;
    answer 429) when this address or account tried too often, and
    :class:`~dalil.access.LoginFailed` (answer 401) for any wrong part, without saying which.
    A session cookie the browser already held is revoked (no session fixation).
    """
    limits_of(request).login(client_ip(request), name)
    if len(name) > 200 or len(password) > 1024 or (totp_code is not None and len(totp_code) > 64):
        from dalil.access import LoginFailed
        from dalil.access.accounts import REFUSED

        raise LoginFailed(REFUSED)
    created = login(db, settings, master_of(request, settings), name, password, totp_code)
    old = _raw_session(request)
    if old is not None:
        with db.transaction(created.user_name) as session:
            revoke_session(session, old, utcnow())
    response.set_cookie(**cookie(settings, created.session_id))
    response.set_cookie(**_csrf_cookie(settings, _derive_csrf(created.session_id)))
    request.state.csrf_token = _derive_csrf(created.session_id)
    with db.reader() as session:
        user = session.get(User, created.user_id)
    assert user is not None
    return user


def log_out(request: Request, response: Response, db: Database) -> None:
    """End the browser's session (if any) and clear both cookies."""
    raw = _raw_session(request)
    if raw is not None:
        with db.transaction("logout") as session:
            row = session.get(UserSession, digest(raw))
            if row is not None and row.revoked_at is None:
                user = session.get(User, row.user_id)
                revoke_session(session, raw, utcnow())
                audit.record(session, user.name if user else "(unknown)", "logout")
    for name in (COOKIE, CSRF_COOKIE):
        response.delete_cookie(name, path="/", secure=True, httponly=name == COOKIE,
                               samesite="strict")  # fmt: skip


def session_user(request: Request, session: Session) -> User | None:
    """The user of the request's session cookie, or None (no cookie, ended, idle, disabled).

    Reads through ``session``; the last-use time is written (in its own short transaction) at
    most once a minute, so the idle timeout is exact to that minute.
    """
    raw = _raw_session(request)
    if raw is None:
        return None
    settings = settings_of(request)
    now = utcnow()
    row = session.get(UserSession, digest(raw))
    if row is None or row.revoked_at is not None or now >= row.expires_at:
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        db = request.app.state.db
        assert isinstance(db, Database)
        with db.transaction("session") as writer:
            try:
                user_id: str | None = check_session(writer, settings, raw, now).id
            except Unauthenticated:
                user_id = None  # an idle session was just revoked: commit that
        if user_id is None:
            return None
    user = session.get(User, row.user_id)
    if user is None or user.disabled_at is not None:
        return None
    return user


def csrf_token(request: Request) -> str:
    """The CSRF token to embed in forms: the session's, else the cookie's, else a new one.

    A new one is also set as the ``dalil_csrf`` cookie on the response (by the middleware that
    :func:`install` adds), so a login form posted back carries a matching pair.
    """
    existing = getattr(request.state, "csrf_token", None)
    if isinstance(existing, str):
        return existing
    raw = _raw_session(request)
    token = request.cookies.get(CSRF_COOKIE) if raw is None else _derive_csrf(raw)
    if not token or len(token) > MAX_SECRET:
        token = secrets.token_hex(32)
        request.state.csrf_new = token
    request.state.csrf_token = token
    return token


def _same_origin(request: Request, url: str) -> bool:
    parts = urlsplit(url)
    host = request.headers.get("host", "")
    return bool(parts.scheme in ("http", "https") and parts.netloc) and hmac.compare_digest(
        parts.netloc.lower(), host.lower()
    )


def check_origin(request: Request) -> None:
    """Refuse an unsafe request whose ``Origin`` (or, without one, ``Referer``) is another site."""
    if request.method.upper() in SAFE_METHODS:
        return
    refused = Forbidden("the request lacks a valid CSRF token or comes from another site")
    origin = request.headers.get("origin")
    referer = request.headers.get("referer")
    if origin is not None:
        if origin == "null" or not _same_origin(request, origin):
            raise refused
    elif referer is not None and not _same_origin(request, referer):
        raise refused


async def check_csrf(request: Request) -> None:
    """Refuse (:class:`~dalil.access.Forbidden`) an unsafe cookie request without a match.

    Applies when the request carries the session or CSRF cookie (requests with only a bearer
    token are not sent by browsers on their own and need no CSRF token).
    """
    if request.method.upper() in SAFE_METHODS:
        return
    raw = _raw_session(request)
    if raw is None and CSRF_COOKIE not in request.cookies and COOKIE not in request.cookies:
        return
    refused = Forbidden("the request lacks a valid CSRF token or comes from another site")
    check_origin(request)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    held = request.cookies.get(CSRF_COOKIE)
    if not sent or not held or len(sent) > MAX_SECRET or len(held) > MAX_SECRET:
        raise refused
    if not hmac.compare_digest(sent.encode("utf-8"), held.encode("utf-8")):
        raise refused
    if raw is not None and not hmac.compare_digest(
        sent.encode("utf-8"), _derive_csrf(raw).encode("utf-8")
    ):
        raise refused


def install(app: Any) -> None:
    """Set the ``dalil_csrf`` cookie on responses for which :func:`csrf_token` issued one."""
    app.add_middleware(_IssueCsrfCookie)


class _IssueCsrfCookie:
    """Pure ASGI (no body buffering, so uploads stream): adds one Set-Cookie when asked to."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})

        async def sending(message: Any) -> None:
            token = state.get("csrf_new")
            if message["type"] == "http.response.start" and isinstance(token, str):
                headers = list(message.get("headers", []))
                if not any(
                    k.lower() == b"set-cookie" and v.startswith(CSRF_COOKIE.encode() + b"=")
                    for k, v in headers
                ):
                    probe = Response()
                    app_state = getattr(scope.get("app"), "state", None)
                    settings = getattr(app_state, "access_settings", None) or AccessSettings()
                    probe.set_cookie(**_csrf_cookie(settings, token))
                    headers += [(k, v) for k, v in probe.raw_headers if k == b"set-cookie"]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, sending)
