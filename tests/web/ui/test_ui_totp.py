"""Logging in to an account with a second factor: the form's code field, refused without it."""

from __future__ import annotations

import base64
import os
import re

from dalil.access import AccessSettings, Principal, create_user, get_user, grant, load_master_key
from dalil.access.totp import current_code
from dalil.db import Database
from dalil.db.types import utcnow
from dalil.documentation import create_case
from web.ui.ui_support import ORIGIN, browser, csrf_of

PASSWORD = "quiet-harbour-at-dawn-seven"


def test_an_account_with_totp_needs_the_code(db: Database) -> None:
    key = base64.b64encode(os.urandom(32)).decode()
    settings = AccessSettings(
        master_key=key, argon2_time_cost=1, argon2_memory_kib=64, argon2_parallelism=1
    )
    master = load_master_key(settings, None)
    with db.transaction("op") as s:
        case = create_case(s, "tadamon", title_en="Tadamon")
        create_user(
            s, settings, master, name="nadia", password=PASSWORD, actor="op", with_totp=True
        )
        grant(s, Principal.operator("op"), case, get_user(s, "nadia"), "viewer")
    with browser(db, settings) as client:
        form = client.get("/login")
        assert re.search(r'<label for="totp">', form.text)
        data = {"name": "nadia", "password": PASSWORD, "csrf_token": csrf_of(form.text)}
        refused = client.post("/login", data=data, headers=ORIGIN, follow_redirects=False)
        assert refused.status_code == 401
        with db.reader() as s:
            code = current_code(master, get_user(s, "nadia"), utcnow())
        done = client.post(
            "/login", data=data | {"totp": code}, headers=ORIGIN, follow_redirects=False
        )
        assert done.status_code == 303
        assert client.get("/cases/tadamon").status_code == 200
