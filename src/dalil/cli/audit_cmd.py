"""``dalil audit``: read the trail (``dalil audit --case C``), sign it, verify it.

``dalil audit checkpoint`` signs the trail's size and Merkle root with the installation's key and
prints the signed note: keep a copy away from the server (or publish it). ``dalil audit verify``
re-checks the hash chain, every stored checkpoint and any ``--against`` note given; it exits 6 if
anything is wrong.
"""

from __future__ import annotations

from pathlib import Path

import typer

from dalil.cli.access import audit as show_trail
from dalil.cli.context import CaseOption, JsonOption, app_of, console, emit, esc

audit_app = typer.Typer(
    help="The audit trail: logins, confidential reads, exports, roles, keys.",
    invoke_without_command=True,
)


@audit_app.callback()
def trail(
    ctx: typer.Context,
    case: str | None = CaseOption,
    all_cases: bool = typer.Option(False, "--all", help="Every entry, not one case's."),
    verify: bool = typer.Option(False, "--verify", help="Check the whole hash chain."),
    limit: int = typer.Option(1000, "--limit", help="Most recent entries to show."),
    as_json: bool = JsonOption,
) -> None:
    """The audit trail of a case (logins, confidential reads, exports, roles, keys)."""
    if ctx.invoked_subcommand is not None:
        return
    show_trail(ctx, case=case, all_cases=all_cases, verify=verify, limit=limit, as_json=as_json)


@audit_app.command("checkpoint")
def checkpoint(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Sign the trail as it stands and print the signed note (keep a copy elsewhere)."""
    from dalil.access import audit
    from dalil.evidence.keys import load_key

    app = app_of(ctx)
    key = load_key(app.settings.home)
    with app.write() as session:
        made = audit.checkpoint(session, key, app.settings.actor)
    emit(
        as_json,
        made | {"verifier": key.verifier_key},
        lambda: console.print(
            f"signed the audit trail at {made['size']} entries (root {made['root']}); "
            f"checkpoint is entry {made['seq']}. Keep this note elsewhere:\n\n"
            f"{esc(made['note'])}\nverifier key: {esc(key.verifier_key)}",
            soft_wrap=True,
        ),
    )


@audit_app.command("verify")
def verify_cmd(
    ctx: typer.Context,
    against: list[Path] = typer.Option(
        [], "--against", help="A checkpoint note kept elsewhere (repeatable)."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Check the hash chain, every signed checkpoint, and the notes given with --against."""
    from dalil.access import audit
    from dalil.evidence.keys import load_key

    app = app_of(ctx)
    notes = [p.read_text(encoding="utf-8") for p in against]
    key = load_key(app.settings.home, create=False)
    with app.read() as session:
        chain = audit.verify(session)
        checked, problems = audit.verify_checkpoints(session, key, notes)
    problems = chain.problems + problems
    data = {
        "ok": not problems,
        "entries": chain.size,
        "root": chain.root,
        "checkpoints": checked,
        "problems": problems,
    }

    def render() -> None:
        if problems:
            console.print("[bold red]the audit trail does NOT verify:[/bold red]")
            for problem in problems:
                console.print(f"  {esc(problem)}")
        else:
            console.print(
                f"audit trail intact: {chain.size} entries, {checked} signed checkpoint(s) "
                f"verified; root {chain.root}"
            )

    emit(as_json, data, render)
    if problems:
        raise typer.Exit(6)
