"""Property: the indexed search lists exactly the persons a plain scan of their names would."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dalil.db import Database
from dalil.documentation import (
    NameInput,
    add_person,
    count_persons,
    create_case,
    get_case,
    search_persons,
)
from dalil.errors import InvalidInput
from dalil.registry.names import translit_key
from dalil.values import search_key

WORDS = [
    "محمد", "أحمد", "احمد", "الحسن", "حسن", "فاطمة", "فاطمه", "علي", "العلي", "عبد", "الله",
    "Mohammad", "Mohammed", "Ahmad", "Hassan", "al-Hassan", "Fatima", "Ali", "Abdullah", "Sami",
    "O'Neil", "100%", "_",
]  # fmt: skip
name = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join)
query = st.one_of(
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=2).map(" ".join),
    st.sampled_from(WORDS).map(lambda w: w[:2]),
    st.text(alphabet="احمدسنلعيMohamdAlis %_'-", min_size=1, max_size=8),
)
_slugs = itertools.count()


def _words(text: str) -> set[str]:
    words = set(search_key(text).split())
    return words | {w[2:] for w in words if w.startswith("ال") and len(w) > 3}


def _rank(q: str, text: str) -> int | None:
    words = _words(text)
    if all(any(w.startswith(t) for w in words) for t in search_key(q).split()):
        return 0
    keys = set(translit_key(q).split())
    if keys and keys <= set(translit_key(text).split()):
        return 1
    return None


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(persons=st.lists(st.lists(name, min_size=1, max_size=2), min_size=1, max_size=6), q=query)
def test_index_search_equals_a_scan(db: Database, persons: list[list[str]], q: str) -> None:
    slug = f"prop-{next(_slugs)}"
    with db.transaction("prop") as s:
        case = create_case(s, slug, title_en="Property")
        ids = {
            add_person(s, case, [NameInput(full=n) for n in names]).id: names for names in persons
        }
    expected: list[tuple[int, str]] = []
    for pid, names in ids.items():
        ranks = [r for n in names if (r := _rank(q, n)) is not None]
        if ranks:
            expected.append((min(ranks), pid))
    with db.reader() as s:
        case = get_case(s, slug)
        try:
            hits = search_persons(s, case, q, limit=100)
        except InvalidInput:
            assert not search_key(q).split()  # refused only when there is nothing to search
            return
        assert [h.person.id for h in hits] == [pid for _, pid in sorted(expected)]
        assert count_persons(s, case, q) == len(expected)
        paged = [
            h.person.id
            for o in range(0, 8, 3)
            for h in search_persons(s, case, q, offset=o, limit=3)
        ]
        assert paged == [h.person.id for h in hits]
