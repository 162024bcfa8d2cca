"""SciPy loaded on first use: `dalil --help` and every other command must start quickly."""

from __future__ import annotations

from importlib import import_module
from typing import Any


def scipy(name: str) -> Any:
    """``scipy.<name>`` (stats, optimize, special), imported when first needed."""
    return import_module(f"scipy.{name}")
