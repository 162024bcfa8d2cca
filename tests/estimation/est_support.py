"""Published capture tables (DOMAIN.md §5, from R's MultipleSystemsEstimation) and helpers."""

from __future__ import annotations

from dalil.estimation import CaptureTable


def table(spec: str, lists: str | None = None) -> CaptureTable:
    """``"001:41 010:5"`` → a table (missing patterns count zero)."""
    counts = dict(item.split(":") for item in spec.split())
    return CaptureTable.from_mapping(counts, lists.split(",") if lists else None)


KOREA = "001:41 010:5 100:5 110:54 101:6 011:0 111:12"
WESTERN = (
    "10000:52 01000:90 00100:114 00010:45 00001:21 10100:4 10010:2 10001:5 01100:6 01010:1 "
    "00011:3 10101:1 01110:1"
)
UKDAT_5 = (
    "10000:54 01000:463 00100:995 00010:695 00001:316 11000:15 10100:19 10010:3 01100:62 "
    "01010:19 01001:1 00110:76 00101:11 00011:8 11100:1 11010:1 01110:4 11110:1"
)
UK_LISTS = "LA,NG,PFNCA,GO,GP"

# Small MCMC settings for tests: enough to exercise the sampler, far too few for real use.
QUICK = {"burn_in": 200, "iterations": 600, "thin": 3, "chains": 2}
