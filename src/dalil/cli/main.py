"""The ``dalil`` command: ``dalil <noun> <verb>``.

Bad input and missing records end with a one-line message, a hint and a non-zero exit; a
traceback only with ``--debug`` (or DALIL_DEBUG=1) and only for unexpected errors.
"""

from __future__ import annotations

import os
import sys

import typer
from rich.markup import escape
from sqlalchemy.exc import OperationalError

from dalil import __version__

# custody adds commands to evidence, log, export; link, lists, registry_views to the registry's
from dalil.cli import admin, custody, link, lists, registry_views  # noqa: F401
from dalil.cli.access import keys_app, role_app, token_app, user_app
from dalil.cli.accountability import command_app, units_app, xref_app
from dalil.cli.audit_cmd import audit_app
from dalil.cli.cases import case_app
from dalil.cli.claims import claim_app, relation_app
from dalil.cli.context import App, errors, make_app
from dalil.cli.demo import demo
from dalil.cli.estimate import estimate_app
from dalil.cli.evidence import evidence_app, log_app
from dalil.cli.export import export_app
from dalil.cli.records import incident_app, org_app, person_app, place_app, source_app
from dalil.cli.registry import link_app, lists_app, registry_app
from dalil.cli.serve import serve
from dalil.errors import DalilError

app = typer.Typer(
    name="dalil",
    help="Dalil (دليل): evidence, victims, estimates and accountability for atrocity cases.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dalil {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    lang: str | None = typer.Option(None, "--lang", help="Labels in en or ar."),
    debug: bool = typer.Option(False, "--debug", help="Tracebacks for unexpected errors."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True),
) -> None:
    """Dalil keeps evidence intact, links victim lists, estimates the undocumented and maps
    who was in command: for documentation groups, investigators, prosecutors and families."""
    if lang not in (None, "en", "ar"):
        raise DalilError(f"--lang must be en or ar, not {lang!r}")
    app_state = make_app(lang)
    if debug:
        app_state.settings = app_state.settings.model_copy(update={"debug": True})
    ctx.obj = app_state
    ctx.call_on_close(app_state.close)


app.add_typer(case_app, name="case")
app.add_typer(place_app, name="place")
app.add_typer(incident_app, name="incident")
app.add_typer(person_app, name="person")
app.add_typer(org_app, name="org")
app.add_typer(source_app, name="source")
app.add_typer(claim_app, name="claim")
app.add_typer(relation_app, name="relation")
app.add_typer(evidence_app, name="evidence")
app.add_typer(log_app, name="log")
app.add_typer(export_app, name="export")
app.add_typer(estimate_app, name="estimate")
app.add_typer(units_app, name="units")
app.add_typer(command_app, name="command")
app.add_typer(xref_app, name="xref")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(role_app, name="role")
app.add_typer(keys_app, name="keys")
app.add_typer(lists_app, name="lists")
app.add_typer(link_app, name="link")
app.add_typer(registry_app, name="registry")
admin.register(app)
app.command("demo")(demo)
app.add_typer(audit_app, name="audit")
app.command("serve")(serve)


def _debug_wanted(argv: list[str]) -> bool:
    return "--debug" in argv or os.environ.get("DALIL_DEBUG", "").lower() in {"1", "true", "yes"}


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    try:
        app(args=args, prog_name="dalil")  # standalone: usage errors and exits handled by Typer
    except DalilError as exc:
        errors.print(f"[bold red]error:[/bold red] {escape(exc.message)}", soft_wrap=True)
        if exc.hint:
            errors.print(f"[dim]hint:[/dim] {escape(exc.hint)}")
        sys.exit(exc.exit_code)
    except OperationalError as exc:
        if _debug_wanted(args):
            raise
        errors.print(
            "[bold red]error:[/bold red] the database could not be used "
            f"({type(exc.orig).__name__ if exc.orig else 'OperationalError'})"
        )
        errors.print("[dim]hint:[/dim] check DALIL_DATABASE_URL (`dalil config`) and the server")
        sys.exit(4)
    except Exception as exc:  # the last line of defence: no traceback unless asked
        if _debug_wanted(args):
            raise
        errors.print(
            f"[bold red]unexpected error:[/bold red] {type(exc).__name__}. "
            "Nothing was saved from this command. Run again with --debug for details."
        )
        sys.exit(70)


__all__ = ["App", "app", "main"]
