"""Tables of the estimation package (issue 5): stored estimates with their inputs.

An estimate is stored with everything needed to compute it again — the capture table(s), the
method, every option (seed included) and the software versions — so that any figure Dalil
reports can be reproduced (``dalil estimate show ID --reproduce``). Rows are written once and
never changed; a new run is a new row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from dalil.db.base import ID, Base
from dalil.db.types import utcnow

ESTIMATE_METHODS = ("chapman", "lincoln", "loglinear", "lcmcr")


class StoredEstimate(Base):
    """One run of one estimator on a capture table (or on strata, summed)."""

    __tablename__ = "estimates"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"), index=True)
    method: Mapped[str] = mapped_column(String(16))
    label: Mapped[str]
    parameters: Mapped[dict[str, Any]]  # every option, defaults and seed included
    seed: Mapped[int | None] = mapped_column(BigInteger)
    source: Mapped[str]  # where the capture table came from: a file name, or the case's lists
    stratified_by: Mapped[str | None] = mapped_column(String(32))
    captures: Mapped[dict[str, Any]]  # {"lists": […], "tables": {stratum: {pattern: count}}}
    total: Mapped[float] = mapped_column(Float)
    lower: Mapped[float | None] = mapped_column(Float)
    upper: Mapped[float | None] = mapped_column(Float)  # null: unbounded or no interval
    level: Mapped[float | None] = mapped_column(Float)
    documented: Mapped[int] = mapped_column(Integer)
    result: Mapped[dict[str, Any]]  # the full summary: diagnostics, warnings, strata
    software: Mapped[dict[str, Any]]  # dalil, numpy, scipy and python versions
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (CheckConstraint(f"method IN {ESTIMATE_METHODS!r}", name="method"),)


__all__ = ["ESTIMATE_METHODS", "StoredEstimate"]
