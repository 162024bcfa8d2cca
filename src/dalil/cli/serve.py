"""``dalil serve``: the REST API and the web interface over this installation's database.

Listens on 127.0.0.1 unless told otherwise; a non-loopback address needs ``--allow-remote``,
and then TLS in front (the session cookie is ``Secure``). Uvicorn's access log is off: request
lines carry search words (names) in their query strings, which must never reach a log.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

import typer

from dalil.cli.context import app_of, console, errors
from dalil.errors import DalilError

REMOTE_NOTE = (
    "Listening beyond this machine: put a TLS-terminating proxy (nginx, Caddy) in front and "
    "reach Dalil only through https://. Session cookies are Secure and will not travel over "
    "plain http except to 127.0.0.1/localhost."
)


def is_loopback(host: str) -> bool:
    if host.strip().lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", help="Address to listen on (loopback by default)."),
    port: int = typer.Option(8000, min=1, max=65535, help="TCP port."),
    home: Path | None = typer.Option(None, "--home", help="Dalil home (default: DALIL_HOME)."),
    allow_remote: bool = typer.Option(
        False, "--allow-remote", help="Allow a non-loopback address (use TLS in front)."
    ),
    max_upload_mb: int = typer.Option(
        2048, "--max-upload-mb", min=1, max=1_048_576, help="Largest evidence upload (413 above)."
    ),
) -> None:
    """Serve the API (/api, docs at /api/docs) and the web interface with uvicorn."""
    import uvicorn

    from dalil.access import load_access_settings
    from dalil.config import load_settings
    from dalil.db import Database
    from dalil.db.migrate import require_current
    from dalil.web.server import create_server

    if not is_loopback(host) and not allow_remote:
        raise DalilError(
            f"refusing to listen on {host}: only loopback addresses without --allow-remote",
            hint="add --allow-remote and put a TLS proxy in front, or use --host 127.0.0.1",
        )
    settings = load_settings(home=home) if home is not None else app_of(ctx).settings
    db = Database(settings.database)
    require_current(db)
    access = load_access_settings(settings.home)
    server = create_server(db, access)
    server.state.settings = settings
    server.state.upload_max_bytes = max_upload_mb * 1024 * 1024
    if not is_loopback(host):
        errors.print(f"[yellow]{REMOTE_NOTE}[/yellow]")
    shown = f"[{host}]" if ":" in host else host
    console.print(f"Dalil on http://{shown}:{port}/  (API docs: /api/docs; Ctrl-C stops)")
    try:
        uvicorn.run(
            server, host=host, port=port, access_log=False, server_header=False,
            proxy_headers=False, log_level="warning",
        )  # fmt: skip
    finally:
        db.dispose()
