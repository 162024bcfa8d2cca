"""The demo's login: an owner account ``demo`` with a password made when the demo is built.

The password is random, printed once by ``dalil demo`` when it first builds the demo, and never
stored anywhere but as its Argon2id hash; building again changes nothing (the build is idempotent)
unless ``dalil demo --new-password`` asks for a new one. The account has no second factor only
when the installation's policy lets non-admins go without (``DALIL_TOTP_POLICY=admins``, the
default); otherwise it is enrolled and the TOTP URI is printed with the password.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select

from dalil.access import AccessSettings, MasterKey, create_user, get_user, grant
from dalil.access.accounts import needs_totp
from dalil.access.passwords import hash_password
from dalil.access.policy import Principal
from dalil.db import Case, Database
from dalil.db.models_access import Membership
from dalil.errors import NotFound

DEMO_USER = "demo"
WORDS = (
    "olive", "river", "cedar", "jasmine", "lantern", "harbour", "saffron", "orchard", "minaret",
    "caravan", "desert", "meadow", "copper", "falcon", "pomegranate", "citadel", "willow", "amber",
)  # fmt: skip


@dataclass(frozen=True)
class DemoLogin:
    name: str
    password: str | None  # None: the account existed and kept its password
    totp_uri: str | None

    def __repr__(self) -> str:
        return f"DemoLogin(name={self.name!r})"


def new_password() -> str:
    """Four random words and a number: easy to type from a terminal, ~70 bits."""
    words = [secrets.choice(WORDS) for _ in range(4)]
    return "-".join(words) + f"-{secrets.randbelow(10_000):04d}"


def ensure_demo_login(
    db: Database,
    settings: AccessSettings,
    master: MasterKey | None,
    case_ids: list[str],
    *,
    renew: bool = False,
) -> DemoLogin:
    """Create ``demo`` (or, with ``renew``, give it a new password), owner of ``case_ids``."""
    password: str | None = new_password()
    operator = Principal.operator("dalil demo")
    totp_uri = None
    with db.transaction("dalil demo") as session:
        try:
            user = get_user(session, DEMO_USER)
            if renew:
                assert password is not None
                user.password_hash = hash_password(settings, password)
                user.failed_logins, user.locked_until, user.disabled_at = 0, None, None
            else:
                password = None
        except NotFound:
            assert password is not None
            enrolment = create_user(
                session, settings, master, name=DEMO_USER, password=password, actor="dalil demo"
            )
            totp_uri = enrolment.totp_uri
            user = get_user(session, DEMO_USER)
        if needs_totp(settings, user) and totp_uri is None and user.totp_secret is None:
            raise NotFound("the demo login needs a second factor here; set DALIL_MASTER_KEY")
        held = {m.case_id: m.role for m in session.scalars(
            select(Membership).where(Membership.user_id == user.id)
        )}  # fmt: skip
        for case in session.scalars(select(Case).where(Case.id.in_(case_ids))):
            if held.get(case.id) != "owner":
                grant(session, operator, case, user, "owner")
    return DemoLogin(DEMO_USER, password, totp_uri)
