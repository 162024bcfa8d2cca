"""Fixtures for the accountability tests: the fictional training case, and ``dalil`` in-process."""

from __future__ import annotations

import pytest

from dalil.db import Database
from dalil.demo.training import TrainingResult, build_training


@pytest.fixture
def training(db: Database) -> TrainingResult:
    """The FICTIONAL training case built in the test database (SQLite, then PostgreSQL)."""
    return build_training(db)
