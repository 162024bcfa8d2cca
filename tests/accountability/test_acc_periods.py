"""Date rules of postings and unit relations: partial-date bounds and first/last-cited dates."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from dalil.accountability import Period
from dalil.values import PartialDate

P = PartialDate.parse


def test_a_posting_known_only_to_the_year_possibly_covers_a_day_in_that_year() -> None:
    posting = Period(P("2013"), P("2013"))
    assert posting.covers(P("2013-04-16")) == "possible"
    assert posting.covers(P("2012-12-31")) is None
    assert posting.covers(P("2014-01-01")) is None


def test_a_day_inside_both_bounds_is_certain_and_the_boundary_days_count() -> None:
    posting = Period(P("2011"), P("2013-06"))
    assert posting.covers(P("2013-04-16")) == "certain"
    assert posting.covers(P("2013-06-30")) == "possible"  # inside June, which the end only names
    assert posting.covers(P("2011-01-01")) == "possible"
    assert posting.covers(P("2013-07-01")) is None


def test_missing_bounds_are_open_and_said_to_be() -> None:
    posting = Period(P("2013-07"), None)
    assert posting.covers(P("2020")) == "certain"
    assert "no end date recorded" in posting.caveats()


def test_first_and_last_cited_dates_are_not_stretched_but_name_candidates() -> None:
    cited = Period(P("2012-05"), P("2014-02"), "first_cited", "last_cited")
    assert cited.covers(P("2013-04-16")) == "certain"
    assert cited.covers(P("2012-01-10")) is None
    assert cited.beyond_citations(P("2012-01-10")) == "before_first_cited"
    assert cited.beyond_citations(P("2014-06-01")) == "after_last_cited"
    assert any("may have begun earlier" in c for c in cited.caveats())
    real = Period(P("2012-05"), P("2014-02"))
    assert real.beyond_citations(P("2014-06-01")) is None  # a real end date is a real end


days = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31))


@given(days, days, days)
def test_coverage_agrees_with_the_widest_reading_of_the_bounds(
    a: dt.date, b: dt.date, d: dt.date
) -> None:
    start, end = sorted((a, b))
    for s, e in (
        (P(str(start.year)), P(str(end.year))),
        (P(start.isoformat()), P(end.isoformat())),
    ):
        covered = Period(s, e).covers(PartialDate.from_date(d))
        assert (covered is not None) == (s.earliest() <= d <= e.latest())
        if covered == "certain":
            assert s.latest() <= d <= e.earliest()
