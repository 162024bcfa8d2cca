"""Tables of the evidence package (issue 3): blobs, items, custody log, checkpoints."""

from __future__ import annotations
