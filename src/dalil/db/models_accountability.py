"""Tables of the accountability package (issue 8): units, postings, positionings over time."""

from __future__ import annotations
