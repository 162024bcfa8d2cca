"""Dalil's settings, declared once.

Every setting is a ``DALIL_*`` environment variable (or a line in ``$DALIL_HOME/dalil.env``) with
help text; ``dalil config`` prints the effective values with secrets masked, and a test fails when a
setting is missing from ``docs/configuration.md``. Nothing here may log or print a secret unmasked.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from dalil.errors import ConfigError


def _default_home() -> Path:
    return Path.home() / ".dalil"


def _default_actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, e.g. in a bare container
        return "unknown"


class Settings(BaseSettings):
    """The effective configuration of one Dalil installation."""

    model_config = SettingsConfigDict(
        env_prefix="DALIL_", extra="ignore", validate_default=True, frozen=True
    )

    home: Path = Field(
        default_factory=_default_home,
        description="Folder for this installation's data: the SQLite database, blobs, keys.",
    )
    database_url: SecretStr | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL of the database, e.g. postgresql+psycopg://user@host/dalil. "
            "Empty: SQLite at $DALIL_HOME/dalil.db."
        ),
    )
    actor: str = Field(
        default_factory=_default_actor,
        min_length=1,
        max_length=128,
        description="Who is recorded as the author of changes made from the command line.",
    )
    case: str | None = Field(
        default=None,
        description="Case slug used by commands when --case is not given.",
    )
    language: Literal["en", "ar"] = Field(
        default="en", description="Language of labels in command output: en or ar."
    )
    demo_home: Path = Field(
        default_factory=lambda: Path.home() / ".dalil-demo",
        description="Folder where `dalil demo` builds the Tadamon demo case (its own DALIL_HOME).",
    )
    blake3: bool = Field(
        default=True,
        description="Record a second hash (BLAKE3) of every original besides SHA-256.",
    )
    debug: bool = Field(
        default=False, description="Show tracebacks for unexpected errors (never for bad input)."
    )
    link_memory_limit: str = Field(
        default="1.5GB",
        pattern=r"^\s*\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$",
        description=(
            "Memory the linkage database (DuckDB) may use, e.g. 1.5GB; beyond it, it spills to "
            "disk. A link run takes this plus about 1.5 GB per million records."
        ),
    )
    link_spill_dir: Path | None = Field(
        default=None,
        description=(
            "Folder where linkage spills what does not fit in memory (empty: the system's "
            "temporary folder). It is emptied after each run."
        ),
    )
    sql_echo: bool = Field(
        default=False,
        description="Log every SQL statement (development only: statements can hold data).",
    )

    @field_validator("home", "demo_home")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("database_url")
    @classmethod
    def _check_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        raw = value.get_secret_value().strip()
        try:
            url = make_url(raw)
        except Exception as exc:  # sqlalchemy raises ArgumentError with the URL in it
            raise ValueError("DALIL_DATABASE_URL is not a database URL") from exc
        if url.get_backend_name() not in {"sqlite", "postgresql"}:
            raise ValueError(
                f"DALIL_DATABASE_URL uses {url.get_backend_name()!r}; Dalil supports sqlite "
                "and postgresql"
            )
        return SecretStr(raw)

    @property
    def blob_root(self) -> Path:
        """Where originals and derivatives are stored: ``$DALIL_HOME/blobs``."""
        return self.home / "blobs"

    @property
    def database(self) -> str:
        """The URL actually used (SQLite under ``home`` when none is configured)."""
        if self.database_url is not None:
            url = make_url(self.database_url.get_secret_value())
            if url.get_backend_name() == "postgresql" and url.drivername == "postgresql":
                url = url.set(drivername="postgresql+psycopg")
            return url.render_as_string(hide_password=False)
        return f"sqlite:///{self.home / 'dalil.db'}"

    def masked(self) -> dict[str, Any]:
        """Every setting with its effective value, passwords masked, for display."""
        shown: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if name == "database_url":
                value = _mask_url(self.database)
            elif isinstance(value, SecretStr):
                value = "***" if value.get_secret_value() else ""
            elif isinstance(value, Path):
                value = str(value)
            shown[name] = value
        return shown


SECRET_WORDS = ("password", "passwd", "pwd", "secret", "token", "key")


def _mask_url(raw: str) -> str:
    """The URL with its password and any secret-looking query parameter replaced by ***."""
    url = make_url(raw)
    query = {
        k: ("***" if any(w in k.lower() for w in SECRET_WORDS) else v) for k, v in url.query.items()
    }
    return url.set(query=query).render_as_string(hide_password=True)


def load_settings(**overrides: Any) -> Settings:
    """The settings from the environment and ``$DALIL_HOME/dalil.env``, or why they are wrong."""
    home = overrides.get("home") or os.environ.get("DALIL_HOME")
    env_file = Path(home).expanduser() / "dalil.env" if home else _default_home() / "dalil.env"
    try:
        return Settings(_env_file=env_file if env_file.is_file() else None, **overrides)
    except ValidationError as exc:
        # Never echo the input: a database URL can hold a password.
        problems = "; ".join(
            f"DALIL_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors(include_input=False, include_url=False)
        )
        raise ConfigError(f"invalid configuration: {problems}") from None


def describe_settings() -> list[tuple[str, str]]:
    """(environment variable, help text) for every setting, in declaration order."""
    return [
        (f"DALIL_{name.upper()}", field.description or "")
        for name, field in Settings.model_fields.items()
    ]
