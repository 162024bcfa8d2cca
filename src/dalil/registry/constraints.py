"""Reviewers' judgements as hard constraints on a clustering: ``same`` joins, ``different`` parts.

The model proposes clusters; a person who looked at two records and said "not the same man" must
never see them in one registry person again, and "the same" must never be two persons.
:func:`apply_judgements` takes the engine's partition and returns one that honours every
judgement it can:

- a cluster holding a ``different`` pair is rebuilt from its own linked edges, strongest first
  (``same`` judgements first of all), never joining two parts that a ``different`` keeps apart;
  records no edge reaches stay on their own;
- then each ``same`` pair in two clusters merges them, unless a ``different`` forbids it.

When judgements contradict each other (a=b, b=c, a≠c), ``different`` wins: a wrong merge hides a
victim inside another person. The contradicting ``same`` pairs are returned as conflicts for a
reviewer to look at again. Pure logic, no database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

Pair = tuple[str, str]


def ordered(a: str, b: str) -> Pair:
    return (a, b) if a < b else (b, a)


@dataclass
class Constrained:
    clusters: list[frozenset[str]]
    conflicts: list[Pair]  # ``same`` judgements that a ``different`` overrode
    rebuilt: int  # clusters split up because of a ``different`` judgement
    joined: int  # merges made because of a ``same`` judgement


class _Parts:
    """Union-find that refuses a union joining two records judged different."""

    def __init__(self, records: Iterable[str], apart: Mapping[str, set[str]]) -> None:
        self.root = {r: r for r in records}
        self.members = {r: {r} for r in self.root}
        self.apart = apart

    def find(self, r: str) -> str:
        while self.root[r] != r:
            self.root[r] = self.root[self.root[r]]
            r = self.root[r]
        return r

    def join(self, a: str, b: str) -> bool:
        """Join the parts of a and b; False (nothing done) if a ``different`` forbids it."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        small, large = sorted((ra, rb), key=lambda r: (len(self.members[r]), r))
        big = self.members[large]
        if any(other in big for r in self.members[small] for other in self.apart.get(r, ())):
            return False
        self.root[small] = large
        big |= self.members.pop(small)
        return True

    def parts(self) -> list[frozenset[str]]:
        return [frozenset(m) for m in self.members.values()]


def apply_judgements(
    clusters: Iterable[Iterable[str]],
    edges: Iterable[tuple[str, str, float]],
    decisions: Mapping[Pair, str],
) -> Constrained:
    """The partition ``clusters`` made to honour ``decisions`` ((a, b) → same|different|unsure).

    ``edges`` are the linked pairs (record_a, record_b, match_weight) the clusters came from;
    they are only used to rebuild a cluster that a ``different`` judgement splits.
    """
    partition = [frozenset(c) for c in clusters]
    cluster_of = {r: i for i, c in enumerate(partition) for r in c}
    apart: dict[str, set[str]] = defaultdict(set)
    same: list[Pair] = []
    for (a, b), decision in sorted(decisions.items()):
        if a not in cluster_of or b not in cluster_of or a == b:
            continue  # a judged record that is no longer in the case
        if decision == "different":
            apart[a].add(b)
            apart[b].add(a)
        elif decision == "same":
            same.append(ordered(a, b))

    broken = {
        cluster_of[a]
        for a, others in apart.items()
        for b in others
        if cluster_of[a] == cluster_of[b]
    }
    result = [c for i, c in enumerate(partition) if i not in broken]
    conflicts: list[Pair] = []
    if broken:
        inside: dict[int, list[tuple[float, Pair]]] = defaultdict(list)
        for a, b in same:
            if cluster_of[a] == cluster_of[b] and cluster_of[a] in broken:
                inside[cluster_of[a]].append((float("inf"), (a, b)))
        for a, b, weight in edges:
            i = cluster_of.get(a)
            if i is not None and i in broken and cluster_of.get(b) == i:
                inside[i].append((float(weight), ordered(a, b)))
        for i in sorted(broken):
            parts = _Parts(sorted(partition[i]), apart)
            for weight, (a, b) in sorted(inside[i], key=lambda e: (-e[0], e[1])):
                if not parts.join(a, b) and weight == float("inf"):
                    conflicts.append((a, b))
            result.extend(parts.parts())

    joined = 0
    everyone = _Parts(sorted(cluster_of), apart)
    for cluster in result:
        first, *rest = sorted(cluster)
        for other in rest:
            everyone.join(first, other)  # a rebuilt part holds no ``different`` pair
    for a, b in same:
        if everyone.find(a) == everyone.find(b):
            continue
        if everyone.join(a, b):
            joined += 1
        elif (a, b) not in conflicts:
            conflicts.append((a, b))
    final = sorted(everyone.parts(), key=lambda c: min(c))
    return Constrained(final, sorted(set(conflicts)), len(broken), joined)


__all__ = ["Constrained", "apply_judgements", "ordered"]
