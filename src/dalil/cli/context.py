"""What every command needs: settings, the database, the case, and how to print.

Commands print through :func:`emit`, which writes JSON (``--json``, UTF-8, pipe-friendly) or calls
a Rich renderer. Errors are raised as :class:`~dalil.errors.DalilError` and turned into a message
and exit code by :func:`dalil.cli.main.main`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import rich.table
import typer
from rich.console import Console
from rich.markup import escape
from rich.text import Text
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dalil.config import Settings, load_settings
from dalil.db import Case, Database
from dalil.db.migrate import require_current
from dalil.documentation import get_case
from dalil.errors import InvalidInput


class Table(rich.table.Table):
    """Rich's table with cells that fold a long word onto the next line instead of cutting it
    with an ellipsis: an ID or a hash shown in a narrow terminal, or piped (80 columns), is never
    cut short."""

    def add_column(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("overflow", "fold")
        super().add_column(*args, **kwargs)


console = Console(highlight=False)
errors = Console(stderr=True, highlight=False)

JsonOption = typer.Option(False, "--json", help="Print JSON instead of a table.")
CaseOption = typer.Option(None, "--case", "-c", help="Case slug (default: DALIL_CASE).")


@dataclass
class App:
    """Per-invocation state: settings are read once, the database opened on first use."""

    settings: Settings
    lang: str
    _db: Database | None = field(default=None, repr=False)

    def database(self, *, check: bool = True) -> Database:
        if self._db is None:
            self._db = Database(self.settings.database, echo=self.settings.sql_echo)
        if check:
            require_current(self._db)
        return self._db

    @contextmanager
    def write(self) -> Iterator[Session]:
        with self.database().transaction(self.settings.actor) as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self.database().reader() as session:
            yield session

    def case(self, session: Session, ref: str | None) -> Case:
        """The case named by ``--case``, DALIL_CASE, or the only case there is."""
        ref = ref or self.settings.case
        if ref is None:
            cases = session.scalar(select(func.count()).select_from(Case)) or 0
            if cases == 1:
                only: Case | None = session.scalar(select(Case))
                assert only is not None
                return only
            raise InvalidInput(
                "case",
                "which case? " + ("none exists yet" if cases == 0 else f"there are {cases}"),
                hint="pass --case SLUG or set DALIL_CASE (`dalil case list` shows them)",
            )
        return get_case(session, ref)

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()


def make_app(lang: str | None = None) -> App:
    settings = load_settings()
    return App(settings=settings, lang=lang or settings.language)


def app_of(ctx: typer.Context) -> App:
    app = ctx.find_root().obj
    if not isinstance(app, App):
        app = make_app()
        ctx.find_root().obj = app
    return app


def plain(value: object) -> Text:
    """A table cell of stored text: never read as Rich markup (``[/]`` in a name is just text)."""
    return Text("" if value is None else str(value))


def esc(value: object) -> str:
    """Stored text to put inside a markup string."""
    return escape("" if value is None else str(value))


def emit(as_json: bool, data: Any, render: Callable[[], None]) -> None:
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        render()


def parse_pairs(pairs: list[str], what: str) -> dict[str, str]:
    """``["rank=Colonel", "title=Head"]`` → ``{"rank": "Colonel", "title": "Head"}``."""
    result: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(what, f"{pair!r} is not NAME=VALUE")
        result[key.strip()] = value
    return result
