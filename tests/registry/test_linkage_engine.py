"""The linkage engine end to end on small synthetic lists (DuckDB): cross-script spellings link,
namesakes with different fathers stay apart, day/month swaps, slipped years and typos across
scripts link, judgements override the model, incremental linking leaves existing clusters
alone, every pair is explained, a seed repeats."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pytest

from dalil.errors import InvalidInput
from dalil.registry.linkage import (
    NEAR_MISSES,
    LinkResult,
    bcubed_scores,
    link,
    link_new,
    pairwise_scores,
)
from dalil.registry.linkage.engine import em_pairs
from dalil.registry.linkage.features import prepare
from registry.linkage_data import records


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, dict[str, str]]:
    return records()


@pytest.fixture(scope="module")
def result(data: tuple[pd.DataFrame, dict[str, str]]) -> LinkResult:
    return link(data[0], seed=42)


def clusters_of(result: LinkResult) -> dict[str, str]:
    return dict(zip(result.clusters["record_id"], result.clusters["cluster_id"], strict=True))


def test_arabic_and_latin_spellings_of_one_person_link(result: LinkResult) -> None:
    c = clusters_of(result)
    # محمد عبد الله / Mohammad Abdullah / Mhd Abdallah
    assert c["ar-abdullah"] == c["lat-abdullah"] == c["full-abdullah"]


def test_namesakes_with_different_fathers_stay_apart(result: LinkResult) -> None:
    c = clusters_of(result)
    assert c["ar-khatib-ahmad"] == c["lat-khatib-ahmad"]
    assert c["ar-khatib-khaled"] == c["lat-khatib-khaled"]
    assert c["ar-khatib-ahmad"] != c["ar-khatib-khaled"]


def test_brothers_stay_apart_though_every_household_field_agrees(result: LinkResult) -> None:
    c = clusters_of(result)
    assert c["ar-brother-yasin"] == c["lat-brother-yasin"]
    assert c["ar-brother-bilal"] == c["lat-brother-bilal"]
    assert c["ar-brother-yasin"] != c["ar-brother-bilal"]
    pairs = result.pairs.set_index(["record_a", "record_b"])
    for a in ("ar-brother-bilal", "lat-brother-bilal"):
        for b in ("ar-brother-yasin", "lat-brother-yasin"):
            # A pair below the return floor is not returned at all (two records of one list
            # have the lower prior of pairs within a list).
            key = (min(a, b), max(a, b))
            assert key in pairs.index or a[:3] == b[:3]
            if key in pairs.index:
                assert pairs.loc[key, "match_probability"] < 0.2
    # Father, family, mother, place and the month agree: without the sibling check these two
    # records of two lists (no birth dates, different given names) would score above 0.8; the
    # check takes the household's agreement away and says so.
    explanation = json.loads(pairs.loc[("ar-brother-bilal", "lat-brother-yasin"), "explanation"])
    assert explanation["sibling check"]["weight"] < -5
    # The pair alone (its other candidates aside, .rivals: each brother's own record in the
    # other list is a likelier match, which lowers this pair further).
    assert explanation["other candidates"]["weight"] < 0
    aside = ("sibling check", "other candidates")
    naive = sum(p["weight"] for k, p in explanation.items() if k not in aside)
    assert naive > 2  # p > 0.8 without the check (the prior is among the weights)
    assert 0 < result.calibration["siblings"]["value"] < 0.5
    assert result.calibration["siblings"]["fields"][:2] == ["father", "family"]
    # The rate is corrected by how often a person's records agree on each name: the m of the
    # exact and same-key levels of the names' comparisons, and of no date's.
    from dalil.registry.linkage.engine import _key_agreement

    settings = result.model["splink"]
    agreement = _key_agreement(settings)
    assert "birth_date" not in agreement
    father = next(c for c in settings["comparisons"] if c["output_column_name"] == "father")
    same_key = [
        lv["m_probability"]
        for lv in father["comparison_levels"]
        if lv.get("label_for_charts") in ("exact", "same transliteration key")
    ]
    assert len(same_key) == 2
    assert agreement["father"] == pytest.approx(min(1.0, sum(same_key)))
    assert 0 < agreement["father"] <= 1


def test_day_and_month_swap_links_and_says_so(result: LinkResult) -> None:
    c = clusters_of(result)
    assert c["ar-swap"] == c["lat-swap"]
    pair = result.pairs[
        (result.pairs.record_a == "ar-swap") & (result.pairs.record_b == "lat-swap")
    ]
    explanation = json.loads(pair["explanation"].iloc[0])
    assert explanation["birth_date"]["level"] == "day and month swapped"
    assert explanation["birth_date"]["bayes_factor"] > 1


def _explanation(result: LinkResult, a: str, b: str) -> dict[str, Any]:
    pair = result.pairs[(result.pairs.record_a == a) & (result.pairs.record_b == b)]
    assert len(pair) == 1, (a, b)
    out: dict[str, Any] = json.loads(pair["explanation"].iloc[0])
    return out


def _level_factor(result: LinkResult, comparison: str, label: str) -> float:
    """The trained model's Bayes factor of one level, m / u."""
    settings = result.model["splink"]
    levels = next(
        c["comparison_levels"]
        for c in settings["comparisons"]
        if c["output_column_name"] == comparison
    )
    level = next(lv for lv in levels if lv.get("label_for_charts") == label)
    return float(level["m_probability"] / level["u_probability"])


def test_a_typo_across_scripts_weighs_less_than_a_different_name(result: LinkResult) -> None:
    c = clusters_of(result)
    assert c["ar-typo"] == c["lat-typo"]
    given = _explanation(result, "ar-typo", "lat-typo")["given"]
    assert given["level"] == "keys one edit apart"
    assert given["bayes_factor"] > _level_factor(result, "given", "different")


def test_a_year_slipped_on_a_full_date_is_evidence_for_a_match(result: LinkResult) -> None:
    c = clusters_of(result)
    assert c["ar-year-slip"] == c["lat-year-slip"]
    event = _explanation(result, "ar-year-slip", "lat-year-slip")["event_date"]
    assert event["level"] == "year +-1, same day and month"
    assert event["bayes_factor"] > 1
    assert event["bayes_factor"] > _level_factor(result, "event_date", "year +-1")


def test_accuracy_on_the_synthetic_lists(
    result: LinkResult, data: tuple[pd.DataFrame, dict[str, str]]
) -> None:
    truth = data[1]
    pred = clusters_of(result)
    assert pairwise_scores(pred, truth).f1 >= 0.95
    assert bcubed_scores(pred, truth).f1 >= 0.95
    persons = len(set(truth.values()))
    assert abs(result.clusters["cluster_id"].nunique() - persons) <= 0.02 * persons


def test_every_record_has_one_cluster_and_every_pair_an_explanation(
    result: LinkResult, data: tuple[pd.DataFrame, dict[str, str]]
) -> None:
    assert sorted(result.clusters["record_id"]) == sorted(data[0]["record_id"])
    pairs = result.pairs
    assert len(pairs) > 0
    assert (pairs["record_a"] < pairs["record_b"]).all()
    assert not pairs.duplicated(["record_a", "record_b"]).any()
    assert pairs["match_probability"].between(0, 1).all()
    assert set(pairs["status"]) <= {"linked", "review", "unlinked"}
    assert (pairs.loc[pairs.match_probability >= 0.8, "status"] == "linked").all()
    assert (pairs.loc[pairs.match_probability < 0.2, "status"] == "unlinked").all()
    comparisons = result.calibration["comparisons"]
    # Every pair to link or review is explained; unlinked ones only up to the near misses.
    worth = pairs[pairs["status"] != "unlinked"]
    assert worth["explanation"].notna().all()
    assert pairs.loc[pairs["status"] == "unlinked", "explanation"].notna().sum() <= NEAR_MISSES
    for text in pairs["explanation"].dropna():
        explanation = json.loads(text)
        assert list(explanation) == [*comparisons, "sibling check", "other candidates", "prior"]
        for part in explanation.values():
            assert isinstance(part["level"], str)
            assert part["level"]
            assert part["bayes_factor"] >= 0
    # The weights in the explanation, the prior of the pair's kind among them, add up to the
    # pair's match weight; both kinds of pair are explained.
    explained = pairs[pairs["explanation"].notna()]
    kinds = set()
    for text, weight in zip(explained["explanation"], explained["match_weight"], strict=True):
        explanation = json.loads(text)
        assert sum(p["weight"] for p in explanation.values()) == pytest.approx(weight, abs=0.05)
        kinds.add(explanation["prior"]["level"])
    assert "records of two lists" in kinds
    assert kinds <= {"two records of one list", "records of two lists"}
    by_kind = result.calibration["prior"]["by_kind"]
    assert by_kind["within_list"] < by_kind["across_lists"]


def test_explanations_joined_a_block_of_pairs_at_a_time_are_the_same_texts(
    result: LinkResult, data: tuple[pd.DataFrame, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from dalil.registry.linkage import engine

    monkeypatch.setattr(engine, "_EXPLAIN_BLOCK", 7)
    again = link(data[0], seed=42)
    assert result.pairs["explanation"].notna().sum() > 3 * 7
    pd.testing.assert_series_equal(again.pairs["explanation"], result.pairs["explanation"])


def test_each_group_of_links_is_compared_again_pair_by_pair_as_the_run_scored_them(
    data: tuple[pd.DataFrame, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Records that links at >= 0.5 put in one group are compared with each other once more
    (a chain of likely links must not join two records that, compared directly, refuse): every
    pair of each group once, and, where the run scored the pair too, with the same evidence
    (the same model, prior and term frequencies)."""
    from dalil.registry.linkage import engine

    seen: dict[str, Any] = {}
    group_evidence = engine._group_evidence
    cannot_links = engine._cannot_links_in_groups

    def spy_groups(*args: Any) -> pd.DataFrame:
        out = group_evidence(*args)
        seen["records"], seen["group"], seen["inside"] = args[2], args[3], out.copy()
        return out

    def spy_cannot(*args: Any) -> Any:
        seen["pairs"] = args[5].copy()
        return cannot_links(*args)

    monkeypatch.setattr(engine, "_group_evidence", spy_groups)
    monkeypatch.setattr(engine, "_cannot_links_in_groups", spy_cannot)
    link(data[0], seed=42)
    inside = seen["inside"]
    sizes = pd.Series(seen["group"]).value_counts()
    assert (sizes > 1).any()
    assert len(inside) == int((sizes * (sizes - 1) // 2).sum())
    assert not inside.duplicated(["a", "b"]).any()
    assert (inside["a"] < inside["b"]).all()
    group_of = dict(zip(seen["records"].tolist(), seen["group"].tolist(), strict=True))
    assert all(group_of[a] == group_of[b] for a, b in zip(inside["a"], inside["b"], strict=True))
    both = seen["pairs"][["a", "b", "evidence"]].merge(inside, on=["a", "b"], suffixes=("", "_g"))
    linked = seen["pairs"]["match_probability"] >= 0.5
    assert len(both) >= linked.sum() > 0
    assert both["evidence_g"].to_numpy() == pytest.approx(both["evidence"].to_numpy(), abs=1e-9)


def test_a_key_in_another_spelling_weighs_by_how_often_strangers_share_it_so(
    result: LinkResult, data: tuple[pd.DataFrame, dict[str, str]]
) -> None:
    """The "same transliteration key" level's Bayes factor is m over the share of pairs of
    strangers that agree on the key in two spellings (``frequency``), computed here from the
    records by hand: Splink uses the engine's table, not its own (the key's whole share)."""
    features = prepare(data[0])
    keyed = features[["given_tk", "given_ex"]].dropna(subset=["given_tk"])
    spellings = keyed.groupby(["given_tk", "given_ex"]).size()
    per_key = spellings.groupby(level=0).agg(lambda n: n.sum() - (n * n).sum() / n.sum())
    tf = per_key.clip(lower=1) / len(keyed)
    key_of = dict(zip(features["unique_id"], features["given_tk"], strict=True))
    level = next(
        lv
        for c in result.model["splink"]["comparisons"]
        if c["output_column_name"] == "given"
        for lv in c["comparison_levels"]
        if lv.get("label_for_charts") == "same transliteration key"
    )
    checked = 0
    explained = result.pairs.dropna(subset=["explanation"])
    for a, text in zip(explained["record_a"], explained["explanation"], strict=True):
        given_level = json.loads(text)["given"]
        if given_level["level"] != "same transliteration key":
            continue
        bayes_factor = level["m_probability"] / tf[key_of[a]]
        assert given_level["bayes_factor"] == pytest.approx(bayes_factor, rel=1e-3)
        checked += 1
    assert checked >= 20  # the lists spell many names differently


def test_model_and_calibration_are_json_and_say_how_the_prior_was_set(result: LinkResult) -> None:
    model = json.loads(json.dumps(result.model))
    assert model["format"] == "dalil.linkage-model/1"
    assert 0 < model["prior"] < 0.5
    levels = model["splink"]["comparisons"][0]["comparison_levels"]
    assert all("m_probability" in lv for lv in levels if not lv.get("is_null_level"))
    calibration = json.loads(json.dumps(result.calibration))
    assert calibration["prior"]["value"] == model["prior"]
    assert "fixed point" in calibration["prior"]["method"]
    assert calibration["decision"] == {"match_probability": 0.5, "review_band": [0.2, 0.8]}
    assert any(p["ok"] for p in calibration["m"]["passes"])
    # Each pass that ran says how many pairs it sampled: the floor, for a list this small.
    sampled = {p["max_pairs"] for p in calibration["m"]["passes"] if p["ok"]}
    assert sampled == {em_pairs(calibration["records"])} == {1e6}


def test_same_seed_same_result(
    result: LinkResult, data: tuple[pd.DataFrame, dict[str, str]]
) -> None:
    again = link(data[0], seed=42)
    assert clusters_of(again) == clusters_of(result)
    pd.testing.assert_frame_equal(
        again.pairs[["record_a", "record_b", "status"]],
        result.pairs[["record_a", "record_b", "status"]],
    )
    assert again.pairs["match_weight"].to_numpy() == pytest.approx(
        result.pairs["match_weight"].to_numpy(), abs=1e-6
    )


def test_judgements_override_the_model(
    result: LinkResult, data: tuple[pd.DataFrame, dict[str, str]]
) -> None:
    before = clusters_of(result)
    # Two records of different synthetic people the model kept apart, and a pair it linked.
    a, b = "ar-p0000", "ar-p0001"
    assert before[a] != before[b]
    assert before["ar-swap"] == before["lat-swap"]
    labels = pd.DataFrame(
        [
            {"record_a": b, "record_b": a, "decision": "same"},
            {"record_a": "ar-swap", "record_b": "lat-swap", "decision": "different"},
            {"record_a": "ar-abdullah", "record_b": "lat-abdullah", "decision": "unsure"},
        ]
    )
    judged = link(data[0], labels=labels, seed=42)
    after = clusters_of(judged)
    assert after[a] == after[b]
    assert after["ar-swap"] != after["lat-swap"]
    assert after["ar-abdullah"] == after["lat-abdullah"]  # unsure changes nothing
    rows = judged.pairs.set_index(["record_a", "record_b"])
    assert rows.loc[(a, b), "judgement"] == "same"
    assert rows.loc[(a, b), "status"] == "linked"
    assert rows.loc[("ar-swap", "lat-swap"), "status"] == "unlinked"


def test_unknown_judgement_is_refused(data: tuple[pd.DataFrame, dict[str, str]]) -> None:
    labels = pd.DataFrame([{"record_a": "ar-swap", "record_b": "lat-swap", "decision": "maybe"}])
    with pytest.raises(InvalidInput):
        link(data[0].head(5), labels=labels)


def test_a_small_list_with_nothing_in_common_links_nothing() -> None:
    # No two records share a blocking key or a deterministic rule: Splink's prior estimate is 0,
    # which used to fail the run; the prior falls back to one match per record.
    strangers = pd.DataFrame(
        {"record_id": ["a", "b", "c"], "given": ["Ali", "Omar", "Zaid"], "family": ["X", "Y", "Z"]}
    )
    run = link(strangers)
    assert run.pairs.empty
    assert run.clusters["cluster_id"].tolist() == ["a", "b", "c"]
    assert run.calibration["blocking"]["rules"] == []
    assert run.calibration["prior_start"]["method"].startswith("1/N")


def _new_records() -> pd.DataFrame:
    rows: list[dict[str, Any]] = [
        # Another list's spelling of محمد بن خالد الخطيب, born 1990-09-30 in Homs.
        {"record_id": "new-khatib", "source_id": "new", "given": "Mouhamad", "father": "Khaled",
         "family": "El-Khatib", "birth_date": "1990-09-30", "place": "Homs", "sex": "male"},
        {"record_id": "new-khatib-2", "source_id": "new", "full_name": "محمد خالد الخطيب",
         "birth_date": "1990-09-30", "place": "حمص", "sex": "male"},
        # Somebody nobody has listed yet.
        {"record_id": "new-stranger", "source_id": "new", "given": "Yasin", "father": "Tarek",
         "family": "Al-Bakkour", "birth_date": "2001-01-19", "place": "Idlib", "sex": "male"},
    ]  # fmt: skip
    return pd.DataFrame(rows)


def test_link_new_attaches_to_the_right_cluster_and_leaves_the_rest(
    result: LinkResult, data: tuple[pd.DataFrame, dict[str, str]]
) -> None:
    existing = data[0]
    before = result.clusters.copy()
    new = _new_records()
    out = link_new(new, existing, before, result.model)
    c = clusters_of(out)
    old = clusters_of(result)
    assert sorted(c) == sorted(new["record_id"])  # only new records come back
    assert c["new-khatib"] == old["ar-khatib-khaled"]
    assert c["new-khatib-2"] == old["ar-khatib-khaled"]
    assert c["new-stranger"] not in set(old.values())
    new_ids = set(new["record_id"])
    involved = out.pairs["record_a"].isin(new_ids) | out.pairs["record_b"].isin(new_ids)
    assert involved.all()  # existing records are never re-linked among themselves
    assert out.pairs["explanation"].map(lambda t: bool(json.loads(t))).all()
    pd.testing.assert_frame_equal(before, result.clusters)  # the input is not touched


def test_link_new_never_joins_two_existing_clusters(
    result: LinkResult, data: tuple[pd.DataFrame, dict[str, str]]
) -> None:
    old = clusters_of(result)
    # A record close to both Khatib namesakes (no father, no birth date).
    bridge = pd.DataFrame(
        [
            {
                "record_id": "new-bridge",
                "source_id": "new",
                "given": "Mohammad",
                "family": "Al-Khatib",
                "place": "Homs",
                "sex": "male",
            }
        ]
    )
    out = link_new(bridge, data[0], result.clusters, result.model)
    cid = clusters_of(out)["new-bridge"]
    assert cid in {old["ar-khatib-ahmad"], old["ar-khatib-khaled"], "new-bridge"}
    assert old["ar-khatib-ahmad"] != old["ar-khatib-khaled"]


def test_link_new_refuses_a_record_already_linked(
    result: LinkResult, data: tuple[pd.DataFrame, dict[str, str]]
) -> None:
    with pytest.raises(InvalidInput):
        link_new(data[0].head(1), data[0], result.clusters, result.model)
    with pytest.raises(InvalidInput):
        link_new(_new_records(), data[0], result.clusters, {"format": "other"})
