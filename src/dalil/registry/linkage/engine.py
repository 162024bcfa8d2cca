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
import dataclasses
import json
import logging
import math
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from dalil.errors import InvalidInput
from dalil.registry.linkage.blocking import blocking_rules, plan_blocking
from dalil.registry.linkage.cluster import constrained_clusters
from dalil.registry.linkage.features import TEXT, prepare
from dalil.registry.linkage.siblings import PERSONAL, personal_evidence, sibling_rate
from dalil.registry.linkage.siblings import adjust as sibling_evidence

__all__ = ["DECISION", "NEAR_MISSES", "REVIEW_BAND", "LinkResult", "link", "link_new"]

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


@dataclass
class LinkResult:
    pairs: pd.DataFrame
    clusters: pd.DataFrame
    model: dict[str, Any]
    calibration: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- engines


@contextmanager
def _db_api(engine: Engine) -> Iterator[Any]:
    for name in ("splink", "py4j", "pyspark"):
        logging.getLogger(name).setLevel(logging.ERROR)
    if engine == "duckdb":
        from splink import DuckDBAPI

        api = DuckDBAPI()
        try:
            yield api
        finally:
            with suppress(Exception):
                api._con.close()
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


def _ordered(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def _logit2(p: float) -> float:
    return math.log2(p / (1 - p))


def _probability(weight: np.ndarray) -> np.ndarray:
    out: np.ndarray = 1.0 / (1.0 + np.exp2(-np.clip(weight, -300, 300)))
    return out


def fixed_point_prior(
    evidence: np.ndarray, total_pairs: float, start: float, max_iter: int = 500
) -> tuple[float, int]:
    """Maximum-likelihood prior given each candidate pair's evidence (log2 Bayes factor)."""
    lam = min(max(start, 1e-12), 0.5)
    bf = np.exp2(np.clip(evidence, -300, 300))
    for i in range(1, max_iter + 1):
        p = lam * bf / (lam * bf + 1 - lam)
        new = float(min(max(p.sum() / total_pairs, 1e-12), 0.5))
        if abs(new - lam) <= 1e-6 * lam:
            return new, i
        lam = new
    return lam, max_iter


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


def _explain(df: pd.DataFrame, settings: dict[str, Any]) -> pd.Series:
    """JSON per pair: for each comparison its level label, Bayes factor and weight (bits).

    Splink does not return the level index without every matching column, so the level is the
    one whose weight log2(m/u) equals the pair's weight for that comparison."""
    pieces: list[pd.Series] = []
    for name, levels in _levels(settings).items():
        mw = df[f"mw_{name}"].to_numpy(dtype=float)
        base = np.array([w for w, _ in levels])
        names = np.array([json.dumps(lb, ensure_ascii=False) for _, lb in levels], dtype=object)
        label = names[np.abs(mw[:, None] - base[None, :]).argmin(axis=1)]
        tf_col = f"mw_tf_adj_{name}"
        weight = mw + (df[tf_col].to_numpy(dtype=float) if tf_col in df.columns else 0.0)
        weight = np.nan_to_num(weight)
        piece = pd.Series(
            [
                f'"{name}": {{"level": {lb}, "bayes_factor": {2.0**w:.4g}, "weight": {w:.2f}}}'
                for lb, w in zip(label, weight, strict=True)
            ],
            index=df.index,
        )
        pieces.append(piece)
    if "sibling_adjustment" in df.columns:
        # Agreement a household shares, weighed against a sibling (see .siblings).
        adj = np.nan_to_num(df["sibling_adjustment"].to_numpy(dtype=float))
        pieces.append(
            pd.Series(
                [
                    f'"sibling check": {{"level": "{SIBLING_LABEL}", '
                    f'"bayes_factor": {2.0**w:.4g}, "weight": {w:.2f}}}'
                    for w in adj
                ],
                index=df.index,
            )
        )
    joined = pieces[0]
    for piece in pieces[1:]:
        joined = joined + ", " + piece
    return "{" + joined + "}"


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


def _em_pass(linker: Any, keys: tuple[str, ...]) -> dict[str, Any]:
    """One EM pass; retried with fewer iterations when an m underflows to 0 (small data).

    A failed pass can leave the model half-changed, so the model is restored before a retry."""
    from splink import block_on

    settings = linker._settings_obj
    original = settings.training_settings
    why = ""
    for iterations in EM_ITERATIONS:
        snapshot = copy.deepcopy(linker._settings_obj.core_model_settings)
        settings.training_settings = dataclasses.replace(original, max_iterations=iterations)
        try:
            # EM on agreement-pattern counts (term frequencies apply when scoring): far
            # fewer queries, which matters most on Spark.
            linker.training.estimate_parameters_using_expectation_maximisation(
                block_on(*keys), max_pairs=5e6, estimate_without_term_frequencies=True
            )
            return {"blocking": list(keys), "ok": True, "max_iterations": iterations}
        except Exception as exc:  # too few pairs, or an m underflowing to 0
            linker._settings_obj.core_model_settings = snapshot
            why = type(exc).__name__
            _LOG.debug("EM pass failed", exc_info=True)
        finally:
            settings.training_settings = original
    return {"blocking": list(keys), "ok": False, "why": why}


def _train(
    linker: Any,
    features: pd.DataFrame,
    n: int,
    seed: int,
    same: set[tuple[str, str]],
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
        if all(features[k].notna().sum() >= 2 for k in keys):
            passes.append(_em_pass(linker, keys))
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


def _bounded(settings: dict[str, Any], calibration: dict[str, Any]) -> dict[str, Any]:
    """Floors on m and u, and a value for levels never seen in training.

    EM drives m to zero for a level no match used in this data (a year slip, a swapped day and
    month); new data may well use it, and one level must not veto a pair on its own."""
    untrained: list[str] = []
    for comparison in settings["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        for i, level in enumerate(levels):
            label = f"{comparison['output_column_name']}: {level.get('label_for_charts')}"
            m, u = level.get("m_probability"), level.get("u_probability")
            if m is None or u is None:
                untrained.append(label)
            if m is None and level.get("label_for_charts") in _INHERITS:
                # Exact spelling never seen among matches here (e.g. every pair crosses
                # scripts): it is at least as telling as the key below it.
                below = [lv.get("m_probability") for lv in levels[i + 1 :]]
                m = next((b for b in below if b), None)
            if m is None and u is not None and i < len(levels) - 1:
                # An agreement level no training pass could reach (small data, or the pass that
                # would train it blocked on it): it counts for the match, never against it, and
                # stronger levels count more (2^(UNTRAINED_WEIGHT) down to 2^1 over the levels).
                step = (UNTRAINED_WEIGHT - 1) * i / max(len(levels) - 2, 1)
                m = min(0.95, max(u, U_FLOOR) * 2 ** (UNTRAINED_WEIGHT - step))
            level["m_probability"] = max(m if m is not None else M_FLOOR, M_FLOOR)
            level["u_probability"] = max(u if u is not None else U_FLOOR, U_FLOOR)
    calibration["floors"] = {"m": M_FLOOR, "u": U_FLOOR, "untrained_levels": untrained}
    return settings


# --------------------------------------------------------------------------- scoring


PAIR_FLOOR = 1e-4  # pairs below this probability at the training prior are not fetched
RETURN_FLOOR = 1e-3  # nor returned below this probability at the final prior
CANNOT_BITS = 3.0  # a pair whose evidence is below -CANNOT_BITS refuses to share a cluster


def _fetch(linker: Any, threshold: float | None) -> pd.DataFrame:
    """Score candidate pairs in the database; fetch ids, match weight and each comparison's
    weight of those with match weight >= ``threshold`` (ids ordered, ``a < b``)."""
    predictions = linker.inference.predict(threshold_match_weight=threshold)
    columns = [c.unquote().name for c in predictions.columns]
    weights = [c for c in columns if c.startswith("mw_")]
    # Table and column names are Splink's own: no record text reaches this SQL.
    raw = linker.misc.query_sql(
        f"SELECT unique_id_l, unique_id_r, match_weight, {', '.join(weights)} "  # noqa: S608
        f"FROM {predictions.physical_name}",
        output_type="pandas",
    )
    with suppress(Exception):
        predictions.drop_table_from_database_and_remove_from_cache()
    if raw.empty:
        return raw
    raw["unique_id_l"] = raw["unique_id_l"].astype(str)
    raw["unique_id_r"] = raw["unique_id_r"].astype(str)
    swap = raw["unique_id_l"] > raw["unique_id_r"]
    raw.loc[swap, ["unique_id_l", "unique_id_r"]] = raw.loc[
        swap, ["unique_id_r", "unique_id_l"]
    ].to_numpy()
    return raw


def _evidence(raw: pd.DataFrame, used: float, siblings: float) -> None:
    """Add ``evidence`` (log2 Bayes factor, after the sibling check) and its adjustment."""
    naive = raw["match_weight"].to_numpy(dtype=float) - _logit2(used)
    evidence = sibling_evidence(naive, personal_evidence(raw), siblings)
    raw["evidence"] = evidence
    raw["sibling_adjustment"] = evidence - naive


def _score(
    linker: Any,
    settings: dict[str, Any],
    prior: float | None,
    n: int,
    siblings: float,
    keep: Callable[[pd.DataFrame], pd.Series] | None = None,
) -> tuple[pd.DataFrame, float, dict[str, Any]]:
    """Predicted pairs with evidence (weighed against siblings too, share ``siblings`` of
    non-matching pairs: see :mod:`.siblings`); the prior re-estimated unless ``prior`` is given.

    Every candidate pair is scored in the database, but only pairs with a probability >=
    ``PAIR_FLOOR`` at the training prior are kept and fetched: on a million records the rest
    are tens or hundreds of millions of plain non-matches, each below ``PAIR_FLOOR`` in the
    prior's fixed point. The ones clustering needs, evidence against a join inside a group,
    are scored afterwards (:func:`_cannot_links_in_groups`)."""
    used = settings["probability_two_random_records_match"]
    raw = _fetch(linker, _logit2(PAIR_FLOOR))
    info: dict[str, Any] = {
        "fetched_pairs": len(raw),
        "fetch_floor": {"probability_at_training_prior": PAIR_FLOOR},
        "return_floor": {"probability": RETURN_FLOOR},
    }
    if raw.empty:
        return raw, prior if prior is not None else 1 / max(n, 2), info
    if keep is not None:
        raw = raw[keep(raw)].copy()
    _evidence(raw, used, siblings)
    if prior is None:
        prior, iterations = fixed_point_prior(raw["evidence"].to_numpy(), n * (n - 1) / 2, used)
        info["prior_iterations"] = iterations
    raw["match_weight"] = raw["evidence"] + _logit2(prior)
    raw["match_probability"] = _probability(raw["match_weight"].to_numpy())
    return raw, prior, info


def _cannot_links_in_groups(
    api: Any,
    features: pd.DataFrame,
    settings: dict[str, Any],
    siblings: float,
    raw: pd.DataFrame,
    pairs: pd.DataFrame,
    existing: dict[str, str] | None = None,
) -> list[tuple[str, str]]:
    """Pairs with evidence against a match that are not among the returned ``pairs`` (fetched
    below ``RETURN_FLOOR``, or not fetched at all) but whose records other links would put in
    one cluster: they must still refuse that join. The records of each group of links at
    >= 0.5 (or judged same, or an existing cluster a new record joins) are compared with each
    other once more, with the same model and term frequencies, blocking on the group."""
    from splink import Linker, block_on

    joins = pairs["match_probability"].fillna(0) >= DECISION
    if "judgement" in pairs.columns:
        joins |= pairs["judgement"] == "same"
    a, b = pairs.loc[joins, "record_a"].tolist(), pairs.loc[joins, "record_b"].tolist()
    if existing:
        # A new record joining an existing cluster meets all its members.
        touched = {existing[r] for r in (*a, *b) if r in existing}
        members = [(r, c) for r, c in existing.items() if c in touched]
        a += [r for r, _ in members]
        b += [f"cluster:{c}" for _, c in members]
    groups = _components(a, b)
    groups = {r: g for r, g in groups.items() if not r.startswith("cluster:")}
    if not groups:
        return []
    grouped = features.assign(grp=features["unique_id"].map(groups).astype(TEXT))
    sdf = api.register(grouped, table_name="records_in_groups")
    again = json.loads(json.dumps(settings))
    again["blocking_rules_to_generate_predictions"] = [block_on("grp")]
    used = again["probability_two_random_records_match"]
    inside = _fetch(Linker(sdf, again, log_level=None), None)
    if inside.empty:
        return []
    _evidence(inside, used, siblings)
    against = inside[inside["evidence"] < -CANNOT_BITS]
    return list(zip(against["unique_id_l"], against["unique_id_r"], strict=True))


def _components(a: Iterable[str], b: Iterable[str]) -> dict[str, str]:
    """Record -> group id for the records on at least one of the given links."""
    a, b = list(a), list(b)
    groups, _ = constrained_clusters(sorted({*a, *b}), (), forced=zip(a, b, strict=True))
    return groups


def _pairs_frame(raw: pd.DataFrame, settings: dict[str, Any]) -> pd.DataFrame:
    if raw.empty:
        return pd.DataFrame(columns=[*PAIR_COLUMNS, "evidence"])
    out = pd.DataFrame(
        {
            "record_a": raw["unique_id_l"].to_numpy(),
            "record_b": raw["unique_id_r"].to_numpy(),
            "match_weight": raw["match_weight"].to_numpy(),
            "match_probability": raw["match_probability"].to_numpy(),
        }
    )
    out["status"] = _status(out["match_probability"])
    # Explained: every pair to link or review, and the strongest unlinked ones (the near misses
    # a reviewer may ask about). Explaining millions of plain non-matches at scale would cost
    # gigabytes of text nobody reads; their weights and status are still returned.
    p = out["match_probability"].to_numpy()
    explained = p >= REVIEW_BAND[0]
    below = np.flatnonzero(~explained)
    explained[below[np.argsort(-p[below], kind="stable")[:NEAR_MISSES]]] = True
    texts = np.full(len(out), None, dtype=object)
    texts[explained] = _explain(
        raw.iloc[np.flatnonzero(explained)].reset_index(drop=True), settings
    ).to_numpy()
    out["explanation"] = texts
    out["evidence"] = raw["evidence"].to_numpy()
    return out


def _apply_labels(
    pairs: pd.DataFrame, same: set[tuple[str, str]], different: set[tuple[str, str]]
) -> pd.DataFrame:
    if not same and not different:
        pairs["judgement"] = None
        return pairs
    keys = list(zip(pairs["record_a"], pairs["record_b"], strict=True))
    judgement = ["same" if k in same else "different" if k in different else None for k in keys]
    pairs["judgement"] = judgement
    seen = set(keys)
    extra = [
        {
            "record_a": a,
            "record_b": b,
            "match_weight": float("nan"),
            "match_probability": float("nan"),
            "status": "unlinked",
            "explanation": "{}",
            "evidence": float("nan"),
            "judgement": j,
        }
        for j, group in (("same", same), ("different", different))
        for a, b in sorted(group)
        if (a, b) not in seen
    ]
    if extra:
        pairs = pd.concat([pairs, pd.DataFrame(extra)], ignore_index=True)
    pairs.loc[pairs["judgement"] == "same", "status"] = "linked"
    pairs.loc[pairs["judgement"] == "different", "status"] = "unlinked"
    return pairs


def _cluster(
    ids: list[str],
    pairs: pd.DataFrame,
    existing: dict[str, str] | None = None,
    far: list[tuple[str, str]] | None = None,
) -> tuple[pd.DataFrame, int]:
    judged = pairs["judgement"]
    usable = judged.isna() & (pairs["match_probability"] >= DECISION)
    edges = zip(
        pairs.loc[usable, "record_a"],
        pairs.loc[usable, "record_b"],
        pairs.loc[usable, "match_weight"],
        strict=True,
    )
    forced = list(
        zip(
            pairs.loc[judged == "same", "record_a"],
            pairs.loc[judged == "same", "record_b"],
            strict=True,
        )
    )
    judged_same = set(forced)
    against = (judged == "different") | (judged.isna() & (pairs["evidence"] < -CANNOT_BITS))
    cannot = [
        *zip(pairs.loc[against, "record_a"], pairs.loc[against, "record_b"], strict=True),
        # A judgement of "same" outweighs what the model says against the pair.
        *(pair for pair in far or [] if pair not in judged_same),
    ]
    mapping, refused = constrained_clusters(ids, edges, forced, cannot, existing)
    frame = pd.DataFrame({"record_id": ids, "cluster_id": [mapping[i] for i in ids]})
    return frame, len(refused)


def _finish(pairs: pd.DataFrame) -> pd.DataFrame:
    pairs = pairs.drop(columns=["evidence"])
    return pairs.sort_values(["record_a", "record_b"], ignore_index=True)


# --------------------------------------------------------------------------- public


def link(
    records: pd.DataFrame,
    *,
    engine: Engine = "duckdb",
    labels: pd.DataFrame | None = None,
    progress: Progress | None = None,
    seed: int = 42,
) -> LinkResult:
    """Train a model on ``records`` (see :mod:`dalil.registry.linkage.schema`), score candidate
    pairs and cluster them. Same input and seed give the same result."""
    from splink import Linker

    from dalil.registry.linkage.model import settings as make_settings
    from dalil.registry.linkage.model import usable_comparisons

    _tick(progress, "features", 0.0)
    features = prepare(records)
    ids = features["unique_id"].tolist()
    n = len(ids)
    same, different = _labels(labels)
    calibration: dict[str, Any] = {"records": n, "engine": engine, "seed": seed}
    if n < 2:
        pairs = _apply_labels(pd.DataFrame(columns=[*PAIR_COLUMNS, "evidence"]), set(), set())
        clusters = pd.DataFrame({"record_id": ids, "cluster_id": ids})
        return LinkResult(_finish(pairs), clusters, _model({}, 0.0, n, 0.0), calibration)
    with _db_api(engine) as api:
        sdf = api.register(features, table_name="records")
        names = usable_comparisons(features)
        calibration["comparisons"] = names
        plan = plan_blocking(features)
        calibration["blocking"] = plan.as_json()
        linker = Linker(sdf, make_settings(plan, min(0.5, 1 / max(n, 2)), names), log_level=None)
        _train(linker, features, n, seed, same, progress, calibration)
        _tick(progress, "predict", 0.6)
        settings = _bounded(linker.misc.save_model_to_json(), calibration)
        linker = Linker(sdf, settings, log_level=None)
        siblings = sibling_rate(features)
        raw, prior, info = _score(linker, settings, None, n, siblings)
        info["candidate_pairs_at_most"] = plan.as_json()["pairs_at_most"]
        _tick(progress, "cluster", 0.85)
        settings["probability_two_random_records_match"] = prior
        returned = raw[raw["match_probability"] >= RETURN_FLOOR] if not raw.empty else raw
        pairs = _apply_labels(_pairs_frame(returned, settings), same, different)
        far = _cannot_links_in_groups(api, features, settings, siblings, raw, pairs)
    calibration["prior"] = {
        "method": "maximum-likelihood fixed point over all pairs given m and u",
        "value": prior,
        "expected_matches": prior * n * (n - 1) / 2,
        **info,
    }
    calibration["siblings"] = {
        "method": "share of pairs with the same father and family name, another given name",
        "value": siblings,
        "personal_comparisons": list(PERSONAL),
    }
    clusters, refused = _cluster(ids, pairs, far=far)
    calibration["decision"] = {"match_probability": DECISION, "review_band": list(REVIEW_BAND)}
    calibration["clusters"] = {
        "count": int(clusters["cluster_id"].nunique()),
        "refused": refused,
        "far_cannot_links": len(far),
    }
    calibration["status_counts"] = {
        str(k): int(v) for k, v in pairs["status"].value_counts().items()
    }
    _tick(progress, "done", 1.0)
    return LinkResult(_finish(pairs), clusters, _model(settings, prior, n, siblings), calibration)


def _model(settings: dict[str, Any], prior: float, n: int, siblings: float) -> dict[str, Any]:
    return {
        "format": MODEL_FORMAT,
        "records": n,
        "prior": prior,
        # Kept constant when records are added: the prior scales with 1 / (N - 1).
        "matches_per_record": prior * max(n - 1, 0),
        # Likewise the share of pairs that are siblings (a household has a few children).
        "siblings_per_record": siblings * max(n - 1, 0),
        "splink": settings,
    }


def link_new(
    new: pd.DataFrame,
    existing: pd.DataFrame,
    existing_clusters: pd.DataFrame,
    model: dict[str, Any],
    *,
    engine: Engine = "duckdb",
    labels: pd.DataFrame | None = None,
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
    fixed = dict(
        zip(
            existing_clusters["record_id"].astype(str),
            existing_clusters["cluster_id"].astype(str),
            strict=True,
        )
    )
    missing = set(old_f["unique_id"]) - set(fixed)
    if missing:
        raise InvalidInput("existing_clusters", f"{len(missing)} existing records have no cluster")
    new_f["is_new"] = 1
    old_f["is_new"] = 0
    both = pd.concat([old_f, new_f], ignore_index=True)
    n = len(both)
    prior = min(0.5, model["matches_per_record"] / max(n - 1, 1)) or 1e-12
    # Models saved before the sibling check have no rate: estimate it from these records.
    per_record = model.get("siblings_per_record")
    siblings = per_record / max(n - 1, 1) if per_record is not None else sibling_rate(both)
    settings = json.loads(json.dumps(model["splink"]))
    settings["probability_two_random_records_match"] = prior
    plan = plan_blocking(both)
    settings["blocking_rules_to_generate_predictions"] = blocking_rules(
        plan, "l.is_new = 1 OR r.is_new = 1"
    )
    same, different = _labels(labels)
    new_ids = set(new_f["unique_id"])
    with _db_api(engine) as api:
        sdf = api.register(both, table_name="records")
        linker = Linker(sdf, settings, log_level=None)
        raw, _, info = _score(
            linker,
            linker.misc.save_model_to_json(),
            prior,
            n,
            siblings,
            keep=lambda df: df["unique_id_l"].isin(new_ids) | df["unique_id_r"].isin(new_ids),
        )
        settings = linker.misc.save_model_to_json()
        returned = raw[raw["match_probability"] >= RETURN_FLOOR] if not raw.empty else raw
        pairs = _pairs_frame(returned, settings)
        pairs = _apply_labels(pairs, same, different)
        involved = pairs["record_a"].isin(new_ids) | pairs["record_b"].isin(new_ids)
        pairs = pairs[involved].reset_index(drop=True)
        far = _cannot_links_in_groups(api, both, settings, siblings, raw, pairs, fixed)
    ids = new_f["unique_id"].tolist()
    clusters, refused = _cluster(ids, pairs, existing=fixed, far=far)
    clusters = clusters[clusters["record_id"].isin(new_ids)].reset_index(drop=True)
    calibration = {
        "records": n,
        "new_records": len(ids),
        "engine": engine,
        "prior": {"method": "saved model, rescaled to N", "value": prior, **info},
        "siblings": {"method": "saved model, rescaled to N", "value": siblings},
        "decision": {"match_probability": DECISION, "review_band": list(REVIEW_BAND)},
        "clusters": {"refused": refused, "far_cannot_links": len(far)},
        "blocking": plan.as_json(),
    }
    return LinkResult(_finish(pairs), clusters, model, calibration)
