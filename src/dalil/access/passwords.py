"""Passwords: the policy a new password must meet, and Argon2id hashing with rehash on login.

This module must never log, store or put into a message a password, and never compares secrets
with ``==`` (Argon2 verification and :func:`hmac.compare_digest` are constant-time).
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from dalil.access.settings import AccessSettings
from dalil.errors import InvalidInput

MIN_LENGTH = 12
MAX_LENGTH = 1024  # Argon2 takes any length; a cap keeps a login request from costing minutes

# The most common passwords of 12+ characters in public breach lists (lower-cased), plus
# Dalil-specific guesses. Short ones are already refused by the length rule.
COMMON = frozenset(
    {
        "123456789012", "1234567890123", "12345678901234", "123456789123", "qwertyuiopas",
        "qwertyuiop123", "qwerty123456", "1q2w3e4r5t6y", "1qaz2wsx3edc", "password1234",
        "password12345", "password123456", "passwordpassword", "iloveyou1234", "aaaaaaaaaaaa",
        "111111111111", "000000000000", "abcdefghijkl", "abc123456789", "letmein12345",
        "welcome12345", "administrator", "admin1234567", "changeme1234", "trustno11234",
        "football1234", "baseball1234", "princess1234", "sunshine1234", "superman1234",
        "michael12345", "mohammed1234", "muhammad1234", "mohammad1234", "syria1234567",
        "damascus1234", "aleppo123456", "dalil1234567", "dalilpassword",
        "correcthorsebatterystaple",
    }
)  # fmt: skip


def check_policy(password: str, user_name: str) -> None:
    """Refuse a password that is short, the user's name, or a common one. Never echoes it."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput("password", f"must have at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise InvalidInput("password", f"must have at most {MAX_LENGTH} characters")
    folded = password.casefold()
    if user_name.casefold() in folded:
        raise InvalidInput("password", "must not contain the user name")
    if folded in COMMON or len(set(folded)) < 4:
        raise InvalidInput("password", "is too common or too repetitive; choose a passphrase")


def hasher(settings: AccessSettings) -> PasswordHasher:
    """Argon2id with the configured cost (RFC 9106 low-memory profile by default)."""
    return PasswordHasher(
        time_cost=settings.argon2_time_cost,
        memory_cost=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism,
    )


def hash_password(settings: AccessSettings, password: str) -> str:
    return hasher(settings).hash(password)


def verify_password(
    settings: AccessSettings, stored: str, password: str
) -> tuple[bool, str | None]:
    """(matches, new hash when the stored one used other parameters and must be replaced)."""
    ph = hasher(settings)
    try:
        ph.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False, None
    return True, (ph.hash(password) if ph.check_needs_rehash(stored) else None)


_DUMMY: dict[tuple[int, int, int], str] = {}


def burn_time(settings: AccessSettings, password: str) -> None:
    """Spend what a real verification costs, so an unknown user name takes as long to refuse."""
    key = (settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism)
    if key not in _DUMMY:
        _DUMMY[key] = hash_password(settings, "dalil-dummy-password-for-timing")
    verify_password(settings, _DUMMY[key], password)
