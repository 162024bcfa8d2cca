"""Administration through real HTTP on SQLite and PostgreSQL: an owner gives, changes and takes
away roles and revokes API tokens from the page (CSRF, audited, never their own role), reads the
audit trail in words in both languages; anyone else finds no such page and no such forms."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from dalil.access import AccessSettings, create_token, get_user
from dalil.access.policy import Principal
from dalil.db import Database
from dalil.db.models_access import ApiToken, Membership
from dalil.documentation import get_case
from web.ui.ui_support import (
    ORIGIN,
    World,
    access_settings,
    browser,
    csrf_of,
    log_in,
    owner,
    viewer,
    world,
)

__all__ = ["access_settings", "owner", "viewer", "world"]

ADMIN = "/cases/tadamon/admin"


def role_of(db: Database, name: str) -> str | None:
    with db.reader() as s:
        user = get_user(s, name)
        case = get_case(s, "tadamon")
        row = s.scalar(
            select(Membership).where(Membership.case_id == case.id, Membership.user_id == user.id)
        )
        return None if row is None else row.role


def post(client: TestClient, path: str, data: dict[str, str]) -> object:
    csrf = csrf_of(client.get(ADMIN).text)
    return client.post(path, data=data | {"csrf_token": csrf}, headers=ORIGIN,
                       follow_redirects=False)  # fmt: skip


def test_an_owner_changes_a_role_and_takes_it_away_from_the_page(
    owner: TestClient, db: Database, world: World, access_settings: AccessSettings
) -> None:
    assert role_of(db, "viewer") == "viewer"
    refused = owner.post(f"{ADMIN}/roles", data={"name": "viewer", "role": "reviewer"},
                         headers=ORIGIN)  # fmt: skip
    assert refused.status_code == 403  # no CSRF token, no change
    assert role_of(db, "viewer") == "viewer"

    done = post(owner, f"{ADMIN}/roles", {"name": "viewer", "role": "reviewer"})
    assert done.status_code == 303  # type: ignore[attr-defined]
    assert role_of(db, "viewer") == "reviewer"
    page = owner.get(done.headers["location"]).text  # type: ignore[attr-defined]
    assert "The role was given." in page
    row = re.search(r'<tr data-account="viewer">.*?</tr>', page, re.S)
    assert row is not None
    assert "Reviewer" in row.group(0)
    assert "role granted" in page  # the audit trail says so, in words

    # The viewer's own next page already reflects the new role: the review queue is theirs.
    with browser(db, access_settings) as client:
        log_in(client, "viewer")
        assert client.get("/cases/tadamon/review").status_code == 200

    gone = post(owner, f"{ADMIN}/roles/revoke", {"name": "viewer"})
    assert gone.status_code == 303  # type: ignore[attr-defined]
    assert role_of(db, "viewer") is None
    arabic = owner.get(f"{ADMIN}?lang=ar").text
    assert "سُحب دور" in arabic  # role_revoke, in Arabic
    assert 'data-account="viewer"' not in arabic


def test_mistakes_are_explained_and_nothing_changes(owner: TestClient, db: Database) -> None:
    unknown = post(owner, f"{ADMIN}/roles", {"name": "nobody-here", "role": "viewer"})
    assert unknown.status_code == 422  # type: ignore[attr-defined]
    assert "No account has that name." in unknown.text  # type: ignore[attr-defined]
    assert 'value="nobody-here"' in unknown.text  # type: ignore[attr-defined]  # kept
    bad_role = post(owner, f"{ADMIN}/roles", {"name": "viewer", "role": "emperor"})
    assert bad_role.status_code == 422  # type: ignore[attr-defined]
    assert "Choose one of the roles offered." in bad_role.text  # type: ignore[attr-defined]
    own = post(owner, f"{ADMIN}/roles/revoke", {"name": "owner"})
    assert own.status_code == 422  # type: ignore[attr-defined]
    assert "You cannot take away your own role here." in own.text  # type: ignore[attr-defined]
    assert role_of(db, "owner") == "owner"
    assert role_of(db, "viewer") == "viewer"


def test_an_owner_revokes_an_api_token_of_the_case(
    owner: TestClient, db: Database, access_settings: AccessSettings
) -> None:
    with db.transaction("op") as s:
        made = create_token(s, access_settings, Principal.operator("op"), get_user(s, "viewer"),
                            get_case(s, "tadamon"), "viewer", 30)  # fmt: skip
    page = owner.get(ADMIN).text
    assert made.id in page
    assert made.token not in page  # never the secret
    done = post(owner, f"{ADMIN}/tokens/revoke", {"token": made.id})
    assert done.status_code == 303  # type: ignore[attr-defined]
    with db.reader() as s:
        token = s.get(ApiToken, made.id)
        assert token is not None
        assert token.revoked_at is not None
    page = owner.get(ADMIN).text
    assert "The token was revoked." not in page  # only right after the revocation
    assert "API token revoked" in page
    missing = post(owner, f"{ADMIN}/tokens/revoke", {"token": "tok_doesnotexist"})
    assert missing.status_code == 404  # type: ignore[attr-defined]


def test_no_one_but_an_owner_sees_or_uses_the_forms(
    viewer: TestClient, owner: TestClient, db: Database
) -> None:
    page = viewer.get("/cases/tadamon")
    csrf = csrf_of(page.text)
    for path, data in (
        (f"{ADMIN}/roles", {"name": "viewer", "role": "owner"}),
        (f"{ADMIN}/roles/revoke", {"name": "owner"}),
    ):
        response = viewer.post(path, data=data | {"csrf_token": csrf}, headers=ORIGIN)
        assert response.status_code == 404
        assert "Give a role" not in response.text
    assert role_of(db, "viewer") == "viewer"
    assert role_of(db, "owner") == "owner"
    mine = owner.get(ADMIN).text
    assert "Give a role" in mine
    assert "dalil role grant" not in mine
    assert "dalil user grant" not in mine
