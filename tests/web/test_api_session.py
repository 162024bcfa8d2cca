"""Browser sessions: login cookies, CSRF on unsafe requests, rate limits and lock-out.

The client is httpx's real cookie jar (through TestClient) on ``https://testserver``: Python's
jar, unlike Chromium, sends ``Secure`` cookies only over https, also to 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator
from http.cookies import SimpleCookie

import pytest
from fastapi.testclient import TestClient

from dalil.access import AccessSettings
from dalil.db import Database
from dalil.web.api import create_app
from dalil.web.limits import Limits, TokenBucket
from dalil.web.session import COOKIE, CSRF_COOKIE, CSRF_HEADER
from web.api_support import PASSWORD, World, access_settings, world

__all__ = ["access_settings", "world"]

BASE = "https://testserver"


@pytest.fixture
def browser(db: Database, world: World, access_settings: AccessSettings) -> Iterator[TestClient]:
    app = create_app(db, access_settings)
    with TestClient(app, base_url=BASE, raise_server_exceptions=False) as client:
        yield client


def log_in(client: TestClient, name: str = "viewer", password: str = PASSWORD) -> str:
    response = client.post("/api/session", json={"name": name, "password": password})
    assert response.status_code == 200, response.text
    token = response.json()["csrf_token"]
    assert isinstance(token, str)
    return token


def test_login_sets_strict_cookies_and_the_session_reads_the_case(browser: TestClient) -> None:
    response = browser.post("/api/session", json={"name": "viewer", "password": PASSWORD})
    assert response.status_code == 200
    assert response.json()["roles"] == {"tadamon": "viewer"}
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.get_list("set-cookie"):
        jar.load(header)
    session, csrf = jar[COOKIE], jar[CSRF_COOKIE]
    assert session["secure"]
    assert session["httponly"]
    assert session["samesite"].lower() == "strict"
    assert session["path"] == "/"
    assert not session["domain"]
    assert csrf["secure"]
    assert not csrf["httponly"]
    assert csrf["samesite"].lower() == "strict"
    assert csrf.value == response.json()["csrf_token"]
    assert len(session.value) >= 40
    assert session.value != csrf.value
    # The cookie alone (no bearer token) reads the case with the user's role there.
    case = browser.get("/api/cases/tadamon")
    assert case.status_code == 200
    assert case.json()["role"] == "viewer"
    # …and not another case.
    assert browser.get("/api/cases/other").status_code == 404


def test_wrong_password_sets_no_cookie_and_says_nothing_specific(browser: TestClient) -> None:
    for name in ("viewer", "nobody"):
        response = browser.post("/api/session", json={"name": name, "password": "wrong-horse"})
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "login_failed"
        assert "set-cookie" not in response.headers
        assert "wrong-horse" not in response.text
    assert browser.get("/api/cases/tadamon").status_code == 401


def test_secure_cookies_do_not_travel_over_plain_http_in_httpx(
    db: Database, world: World, access_settings: AccessSettings
) -> None:
    """Python's jar keeps Secure cookies off http; browsers make an exception for loopback."""
    with TestClient(create_app(db, access_settings), base_url="http://testserver") as client:
        assert client.post("/api/session", json={"name": "viewer", "password": PASSWORD}).is_success
        assert client.get("/api/cases/tadamon").status_code == 401


def test_unsafe_cookie_requests_need_the_csrf_token(browser: TestClient) -> None:
    token = log_in(browser)
    refusals = [
        {},  # no token
        {CSRF_HEADER: "0" * 64},  # wrong token
        {CSRF_HEADER: token, "Origin": "https://evil.example"},  # right token, other site
        {CSRF_HEADER: token, "Origin": "null"},
        {CSRF_HEADER: token, "Referer": "https://evil.example/page"},
    ]
    for sent in refusals:
        response = browser.delete("/api/session", headers=sent)
        assert response.status_code == 403, sent
        assert response.json()["error"]["code"] == "forbidden"
    assert browser.get("/api/cases/tadamon").status_code == 200  # still logged in
    ok = browser.delete("/api/session", headers={CSRF_HEADER: token, "Origin": BASE})
    assert ok.status_code == 204
    assert browser.get("/api/cases/tadamon").status_code == 401


def test_a_forged_csrf_cookie_does_not_help(browser: TestClient) -> None:
    """Double submit is bound to the session: a planted cookie+header pair is refused."""
    log_in(browser)
    browser.cookies.set(CSRF_COOKIE, "f" * 64, domain="testserver")
    response = browser.delete("/api/session", headers={CSRF_HEADER: "f" * 64})
    assert response.status_code == 403


def test_logout_revokes_the_session_server_side(browser: TestClient) -> None:
    token = log_in(browser)
    stolen = browser.cookies.get(COOKIE)
    assert browser.delete("/api/session", headers={CSRF_HEADER: token}).status_code == 204
    browser.cookies.clear()
    browser.cookies.set(COOKIE, stolen, domain="testserver")
    assert browser.get("/api/cases/tadamon").status_code == 401


def test_a_new_login_revokes_the_old_session(browser: TestClient) -> None:
    log_in(browser)
    first = browser.cookies.get(COOKIE)
    log_in(browser, "owner")
    assert browser.cookies.get(COOKIE) != first
    assert browser.get("/api/cases/tadamon").json()["role"] == "owner"
    browser.cookies.clear()
    browser.cookies.set(COOKIE, first, domain="testserver")
    assert browser.get("/api/cases/tadamon").status_code == 401


def test_brute_force_meets_429_then_the_lock_out(browser: TestClient) -> None:
    for _ in range(5):
        wrong = browser.post("/api/session", json={"name": "owner", "password": "guess-guess"})
        assert wrong.status_code == 401
    limited = browser.post("/api/session", json={"name": "owner", "password": PASSWORD})
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    assert "set-cookie" not in limited.headers
    # With the in-process limit lifted (another server process), the DB lock-out still holds.
    browser.app.state.limits = Limits.default()  # type: ignore[attr-defined]
    locked = browser.post("/api/session", json={"name": "owner", "password": PASSWORD})
    assert locked.status_code == 401


def test_one_address_is_limited_across_account_names(browser: TestClient) -> None:
    codes = [
        browser.post("/api/session", json={"name": f"user{i}", "password": "x"}).status_code
        for i in range(12)
    ]
    assert codes[:10] == [401] * 10
    assert codes[10:] == [429, 429]


def test_a_token_bucket_refills_at_its_rate() -> None:
    now = [0.0]
    bucket = TokenBucket(capacity=2, per_minute=6, clock=lambda: now[0])
    assert [bucket.take("a"), bucket.take("a")] == [0, 0]
    assert bucket.take("a") == 10  # one token every 10 s
    assert bucket.take("b") == 0  # keys are independent
    now[0] = 10.0
    assert bucket.take("a") == 0
    assert bucket.take("a") > 0


def test_a_token_bucket_forgets_the_oldest_keys_first() -> None:
    bucket = TokenBucket(capacity=1, per_minute=1, clock=lambda: 0.0, max_keys=3)
    for key in "abcd":
        assert bucket.take(key) == 0
    assert bucket.take("d") > 0  # still known
    assert bucket.take("a") == 0  # forgotten: a fresh bucket


def _age_sessions(db: Database, minutes: int) -> None:
    from datetime import timedelta

    from dalil.db.models_access import UserSession

    with db.transaction("test") as s:
        for row in s.query(UserSession):
            row.last_seen_at -= timedelta(minutes=minutes)


def test_use_keeps_a_session_alive_and_idleness_ends_it(browser: TestClient, db: Database) -> None:
    from dalil.db.models_access import UserSession

    log_in(browser)
    _age_sessions(db, 20)  # idle 20 of 30 minutes: still alive, and now marked used
    assert browser.get("/api/cases/tadamon").status_code == 200
    _age_sessions(db, 20)  # 20 minutes since that use
    assert browser.get("/api/cases/tadamon").status_code == 200
    _age_sessions(db, 31)
    assert browser.get("/api/cases/tadamon").status_code == 401
    with db.reader() as s:
        assert all(row.revoked_at is not None for row in s.query(UserSession))


def test_searches_are_limited_per_caller(browser: TestClient) -> None:
    from dalil.web.limits import TokenBucket

    browser.app.state.limits.expensive = TokenBucket(capacity=2, per_minute=1)  # type: ignore[attr-defined]
    log_in(browser)
    codes = [
        browser.get("/api/cases/tadamon/persons", params={"q": "احمد"}).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]
    limited = browser.get("/api/cases/tadamon/persons", params={"q": "احمد"})
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.json()["error"]["code"] == "rate_limited"
    assert browser.get("/api/cases/tadamon").status_code == 200  # cheap reads go on


def test_a_cookie_session_writes_only_with_its_csrf_token(browser: TestClient) -> None:
    token = log_in(browser, "owner")
    body = {"fields": {"place_type": "country", "name_en": "Syria"}}
    refused = browser.post("/api/cases/tadamon/places", json=body)
    assert refused.status_code == 403
    made = browser.post("/api/cases/tadamon/places", json=body, headers={CSRF_HEADER: token})
    assert made.status_code == 201
    assert made.json()["created"]["by"] == "owner"
    place = made.json()["id"]
    assert browser.delete(f"/api/places/{place}").status_code == 403
    assert browser.delete(f"/api/places/{place}", headers={CSRF_HEADER: token}).status_code == 204
