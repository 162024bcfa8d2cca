"""Checking estimator options: unknown names refused, values in range, seeds always recorded.

Every estimator resolves its options here into a complete dictionary (defaults filled in, a seed
drawn when none was given), which is what the result stores, so a run can be repeated exactly.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from dalil.errors import InvalidInput

MAX_SEED = 2**63 - 1


def resolve(method: str, defaults: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """Defaults overlaid with what was given (``None`` means "use the default")."""
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        raise InvalidInput(
            method,
            f"unknown option {', '.join(unknown)}; options: {', '.join(sorted(defaults))}",
        )
    resolved = dict(defaults)
    resolved.update({k: v for k, v in given.items() if v is not None})
    return resolved


def whole(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value))
        except ValueError:
            raise InvalidInput(name, f"{value!r} is not a whole number") from None
    if not low <= value <= high:
        raise InvalidInput(name, f"must be between {low:,} and {high:,}, not {value:,}")
    return int(value)


def level(value: Any) -> float:
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise InvalidInput("level", f"{value!r} is not a number") from None
    if not 0.5 <= result < 1:
        raise InvalidInput("level", "must be at least 0.5 and below 1, e.g. 0.95")
    return result


def seed(value: Any) -> int:
    """The seed given, or a fresh one: either way it is recorded with the result."""
    if value is None:
        return secrets.randbits(62)
    return whole("seed", value, 0, MAX_SEED)


def positive(name: str, value: Any) -> float:
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(name, f"{value!r} is not a number") from None
    if not result > 0 or result == float("inf"):
        raise InvalidInput(name, "must be a positive number")
    return result
