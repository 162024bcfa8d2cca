"""The one place that decides who may do what: :func:`decide`.

Roles, actions and sensitivity levels are data (``policy.yaml``), loaded and checked once. Every
command and every API request asks :func:`decide` (or :func:`require`); :func:`visible` removes
from a view what the caller may not see, so nothing is merely hidden by the client. This module
must never grant by default: an unknown role, action or level is refused, and it never reads or
writes the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml

from dalil.errors import DalilError

Via = Literal["operator", "session", "token"]


class Forbidden(DalilError):
    """The principal may not do this. The message names the action, never a record's content."""

    exit_code = 4


@dataclass(frozen=True)
class Policy:
    levels: tuple[str, ...]
    actions: frozenset[str]
    instance_actions: frozenset[str]
    roles: Mapping[str, Mapping[str, str]]

    def rank(self, level: str) -> int:
        return self.levels.index(level)


@cache
def policy() -> Policy:
    """The policy in ``policy.yaml``, validated: every level and action a role names exists."""
    text = resources.files("dalil.access").joinpath("policy.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    levels = tuple(raw["sensitivities"])
    actions = frozenset(raw["actions"])
    roles: dict[str, dict[str, str]] = {}
    for role, grants in raw["roles"].items():
        for action, level in grants.items():
            if action not in actions or level not in levels:
                raise ValueError(f"policy.yaml: role {role}: bad grant {action}: {level}")
        roles[role] = dict(grants)
    return Policy(levels, actions, frozenset(raw["instance_actions"]), roles)


def roles() -> list[str]:
    return list(policy().roles)


@dataclass(frozen=True)
class Principal:
    """Who is asking: a user (by session or token) or the local operator.

    ``roles`` maps case id → role. A token principal holds exactly its one case and role.
    """

    name: str
    via: Via
    user_id: str | None = None
    is_admin: bool = False
    roles: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def operator(cls, name: str) -> Principal:
        """The person at the server's shell: OS access already gives them the database file."""
        return cls(name=name, via="operator", is_admin=True)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


def decide(
    principal: Principal, action: str, case_id: str | None, sensitivity: str = "public"
) -> Decision:
    """Whether ``principal`` may do ``action`` in ``case_id`` on data of ``sensitivity``."""
    pol = policy()
    if sensitivity not in pol.levels:
        return Decision(False, f"unknown sensitivity {sensitivity!r}")
    if action in pol.instance_actions:
        if principal.via == "token":
            return Decision(False, "API tokens are for case data, not instance administration")
        if principal.is_admin:
            return Decision(True, "instance admin")
        return Decision(False, f"{action} needs an instance admin")
    if action not in pol.actions:
        return Decision(False, f"unknown action {action!r}")
    if principal.via == "operator":
        return Decision(True, "local operator (OS access to the server)")
    if case_id is None:
        return Decision(False, f"{action} needs a case")
    role = principal.roles.get(case_id)
    if role is None:
        return Decision(False, "no role in this case")
    grants = pol.roles.get(role)
    if grants is None:
        return Decision(False, f"unknown role {role!r}")
    level = grants.get(action)
    if level is None:
        return Decision(False, f"role {role} may not {action}")
    if pol.rank(sensitivity) > pol.rank(level):
        return Decision(False, f"role {role} may {action} up to {level}, not {sensitivity}")
    return Decision(True, f"role {role} may {action} up to {level}")


def require(
    principal: Principal, action: str, case_id: str | None, sensitivity: str = "public"
) -> None:
    """Raise :class:`Forbidden` unless :func:`decide` allows it."""
    decision = decide(principal, action, case_id, sensitivity)
    if not decision.allowed:
        raise Forbidden(f"not allowed: {decision.reason}")


def clearance(principal: Principal, action: str, case_id: str | None) -> str | None:
    """The highest sensitivity ``principal`` may ``action`` in the case, or None for none."""
    allowed = [lvl for lvl in policy().levels if decide(principal, action, case_id, lvl).allowed]
    return allowed[-1] if allowed else None


def covers(role: str, other: str) -> bool:
    """True when ``role`` may do everything ``other`` may, at least as high (for tokens)."""
    pol = policy()
    mine, theirs = pol.roles[role], pol.roles[other]
    return all(
        action in mine and pol.rank(mine[action]) >= pol.rank(level)
        for action, level in theirs.items()
    )


REFERENCE_KEYS = ("other", "subject", "object", "source")  # nested records: {"id": …}
REFERENCE_IDS = ("value_ref", "subject_id", "object_id")  # ids of records the entry shows
# An id field whose record may be hidden, and the fields that show that record (label, path).
BLANKED = {"place_id": ("place_id", "place"), "parent_id": ("parent_id", "path")}
USER_NAMES = ("by", "author", "created_by", "updated_by", "granted_by")


def visible(
    principal: Principal,
    case_id: str,
    view: dict[str, Any],
    levels: Mapping[str, str] | None = None,
) -> dict[str, Any] | None:
    """A copy of ``view`` without what the principal may not read; None when the record itself.

    A dict is a record when it has ``sensitivity`` (or its ``id`` is in ``levels``, which maps
    record ids to sensitivity); records above the principal's ``read`` clearance are dropped, and
    so is any entry that shows one: through ``other``/``subject``/``object``/``source`` (nested
    records) or ``value_ref``/``subject_id``/``object_id`` (ids), or through its ``fields``
    (a relation whose end is hidden). ``place_id``/``parent_id`` naming a hidden record are
    blanked with the label or path that shows it (give a place the level of its most sensitive
    ancestor in ``levels``). A claim group that loses claims has ``accepted`` and ``in_dispute``
    recomputed from what is left, and is dropped when none is. ``confidential`` (decrypted field
    values) is removed unless the principal may read confidential data; user names (``by``,
    ``author``, …) are removed for principals who may read only public data. Unknown levels and
    ids missing from ``levels`` that carry no sensitivity count as readable only when known:
    an id in ``REFERENCE_IDS`` absent from ``levels`` counts as confidential.
    """
    top = clearance(principal, "read", case_id)
    if top is None:
        return None
    pol = policy()
    known = levels or {}
    names_ok = pol.rank(top) >= pol.rank("restricted") if "restricted" in pol.levels else False

    def too_high(level: str | None) -> bool:
        if level is None:
            return False
        level = level if level in pol.levels else "confidential"
        return pol.rank(level) > pol.rank(top)

    def hidden_id(rid: Any) -> bool:
        return isinstance(rid, str) and too_high(known.get(rid, "confidential"))

    def over(node: dict[str, Any]) -> bool:
        level = node.get("sensitivity")
        if level is None and isinstance(node.get("id"), str):
            level = known.get(node["id"])
        if too_high(level):
            return True
        if any(hidden_id(node.get(k)) for k in REFERENCE_IDS):
            return True
        fields = node.get("fields")
        if isinstance(fields, dict) and any(hidden_id(fields.get(k)) for k in REFERENCE_IDS):
            return True
        return any(isinstance(node.get(k), dict) and over(node[k]) for k in REFERENCE_KEYS)

    def clean(value: Any) -> Any:
        if isinstance(value, dict):
            if over(value):
                return _DROP
            out: dict[str, Any] = {}
            for k, v in value.items():
                if k == "confidential" and top != "confidential":
                    continue
                if k in USER_NAMES and not names_ok and (v is None or isinstance(v, str)):
                    continue
                c = clean(v)
                if c is not _DROP:
                    out[k] = c
            for key, shown in BLANKED.items():
                if hidden_id(value.get(key)):
                    out.update({f: None for f in shown if f in out})
            claims = value.get("claims")
            if isinstance(claims, list) and "accepted" in value:
                kept = out.get("claims", [])
                if not kept:
                    return _DROP
                if len(kept) != len(claims):
                    out["accepted"] = [
                        c.get("value") for c in kept
                        if c.get("status") == "accepted" and c.get("value") is not None
                    ]  # fmt: skip
                    values = {str(c.get("value")) for c in kept}
                    out["in_dispute"] = len(values) > 1 or any(
                        c.get("status") == "disputed" for c in kept
                    )
            return out
        if isinstance(value, list):
            return [c for c in (clean(v) for v in value) if c is not _DROP]
        return value

    result = clean(view)
    return None if result is _DROP else result


_DROP = object()
