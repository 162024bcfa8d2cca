"""The estimates pages, through real HTTP on SQLite and PostgreSQL: analysts run an estimate from
the case's linked lists and read it with its plots and the documented count beside it; viewers
never see the page; bad choices are refused with the form kept, and nothing is stored."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from dalil.db import Database
from dalil.db.models_estimation import StoredEstimate
from web.ui.ui_support import ORIGIN, access_settings, csrf_of, world
from web.ui.work_support import CASE, analyst, home, lists, owner, reviewer, viewer

__all__ = ["access_settings", "analyst", "home", "lists", "owner", "reviewer", "viewer", "world"]

ESTIMATES = f"{CASE}/estimates"


def stored(db: Database) -> int:
    with db.reader() as s:
        return int(s.scalar(select(func.count()).select_from(StoredEstimate)) or 0)


def run(client: TestClient, **form: str) -> object:
    page = client.get(ESTIMATES)
    assert page.status_code == 200
    return client.post(ESTIMATES, data={"csrf_token": csrf_of(page.text), **form},
                       headers=ORIGIN, follow_redirects=False)  # fmt: skip


def test_viewers_and_reviewers_get_no_estimates_page(
    viewer: TestClient, reviewer: TestClient
) -> None:
    assert viewer.get(ESTIMATES).status_code == 404
    assert f'href="{ESTIMATES}"' not in viewer.get(CASE).text
    page = reviewer.get(ESTIMATES)  # reviewers read restricted material: they may read estimates
    assert page.status_code == 200
    assert "Run an estimate" not in page.text  # …but not run one (no analyse)
    assert reviewer.post(ESTIMATES, data={"csrf_token": csrf_of(page.text)},
                         headers=ORIGIN).status_code == 403  # fmt: skip


def test_an_analyst_runs_an_estimate_and_reads_it_with_plots(
    db: Database, analyst: TestClient, home: Path
) -> None:
    response = run(analyst, method="lcmcr", by="")
    assert response.status_code == 303, response.text[:500]  # type: ignore[attr-defined]
    target = response.headers["location"]  # type: ignore[attr-defined]
    assert re.fullmatch(rf"{ESTIMATES}/est_\w+", target)
    assert stored(db) == 1
    with db.reader() as s:
        estimate = s.scalars(select(StoredEstimate)).one()
        documented = estimate.documented
    page = analyst.get(target).text
    assert "Documented (on at least one list)" in page
    figures = re.findall(r'<span class="figure">([^<]+)</span>', page)
    assert figures[2] == f"{documented:,}"  # the documented count, beside the estimate
    plots = re.findall(rf'src="({target}/plots/[a-z0-9-]+\.png)"', page)
    names = [p.rsplit("/", 1)[1] for p in plots]
    assert "estimate-comparison.png" in names
    assert any(n.endswith("-posterior.png") for n in names)  # drawn at run time, with the draws
    # Each plot says what it shows, in words a screen reader reads out, in either language.
    assert 'alt="How likely each total is (the posterior distribution)"' in page
    assert 'alt="Plot' not in page
    arabic = analyst.get(f"{target}?lang=ar").text
    assert "The estimate and its interval" not in arabic
    assert re.search(r'<img src="[^"]+-comparison\.png" alt="[^"a-zA-Z]+"', arabic)
    image = analyst.get(plots[0])
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")
    listing = analyst.get(ESTIMATES).text
    assert target in listing


def test_plots_are_served_by_name_from_the_listing_only(analyst: TestClient) -> None:
    target = run(analyst, method="loglinear").headers["location"]  # type: ignore[attr-defined]
    for name in ("..%2f..%2fdalil.db", "estimate-comparison.PNG", "x.png", "%2e%2e.png"):
        assert analyst.get(f"{target}/plots/{name}").status_code in (404, 422)
    assert analyst.get(f"{ESTIMATES}/est_aaaaaaaaaaaa").status_code == 404


def test_an_estimate_stored_elsewhere_gets_plots_from_its_stored_result(
    db: Database, analyst: TestClient, home: Path
) -> None:
    import shutil

    target = run(analyst, method="loglinear", by="sex").headers["location"]  # type: ignore[attr-defined]
    shutil.rmtree(home / "plots")  # as if the CLI had stored it
    page = analyst.get(target).text
    assert "By stratum" in page
    assert f"{target}/plots/estimate-comparison.png" in page
    assert re.search(r"-strata\.png", page)


def test_the_estimates_page_in_arabic(analyst: TestClient) -> None:
    html = analyst.get(f"{ESTIMATES}?lang=ar").text
    assert '<html lang="ar" dir="rtl">' in html
    assert "إجراء تقدير" in html


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(method=st.text(max_size=20), by=st.text(max_size=20))
def test_bad_choices_are_refused_and_store_nothing(
    db: Database, analyst: TestClient, method: str, by: str
) -> None:
    from hypothesis import assume

    assume(method not in ("chapman", "lincoln", "loglinear", "lcmcr"))
    before = stored(db)
    response = run(analyst, method=method, by=by)
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "Run an estimate" in response.text  # type: ignore[attr-defined]
    assert stored(db) == before
