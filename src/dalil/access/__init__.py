"""Access: accounts, roles per case, confidential values encrypted at rest, and the audit trail.

Every permission question goes through :func:`decide` (via :func:`require` or :func:`visible`);
the CLI and the API call nothing else to decide. This package must never return, log or record a
secret or a confidential value to anyone the policy refuses.
"""

from dalil.access.accounts import (
    Enrolment,
    LoginFailed,
    create_user,
    disable_user,
    get_user,
    list_users,
    login,
    reset_second_factor,
)
from dalil.access.crypto import DecryptionFailed, MasterKey, load_master_key
from dalil.access.policy import Decision, Forbidden, Principal, clearance, decide, require, visible
from dalil.access.roles import grant, members, principal_for, revoke
from dalil.access.sessions import Unauthenticated, check_session, cookie, revoke_session
from dalil.access.settings import AccessSettings, load_access_settings
from dalil.access.tokens import NewToken, authenticate_token, create_token, revoke_token

__all__ = [
    "AccessSettings",
    "Decision",
    "DecryptionFailed",
    "Enrolment",
    "Forbidden",
    "LoginFailed",
    "MasterKey",
    "NewToken",
    "Principal",
    "Unauthenticated",
    "authenticate_token",
    "check_session",
    "clearance",
    "cookie",
    "create_token",
    "create_user",
    "decide",
    "disable_user",
    "get_user",
    "grant",
    "list_users",
    "load_access_settings",
    "load_master_key",
    "login",
    "members",
    "principal_for",
    "require",
    "reset_second_factor",
    "revoke",
    "revoke_session",
    "revoke_token",
    "visible",
]
