"""Fixtures for the ``dalil`` command tests: the CLI pointed at an empty migrated database."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.clihelp import Cli


@pytest.fixture
def cli(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    db_url: str,
) -> Cli:
    """``dalil`` on the ``db_url`` database (SQLite, then PostgreSQL), acting as ``tester``."""
    return Cli(monkeypatch, capsys, tmp_path, db_url)
