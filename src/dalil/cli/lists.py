"""Commands on the registry Typers of :mod:`dalil.cli.registry` (issue 4)."""

from __future__ import annotations

from dalil.cli.registry import link_app, lists_app, registry_app  # noqa: F401
