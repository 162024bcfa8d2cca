"""Registry person IDs that survive re-runs: which new cluster keeps which old ID.

A family told "your brother is vic_3kq7…" must find the same person next month, or be told where
he went. So, given the registry's active persons (ID → member record ids) and the new partition
of the case's records, :func:`assign`:

- keeps an ID when the new cluster has exactly its members, or its members plus records that
  belonged to no person before (a new list added records to him: *grown*);
- otherwise retires it, and redirects it to every new ID that holds any of its members, with the
  reason ``merged`` (the new person also holds another old person's records) or ``split``.

It never reuses an ID: a new person gets a fresh ID that is in none of ``used`` (every ID the
registry ever issued, retired ones included). Pure logic: no database, no randomness of its own
(IDs come from the ``fresh`` callable).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field


def members_digest(members: Iterable[str]) -> str:
    """sha256 (hex) of the sorted member record ids, one per line."""
    return hashlib.sha256("\n".join(sorted(members)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Redirect:
    old_id: str
    new_id: str
    reason: str  # merged | split


@dataclass
class Assignment:
    """What a run does to the registry's IDs."""

    ids: list[str]  # the ID of each new cluster, in the order given
    kept: dict[str, str] = field(default_factory=dict)  # id → "same" | "grown"
    created: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    redirects: list[Redirect] = field(default_factory=list)


def assign(
    old: Mapping[str, Collection[str]],
    clusters: list[frozenset[str]],
    fresh: Callable[[], str],
    used: Collection[str] = (),
) -> Assignment:
    """IDs for ``clusters`` (a partition of record ids) given the ``old`` active persons.

    ``old`` maps each active person's ID to its member record ids (persons are disjoint).
    ``used`` holds every ID issued before (active or retired); ``fresh()`` draws a candidate ID.
    """
    owner: dict[str, str] = {}
    for pid, members in old.items():
        for record in members:
            if record in owner:
                raise ValueError(f"record {record} is in two active persons")
            owner[record] = pid
    seen: set[str] = set()
    for cluster in clusters:
        if not cluster:
            raise ValueError("an empty cluster")
        if seen & cluster:
            raise ValueError("clusters overlap: a record is in two clusters")
        seen |= cluster

    taken = set(used) | set(old)
    result = Assignment(ids=[])
    keeping: dict[str, str] = {}  # old id → the id it keeps (itself), once assigned
    for cluster in clusters:
        previous = {owner[r] for r in cluster if r in owner}
        if len(previous) == 1:
            (pid,) = previous
            if set(old[pid]) <= cluster and pid not in keeping:
                keeping[pid] = pid
                result.kept[pid] = "same" if len(old[pid]) == len(cluster) else "grown"
                result.ids.append(pid)
                continue
        new = fresh()
        while new in taken:
            new = fresh()
        taken.add(new)
        result.created.append(new)
        result.ids.append(new)

    holders: dict[str, list[tuple[str, bool]]] = {pid: [] for pid in old}
    for cluster, cid in zip(clusters, result.ids, strict=True):
        previous = {owner[r] for r in cluster if r in owner}
        for pid in previous:
            holders[pid].append((cid, len(previous) > 1))
    for pid in old:
        if pid in keeping:
            continue
        result.retired.append(pid)
        for cid, merged in holders[pid]:
            result.redirects.append(Redirect(pid, cid, "merged" if merged else "split"))
    return result


__all__ = ["Assignment", "Redirect", "assign", "members_digest"]
