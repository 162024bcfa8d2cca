"""Fixtures for the accountability tests: the fictional training case, and ``dalil`` in-process."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.clihelp import Cli
from dalil.db import Database
from dalil.demo.training import TrainingResult, build_training


@pytest.fixture
def training(db: Database) -> TrainingResult:
    """The FICTIONAL training case built in the test database (SQLite, then PostgreSQL)."""
    return build_training(db)


@pytest.fixture
def cli(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    db_url: str,
) -> Cli:
    return Cli(monkeypatch, capsys, tmp_path, db_url)
