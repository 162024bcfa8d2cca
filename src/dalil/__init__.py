"""Dalil (دليل, "evidence"): turn atrocity documentation into justice.

The packages below ``dalil`` each hold one capability; see ``docs/architecture.md``.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("dalil")
except PackageNotFoundError:  # pragma: no cover - only when run from a bare source tree
    __version__ = "0.0.0"

__all__ = ["__version__"]
