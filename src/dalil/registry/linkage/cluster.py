"""Clusters from scored pairs, without over-merging through chains of weak links.

Algorithm (documented in docs/linkage.md):

1. Candidate edges: pairs at match probability >= 0.5, plus pairs a reviewer judged "same".
2. *Cannot-link* constraints: pairs judged "different", and scored pairs whose own evidence is
   against a match (total Bayes factor < 1, i.e. the comparisons disagree more than they agree).
   In an incremental run, two existing clusters also cannot be joined.
3. Edges are taken strongest first (judged "same" first, then by match weight, ties by ids) and
   two groups are joined only if no cannot-link pair runs between them (greedy constrained
   single-link, as in Kruskal's algorithm). A chain A–B–C therefore stops at C when A and C were
   compared and disagree; a judgement "different" is never overridden.

Pure: pairs in, ``{record_id: cluster_id}`` out; cluster ids are the smallest member id (or the
existing cluster's id in an incremental run).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Generic, TypeVar

__all__ = ["constrained_clusters"]

# Record ids: strings, or the engine's integer codes (a million records cost far less as ints).
K = TypeVar("K", str, int)


class _Groups(Generic[K]):
    """Union-find with the cannot-links of each group. Only groups that have a cannot-link hold
    a set of them: most records have none, and an empty set per record costs ~200 bytes."""

    def __init__(self, ids: Iterable[K], fixed: Mapping[K, K]) -> None:
        self.parent: dict[K, K] = {i: i for i in ids}
        self.conflicts: dict[K, set[K]] = {}
        self.anchor: dict[K, K] = {}  # group root -> the existing cluster it is attached to
        # Existing members of one cluster start as one group carrying its cluster id.
        by_cluster: dict[K, K] = {}
        for rec, cid in sorted(fixed.items()):
            root = by_cluster.setdefault(cid, rec)
            self.parent[rec] = root
            self.anchor[root] = cid

    def find(self, x: K) -> K:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def forbid(self, a: K, b: K) -> None:
        self.conflicts.setdefault(self.find(a), set()).add(b)
        self.conflicts.setdefault(self.find(b), set()).add(a)

    def try_union(self, a: K, b: K) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if ra in self.anchor and rb in self.anchor:
            return False
        ca, cb = self.conflicts.get(ra, set()), self.conflicts.get(rb, set())
        if any(self.find(c) == rb for c in ca) or any(self.find(c) == ra for c in cb):
            return False
        if len(ca) < len(cb):
            ra, rb, ca, cb = rb, ra, cb, ca
        self.parent[rb] = ra
        if cb:
            self.conflicts.setdefault(ra, set()).update(self.conflicts.pop(rb))
        if rb in self.anchor:
            self.anchor[ra] = self.anchor.pop(rb)
        return True


def constrained_clusters(
    ids: Iterable[K],
    edges: Iterable[tuple[K, K, float]],
    forced: Iterable[tuple[K, K]] = (),
    cannot: Iterable[tuple[K, K]] = (),
    existing: Mapping[K, K] | None = None,
) -> tuple[dict[K, K], list[tuple[K, K]]]:
    """Cluster ids for ``ids`` and the edges that were refused.

    ``edges``: (a, b, match_weight) at or above the decision threshold; ``forced``: judged same;
    ``cannot``: judged different or evidence against; ``existing``: fixed record → cluster id.
    """
    groups = _Groups(ids, dict(existing or {}))
    for a, b in cannot:
        if a in groups.parent and b in groups.parent:
            groups.forbid(a, b)
    refused: list[tuple[K, K]] = []
    ordered = [(a, b) for a, b in sorted(forced)] + [
        (a, b) for a, b, _ in sorted(edges, key=lambda e: (-e[2], e[0], e[1]))
    ]
    for a, b in ordered:
        if a not in groups.parent or b not in groups.parent:
            continue
        if not groups.try_union(a, b):
            refused.append((a, b))
    smallest: dict[K, K] = {}
    for rec in groups.parent:
        root = groups.find(rec)
        if root not in smallest or rec < smallest[root]:
            smallest[root] = rec
    out: dict[K, K] = {}
    for rec in groups.parent:
        root = groups.find(rec)
        out[rec] = groups.anchor.get(root, smallest[root])
    return out, refused
