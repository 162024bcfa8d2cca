"""Shared helpers for the linkage benchmarks: data sets, plain Splink, our engine, scores.

``plain_splink`` is Splink 5 run on the same records the way a user runs it out of the box, after
the documentation's usual example: the comparison library on the raw name columns (as written;
a full name split on spaces when the list gave no parts), birth date, place and sex; blocking on
given + family name and on family name + birth year; the prior from deterministic rules with
recall 0.7, u by random sampling, m by expectation maximisation; pairs at match probability 0.5
and their connected components. No Arabic folding, no transliteration: that is what it is for —
the baseline our engine must beat on the same data.

``ours`` is :func:`dalil.registry.linkage.link` with its defaults. ``score`` gives pairwise and
B-cubed precision/recall/F1 and the unique-person count against the truth
(:mod:`dalil.registry.linkage.metrics`). Run with the repository's ``.venv/bin/python``.
"""

from __future__ import annotations

import logging
import os
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from dalil.registry.linkage.metrics import bcubed_scores, cluster_count, pairwise_scores

NAME_PARTS = ("given", "father", "family", "mother")


@dataclass
class Run:
    """A linkage run: record_id -> cluster_id, seconds, and what the method says about itself."""

    name: str
    clusters: dict[str, str]
    seconds: float
    notes: dict[str, Any]


@dataclass
class Scores:
    name: str
    precision: float
    recall: float
    f1: float
    bcubed_f1: float
    unique: int
    true_unique: int
    seconds: float

    @property
    def unique_error(self) -> float:
        return (self.unique - self.true_unique) / self.true_unique

    def row(self) -> str:
        return (
            f"| {self.name} | {self.precision:.3f} | {self.recall:.3f} | {self.f1:.3f} | "
            f"{self.bcubed_f1:.3f} | {self.unique:,} vs {self.true_unique:,} "
            f"({self.unique_error:+.1%}) | {self.seconds:.1f} s |"
        )


HEADER = (
    "| method | pairwise precision | recall | F1 | B-cubed F1 | unique persons vs truth | time |\n"
    "| --- | --- | --- | --- | --- | --- | --- |"
)


def synthetic(
    n_people: int, seed: int, *, with_people: bool = False, father_column: bool = False
) -> tuple[pd.DataFrame, dict[str, int]] | tuple[pd.DataFrame, dict[str, int], pd.DataFrame]:
    """Synthetic Syrian lists: records (the engine's columns) and truth {record_id: person}
    (and the people, with ``with_people``). ``father_column``: the lists of full names give the
    father's name in a column too (the same draws otherwise)."""
    import dataclasses

    from dalil.registry.synthetic import DEFAULT_LISTS, generate_lists

    lists = [
        dataclasses.replace(spec, father_column=father_column and spec.full_name_only)
        for spec in DEFAULT_LISTS
    ]
    records, people = generate_lists(n_people, lists=lists, seed=seed)
    truth = dict(zip(records["record_id"], records["true_id"].astype(int), strict=True))
    if with_people:
        return records.drop(columns=["true_id"]), truth, people
    return records.drop(columns=["true_id"]), truth


RECORDS_PER_PERSON = 1.55  # about what the default lists give per invented person


def sampled(n: int, seed: int) -> pd.DataFrame:
    """``n`` synthetic records with their ``true_id``: the lists of about ``n /
    RECORDS_PER_PERSON`` people, sampled to ``n`` (the scale benchmarks' data)."""
    import sys

    from dalil.registry.synthetic import generate_lists

    records, _ = generate_lists(int(n / RECORDS_PER_PERSON) + 1, seed=seed)
    if len(records) < n:
        sys.exit(f"generated only {len(records):,} records; raise RECORDS_PER_PERSON")
    return records.sample(n=n, random_state=seed).reset_index(drop=True)


def truth_of(records_with_truth: pd.DataFrame) -> dict[str, int]:
    return dict(
        zip(records_with_truth["record_id"], records_with_truth["true_id"].astype(int), strict=True)
    )


def score(run: Run, truth: dict[str, Any]) -> Scores:
    pairwise = pairwise_scores(run.clusters, truth)
    bcubed = bcubed_scores(run.clusters, truth)
    predicted = {r: run.clusters.get(r, r) for r in truth}
    return Scores(
        name=run.name,
        precision=pairwise.precision,
        recall=pairwise.recall,
        f1=pairwise.f1,
        bcubed_f1=bcubed.f1,
        unique=cluster_count(predicted),
        true_unique=cluster_count(truth),
        seconds=run.seconds,
    )


@dataclass
class CountErrors:
    """Where a count of persons goes wrong: people split over several clusters add clusters,
    clusters holding several people take them away; the count's error is the difference, so a
    count near the truth can hide both."""

    extra_from_splits: int  # sum over people of (their clusters - 1)
    lost_to_merges: int  # sum over clusters of (their people - 1)
    people: int

    def line(self) -> str:
        return (
            f"persons: +{self.extra_from_splits:,} from people split "
            f"({self.extra_from_splits / self.people:+.1%}), -{self.lost_to_merges:,} from "
            f"clusters holding several people ({-self.lost_to_merges / self.people:+.1%})"
        )


def _people_and_clusters(
    clusters: dict[str, str], truth: dict[str, Any]
) -> tuple[pd.Series, pd.Series]:
    """How many clusters each person is in, and how many people each cluster holds."""
    pred = pd.Series({r: clusters.get(r, r) for r in truth})
    true = pd.Series(truth)
    return pred.groupby(true).nunique(), true.groupby(pred).nunique()


def count_errors(clusters: dict[str, str], truth: dict[str, Any]) -> CountErrors:
    per_person, per_cluster = _people_and_clusters(clusters, truth)
    return CountErrors(int((per_person - 1).sum()), int((per_cluster - 1).sum()), len(per_person))


def capture_patterns(clusters: dict[str, Any], records: pd.DataFrame) -> dict[str, int]:
    """What estimation reads from a linkage: for each linked person (cluster), the lists its
    records come from, as a pattern over the sorted list ids ("1010": lists 1 and 3), and the
    number of persons with each pattern. ``clusters`` maps record_id to a cluster (a record
    missing from it is its own); the truth works the same way."""
    lists = sorted(records["source_id"].unique())
    cluster = records["record_id"].map(lambda r: clusters.get(r, r))
    seen = pd.crosstab(cluster, records["source_id"]).reindex(columns=lists, fill_value=0) > 0
    patterns = seen.astype(int).astype(str).agg("".join, axis=1)
    return {str(k): int(v) for k, v in patterns.value_counts().items()}


def estimate_total(patterns: dict[str, int], seed: int) -> Any:
    """LCMCR (dalil.estimation, its default prior and chain lengths) on capture patterns: the
    estimate of how many people there were, documented or not."""
    from dalil.estimation.captures import CaptureTable
    from dalil.estimation.lcmcr import LCMCR

    lists = len(next(iter(patterns)))
    table = CaptureTable.from_mapping(patterns, [f"L{i + 1}" for i in range(lists)])
    return LCMCR().estimate(table, seed=seed)


def _split_full_names(records: pd.DataFrame) -> pd.DataFrame:
    """What a user does with a list that gives only full names: first word given, last family,
    second father (when there are three words or more)."""
    frame = records.copy()
    only_full = frame["full_name"].notna() & frame["given"].isna() & frame["family"].isna()
    words = frame.loc[only_full, "full_name"].str.split()
    frame.loc[only_full, "given"] = words.str[0]
    frame.loc[only_full, "family"] = words.map(lambda w: w[-1] if len(w) > 1 else None)
    frame.loc[only_full, "father"] = words.map(lambda w: w[1] if len(w) > 2 else None)
    return frame


def plain_splink(
    records: pd.DataFrame, *, seed: int = 42, max_pairs: float = 1e7, em_pairs: float = 5e6
) -> Run:
    """Splink 5 out of the box on ``records`` (the engine's columns, no truth)."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    start = time.perf_counter()
    frame = _split_full_names(records)
    frame = frame[["record_id", *NAME_PARTS, "birth_date", "place", "sex"]].rename(
        columns={"record_id": "unique_id"}
    )
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("given").configure(term_frequency_adjustments=True),
            cl.NameComparison("father"),
            cl.NameComparison("family").configure(term_frequency_adjustments=True),
            cl.NameComparison("mother"),
            cl.DateOfBirthComparison("birth_date", input_is_string=True),
            cl.ExactMatch("place").configure(term_frequency_adjustments=True),
            cl.ExactMatch("sex"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given", "family"),
            block_on("family", "substr(birth_date, 1, 4)"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    api = DuckDBAPI()
    linker = Linker(api.register(frame), settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given", "family", "birth_date")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
    # EM samples at most em_pairs pairs per pass (5e6, our engine's cap before session 9): at a
    # million records the birth-date block holds ~3.6e8 pairs (year-only dates pile up) and,
    # unsampled, spilled 40 GB to disk. Our engine now samples one pair per record (1e6 at a
    # million); `bench_registry_scale.py --methods plain:1e6` runs this with 1e6 too (most of
    # plain Splink's time at a million is this EM). Below the cap (every set of 20,000 people)
    # nothing changes.
    for rule in (block_on("given", "family"), block_on("birth_date")):
        linker.training.estimate_parameters_using_expectation_maximisation(rule, max_pairs=em_pairs)
    pairs = linker.inference.predict(threshold_match_probability=0.5)
    clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(pairs, 0.5)
    result = clustered.as_pandas_dataframe()[["unique_id", "cluster_id"]]
    seconds = time.perf_counter() - start
    clusters = dict(zip(result["unique_id"], result["cluster_id"].astype(str), strict=True))
    prior = linker._settings_obj._probability_two_random_records_match
    return Run("plain Splink", clusters, seconds, {"prior": prior})


def ours(
    records: pd.DataFrame,
    *,
    engine: str = "duckdb",
    seed: int = 42,
    verbose: bool = False,
    resources: Any = None,
) -> Run:
    """Our engine, :func:`dalil.registry.linkage.link`, with its defaults (``verbose``: print
    each stage with the time it started, so a run stopped early still says how far it got)."""
    from dalil.registry.linkage import link

    start = time.perf_counter()

    def progress(stage: str, fraction: float) -> None:
        if verbose:
            print(f"  [{time.perf_counter() - start:7.1f} s] {stage}", flush=True)

    result = link(
        records,
        engine=engine,  # type: ignore[arg-type]
        seed=seed,
        progress=progress,
        resources=resources,
    )
    seconds = time.perf_counter() - start
    clusters = dict(
        zip(result.clusters["record_id"], result.clusters["cluster_id"].astype(str), strict=True)
    )
    return Run(f"Dalil ({engine})", clusters, seconds, {"calibration": result.calibration})


METHODS: dict[str, Callable[..., Run]] = {"plain": plain_splink, "ours": ours}


def peak_rss_mib() -> float:
    """This process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> str:
    load = os.getloadavg()
    return f"{os.cpu_count()} cores, load {load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f}"


def error_classes(
    run: Run,
    records: pd.DataFrame,
    truth: dict[str, int],
    limit: int = 8,
    people: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """What went wrong: false merges and missed pairs, by kind, with a few examples each.

    A false merge is a predicted cluster holding records of several people; a miss is a true
    person split over several clusters. Examples show list habits and names (synthetic people).
    """
    frame = records.set_index("record_id")
    pred = pd.Series({r: run.clusters.get(r, r) for r in truth})
    true = pd.Series(truth)
    per_person, per_cluster = _people_and_clusters(run.clusters, truth)
    merged = per_cluster[per_cluster > 1]
    split = per_person[per_person > 1]
    sources = {s: chr(ord("A") + i) for i, s in enumerate(dict.fromkeys(records["source_id"]))}

    def show(ids: list[str]) -> list[str]:
        out = []
        for rid in ids:
            row = frame.loc[rid]
            name = (
                row["full_name"]
                if isinstance(row["full_name"], str)
                else " ".join(
                    str(row[p]) for p in ("given", "father", "family") if isinstance(row[p], str)
                )
            )
            out.append(
                f"{sources[row['source_id']]} #{truth[rid]}: {name} | b {row['birth_date']} "
                f"| age {row['age']} | {row['place']}"
            )
        return out

    rng = np.random.default_rng(0)
    merge_examples = [
        show(pred[pred == c].index.tolist()[:4])
        for c in rng.permutation(merged.index.to_numpy())[:limit]
    ]
    split_examples = [
        show(true[true == t].index.tolist()[:4])
        for t in rng.permutation(split.index.to_numpy())[:limit]
    ]
    # Missed pairs by the lists they join: cross-script misses show here.
    missed: dict[str, int] = {}
    src = records.set_index("record_id")["source_id"].map(sources)
    for t in split.index:
        members = true[true == t].index
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if pred[a] != pred[b]:
                    key = "".join(sorted((src[a], src[b])))
                    missed[key] = missed.get(key, 0) + 1
    kinds: dict[str, int] = {}
    if people is not None:
        # Wrongly merged record pairs by how the two people relate: siblings (one household),
        # namesakes (same given, father and family name), or neither.
        household = people.set_index("true_id")["household"]
        chain = people.set_index("true_id")[["given", "father", "family"]].apply(tuple, axis=1)
        for c in merged.index:
            members = pred[pred == c].index
            for i, a in enumerate(members):
                for b in members[i + 1 :]:
                    ta, tb = true[a], true[b]
                    if ta == tb:
                        continue
                    if household[ta] == household[tb]:
                        kind = "siblings"
                    elif chain[ta] == chain[tb]:
                        kind = "namesakes (given, father, family)"
                    elif chain[ta][0] == chain[tb][0] and chain[ta][2] == chain[tb][2]:
                        kind = "same given and family name"
                    else:
                        kind = "other"
                    kinds[kind] = kinds.get(kind, 0) + 1
    return {
        "false_merge_pairs_by_relation": kinds,
        "clusters_with_several_people": len(merged),
        "people_split": len(split),
        "missed_pairs_by_lists": dict(sorted(missed.items())),
        "false_merge_examples": merge_examples,
        "split_examples": split_examples,
    }
