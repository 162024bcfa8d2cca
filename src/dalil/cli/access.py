"""``dalil user``, ``dalil token``, ``dalil role``, ``dalil keys`` and ``dalil audit`` (issue 6).

The CLI is the local operator's tool: whoever can run it on the server can already read the
database file, so it acts as the operator principal (still audited under DALIL_ACTOR); the API
acts as a logged-in user or a token and is held to every role. Passwords are read from a hidden
prompt or stdin, never from argv. This module must never print a secret except the one it has just
created (a token, a TOTP URI, recovery codes), and then only once.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from dalil.access import accounts, confidential, roles, tokens
from dalil.access import audit as audit_trail
from dalil.access.crypto import MasterKey, load_master_key, read_key_file, write_key_file
from dalil.access.policy import Principal
from dalil.access.settings import AccessSettings, load_access_settings
from dalil.cli.context import App, CaseOption, JsonOption, Table, app_of, console, emit, esc, plain
from dalil.errors import InvalidInput

user_app = typer.Typer(help="Accounts: Argon2id passwords, TOTP second factor, recovery codes.")
token_app = typer.Typer(help="API tokens, scoped to a case and a role, expiring, stored hashed.")
role_app = typer.Typer(help="Roles per case: owner, investigator, analyst, reviewer, …")
keys_app = typer.Typer(help="Encryption keys for confidential values: status and rotation.")


def _settings(app: App) -> AccessSettings:
    return load_access_settings(app.settings.home)


def _master(app: App, *, required: bool) -> MasterKey | None:
    """The master key; None only when none is configured and none is required.

    A key that is configured but unusable (wrong mode, inside DALIL_HOME) is always an error.
    """
    settings = _settings(app)
    if not required and settings.master_key_file is None and settings.master_key is None:
        return None
    return load_master_key(settings, app.settings.home)


def _operator(app: App) -> Principal:
    return Principal.operator(app.settings.actor)


def _table(title: str, rows: list[dict[str, object]], columns: list[str]) -> None:
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(plain(row.get(c)) for c in columns))
    console.print(table)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


def _show_enrolment(enrolment: accounts.Enrolment) -> None:
    if enrolment.totp_uri is None:
        return
    console.print("TOTP (add to an authenticator app; shown once):", style="bold")
    console.print(plain(enrolment.totp_uri))
    console.print("Recovery codes (each works once; store them offline; shown once):", style="bold")
    for code in enrolment.recovery_codes:
        console.print(f"  {code}")


@user_app.command("add")
def user_add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Login name: a-z, 0-9, '.', '_', '-'."),
    admin: bool = typer.Option(False, "--admin", help="Instance admin (TOTP required)."),
    with_totp: bool = typer.Option(False, "--totp", help="Enrol a TOTP second factor."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from the first line of stdin."
    ),
) -> None:
    """Add an account; the password is asked for (hidden) or read from stdin."""
    app = app_of(ctx)
    settings = _settings(app)
    password = _read_password(password_stdin)
    master = _master(app, required=False)
    with app.write() as session:
        enrolment = accounts.create_user(
            session, settings, master, name=name, password=password,
            actor=app.settings.actor, admin=admin, with_totp=with_totp,
        )  # fmt: skip
    console.print(f"added user [bold]{esc(name.strip().lower())}[/bold] ({enrolment.user_id})")
    _show_enrolment(enrolment)


@user_app.command("list")
def user_list(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """List accounts (never a password or secret)."""
    app = app_of(ctx)
    with app.read() as session:
        rows = accounts.list_users(session)
    columns = ["name", "admin", "totp", "recovery_codes_left", "disabled", "locked_until"]
    emit(as_json, rows, lambda: _table("users", rows, columns))


@user_app.command("disable")
def user_disable(ctx: typer.Context, name: str) -> None:
    """Disable an account and end its sessions and API tokens."""
    app = app_of(ctx)
    with app.write() as session:
        accounts.disable_user(session, accounts.get_user(session, name), actor=app.settings.actor)
    console.print(f"disabled {esc(name)}; its sessions and tokens no longer work")


@user_app.command("reset-2fa")
def user_reset_2fa(ctx: typer.Context, name: str) -> None:
    """Give an account a new TOTP secret and new recovery codes (the old ones stop working)."""
    app = app_of(ctx)
    master = _master(app, required=True)
    with app.write() as session:
        user = accounts.get_user(session, name)
        enrolment = accounts.reset_second_factor(session, master, user, actor=app.settings.actor)
    console.print(f"new second factor for {esc(name)}")
    _show_enrolment(enrolment)


@token_app.command("create")
def token_create(
    ctx: typer.Context,
    user: str = typer.Option(..., "--user", help="Whose token."),
    role: str = typer.Option(..., "--role", help="A role the user holds (or less)."),
    days: int = typer.Option(30, "--days", help="Days until it expires."),
    case: str | None = CaseOption,
) -> None:
    """Create an API token for one case and one role; it is printed once."""
    app = app_of(ctx)
    with app.write() as session:
        made = tokens.create_token(
            session, _settings(app), _operator(app), accounts.get_user(session, user),
            app.case(session, case), role, days,
        )  # fmt: skip
    console.print(
        f"token {made.id} for {esc(user)} as {made.role} in {esc(made.case)}, "
        f"expires {made.expires_at:%Y-%m-%d %H:%M} UTC (shown once):"
    )
    typer.echo(made.token)


@token_app.command("revoke")
def token_revoke(ctx: typer.Context, token_id: str) -> None:
    """Revoke an API token by its id (tok_…)."""
    app = app_of(ctx)
    with app.write() as session:
        tokens.revoke_token(session, _operator(app), token_id)
    console.print(f"revoked {esc(token_id)}")


@role_app.command("grant")
def role_grant(ctx: typer.Context, user: str, role: str, case: str | None = CaseOption) -> None:
    """Give a user a role in a case (replacing their previous role there)."""
    app = app_of(ctx)
    with app.write() as session:
        c = app.case(session, case)
        roles.grant(session, _operator(app), c, accounts.get_user(session, user), role)
    console.print(f"{esc(user)} is {esc(role)} in {esc(c.slug)}")


@role_app.command("revoke")
def role_revoke(ctx: typer.Context, user: str, case: str | None = CaseOption) -> None:
    """Take a user's role in a case away (their tokens for the case stop working)."""
    app = app_of(ctx)
    with app.write() as session:
        c = app.case(session, case)
        roles.revoke(session, _operator(app), c, accounts.get_user(session, user))
    console.print(f"{esc(user)} has no role in {esc(c.slug)} any more")


@role_app.command("list")
def role_list(
    ctx: typer.Context, case: str | None = CaseOption, as_json: bool = JsonOption
) -> None:
    """Who holds which role in a case."""
    app = app_of(ctx)
    with app.read() as session:
        c = app.case(session, case)
        rows = roles.members(session, c)
    cols = ["user", "role", "granted_by", "granted_at"]
    emit(as_json, rows, lambda: _table(f"roles in {c.slug}", list(rows), cols))


@keys_app.command("generate")
def keys_generate(ctx: typer.Context, path: Path) -> None:
    """Write a new random master key to PATH (mode 0600, outside DALIL_HOME)."""
    app = app_of(ctx)
    key = MasterKey.generate()
    write_key_file(path, key, app.settings.home)
    console.print(
        f"wrote master key {key.key_id} to {esc(path)}; set DALIL_MASTER_KEY_FILE={esc(path)}"
    )


@keys_app.command("status")
def keys_status(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """The master key in use (its id, never the key) and every case's data keys."""
    app = app_of(ctx)
    master = _master(app, required=False)
    with app.read() as session:
        keys = confidential.key_status(session)
    data = {"master_key_id": None if master is None else master.key_id, "data_keys": keys}

    def render() -> None:
        console.print(f"master key: {data['master_key_id'] or 'not configured'}")
        cols = ["key_id", "case_id", "master_key_id", "active", "values", "created_at"]
        _table("data keys", list(keys), cols)

    emit(as_json, data, render)


@keys_app.command("rotate")
def keys_rotate(
    ctx: typer.Context,
    new_key_file: Path = typer.Option(..., "--new-key-file", help="The new master key file."),
    reencrypt: bool = typer.Option(
        False, "--reencrypt", help="Also re-encrypt every value under new data keys."
    ),
) -> None:
    """Re-wrap every data key under a new master key, in one transaction."""
    app = app_of(ctx)
    old = _master(app, required=True)
    assert old is not None
    new = read_key_file(new_key_file, app.settings.home)
    if new.key_id == old.key_id:
        raise InvalidInput("--new-key-file", "holds the master key already in use")
    with app.write() as session:
        counts = confidential.rotate(session, old, new, app.settings.actor, reencrypt=reencrypt)
    console.print(
        f"rotated to master key {new.key_id}: {counts['rewrapped']} data keys re-wrapped, "
        f"{counts['reencrypted']} values re-encrypted, {counts['retired']} data keys retired"
    )
    console.print(f"now set DALIL_MASTER_KEY_FILE={esc(new_key_file)}; the old key no longer works")


def audit(
    ctx: typer.Context,
    case: str | None = CaseOption,
    all_cases: bool = typer.Option(False, "--all", help="Every entry, not one case's."),
    verify: bool = typer.Option(False, "--verify", help="Check the whole hash chain."),
    limit: int = typer.Option(1000, "--limit", help="Most recent entries to show."),
    as_json: bool = JsonOption,
) -> None:
    """The audit trail of a case (logins, confidential reads, exports, roles, keys)."""
    app = app_of(ctx)
    with app.read() as session:
        case_id = None if all_cases else app.case(session, case).id
        rows = audit_trail.entries(session, case_id, limit)
        check = audit_trail.verify(session) if verify else None
    data: dict[str, object] = {"entries": rows}
    if check is not None:
        data["verified"] = {
            "ok": check.ok, "size": check.size, "root": check.root, "problems": check.problems,
        }  # fmt: skip

    def render() -> None:
        cols = ["seq", "at", "actor", "action", "detail"]
        _table("audit trail", [r | {"detail": _brief(r["detail"])} for r in rows], cols)
        if check is not None:
            state = "intact" if check.ok else "BROKEN: " + "; ".join(check.problems)
            console.print(f"chain of {check.size} entries {esc(state)}; root {check.root}")

    emit(as_json, data, render)
    if check is not None and not check.ok:
        raise typer.Exit(6)


def _brief(detail: object) -> str:
    if not isinstance(detail, dict):
        return ""
    return " ".join(f"{k}={v}" for k, v in sorted(detail.items()))
