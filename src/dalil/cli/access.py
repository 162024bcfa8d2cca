"""``dalil user``, ``dalil token``, ``dalil role``, ``dalil keys`` and ``dalil audit`` (issue 6)."""

from __future__ import annotations

import typer

user_app = typer.Typer(help="Accounts: Argon2id passwords, TOTP second factor, recovery codes.")
token_app = typer.Typer(help="API tokens, scoped to a case and a role, expiring, stored hashed.")
role_app = typer.Typer(help="Roles per case: owner, investigator, analyst, reviewer, …")
keys_app = typer.Typer(help="Encryption keys for confidential values: status and rotation.")
