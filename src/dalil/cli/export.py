"""``dalil export``: case files and data exports; each capability adds its own command.

Every ``dalil export …`` first asks the policy (:func:`dalil.access.require`, action ``export``,
as the local operator) and appends an ``export`` entry to the audit trail, so the trail shows
every export whichever command made it.
"""

from __future__ import annotations

import typer

export_app = typer.Typer(help="Export case files (BagIt bundles) and data (FollowTheMoney).")


@export_app.callback()
def _export(ctx: typer.Context) -> None:
    """Export case files (BagIt bundles) and data (FollowTheMoney)."""
    from dalil.access import audit, require
    from dalil.access.policy import Principal
    from dalil.cli.context import app_of

    if ctx.resilient_parsing or ctx.invoked_subcommand is None:
        return
    app = app_of(ctx)
    operator = Principal.operator(app.settings.actor)
    require(operator, "export", None, "confidential")
    with app.write() as session:
        audit.record(session, operator.name, "export", None, {"command": ctx.invoked_subcommand})
