"""Tables of the access package (issue 6): users, memberships, tokens, keys, audit."""

from __future__ import annotations
