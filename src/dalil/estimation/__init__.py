"""Estimation: how many were killed or disappeared, documented or not (multiple systems estimation).

From how often the same people appear on several lists, estimate those on none: Lincoln–Petersen
and Chapman (two lists), log-linear Poisson models with model selection, and LCMCR, the Bayesian
latent-class model HRDAG uses. Every estimate says how it was made and can be repeated exactly.
This package reads capture tables and cases; it never changes documentation records.
See docs/estimation.md.
"""

from dalil.estimation.captures import CaptureTable
from dalil.estimation.csvio import read_tables
from dalil.estimation.from_case import STRATA, CaseCaptures, case_captures
from dalil.estimation.methods import ESTIMATORS, estimator, run
from dalil.estimation.report import rows, write_plots
from dalil.estimation.result import Estimate, Estimator, Interval
from dalil.estimation.service import (
    METHODS,
    CaseEstimate,
    Request,
    estimate_case,
    plan,
    run_plan,
)
from dalil.estimation.simulate import simulate
from dalil.estimation.store import get_estimate, list_estimates, reproduce, save
from dalil.estimation.strata import Stratified, estimate_strata

__all__ = [
    "ESTIMATORS",
    "METHODS",
    "STRATA",
    "CaptureTable",
    "CaseCaptures",
    "CaseEstimate",
    "Estimate",
    "Estimator",
    "Interval",
    "Request",
    "Stratified",
    "case_captures",
    "estimate_case",
    "estimate_strata",
    "estimator",
    "get_estimate",
    "list_estimates",
    "plan",
    "read_tables",
    "reproduce",
    "rows",
    "run",
    "run_plan",
    "save",
    "simulate",
    "write_plots",
]
