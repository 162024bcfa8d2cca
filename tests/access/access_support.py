"""Shared values of the access tests: a fixed clock and a test password."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from dalil.access.policy import Principal

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
PASSWORD = "tall-olive-tree-by-the-river"


@dataclass(frozen=True)
class World:
    case_id: str
    other_case_id: str
    operator: Principal
