"""Which record pairs are compared: blocking rules sized to the data.

Blocking is on keys, never raw text, so Arabic- and Latin-script records meet. Names are skewed
(محمد is about one man in six), so a rule such as "same given name and father's name" that costs
a million pairs at 30,000 records costs nearly a billion at a million records: the pairs grow with
the square of the records. So each rule has *narrowing* keys: when its exact pair count is over
the budget, it is replaced by the union of itself AND each narrowing key (the same given and
father's name, and the same family initial, or birth year, or place), and so on until every rule
fits. Small lists keep the wide rules; large ones lose only pairs that agree on none of the
narrowing keys either; a rule still over budget with no narrowing key left is dropped. The plan,
with every rule's pair count and the rules dropped, goes into the calibration.

The candidate pairs themselves are made in the database by :func:`blocked_pairs_sql`: each
rule's join, all of them together, then one row per pair. Splink's own blocking writes each rule
as its join *less every earlier rule's condition*, so that no pair comes twice; with twenty-odd
narrowed rules most of its blocking time went into those exclusions (at 200,000 records 12 s of
CPU against 4.6 s grouped, the same 12.6 M pairs). The rules are still given to Splink in the
model (``blocking_rules``) for the record of what was compared.

Pure: counts are made on the feature table in memory, and the SQL is text built from column
names only; nothing here reads a database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from splink import block_on

__all__ = [
    "RULES",
    "SWAP_RULE",
    "Plan",
    "blocked_pairs_sql",
    "blocking_rules",
    "count_pairs",
    "count_pairs_with",
    "pair_budget",
    "plan_blocking",
    "rules_pairs_sql",
]

# Given and family names in each other's place (family-first order in one list): a pseudo-key a
# rule may start with. Records whose given and family names are the same are left to the given +
# family rule: at 500,000 records they made 1 M of the swap rule's 6 M pairs.
SWAP = "swap"
# A clerical slip, not a way of writing names: the swap rule gets this share of the budget. At
# 500,000 records (narrowed as for a million) it still made 5.1 M of the 24 M candidate pairs;
# the synthetic lists have no swapped names, and on real lists its worth is unmeasured.
SWAP_SHARE = 0.2
SWAP_RULE = "l.given_sk = r.family_sk AND l.family_sk = r.given_sk AND l.given_sk <> l.family_sk"

# (keys, narrowing keys): a rule is narrowed by the narrowing keys, in order, only when needed.
# Rules without both a given and a family name (given + father, family + father, family + birth
# year, given + mother) are household and namesake rules: over budget, their blocks are common
# names shared by cousins and strangers, and a coarse narrowing key (a place, a birth year, an
# initial) keeps mostly those. Measured on the synthetic lists at 500,000 records narrowed as for
# a million, their narrowed forms made 16 M of the 24 M candidate pairs for 0.9 % of the true
# pairs (pair completeness 0.963 -> 0.954 without them); only given + father + family initial
# + place earned its pairs (1,534 true pairs no other rule found, in 1.5 M). So over budget they
# are dropped, except that one narrowing.
RULES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("given_sk", "family_sk"), ("father_sk", "by", "place_sk", "ey", "mother_tk")),
    (("given_sk", "father_sk"), ("family_i", "place_sk")),
    (("family_sk", "father_sk"), ()),
    (("family_sk", "by"), ()),
    (("given_tk", "mother_tk"), ()),
    (("given_sk", "event_ymd"), ("family_i", "place_sk")),
    (("family_sk", "event_ymd"), ("given_i", "place_sk")),
    (("birth_ymd", "given_i"), ("family_i",)),
    (("birth_ymd", "family_i"), ("given_i",)),
    (("birth_ymd", "place_sk"), ("given_i",)),
    (("birth_ymd", "gov_sk"), ("given_i", "family_i")),
    ((SWAP,), ("father_sk", "by", "place_sk")),
)

PAIRS_PER_RECORD = 25  # budget per rule: this many pairs per record ...
MIN_BUDGET = 2_000_000  # ... but never below this (small lists keep every wide rule)


def pair_budget(n: int) -> int:
    return max(MIN_BUDGET, PAIRS_PER_RECORD * n)


@dataclass(frozen=True)
class Plan:
    """The rules chosen, each with its exact pair count; ``over`` lists the rules dropped
    because they were over budget with no narrowing key left."""

    rules: tuple[tuple[str, ...], ...]
    pairs: tuple[int, ...]
    budget: int
    over: tuple[tuple[str, ...], ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "budget_per_rule": self.budget,
            "rules": [
                {"keys": list(keys), "pairs": count}
                for keys, count in zip(self.rules, self.pairs, strict=True)
            ],
            "pairs_at_most": int(sum(self.pairs)),
            "dropped_over_budget": [list(k) for k in self.over],
        }


def count_pairs(features: pd.DataFrame, keys: Sequence[str]) -> int:
    """Exact number of record pairs that agree on every key (none missing)."""
    if keys and keys[0] == SWAP:
        return _count_swapped(features, list(keys[1:]))
    frame = features[list(keys)].dropna()
    if len(frame) < 2:
        return 0
    sizes = frame.groupby(list(keys), sort=False).size().to_numpy(dtype="int64")
    return int((sizes * (sizes - 1) // 2).sum())


def _count_swapped(features: pd.DataFrame, rest: list[str]) -> int:
    """Pairs whose given and family names are each other's (and agree on ``rest``): records
    (g, f) meet records (f, g), g != f."""
    frame = features[["given_sk", "family_sk", *rest]].dropna()
    frame = frame[frame["given_sk"] != frame["family_sk"]]
    if len(frame) < 2:
        return 0
    # On integer codes (given and family share one code space): at a million records the
    # join of string group keys below took 0.5 s a rule.
    n = len(frame)
    names, _ = pd.factorize(pd.concat([frame["given_sk"], frame["family_sk"]], ignore_index=True))
    k = int(names.max()) + 1
    group = (
        frame.groupby(rest, sort=False).ngroup().to_numpy(dtype=np.int64)
        if rest
        else np.zeros(n, dtype=np.int64)
    )
    if (int(group.max()) + 1) * k * k < 2**62:
        g, f = names[:n].astype(np.int64), names[n:].astype(np.int64)
        counts = pd.Series((group * k + g) * k + f).value_counts()
        key = counts.index.to_numpy(dtype=np.int64)
        mirror = (key // (k * k) * k + key % k) * k + key // k % k
        met = counts.reindex(mirror).fillna(0).to_numpy(dtype=np.int64)
        return int((counts.to_numpy(dtype=np.int64) * met).sum() // 2)
    sizes = frame.groupby(["given_sk", "family_sk", *rest], sort=False).size()
    mirrored = sizes.rename_axis(["family_sk", "given_sk", *rest])
    meet = sizes.to_frame("a").join(mirrored.to_frame("b"), how="inner")
    # Each meeting of two groups is seen from both sides.
    return int((meet["a"].to_numpy(dtype="int64") * meet["b"].to_numpy(dtype="int64")).sum() // 2)


def count_pairs_with(features: pd.DataFrame, plan: Plan, mask: pd.Series) -> int:
    """At most how many of ``plan``'s pairs have a record where ``mask`` is true (the new
    records of an incremental run): every rule's pairs less those among the other records."""
    rest = features[~mask]
    return sum(
        count - count_pairs(rest, keys) for keys, count in zip(plan.rules, plan.pairs, strict=True)
    )


def plan_blocking(features: pd.DataFrame, budget: int | None = None) -> Plan:
    """Rules for these records, narrowed until each fits ``budget`` pairs."""
    budget = pair_budget(len(features)) if budget is None else budget
    chosen: dict[tuple[str, ...], int] = {}
    over: list[tuple[str, ...]] = []

    def narrow(keys: tuple[str, ...], narrowing: tuple[str, ...]) -> None:
        count = count_pairs(features, keys)
        if count == 0:
            return
        limit = int(budget * SWAP_SHARE) if keys[0] == SWAP else budget
        if count > limit and not narrowing:
            # Still over budget with nothing left to narrow by: dropped. At a million records
            # given + father + place was 42 M pairs (a third of all) for 0.3 % of true pairs
            # that no other rule caught.
            over.append(keys)
            return
        if count <= limit:
            chosen.setdefault(keys, count)
            return
        for i, key in enumerate(narrowing):
            narrow((*keys, key), narrowing[i + 1 :])

    for keys, narrowing in RULES:
        narrow(keys, narrowing)
    return Plan(tuple(chosen), tuple(chosen.values()), budget, tuple(over))


def _rule_sql(keys: Sequence[str]) -> str:
    if keys and keys[0] == SWAP:
        return " AND ".join([SWAP_RULE, *(f"l.{k} = r.{k}" for k in keys[1:])])
    return " AND ".join(f"l.{k} = r.{k}" for k in keys)


def blocked_pairs_sql(
    plan: Plan, table: str, extra_sql: str | None = None, chunk: tuple[int, int] = (1, 1)
) -> str:
    """SQL for ``plan``'s candidate pairs in ``table`` (the registered feature table): see
    :func:`rules_pairs_sql`."""
    return rules_pairs_sql(plan.rules, table, extra_sql, chunk)


def rules_pairs_sql(
    rules: Sequence[Sequence[str]],
    table: str,
    extra_sql: str | None = None,
    chunk: tuple[int, int] = (1, 1),
) -> str:
    """SQL for the pairs of records in ``table`` that agree on every key of one of ``rules``, as
    Splink expects a table of blocked pairs: ``match_key`` (the first rule that found the pair),
    ``join_key_l`` < ``join_key_r`` (the records' ``unique_id``). ``extra_sql`` is ANDed to every
    rule (incremental runs); ``chunk`` (k, of n) keeps the pairs whose left record's code is k - 1
    modulo n, so that the chunks of a run partition its pairs. The same SQL runs on DuckDB and
    Spark."""
    k, n = chunk
    if not 1 <= k <= n:
        raise ValueError(f"chunk {k} of {n}")
    conditions = [_rule_sql(keys) for keys in rules]
    if not conditions:  # no rule fits: no candidate pairs
        nothing = "CAST(NULL AS STRING) AS match_key, CAST(NULL AS BIGINT) AS join_key_l"
        return f"SELECT {nothing}, CAST(NULL AS BIGINT) AS join_key_r FROM {table} WHERE false"  # noqa: S608
    where = "l.unique_id < r.unique_id"
    if extra_sql is not None:
        where += f" AND ({extra_sql})"
    if n > 1:
        where += f" AND l.unique_id % {n} = {k - 1}"
    # Column names and our own SQL only: no record text reaches this SQL.
    joins = [
        f"SELECT {i} AS rule, l.unique_id AS a, r.unique_id AS b "  # noqa: S608
        f"FROM {table} AS l JOIN {table} AS r ON ({condition}) AND {where}"
        for i, condition in enumerate(conditions)
    ]
    # One rule's join makes each pair once; several may make it again: one row per pair.
    grouped = len(joins) > 1
    return (
        f"SELECT CAST({'min(rule)' if grouped else 'rule'} AS STRING) AS match_key, "  # noqa: S608
        f"a AS join_key_l, b AS join_key_r FROM ({' UNION ALL '.join(joins)}) AS candidates"
        + (" GROUP BY a, b" if grouped else "")
    )


def blocking_rules(plan: Plan, extra_sql: str | None = None) -> list[Any]:
    """Splink rules for ``plan``; ``extra_sql`` is ANDed to each (incremental runs)."""
    rules: list[Any] = []
    for keys in plan.rules:
        if extra_sql is None and SWAP not in keys:
            rules.append(block_on(*keys))
        elif extra_sql is None:
            rules.append(_rule_sql(keys))
        else:
            rules.append(f"{_rule_sql(keys)} AND ({extra_sql})")
    return rules
