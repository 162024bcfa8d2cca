"""Errors a user can act on.

Every error raised for bad input or a missing record is a :class:`DalilError`: the CLI and the API
turn it into a clear message and a non-zero exit (or a 4xx), never a traceback. Messages must never
contain confidential values: name the field and say what is accepted, do not echo secrets.
"""

from __future__ import annotations


class DalilError(Exception):
    """Base of all errors that carry a message meant for the user."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class InvalidInput(DalilError):
    """A value given by the user is not acceptable; ``field`` names where it came from."""

    def __init__(self, field: str, message: str, *, hint: str | None = None) -> None:
        super().__init__(f"{field}: {message}" if field else message, hint=hint)
        self.field = field


class NotFound(DalilError):
    """No record matches what was asked for."""

    exit_code = 3


class Ambiguous(DalilError):
    """A short reference matches more than one record."""


class Conflict(DalilError):
    """The request contradicts what is stored (a duplicate slug, a purge of a live record…)."""


class ConfigError(DalilError):
    """The configuration cannot be used as it is."""


def a(noun: str) -> str:
    """``a place``, ``an incident``, ``an organisation``: for messages."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"
