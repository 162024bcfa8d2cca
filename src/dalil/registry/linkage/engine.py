"""Training, scoring and clustering: :func:`link` and :func:`link_new`.

Calibration without threshold tuning (docs/linkage.md):

* u (how often non-matches agree) by random sampling of record pairs, with a seed;
* m (how often matches agree) by expectation maximisation over several blocking passes, each
  training the comparisons it does not block on; "same" judgements add a labelled m estimate;
* the prior (probability that two random records match) as the maximum-likelihood fixed point
  over all record pairs given those m and u: ``λ = Σ p_i(λ) / (N(N-1)/2)``, pairs outside the
  blocking counting as non-matches. It starts from a deterministic-rule count but does not
  depend on it; no per-dataset threshold is ever set.

Decision at match probability 0.5. Pairs are ``linked`` at >= 0.8, ``review`` from 0.2 to 0.8,
``unlinked`` below; review pairs at >= 0.5 take part in clustering until a reviewer decides.

Never reads or writes the database, and never logs record values.
"""

from __future__ import annotations

import copy
import ctypes
import dataclasses
import gc
import json
import logging
import math
import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dalil.errors import ConfigError, InvalidInput
from dalil.registry.linkage.blocking import (
    Plan,
    blocked_pairs_sql,
    blocking_rules,
    count_pairs_with,
    plan_blocking,
    rules_pairs_sql,
)
from dalil.registry.linkage.cluster import component_labels, constrained_clusters
from dalil.registry.linkage.features import NAME_PARTS, prepare
from dalil.registry.linkage.frequency import register_other_spellings
from dalil.registry.linkage.prior import (
    KINDS,
    PairKinds,
    Priors,
    fixed_point_prior,
    fixed_point_priors,
)
from dalil.registry.linkage.rivals import rivals
from dalil.registry.linkage.siblings import PERSONAL, basis, household_counts, sibling_rate
from dalil.registry.linkage.siblings import adjust as sibling_evidence

__all__ = [
    "DECISION",
    "NEAR_MISSES",
    "REVIEW_BAND",
    "LinkResult",
    "Resources",
    "link",
    "link_new",
]

Engine = Literal["duckdb", "spark"]
Progress = Callable[[str, float], None]
DECISION = 0.5
REVIEW_BAND = (0.2, 0.8)
NEAR_MISSES = 1000  # unlinked pairs explained (and kept by the registry), strongest first
MODEL_FORMAT = "dalil.linkage-model/1"
PAIR_COLUMNS = [
    "record_a",
    "record_b",
    "match_weight",
    "match_probability",
    "status",
    "explanation",
]
_LOG = logging.getLogger(__name__)
SIBLING_LABEL = "shared household fields weighed against a sibling"
# The adjustment for each record's other candidates (see .rivals), as an explanation's entry.
RIVALS_LABEL = "weighed against each record's other candidates in the other's list"
RIVALS_ALONE_LABEL = "neither record has another candidate in the other's list"
# The prior's entry in an explanation, by kind of pair (see .prior): with it the weights of an
# explanation add up to the pair's match weight.
PRIOR_LABELS = ("two records of one list", "records of two lists")


@dataclass
class LinkResult:
    pairs: pd.DataFrame
    clusters: pd.DataFrame
    model: dict[str, Any]
    calibration: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- engines


@dataclass(frozen=True)
class Resources:
    """What the linkage database may take. DuckDB's own default is 80 % of the machine's memory;
    Dalil keeps to ``memory_limit`` and spills to ``spill_dir`` (the system's temporary folder
    when None), at most ``spill_limit`` there, so a run fails with a clear error before it fills
    the disk. Spark (local mode) runs with its own driver memory."""

    memory_limit: str = "1.5GB"
    spill_dir: str | None = None
    spill_limit: str = "100GB"


def _register(api: Any, features: pd.DataFrame) -> Any:
    """The feature table as the database's own table ``records``. DuckDB would otherwise read
    the pandas frame in place, which keeps it in Python's memory for the whole run; copied, it
    counts against DuckDB's limit (and spills beyond it), and the caller can let the frame go.
    Spark copies what it is given anyway."""
    if not hasattr(api, "_con"):
        return api.register(features, table_name="records")
    frame = api.register(features, table_name="__dalil_features")
    # Splink's own table name: no record text reaches this SQL.
    table = api.query_sql(f"SELECT * FROM {frame.physical_name}", output_type="splink_df")  # noqa: S608
    api._con.unregister(frame.physical_name)
    return api.register(table.physical_name, table_name="records")


@contextmanager
def _db_api(engine: Engine, resources: Resources | None = None) -> Iterator[Any]:
    for name in ("splink", "py4j", "pyspark"):
        logging.getLogger(name).setLevel(logging.ERROR)
    if engine == "duckdb":
        import tempfile

        from splink import DuckDBAPI

        limits = resources or Resources()
        api = DuckDBAPI()
        spill = tempfile.mkdtemp(prefix="dalil-link-", dir=limits.spill_dir)
        try:
            for setting, value in (
                ("memory_limit", limits.memory_limit),
                ("temp_directory", spill),
                ("max_temp_directory_size", limits.spill_limit),
            ):
                try:
                    api._con.execute(f"SET {setting} = ?", [value])
                except Exception as exc:  # duckdb.InvalidInputException and kin
                    raise InvalidInput(setting, f"DuckDB refused {value!r}: {exc}") from exc
            try:
                yield api
            except Exception as exc:
                if "Out of Memory" not in str(exc):
                    raise
                raise ConfigError(
                    f"linkage needs more memory than its limit ({limits.memory_limit}) allows",
                    hint="raise DALIL_LINK_MEMORY_LIMIT (see docs/linkage.md, Memory)",
                ) from exc
        finally:
            with suppress(Exception):
                api._con.close()
            shutil.rmtree(spill, ignore_errors=True)
    elif engine == "spark":
        from splink.backends.spark import SparkAPI

        yield SparkAPI(spark_session=_spark())  # type: ignore[no-untyped-call]
    else:
        raise InvalidInput("engine", f"unknown engine {engine!r}; use duckdb or spark")


def _spark() -> Any:
    """A quiet local PySpark session (2 cores, small memory, no UI, no network)."""
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("dalil-linkage")
        .config("spark.driver.memory", "2g")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.ansi.enabled", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    spark.sparkContext.setCheckpointDir(_checkpoint_dir())
    return spark


def _checkpoint_dir() -> str:
    import tempfile

    return tempfile.mkdtemp(prefix="dalil-spark-")


# --------------------------------------------------------------------------- helpers


def _labels(labels: pd.DataFrame | None) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    if labels is None or labels.empty:
        return set(), set()
    missing = {"record_a", "record_b", "decision"} - set(labels.columns)
    if missing:
        raise InvalidInput("labels", f"labels need columns {', '.join(sorted(missing))}")
    same: set[tuple[str, str]] = set()
    different: set[tuple[str, str]] = set()
    for a, b, decision in labels[["record_a", "record_b", "decision"]].itertuples(index=False):
        pair = _ordered(str(a), str(b))
        if decision == "same":
            same.add(pair)
            different.discard(pair)
        elif decision == "different":
            different.add(pair)
            same.discard(pair)
        elif decision not in ("unsure", None):
            raise InvalidInput("labels", f"unknown decision {decision!r}")
    return same, different


def _give_back() -> None:
    """Hand memory Python has freed back to the system. glibc (and Arrow's pool) keep a freed heap
    for the process, where DuckDB's own allocator cannot use it: after the feature table is built,
    the transient strings of a million records would otherwise stay counted against the run."""
    import pyarrow as pa

    gc.collect()
    pa.default_memory_pool().release_unused()  # the Arrow-backed text columns' pool
    with suppress(OSError, AttributeError):  # not glibc (macOS, musl): nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _ordered(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def _logit2(p: float) -> float:
    return math.log2(p / (1 - p))


def _probability(weight: np.ndarray) -> np.ndarray:
    out: np.ndarray = 1.0 / (1.0 + np.exp2(-np.clip(weight, -300, 300)))
    return out


def _levels(settings: dict[str, Any]) -> dict[str, list[tuple[float, str]]]:
    """Per comparison, each level's base weight log2(m/u) and its label (null level: 0)."""
    out: dict[str, list[tuple[float, str]]] = {}
    for comparison in settings["comparisons"]:
        levels: list[tuple[float, str]] = []
        for level in comparison["comparison_levels"]:
            label = level.get("label_for_charts") or level["sql_condition"]
            if level.get("is_null_level"):
                levels.append((0.0, "null"))
                continue
            m, u = level.get("m_probability"), level.get("u_probability")
            if not m or not u:
                continue
            levels.append((math.log2(m / u), label))
        out[comparison["output_column_name"]] = levels
    return out


def _explain(df: pd.DataFrame, settings: dict[str, Any]) -> list[str]:
    """JSON per pair: for each comparison its level label, Bayes factor and weight (bits).

    Splink does not return the level index without every matching column, so the level is the
    one whose weight log2(m/u) equals the pair's weight for that comparison. Each pair's text is
    built in one go: at a million records there are ~10^6 of them, and a text per comparison
    joined afterwards took three times their memory."""
    parts: list[tuple[list[str], np.ndarray, np.ndarray]] = []
    for name, levels in _levels(settings).items():
        mw = df[f"mw_{name}"].to_numpy(dtype=float)
        base = np.array([w for w, _ in levels])
        level = np.abs(mw[:, None] - base[None, :]).argmin(axis=1)
        tf_col = f"mw_tf_adj_{name}"
        weight = mw + (df[tf_col].to_numpy(dtype=float) if tf_col in df.columns else 0.0)
        heads = [
            f'"{name}": {{"level": {json.dumps(label, ensure_ascii=False)}, "bayes_factor": '
            for _, label in levels
        ]
        parts.append((heads, level, np.nan_to_num(weight)))
    # Then the engine's own entries (:func:`_comparison_weights` gives every pair each of them).
    # Agreement a household shares, weighed against a sibling (see .siblings).
    adj = np.nan_to_num(df["sibling_adjustment"].to_numpy(dtype=float))
    head = f'"sibling check": {{"level": "{SIBLING_LABEL}", "bayes_factor": '
    parts.append(([head], np.zeros(len(df), dtype=np.int64), adj))
    # The other records each of the two could be (see .rivals); none, or some.
    heads = [
        f'"other candidates": {{"level": "{label}", "bayes_factor": '
        for label in (RIVALS_LABEL, RIVALS_ALONE_LABEL)
    ]
    adj = np.nan_to_num(df["rivals"].to_numpy(dtype=float))
    alone = df["rivals_alone"].to_numpy(dtype=bool).astype(np.int64)
    parts.append((heads, alone, adj))
    # How likely two records of this kind are to be one person before any comparison.
    heads = [f'"prior": {{"level": "{label}", "bayes_factor": ' for label in PRIOR_LABELS]
    kind = df["kind"].to_numpy(dtype=np.int64)
    parts.append((heads, kind, df["prior"].to_numpy(dtype=float)))
    pieces: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    for k, (heads, level, weight) in enumerate(parts):
        # Each distinct weight is written once (most comparisons have a few levels' weights);
        # distinct by its bits, so that -0.0 and 0.0 keep their own text.
        bits, where = np.unique(weight.view(np.int64), return_inverse=True)
        written = np.array(
            [f'{2.0**w:.4g}, "weight": {w:.2f}}}' for w in bits.view(np.float64).tolist()],
            dtype=object,
        )
        opened = np.array([("{" if k == 0 else ", ") + h for h in heads], dtype=object)
        pieces.append((opened, level, written, where.reshape(-1)))
    # Then each pair's pieces joined once, a block of pairs at a time: adding the pieces to
    # every pair's text in turn copied each text once per entry (at a million records 8.9 s;
    # joined, 4.0 s), and the block bounds the lists of pieces held at once.
    out: list[str] = []
    for start in range(0, len(df), _EXPLAIN_BLOCK):
        block = slice(start, start + _EXPLAIN_BLOCK)
        columns: list[list[str]] = []
        for opened, level, written, where in pieces:
            columns.append(opened[level[block]].tolist())
            columns.append(written[where[block]].tolist())
        out.extend("".join(row) + "}" for row in zip(*columns, strict=True))
    return out


_EXPLAIN_BLOCK = 100_000  # pairs whose explanations are joined at once


def _status(p: pd.Series) -> pd.Series:
    low, high = REVIEW_BAND
    return pd.Series(
        np.where(p >= high, "linked", np.where(p >= low, "review", "unlinked")), index=p.index
    )


def _tick(progress: Progress | None, stage: str, fraction: float) -> None:
    if progress is not None:
        progress(stage, fraction)


# --------------------------------------------------------------------------- training

EM_ITERATIONS = (25, 8, 3)
# Record pairs EM samples per pass (Splink samples records by a hash, so a run repeats): one per
# record, at least EM_MIN_PAIRS and at most EM_MAX_PAIRS. A training block's pairs grow with
# the square of the records and its matches only with the records, so a sample of a fixed size
# holds ever fewer matches as the lists grow; one pair per record keeps their number. Measured
# (session 9, training alone, per pass): at a million records 10^6 pairs give each pass's m within
# 0.016 of 5 x 10^6's (and the same F1) in 9 s of EM instead of 24 s. At five million records,
# 5 x 10^6: fewer let the birth-date pass converge on a class that is not the persons before
# the later passes held the first one's comparisons (F1 0.64 -> 0.26, session 8), and with
# them still trained the names a little worse (session 9). The first pass drifts at that size
# whatever the sample (see docs/linkage.md, "A known weakness").
EM_MIN_PAIRS = 1e6
EM_MAX_PAIRS = 5e6


def em_pairs(records: int) -> float:
    """Record pairs an EM pass samples for ``records`` records."""
    return float(min(EM_MAX_PAIRS, max(EM_MIN_PAIRS, records)))


def _trained(linker: Any) -> set[str]:
    """The comparisons whose m a training pass has estimated."""
    return {
        cc.output_column_name
        for cc in linker._settings_obj.comparisons
        for cl in cc._comparison_levels_excluding_null
        if any(isinstance(r["probability"], int | float) for r in cl._trained_m_probabilities)
    }


def _held_levels(linker: Any, hold: set[str]) -> list[Any]:
    return [
        cl
        for cc in linker._settings_obj.comparisons
        if cc.output_column_name in hold
        for cl in cc._comparison_levels_excluding_null
    ]


def _em_pass(
    linker: Any, keys: tuple[str, ...], max_pairs: float, hold: set[str] | None = None
) -> dict[str, Any]:
    """One EM pass; retried with fewer iterations when an m underflows to 0 (small data).

    The m of the comparisons in ``hold`` stay as they are during the pass (see :func:`_train`):
    Splink still records them as the pass's estimates, so those records are taken out again
    and each level's m is what the passes that trained it said. A failed pass can leave the
    model half-changed, so the model is restored before a retry."""
    from splink import block_on

    settings = linker._settings_obj
    original = settings.training_settings
    hold = hold or set()
    why = ""
    for iterations in EM_ITERATIONS:
        snapshot = copy.deepcopy(linker._settings_obj.core_model_settings)
        settings.training_settings = dataclasses.replace(original, max_iterations=iterations)
        held = _held_levels(linker, hold)
        before = [len(cl._trained_m_probabilities) for cl in held]
        for cl in held:
            cl._fix_m_probability = True
        try:
            # EM on agreement-pattern counts (term frequencies apply when scoring): far
            # fewer queries, which matters most on Spark.
            linker.training.estimate_parameters_using_expectation_maximisation(
                block_on(*keys), max_pairs=max_pairs, estimate_without_term_frequencies=True
            )
            # The pass's settings are new objects: the held levels are found again by name.
            for cl, count in zip(_held_levels(linker, hold), before, strict=True):
                cl._fix_m_probability = False
                del cl._trained_m_probabilities[count:]
            return {
                "blocking": list(keys),
                "ok": True,
                "max_iterations": iterations,
                "max_pairs": max_pairs,
                "held": sorted(hold),
            }
        except Exception as exc:  # too few pairs, or an m underflowing to 0
            linker._settings_obj.core_model_settings = snapshot
            why = type(exc).__name__
            _LOG.debug("EM pass failed", exc_info=True)
        finally:
            settings.training_settings = original
    return {"blocking": list(keys), "ok": False, "why": why}


def _train(
    linker: Any,
    known: dict[str, int],
    n: int,
    seed: int,
    same: set[tuple[int, int]],
    progress: Progress | None,
    calibration: dict[str, Any],
) -> None:
    from splink import block_on

    from dalil.registry.linkage.model import EM_PASSES, PRIOR_RULES

    total = n * (n - 1) / 2
    try:
        linker.training.estimate_probability_two_random_records_match(
            [block_on(*r) for r in PRIOR_RULES], recall=0.7
        )
        start = linker._settings_obj._probability_two_random_records_match
        if not 0 < start < 1:  # no pair agrees on a rule: Splink leaves a prior of 0
            raise ValueError("no deterministic match")
        calibration["prior_start"] = {"method": "deterministic rules, recall 0.7", "value": start}
    except Exception as exc:  # no deterministic match at all: fall back to one per record
        start = min(0.5, 1 / max(n, 2))
        linker._settings_obj._probability_two_random_records_match = start
        calibration["prior_start"] = {"method": f"1/N ({type(exc).__name__})", "value": start}
    _tick(progress, "u", 0.15)
    u_pairs = float(min(U_PAIRS, max(total, 1.0)))
    # Spark pays a job per chunk: one chunk there.
    chunks = 1 if calibration.get("engine") == "spark" or total <= u_pairs else 10
    linker.training.estimate_u_using_random_sampling(
        max_pairs=u_pairs, seed=seed, num_chunks=chunks
    )
    calibration["u"] = {"method": "random sampling", "max_pairs": u_pairs, "seed": seed}
    passes = []
    for i, keys in enumerate(EM_PASSES):
        _tick(progress, "m", 0.25 + 0.1 * i)
        if all(known.get(k, 0) >= 2 for k in keys):
            # What an earlier pass trained, other than the names, holds in this one: it ties
            # this pass's match class to the persons the first pass found.
            hold = _trained(linker) - set(NAME_PARTS)
            passes.append(_em_pass(linker, keys, em_pairs(n), hold))
        else:
            passes.append({"blocking": list(keys), "ok": False, "why": "no data"})
    calibration["m"] = {"method": "expectation maximisation", "passes": passes}
    if len(same) >= 10:
        table = pd.DataFrame(sorted(same), columns=["unique_id_l", "unique_id_r"])
        table["source_dataset_l"] = table["source_dataset_r"] = "records"
        sdf = linker.table_management.register_table(table, "__dalil_labels", overwrite=True)
        linker.training.estimate_m_from_pairwise_labels(sdf)
        calibration["m"]["labels"] = len(same)


U_PAIRS = 2e6  # record pairs sampled for u
M_FLOOR = 1e-3  # no agreement level is treated as impossible among matches
U_FLOOR = 1e-6
UNTRAINED_WEIGHT = 4.0  # match weight of the strongest agreement level when it is untrained
_INHERITS = {"exact", "same transliteration key", "same place", "same place, other spelling"}


def _number(value: Any) -> float | None:
    """A probability as trained, or None where there is none (missing, NaN)."""
    if value is None or isinstance(value, str) or math.isnan(value):
        return None
    return float(value)


def _bounded(settings: dict[str, Any], calibration: dict[str, Any]) -> dict[str, Any]:
    """Floors on m and u, and a value for levels never seen in training.

    EM drives m to zero for a level no match used in this data (a year slip, a swapped day and
    month); new data may well use it, and one level must not veto a pair on its own. The floor
    on m is never above the level's u, though: a level as rare as given and family swapped (u
    ~3e-5) would otherwise count 2^5 for a match that training never saw (in the synthetic lists,
    which swap no names, such pairs were nearly all different people). Floored, it counts as
    nothing either way."""
    untrained: list[str] = []
    for comparison in settings["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        for i, level in enumerate(levels):
            label = f"{comparison['output_column_name']}: {level.get('label_for_charts')}"
            # NaN: EM's 0/0, where its sample held no pair at any level of the comparison.
            m, u = (_number(level.get(k)) for k in ("m_probability", "u_probability"))
            if m is None or u is None:
                untrained.append(label)
            if m is None and level.get("label_for_charts") in _INHERITS:
                # Exact spelling never seen among matches here (e.g. every pair crosses
                # scripts): it is at least as telling as the key below it.
                below = [_number(lv.get("m_probability")) for lv in levels[i + 1 :]]
                m = next((b for b in below if b), None)
            if m is None and u is not None and i < len(levels) - 1:
                # An agreement level no training pass could reach (small data, or the pass that
                # would train it blocked on it): it counts for the match, never against it, and
                # stronger levels count more (2^(UNTRAINED_WEIGHT) down to 2^1 over the levels).
                step = (UNTRAINED_WEIGHT - 1) * i / max(len(levels) - 2, 1)
                m = min(0.95, max(u, U_FLOOR) * 2 ** (UNTRAINED_WEIGHT - step))
            u = max(u if u is not None else U_FLOOR, U_FLOOR)
            level["m_probability"] = max(m if m is not None else 0.0, min(M_FLOOR, u))
            level["u_probability"] = u
    calibration["floors"] = {"m": M_FLOOR, "u": U_FLOOR, "untrained_levels": untrained}
    return settings


# --------------------------------------------------------------------------- scoring


PAIR_FLOOR = 1e-4  # pairs below this probability at the training prior are not fetched
RETURN_FLOOR = 1e-3  # nor returned below this probability at the final prior
# Candidate pairs scored at once. The run's candidate pairs (record codes and the rule that found
# them) are written to a table before Splink scores them. Above this many, each chunk's pairs
# (those whose left record's code is k modulo the chunks) are made, scored and cut at the fetch
# floor before the next, so that the table never holds much more than this many pairs, whatever
# the number of records. The same pairs are scored: every pair's left record is in exactly one
# chunk. The scoring join still meets nearly all the records (its other side), but reads them
# where they are. Chunks cost time (each repeats the blocking joins over all the records: at a
# million records five chunks of 20 M pairs took 657 s of CPU against 430 s in one, with
# Splink's blocking), so a run is chunked only above the size a million records need.
CHUNK_PAIRS = 100_000_000


def score_chunks(candidate_pairs: int) -> int:
    """How many chunks to score ``candidate_pairs`` in."""
    return max(1, math.ceil(candidate_pairs / CHUNK_PAIRS))


CANNOT_BITS = 3.0  # a pair whose evidence is below -CANNOT_BITS refuses to share a cluster


def refuses(evidence: np.ndarray, probability: np.ndarray) -> np.ndarray:
    """Which pairs refuse to share a cluster, whatever links through other records: those whose
    evidence is against a match (a Bayes factor below 2^-CANNOT_BITS), and those that are all but
    surely two people, below ``RETURN_FLOOR`` at their kind's prior (too unlikely to be returned
    at all). The second keeps a chain of likely links from joining two records that, compared
    directly, agree on too little to be one person: brothers whose household fields agree (their
    evidence is for a match, but far from enough), or namesakes of one place."""
    out: np.ndarray = (np.asarray(evidence) < -CANNOT_BITS) | (
        np.asarray(probability) < RETURN_FLOOR
    )
    return out


def _encode(features: pd.DataFrame) -> np.ndarray:
    """Replace ``unique_id`` by integer codes in the ids' own order (code ``i`` is the ``i``-th id,
    sorted) and return the sorted ids. Splink compares and returns codes: a million pairs of
    integers cost a fraction of their string ids, and ``a < b`` means the same for both."""
    names = features["unique_id"].to_numpy(dtype=object)
    order = _sorting(names)
    codes = np.empty(len(names), dtype=np.int64)
    codes[order] = np.arange(len(names), dtype=np.int64)
    features["unique_id"] = codes
    out: np.ndarray = names[order]
    return out


def _sorting(names: np.ndarray) -> np.ndarray:
    """The stable order that sorts the strings ``names``. Arrow's sort, a third of numpy's time on
    Python strings (a million ids: 0.8 s against 2.4), in the same order: UTF-8's bytes sort as
    the code points Python compares. Text Arrow cannot hold (a lone surrogate) takes numpy's."""
    try:
        indices = pc.sort_indices(pa.array(names, type=pa.string()))
    except (pa.ArrowException, UnicodeError):
        return np.argsort(names, kind="stable")
    out: np.ndarray = indices.to_numpy().astype(np.int64)
    return out


def _code_pairs(names: np.ndarray, pairs: Iterable[tuple[str, str]]) -> set[tuple[int, int]]:
    """The pairs whose two ids are both among ``names`` (sorted), as ordered code pairs; pairs
    naming a record that is not in this run are left out (they cannot be clustered here)."""
    out: set[tuple[int, int]] = set()
    for a, b in pairs:
        i, j = (int(x) for x in np.searchsorted(names, [a, b]))
        if i < len(names) and j < len(names) and names[i] == a and names[j] == b:
            out.add((min(i, j), max(i, j)))
    return out


PairsSql = Callable[[tuple[int, int]], str]  # (chunk k, of n) -> SQL of its candidate pairs
_BLOCKED = "__splink__blocked_id_pairs"  # Splink's name for the table of pairs to score


def _pairs(plan: Plan, table: str, extra_sql: str | None = None) -> PairsSql:
    return lambda chunk: blocked_pairs_sql(plan, table, extra_sql, chunk)


@dataclass
class Scored:
    """Scored pairs in the database: one table per chunk, read as one. Chunks are not copied into
    one table: at five million records the scored pairs above the fetch floor, with every
    comparison's columns, took 37 GB of spill to copy."""

    tables: list[Any]

    @property
    def columns(self) -> list[Any]:
        return list(self.tables[0].columns)

    def source(self) -> str:
        """SQL to read the pairs FROM (a table, or the chunks' union), aliased ``p``."""
        if len(self.tables) == 1:
            return f"{self.tables[0].physical_name} AS p"
        # Splink's own table names only: no record text reaches this SQL.
        union = " UNION ALL ".join(f"SELECT * FROM {t.physical_name}" for t in self.tables)  # noqa: S608
        return f"({union}) AS p"

    def drop_table_from_database_and_remove_from_cache(self) -> None:
        for table in self.tables:
            _drop(table)


def _narrow(linker: Any, wide: Any) -> Any:
    """Of Splink's scored pairs, what the engine reads: the ids, the match weight and each
    comparison's weights (``mw_``). Splink keeps every comparison's level, Bayes factor and term
    frequencies too, several times the size, for as long as the explanations need the table."""
    keep = [
        c.unquote().name
        for c in wide.columns
        if c.unquote().name in ("unique_id_l", "unique_id_r", "match_weight")
        or c.unquote().name.startswith("mw_")
    ]
    try:
        # Splink's own table and column names only: no record text reaches this SQL.
        return linker.misc.query_sql(
            f"SELECT {', '.join(keep)} FROM {wide.physical_name}",  # noqa: S608
            output_type="splink_df",
        )
    finally:
        _drop(wide)


def _predict(
    linker: Any,
    threshold: float | None,
    pairs: PairsSql,
    chunks: int,
    progress: Progress | None = None,
) -> Scored:
    """Splink's scoring of candidate pairs at ``threshold``; tables in the database.

    ``pairs`` makes the candidate pairs (:func:`.blocking.blocked_pairs_sql` for the run's plan,
    or a group's pairs), chunk by chunk, and each chunk's table goes to Splink where its own
    blocking would have left it (the linker's table cache), so that Splink scores them as it
    scores its own: the same comparisons, term frequencies and threshold. (Splink's public
    ``register_blocked_pairs_for_predict`` takes another path on DuckDB that first copies every
    record a pair names, nearly all of them, on each side.)"""
    cache = linker._intermediate_table_cache
    scored = Scored([])
    try:
        for k in range(1, chunks + 1):
            if chunks > 1:  # scoring is 60 % to 85 % of a run
                _tick(progress, f"predict, chunk {k} of {chunks}", 0.6 + 0.25 * (k - 1) / chunks)
            blocked = linker.misc.query_sql(pairs((k, chunks)), output_type="splink_df")
            cache[_BLOCKED] = linker._db_api.table_to_splink_dataframe(
                _BLOCKED, blocked.physical_name
            )
            try:
                wide = linker.inference.predict(
                    threshold_match_weight=threshold, warning_mode="never"
                )
            finally:
                cache.pop(_BLOCKED, None)
                _drop(blocked)
            scored.tables.append(_narrow(linker, wide))
    except BaseException:
        scored.drop_table_from_database_and_remove_from_cache()
        raise
    return scored


def _personal(predictions: Scored) -> str:
    """SQL for a pair's personal evidence: the weights of the comparisons that tell siblings
    apart (see :mod:`.siblings`)."""
    columns = {c.unquote().name for c in predictions.columns}
    personal = [
        f"coalesce({c}, 0)"
        for name in PERSONAL
        for c in (f"mw_{name}", f"mw_tf_adj_{name}")
        if c in columns
    ]
    return " + ".join(personal) or "0.0"


def _arrays(linker: Any, sql: str) -> dict[str, np.ndarray]:
    """A query's columns as arrays; on DuckDB straight into numpy, with no DataFrame between."""
    con = getattr(linker._db_api, "_con", None)
    if con is not None:
        return {k: np.asarray(v) for k, v in con.execute(sql).fetchnumpy().items()}
    frame = linker.misc.query_sql(sql, output_type="pandas")
    return {c: frame[c].to_numpy() for c in frame.columns}


def _scored_sql(predictions: Scored, min_weight: float | None = None) -> str:
    """SQL of the scored pairs (those with match weight >= ``min_weight``): the ordered codes
    ``a < b``, the match weight and the personal evidence, in the pairs' order."""
    where = "" if min_weight is None else f" WHERE match_weight >= {float(min_weight)!r}"
    # Table and column names are Splink's own: no record text reaches this SQL.
    return (
        "SELECT least(unique_id_l, unique_id_r) AS a, "  # noqa: S608
        "greatest(unique_id_l, unique_id_r) AS b, match_weight, "
        f"{_personal(predictions)} AS personal FROM {predictions.source()}{where} ORDER BY a, b"
    )


def _read(linker: Any, predictions: Scored, min_weight: float | None = None) -> pd.DataFrame:
    """Of the scored pairs (those with match weight >= ``min_weight``), the ordered codes
    ``a < b``, the match weight and the personal evidence, in the pairs' order: not the
    database's, which its threads decide, so that ties among the near misses never vary."""
    columns = _arrays(linker, _scored_sql(predictions, min_weight))
    return pd.DataFrame(
        {
            "a": columns["a"].astype(np.int64),
            "b": columns["b"].astype(np.int64),
            "match_weight": columns["match_weight"].astype(float),
            "personal": columns["personal"].astype(float),
        }
    )


def _weights(linker: Any, predictions: Scored, a: np.ndarray, b: np.ndarray) -> pd.DataFrame:
    """Each comparison's weights (the ``mw_`` columns) of the pairs ``(a, b)``, in their order."""
    wanted = pd.DataFrame({"a": a, "b": b, "k": np.arange(len(a), dtype=np.int64)})
    table = linker.table_management.register_table(wanted, "__dalil_explained", overwrite=True)
    columns = [c.unquote().name for c in predictions.columns]
    weights = [c for c in columns if c.startswith("mw_")]
    raw = linker.misc.query_sql(
        f"SELECT w.k, {', '.join('p.' + c for c in weights)} "  # noqa: S608
        f"FROM {table.physical_name} w JOIN {predictions.source()} "
        "ON least(p.unique_id_l, p.unique_id_r) = w.a "
        "AND greatest(p.unique_id_l, p.unique_id_r) = w.b",
        output_type="pandas",
    )
    with suppress(Exception):
        table.drop_table_from_database_and_remove_from_cache()
    out: pd.DataFrame = raw.set_index("k").reindex(np.arange(len(a))).reset_index(drop=True)
    return out


def _drop(table: Any) -> None:
    with suppress(Exception):
        table.drop_table_from_database_and_remove_from_cache()


def _evidence(raw: pd.DataFrame, used: float, siblings: float) -> None:
    """Add ``evidence`` (log2 Bayes factor, after the sibling check) and its adjustment."""
    naive = raw["match_weight"].to_numpy(dtype=float) - _logit2(used)
    personal = np.nan_to_num(raw.pop("personal").to_numpy(dtype=float))
    evidence = sibling_evidence(naive, personal, siblings)
    raw["evidence"] = evidence
    raw["sibling_adjustment"] = evidence - naive


def _score(
    linker: Any,
    settings: dict[str, Any],
    priors: Priors | None,
    kinds: PairKinds,
    siblings: float,
    pairs: PairsSql,
    candidate_pairs: int,
    progress: Progress | None = None,
) -> tuple[pd.DataFrame, Priors, dict[str, Any], Scored]:
    """Predicted pairs that may be returned (a superset of those at >= ``RETURN_FLOOR``), with
    evidence (weighed against siblings too, share ``siblings`` of non-matching pairs: see
    :mod:`.siblings`); the priors (one per kind of pair, see :mod:`.prior`) re-estimated unless
    ``priors`` are given; and the scored pairs (for explanations: drop them when done).

    Every candidate pair is scored in the database, but only pairs with a probability >=
    ``PAIR_FLOOR`` at the training prior are kept there, and only their evidence is read for
    the priors' fixed point: on a million records the rest are tens of millions of plain
    non-matches, each below ``PAIR_FLOOR`` in the priors' fixed point. The ones clustering
    needs, evidence against a join inside a group, are scored afterwards
    (:func:`_cannot_links_in_groups`). ``pairs`` makes the candidate pairs
    (:func:`.blocking.blocked_pairs_sql`); ``candidate_pairs`` (the blocking plan's count) sets
    how many chunks they are scored in."""
    used = settings["probability_two_random_records_match"]
    chunks = score_chunks(candidate_pairs)
    predictions = _predict(linker, _logit2(PAIR_FLOOR), pairs, chunks, progress)
    info: dict[str, Any] = {
        "candidate_pairs_at_most": candidate_pairs,
        "scored_in_chunks": chunks,
        "fetch_floor": {"probability_at_training_prior": PAIR_FLOOR},
        "return_floor": {"probability": RETURN_FLOOR},
    }
    try:
        if priors is None:
            priors = _estimate_priors(linker, predictions, kinds, used, siblings, info)
        else:
            # Splink's own table name only: no record text reaches this SQL.
            count = _arrays(linker, f"SELECT count(*) AS n FROM {predictions.source()}")  # noqa: S608
            info["fetched_pairs"] = int(count["n"][0])
        # Then only the pairs that may be returned. The sibling check never adds evidence, so a
        # pair at >= RETURN_FLOOR has Splink's weight >= this (less a hair for rounding).
        strongest = float(priors.by_kind.max())
        floor = _logit2(RETURN_FLOOR) - _logit2(strongest) + _logit2(used) - 1e-6
        raw = _read(linker, predictions, floor)
    except BaseException:
        predictions.drop_table_from_database_and_remove_from_cache()
        raise
    _evidence(raw, used, siblings)
    kind = kinds.kind(raw["a"].to_numpy(), raw["b"].to_numpy())
    raw["match_weight"] = raw["evidence"].to_numpy() + priors.weights()[kind]
    raw["match_probability"] = _probability(raw["match_weight"].to_numpy())
    return raw, priors, info, predictions


def _estimate_priors(
    linker: Any,
    predictions: Scored,
    kinds: PairKinds,
    used: float,
    siblings: float,
    info: dict[str, Any],
) -> Priors:
    """The prior of all pairs and of each kind, by their fixed points over the scored pairs
    (:mod:`.prior`). They need every scored pair's evidence and kind, and only that: arrays,
    not a frame (at five million records the scored pairs are tens of millions)."""
    n = len(kinds.lists)
    scored = _arrays(linker, _scored_sql(predictions))
    kind = kinds.kind(scored.pop("a").astype(np.int64), scored.pop("b").astype(np.int64))
    weight = scored["match_weight"].astype(float)
    personal = np.nan_to_num(scored.pop("personal").astype(float))
    del scored
    info["fetched_pairs"] = len(weight)
    if not len(weight):
        pooled = 1 / max(n, 2)
        return Priors(pooled, np.full(len(KINDS), pooled))
    evidence = sibling_evidence(weight - _logit2(used), personal, siblings)
    del weight, personal
    pooled, iterations = fixed_point_prior(evidence, n * (n - 1) / 2, used)
    by_kind, kind_iterations = fixed_point_priors(evidence, kind, kinds.pairs, pooled)
    info["prior_iterations"] = iterations
    info["kinds"] = {
        name: {
            "pairs": kinds.pairs[k],
            "scored_pairs": int((kind == k).sum()),
            "prior": float(by_kind[k]),
            "expected_matches": float(by_kind[k] * kinds.pairs[k]),
        }
        for k, name in enumerate(KINDS)
    }
    info["kinds_iterations"] = kind_iterations
    return Priors(pooled, by_kind)


def _cannot_links_in_groups(
    api: Any,
    linker: Any,
    siblings: float,
    priors: Priors,
    kinds: PairKinds,
    pairs: pd.DataFrame,
    span: int,
    existing: dict[int, int] | None = None,
) -> list[tuple[int, int]]:
    """Pairs that are not among the returned ``pairs`` (fetched below ``RETURN_FLOOR``, or not
    fetched at all) but whose records other links would put in one cluster, and that must
    refuse that join: their evidence is against a match (below ``-CANNOT_BITS``) or, at their
    kind's prior, their probability is below ``RETURN_FLOOR``. The records of each group of links at
    >= 0.5 (or judged same, or an existing cluster a new record joins) are compared with each
    other once more by ``linker``, the run's own (see :func:`_group_evidence`).

    Records are codes below ``span``; ``existing`` maps a record to its cluster's code (>=
    ``span``)."""
    joins = pairs["match_probability"].fillna(0).to_numpy() >= DECISION
    if "judgement" in pairs.columns:
        joins |= (pairs["judgement"] == "same").to_numpy()
    a, b = pairs.loc[joins, "a"].tolist(), pairs.loc[joins, "b"].tolist()
    if existing:
        # A new record joining an existing cluster meets all its members.
        touched = {existing[r] for r in (*a, *b) if r in existing}
        members = [(r, c) for r, c in existing.items() if c in touched]
        a += [r for r, _ in members]
        b += [c for _, c in members]
    linked, group = _components(np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64))
    keep = linked < span
    if not keep.any():
        return []
    inside = _group_evidence(api, linker, linked[keep], group[keep], siblings)
    if inside.empty:
        return []
    evidence = inside["evidence"].to_numpy(dtype=float)
    kind = kinds.kind(inside["a"].to_numpy(dtype=np.int64), inside["b"].to_numpy(dtype=np.int64))
    against = refuses(evidence, _probability(priors.weights()[kind] + evidence))
    return list(
        zip(inside.loc[against, "a"].tolist(), inside.loc[against, "b"].tolist(), strict=True)
    )


def _group_evidence(
    api: Any, linker: Any, records: np.ndarray, group: np.ndarray, siblings: float
) -> pd.DataFrame:
    """Every pair of ``records`` (codes) in one ``group``, scored by ``linker``, the run's own (its
    model, prior and term frequencies, those of other spellings included), as codes ``a < b``
    with their evidence (:func:`_evidence`).

    The pairs are made in the database, as the run's candidate pairs are, by one blocking rule
    on the group, and scored alike (see :func:`_predict`). (A linker of its own over a copy of
    the groups' records, as before, scored them alike but took the copy and a second set-up: at
    a million records 8.7 s for the step against 4.8 s now.)"""
    grouped = api.register(
        pd.DataFrame({"unique_id": records, "grp": group}), table_name="__dalil_groups"
    )
    in_groups = rules_pairs_sql([("grp",)], grouped.physical_name)
    try:
        predictions = _predict(linker, None, lambda _: in_groups, 1)
    finally:
        _drop(grouped)
    try:
        inside = _read(linker, predictions)
    finally:
        _drop(predictions)
    used = linker.misc.save_model_to_json()["probability_two_random_records_match"]
    _evidence(inside, used, siblings)
    return inside


def _components(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The records on at least one of the links ``a[i]``-``b[i]`` (sorted) and the connected
    component of each (a label shared by the records of one group)."""
    records = np.unique(np.concatenate([a, b]))
    if not len(records):
        return records, records
    links = np.column_stack([np.searchsorted(records, a), np.searchsorted(records, b)])
    return records, component_labels(len(records), links)


def _weigh_rivals(
    raw: pd.DataFrame, kinds: PairKinds, new: np.ndarray | None = None
) -> dict[str, Any]:
    """Each returned pair's probability given each record's other candidates (:mod:`.rivals`),
    in place: ``match_weight`` and ``match_probability`` become the adjusted ones; ``pairwise``
    keeps the model's probability (a pair refuses a cluster by that, :func:`refuses`),
    ``rivals`` the adjustment in bits (an explanation's entry) and ``rivals_alone`` whether the
    two records are each other's only candidate (that entry's level). Returns the calibration's
    entry."""
    if raw.empty:
        raw["pairwise"] = pd.Series(dtype=float)
        raw["rivals"] = pd.Series(dtype=float)
        raw["rivals_alone"] = pd.Series(dtype=bool)
        return {"applied": False, "why": "no pairs"}
    pairwise = raw["match_probability"].to_numpy(dtype=float)
    found = rivals(raw["a"].to_numpy(), raw["b"].to_numpy(), pairwise, kinds.lists, new)
    raw["pairwise"] = pairwise
    raw["rivals"] = found.adjustment
    raw["rivals_alone"] = found.alone
    weight = raw["match_weight"].to_numpy(dtype=float) + found.adjustment
    raw["match_weight"] = weight
    raw["match_probability"] = _probability(weight)
    return {"applied": True, **found.as_json(kinds.names)}


def _pairs_frame(raw: pd.DataFrame) -> pd.DataFrame:
    """Returned pairs as codes ``a < b`` with weight, probability, status and evidence, and
    ``explain``: the pairs whose explanation is written (:func:`_explanations`)."""
    if raw.empty:
        return pd.DataFrame(
            {
                "a": pd.Series(dtype=np.int64),
                "b": pd.Series(dtype=np.int64),
                **{c: pd.Series(dtype=object) for c in PAIR_COLUMNS[2:]},
                "evidence": pd.Series(dtype=float),
                "sibling_adjustment": pd.Series(dtype=float),
                "pairwise": pd.Series(dtype=float),
                "rivals": pd.Series(dtype=float),
                "rivals_alone": pd.Series(dtype=bool),
                "explain": pd.Series(dtype=bool),
            }
        )
    out = pd.DataFrame(
        {
            "a": raw["a"].to_numpy(),
            "b": raw["b"].to_numpy(),
            "match_weight": raw["match_weight"].to_numpy(),
            "match_probability": raw["match_probability"].to_numpy(),
        }
    )
    out["status"] = _status(out["match_probability"])
    # Explained: every pair to link or review, and the strongest unlinked ones (the near misses
    # a reviewer may ask about). Explaining millions of plain non-matches at scale would cost
    # gigabytes of text nobody reads; their weights and status are still returned.
    p = out["match_probability"].to_numpy()
    explain = p >= REVIEW_BAND[0]
    below = np.flatnonzero(~explain)
    explain[below[np.argsort(-p[below], kind="stable")[:NEAR_MISSES]]] = True
    out["explanation"] = None
    out["evidence"] = raw["evidence"].to_numpy()
    out["sibling_adjustment"] = raw["sibling_adjustment"].to_numpy()
    out["pairwise"] = raw["pairwise"].to_numpy()  # set by _weigh_rivals
    out["rivals"] = raw["rivals"].to_numpy()
    out["rivals_alone"] = raw["rivals_alone"].to_numpy()
    out["explain"] = explain
    return out


def _comparison_weights(
    linker: Any, predictions: Scored, pairs: pd.DataFrame, kinds: PairKinds, priors: Priors
) -> pd.DataFrame:
    """The comparisons' weights of the pairs to explain, read while the predictions exist, with
    each pair's sibling adjustment, kind and prior (as a weight)."""
    rows = np.flatnonzero(pairs["explain"].eq(True).to_numpy())
    if not len(rows):
        return pd.DataFrame(index=rows)
    a, b = pairs["a"].to_numpy()[rows], pairs["b"].to_numpy()[rows]
    detail = _weights(linker, predictions, a, b)
    detail["sibling_adjustment"] = pairs["sibling_adjustment"].to_numpy()[rows]
    detail["rivals"] = pairs["rivals"].to_numpy()[rows]
    detail["rivals_alone"] = pairs["rivals_alone"].to_numpy()[rows]
    kind = kinds.kind(a, b)
    detail["kind"] = kind
    detail["prior"] = priors.weights()[kind]
    detail.index = rows
    return detail


def _explanations(pairs: pd.DataFrame, detail: pd.DataFrame, settings: dict[str, Any]) -> None:
    """Write the explanation of each pair ``detail`` holds (by row), in place."""
    if len(detail):
        texts = np.full(len(pairs), None, dtype=object)
        texts[detail.index.to_numpy()] = _explain(detail, settings)
        keep = pairs["explanation"].notna().to_numpy()  # judged pairs no model scored: "{}"
        texts[keep] = pairs["explanation"].to_numpy()[keep]
        pairs["explanation"] = texts


def _apply_labels(
    pairs: pd.DataFrame, same: set[tuple[int, int]], different: set[tuple[int, int]], span: int
) -> pd.DataFrame:
    if not same and not different:
        pairs["judgement"] = None
        return pairs
    key = pairs["a"].to_numpy(dtype=np.int64) * span + pairs["b"].to_numpy(dtype=np.int64)

    def keys(group: set[tuple[int, int]]) -> np.ndarray:
        return np.array([x * span + y for x, y in group], dtype=np.int64)

    judgement = np.full(len(pairs), None, dtype=object)
    judgement[np.isin(key, keys(same))] = "same"
    judgement[np.isin(key, keys(different))] = "different"
    pairs["judgement"] = judgement
    seen = set(key.tolist())
    extra = [
        {
            "a": a,
            "b": b,
            "match_weight": float("nan"),
            "match_probability": float("nan"),
            "status": "unlinked",
            "explanation": "{}",
            "evidence": float("nan"),
            "judgement": j,
        }
        for j, group in (("same", same), ("different", different))
        for a, b in sorted(group)
        if a * span + b not in seen
    ]
    if extra:
        pairs = pd.concat([pairs, pd.DataFrame(extra)], ignore_index=True)
    pairs.loc[pairs["judgement"] == "same", "status"] = "linked"
    pairs.loc[pairs["judgement"] == "different", "status"] = "unlinked"
    return pairs


def _cluster(
    ids: list[int],
    pairs: pd.DataFrame,
    existing: dict[int, int] | None = None,
    far: list[tuple[int, int]] | None = None,
) -> tuple[dict[int, int], int]:
    """Cluster label (a code) of each of ``ids``, and how many joins were refused."""
    judged = pairs["judgement"]
    probability = pairs["match_probability"].to_numpy(dtype=float)
    weight = pairs["match_weight"].to_numpy(dtype=float)
    usable = judged.isna().to_numpy() & (probability >= DECISION)
    edges = zip(
        pairs.loc[usable, "a"].tolist(),
        pairs.loc[usable, "b"].tolist(),
        weight[usable].tolist(),
        strict=True,
    )
    same = judged == "same"
    forced = list(zip(pairs.loc[same, "a"].tolist(), pairs.loc[same, "b"].tolist(), strict=True))
    judged_same = set(forced)
    # A pair refuses by the model's own probability: a likelier rival lowers a pair's chance of
    # being the one match, not the evidence that its records could be one person.
    model = refuses(pairs["evidence"].to_numpy(), pairs["pairwise"].to_numpy(dtype=float))
    against = (judged == "different") | (judged.isna() & model)
    cannot = [
        *zip(pairs.loc[against, "a"].tolist(), pairs.loc[against, "b"].tolist(), strict=True),
        # A judgement of "same" outweighs what the model says against the pair.
        *(pair for pair in far or [] if pair not in judged_same),
    ]
    mapping, refused = constrained_clusters(ids, edges, forced, cannot, existing)
    return mapping, len(refused)


def _finish(pairs: pd.DataFrame, names: np.ndarray) -> pd.DataFrame:
    """The returned pairs with record ids, in the ids' order (codes sort as their ids do). Built
    one column at a time, each put in order once and none copied again: at five million records
    the returned pairs are 32 M rows, and dropping the working columns and then sorting the
    frame made two whole copies beside the caller's (3.4 GiB of the run's peak)."""
    a = pairs["a"].to_numpy(dtype=np.int64)
    b = pairs["b"].to_numpy(dtype=np.int64)
    order = np.lexsort((b, a))
    columns: dict[str, np.ndarray] = {"record_a": names[a[order]], "record_b": names[b[order]]}
    working = {
        "a", "b", "evidence", "sibling_adjustment", "explain", "pairwise", "rivals", "rivals_alone"
    }  # fmt: skip
    for column in pairs.columns:
        if column not in working:
            columns[column] = pairs[column].to_numpy()[order]
    # copy=False: each array becomes its own block; pandas would otherwise copy them into one.
    return pd.DataFrame(columns, copy=False)


# --------------------------------------------------------------------------- public


def link(
    records: pd.DataFrame,
    *,
    engine: Engine = "duckdb",
    labels: pd.DataFrame | None = None,
    progress: Progress | None = None,
    seed: int = 42,
    resources: Resources | None = None,
) -> LinkResult:
    """Train a model on ``records`` (see :mod:`dalil.registry.linkage.schema`), score candidate
    pairs and cluster them. Same input and seed give the same result."""
    from splink import Linker

    from dalil.registry.linkage.model import settings as make_settings
    from dalil.registry.linkage.model import usable_comparisons

    _tick(progress, "features", 0.0)
    features = prepare(records)
    names = _encode(features)
    _give_back()
    n = len(names)
    kinds = _kinds(features)
    same, different = (_code_pairs(names, group) for group in _labels(labels))
    calibration: dict[str, Any] = {"records": n, "engine": engine, "seed": seed}
    if n < 2:
        pairs = _apply_labels(_pairs_frame(pd.DataFrame()), set(), set(), 1)
        clusters = pd.DataFrame({"record_id": names, "cluster_id": names})
        nothing = Priors(0.0, np.zeros(len(KINDS)))
        model = _model({}, nothing, kinds, 0.0)
        return LinkResult(_finish(pairs, names), clusters, model, calibration)
    comparisons = usable_comparisons(features)
    calibration["comparisons"] = comparisons
    plan = plan_blocking(features)
    calibration["blocking"] = plan.as_json()
    household = household_counts(features)
    known = {c: int(features[c].notna().sum()) for c in features.columns}
    order = features["unique_id"].to_numpy(dtype=np.int64)  # the records' order, as codes
    with _db_api(engine, resources) as api:
        sdf = _register(api, features)
        del features  # the database holds its own copy now
        _give_back()
        prior_start = min(0.5, 1 / max(n, 2))
        linker = Linker(sdf, make_settings(plan, prior_start, comparisons), log_level=None)
        _train(linker, known, n, seed, same, progress, calibration)
        _tick(progress, "predict", 0.6)
        settings = _bounded(linker.misc.save_model_to_json(), calibration)
        siblings = sibling_rate(household, _key_agreement(settings))
        linker = Linker(sdf, settings, log_level=None)
        register_other_spellings(linker, sdf)
        raw, priors, info, predictions = _score(
            linker,
            settings,
            None,
            kinds,
            siblings,
            _pairs(plan, sdf.physical_name),
            plan.as_json()["pairs_at_most"],
            progress=progress,
        )
        _tick(progress, "cluster", 0.85)
        prior = priors.pooled
        settings["probability_two_random_records_match"] = prior
        returned = raw[raw["match_probability"] >= RETURN_FLOOR].reset_index(drop=True)
        del raw
        calibration["rivals"] = _weigh_rivals(returned, kinds)
        pairs = _apply_labels(_pairs_frame(returned), same, different, n)
        del returned
        far = _cannot_links_in_groups(api, linker, siblings, priors, kinds, pairs, n)
        detail = _comparison_weights(linker, predictions, pairs, kinds, priors)
        _drop(predictions)
    # The database is closed (and its memory with it) before the texts are written.
    _give_back()
    _explanations(pairs, detail, settings)
    del detail
    calibration["prior"] = {
        "method": "maximum-likelihood fixed point over all pairs given m and u; then one per "
        "kind of pair (within a list, across lists), drawn towards it",
        "value": prior,
        "expected_matches": prior * n * (n - 1) / 2,
        "by_kind": priors.as_json(),
        **info,
    }
    chosen = basis(household)
    calibration["siblings"] = {
        "method": "share of pairs that agree on the household's names with another given name, "
        "beyond chance, over how often two records of one person agree on those names",
        "value": siblings,
        "fields": list(chosen.fields) if chosen else [],
        "pairs_beyond_chance": chosen.excess if chosen else 0.0,
        "personal_comparisons": list(PERSONAL),
    }
    mapping, refused = _cluster(list(range(n)), pairs, far=far)
    labels_of = np.fromiter((mapping[c] for c in order.tolist()), dtype=np.int64, count=n)
    del mapping
    clusters = pd.DataFrame({"record_id": names[order], "cluster_id": names[labels_of]})
    calibration["decision"] = {"match_probability": DECISION, "review_band": list(REVIEW_BAND)}
    calibration["clusters"] = {
        "count": len(np.unique(labels_of)),
        "refused": refused,
        "far_cannot_links": len(far),
    }
    calibration["status_counts"] = {
        str(k): int(v) for k, v in pairs["status"].value_counts().items()
    }
    _tick(progress, "done", 1.0)
    return LinkResult(
        _finish(pairs, names), clusters, _model(settings, priors, kinds, siblings), calibration
    )


_SAME_KEY = ("exact", "same transliteration key")  # the levels where two names share a key


def _key_agreement(settings: dict[str, Any]) -> dict[str, float]:
    """How often two records of one person agree on each name's transliteration key (the m of
    its exact and same-key levels), as the sibling rate needs it."""
    out: dict[str, float] = {}
    for comparison in settings.get("comparisons", []):
        levels = comparison["comparison_levels"]
        if not any(level.get("label_for_charts") == _SAME_KEY[1] for level in levels):
            continue  # not a name (dates have an "exact" level too)
        m = [
            lv.get("m_probability") or 0.0
            for lv in levels
            if lv.get("label_for_charts") in _SAME_KEY
        ]
        # At most 1: a level never seen in training inherits the m below it (_bounded).
        out[comparison["output_column_name"]] = min(1.0, float(sum(m)))
    return out


def _kinds(features: pd.DataFrame) -> PairKinds:
    """Each record's list, by record code (``unique_id`` holds the codes)."""
    lists = np.empty(len(features), dtype=object)
    lists[features["unique_id"].to_numpy(dtype=np.int64)] = features["source_id"].to_numpy()
    return PairKinds.of(lists)


def _model(
    settings: dict[str, Any], priors: Priors, kinds: PairKinds, siblings: float
) -> dict[str, Any]:
    n = len(kinds.lists)
    return {
        "format": MODEL_FORMAT,
        "records": n,
        "prior": priors.pooled,
        # Kept constant when records are added: a prior scales with 1 / (N - 1).
        "matches_per_record": priors.pooled * max(n - 1, 0),
        "matches_per_record_by_kind": priors.per_record(kinds),
        # Likewise the share of pairs that are siblings (a household has a few children).
        "siblings_per_record": siblings * max(n - 1, 0),
        "splink": settings,
    }


_NEW = "l.is_new = 1 OR r.is_new = 1"  # an incremental run compares pairs with a new record


def link_new(
    new: pd.DataFrame,
    existing: pd.DataFrame,
    existing_clusters: pd.DataFrame,
    model: dict[str, Any],
    *,
    engine: Engine = "duckdb",
    labels: pd.DataFrame | None = None,
    resources: Resources | None = None,
) -> LinkResult:
    """Link ``new`` records to ``existing`` ones with a saved model, without re-training and
    without re-linking existing records among themselves."""
    from splink import Linker

    if model.get("format") != MODEL_FORMAT or not model.get("splink"):
        raise InvalidInput("model", "not a trained Dalil linkage model")
    new_f = prepare(new)
    old_f = prepare(existing)
    overlap = set(new_f["unique_id"]) & set(old_f["unique_id"])
    if overlap:
        raise InvalidInput("new", f"{len(overlap)} new record ids are already linked")
    fixed_ids = dict(
        zip(
            existing_clusters["record_id"].astype(str),
            existing_clusters["cluster_id"].astype(str),
            strict=True,
        )
    )
    missing = set(old_f["unique_id"]) - set(fixed_ids)
    if missing:
        raise InvalidInput("existing_clusters", f"{len(missing)} existing records have no cluster")
    new_f["is_new"] = 1
    old_f["is_new"] = 0
    both = pd.concat([old_f, new_f], ignore_index=True)
    del old_f
    names = _encode(both)
    _give_back()
    n = len(names)
    is_new = np.zeros(n, dtype=bool)
    is_new[both["unique_id"].to_numpy()[both["is_new"].to_numpy() == 1]] = True
    # Existing clusters as codes above the records' (n + j for the j-th cluster id, sorted).
    cluster_names = np.array(sorted(set(fixed_ids.values())), dtype=object)
    fixed = _fixed_codes(names, cluster_names, fixed_ids, n)
    kinds = _kinds(both)
    prior = min(0.5, model["matches_per_record"] / max(n - 1, 1)) or 1e-12
    # Models saved before the priors by kind of pair have one prior for every pair.
    by_kind = model.get("matches_per_record_by_kind")
    priors = (
        Priors.rescaled(by_kind, prior, kinds)
        if by_kind
        else Priors(prior, np.full(len(KINDS), prior))
    )
    # Models saved before the sibling check have no rate: estimate it from these records.
    per_record = model.get("siblings_per_record")
    siblings = (
        per_record / max(n - 1, 1)
        if per_record is not None
        else sibling_rate(both, _key_agreement(model["splink"]))
    )
    settings = json.loads(json.dumps(model["splink"]))
    settings["probability_two_random_records_match"] = prior
    plan = plan_blocking(both)
    touching_new = count_pairs_with(both, plan, both["is_new"] == 1)
    settings["blocking_rules_to_generate_predictions"] = blocking_rules(plan, _NEW)
    same, different = (_code_pairs(names, group) for group in _labels(labels))
    with _db_api(engine, resources) as api:
        sdf = _register(api, both)
        del both
        _give_back()
        linker = Linker(sdf, settings, log_level=None)
        register_other_spellings(linker, sdf)
        raw, _, info, predictions = _score(
            linker,
            linker.misc.save_model_to_json(),
            priors,
            kinds,
            siblings,
            _pairs(plan, sdf.physical_name, _NEW),
            touching_new,  # the pairs SQL makes only pairs with a new record
        )
        settings = linker.misc.save_model_to_json()
        returned = raw[raw["match_probability"] >= RETURN_FLOOR].reset_index(drop=True)
        del raw
        weighed = _weigh_rivals(returned, kinds, is_new)
        pairs = _apply_labels(_pairs_frame(returned), same, different, n)
        involved = is_new[pairs["a"].to_numpy()] | is_new[pairs["b"].to_numpy()]
        pairs = pairs[involved].reset_index(drop=True)
        far = _cannot_links_in_groups(api, linker, siblings, priors, kinds, pairs, n, fixed)
        detail = _comparison_weights(linker, predictions, pairs, kinds, priors)
        _drop(predictions)
    _explanations(pairs, detail, settings)
    ids = np.flatnonzero(is_new).tolist()
    mapping, refused = _cluster(ids, pairs, existing=fixed, far=far)
    order = new_f["unique_id"].astype(str).to_numpy(dtype=object)
    codes = np.searchsorted(names, order)
    labels_of = [mapping[c] for c in codes.tolist()]
    clusters = pd.DataFrame(
        {
            "record_id": order,
            "cluster_id": [cluster_names[c - n] if c >= n else names[c] for c in labels_of],
        }
    )
    calibration = {
        "records": n,
        "new_records": len(ids),
        "engine": engine,
        "prior": {
            "method": "saved model, rescaled to N",
            "value": prior,
            "by_kind": priors.as_json(),
            **info,
        },
        "siblings": {"method": "saved model, rescaled to N", "value": siblings},
        "decision": {"match_probability": DECISION, "review_band": list(REVIEW_BAND)},
        "clusters": {"refused": refused, "far_cannot_links": len(far)},
        "rivals": weighed,
        "blocking": plan.as_json(),
    }
    return LinkResult(_finish(pairs, names), clusters, model, calibration)


def _fixed_codes(
    names: np.ndarray, cluster_names: np.ndarray, fixed: dict[str, str], n: int
) -> dict[int, int]:
    """Existing record code -> its cluster's code (``n`` + the cluster's rank); cluster members
    not among this run's records are left out."""
    ids = np.array(list(fixed), dtype=object)
    records = np.minimum(np.searchsorted(names, ids), len(names) - 1)
    present = names[records] == ids
    clusters = np.searchsorted(cluster_names, np.array(list(fixed.values()), dtype=object))
    return dict(zip(records[present].tolist(), (clusters[present] + n).tolist(), strict=True))
