"""Fixtures for the estimation tests: ``est_cli`` runs ``dalil`` on the ``db_url`` database."""

from estimation.est_cli import est_cli

__all__ = ["est_cli"]
