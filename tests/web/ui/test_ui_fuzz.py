"""Whatever a search box, a claim form or a URL receives, the interface answers without a 500
and writes nothing it should not."""

from __future__ import annotations

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from dalil.db import Claim, Database
from web.ui.ui_support import ORIGIN, World, access_settings, csrf_of, owner, world

__all__ = ["access_settings", "owner", "world"]

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=120)
FUZZ = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(q=TEXT)
def test_any_search_text_gets_a_page(owner: TestClient, q: str) -> None:
    response = owner.get("/cases/tadamon/search", params={"q": q})
    assert response.status_code in (200, 422)
    assert "Traceback" not in response.text


@FUZZ
@given(prop=st.sampled_from(["age", "birth_date", "status", "sex", "nope", ""]), value=TEXT)
def test_a_bad_claim_is_refused_and_leaves_nothing(
    owner: TestClient, world: World, db: Database, prop: str, value: str
) -> None:
    path = f"/cases/tadamon/persons/{world.public_person}"
    page = owner.get(path)
    source = (
        "src_" + page.text.split('name="source" required>')[1].split('value="src_')[1].split('"')[0]
    )
    with db.reader() as s:
        before = s.scalar(select(func.count()).select_from(Claim))
    response = owner.post(
        f"{path}/claims",
        data={"property": prop, "value": value, "source": source, "csrf_token": csrf_of(page.text)},
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert response.status_code in (303, 422), response.text[:300]
    with db.reader() as s:
        after = s.scalar(select(func.count()).select_from(Claim))
    assert after == before + (1 if response.status_code == 303 else 0)
