"""Record linkage on Splink (issue 4): features from the names module, a model estimated without
threshold tuning, pairs with weights and explanations, clusters. Pure: DataFrames in and out."""

from dalil.registry.linkage.engine import (
    DECISION,
    NEAR_MISSES,
    REVIEW_BAND,
    LinkResult,
    Resources,
    link,
    link_new,
)
from dalil.registry.linkage.metrics import bcubed_scores, pairwise_scores
from dalil.registry.linkage.schema import RECORD_COLUMNS

__all__ = [
    "DECISION",
    "NEAR_MISSES",
    "RECORD_COLUMNS",
    "REVIEW_BAND",
    "LinkResult",
    "Resources",
    "bcubed_scores",
    "link",
    "link_new",
    "pairwise_scores",
]
