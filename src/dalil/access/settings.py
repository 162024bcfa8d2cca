"""Settings of the access package: master key, sessions, second factor, lock-out, tokens.

Declared apart from :class:`dalil.config.Settings` (documented in ``docs/access.md``), read from
the same ``DALIL_*`` variables and ``$DALIL_HOME/dalil.env``. This module must never print or log
the master key; :attr:`AccessSettings.master_key` is a ``SecretStr``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from dalil.errors import ConfigError


class AccessSettings(BaseSettings):
    """How accounts, sessions and keys behave on this installation."""

    model_config = SettingsConfigDict(env_prefix="DALIL_", extra="ignore", frozen=True)

    master_key_file: Path | None = Field(
        default=None,
        description=(
            "File holding the master key (base64 of 32 bytes), mode 0600 or stricter, outside "
            "DALIL_HOME. Wraps the per-case data keys that encrypt confidential values."
        ),
    )
    master_key: SecretStr | None = Field(
        default=None,
        description="The master key itself (base64 of 32 bytes), when no key file is used.",
    )
    session_idle_minutes: int = Field(
        default=30, ge=1, description="A login session ends after this many idle minutes."
    )
    session_lifetime_hours: int = Field(
        default=12, ge=1, description="A login session ends this many hours after login."
    )
    totp_policy: Literal["admins", "all"] = Field(
        default="admins",
        description="Who must use a TOTP second factor: admins (always) or all users.",
    )
    lockout_threshold: int = Field(
        default=5, ge=1, description="Failed logins in a row that lock an account."
    )
    lockout_minutes: int = Field(
        default=15, ge=1, description="How long a locked account stays locked."
    )
    token_max_days: int = Field(
        default=90, ge=1, description="Longest lifetime an API token may be given."
    )
    argon2_time_cost: int = Field(default=3, ge=1, description="Argon2id passes (time cost).")
    argon2_memory_kib: int = Field(
        default=65536, ge=8, description="Argon2id memory in KiB (RFC 9106 low-memory: 64 MiB)."
    )
    argon2_parallelism: int = Field(default=4, ge=1, description="Argon2id lanes.")


def load_access_settings(home: Path | None = None) -> AccessSettings:
    """The access settings from the environment and ``$DALIL_HOME/dalil.env``, never echoing."""
    folder = home or Path(os.environ.get("DALIL_HOME", "~/.dalil")).expanduser()
    env_file = folder / "dalil.env"
    try:
        return AccessSettings(_env_file=env_file if env_file.is_file() else None)
    except ValidationError as exc:
        problems = "; ".join(
            f"DALIL_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors(include_input=False, include_url=False)
        )
        raise ConfigError(f"invalid configuration: {problems}") from None
