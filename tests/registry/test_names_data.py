"""The name data files are checked when loaded: a bad entry fails loudly, naming itself."""

from collections.abc import Iterator
from typing import Any

import pytest

from dalil.registry.names import data, tokens, translit

GOOD_LOAD = data._load


def _clear() -> None:
    for cached in (data.name_data, translit._overrides, translit.translit_key, tokens._word):
        cached.cache_clear()


@pytest.fixture
def fresh_caches() -> Iterator[None]:
    _clear()
    yield
    _clear()


def _patched(name: str, value: Any) -> Any:
    def load(file: str) -> Any:
        return value if file == name else GOOD_LOAD(file)

    return load


@pytest.mark.usefixtures("fresh_caches")
@pytest.mark.parametrize(
    ("file", "content", "message"),
    [
        ("variants.yaml", [{"ar": "محمد"}], "entry 0: needs 'ar' and a list 'latin'"),
        ("variants.yaml", [{"ar": "", "latin": ["x"]}], "entry 0: 'ar' must be"),
        ("variants.yaml", [{"ar": "محمد", "latin": ["Mohammad Ali"]}], "not one name token"),
        ("variants.yaml", [{"ar": "حسن", "key": "HSN", "latin": ["Hasan"]}], "not stable"),
        ("variants.yaml", {}, "expected a list of sets"),
    ],
)
def test_bad_variant_files_are_refused(
    monkeypatch: pytest.MonkeyPatch, file: str, content: Any, message: str
) -> None:
    monkeypatch.setattr(data, "_load", _patched(file, content))
    with pytest.raises(ValueError, match=message):
        translit.translit_key("محمد")


@pytest.mark.usefixtures("fresh_caches")
def test_bad_particle_lists_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    particles = GOOD_LOAD("particles.yaml")
    particles["arabic"]["nasab"] = []
    monkeypatch.setattr(data, "_load", _patched("particles.yaml", particles))
    with pytest.raises(ValueError, match=r"arabic\.nasab: expected a non-empty list"):
        data.name_data()


def test_the_shipped_data_loads_and_covers_the_99_names() -> None:
    loaded = data.name_data()
    assert len(loaded.divine_names) >= 99
    assert "الرحمن" in loaded.divine_names
    assert loaded.latin.prefix["abdel"] == "abd"
    assert loaded.latin.suffix["eddine"] == "din"
