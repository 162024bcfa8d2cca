"""``dalil evidence``, ``dalil log`` and ``dalil export case``: the evidence locker (issue 3)."""

from __future__ import annotations

import typer

evidence_app = typer.Typer(help="Evidence: byte-exact originals, custody, fingerprints.")
log_app = typer.Typer(help="The tamper-evident custody log: checkpoints and proofs.")
