"""Catalogues and language choice: every message has an Arabic translation; negotiation is safe."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st
from starlette.requests import Request

from dalil.web.ui import i18n
from dalil.web.ui.catalogue import messages

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def test_every_message_of_templates_and_code_has_an_arabic_translation() -> None:
    found = {m for m, _file, _line in messages()}
    assert len(found) > 100  # the extractor did find the templates' messages
    arabic = i18n.translations("ar")
    missing = sorted(m for m in found if arabic.gettext(m) == m)
    assert missing == []
    for message in found:
        assert set(PLACEHOLDER.findall(arabic.gettext(message))) == set(
            PLACEHOLDER.findall(message)
        )


def test_english_catalogue_holds_every_message() -> None:
    english = i18n.translations("en")
    found = {m for m, _file, _line in messages()}
    assert all(english.gettext(m) == m for m in found)
    catalog_ids = set(english._catalog)
    assert found <= catalog_ids


def _request(query: str = "", cookie: str | None = None, accept: str | None = None) -> Request:
    headers = []
    if cookie is not None:
        headers.append((b"cookie", f"dalil_lang={cookie}".encode("latin-1")))
    if accept is not None:
        headers.append((b"accept-language", accept.encode("latin-1")))
    scope = {"type": "http", "query_string": query.encode(), "headers": headers, "path": "/"}
    return Request(scope)


def test_the_query_beats_the_cookie_which_beats_accept_language() -> None:
    assert i18n.negotiate(_request("lang=ar", "en", "en")) == "ar"
    assert i18n.negotiate(_request("", "ar", "en")) == "ar"
    assert i18n.negotiate(_request("", None, "de, ar;q=0.5, en;q=0.4")) == "ar"
    assert i18n.negotiate(_request("lang=xx", None, "fr")) == "en"


@given(st.text(max_size=300).map(lambda s: s.encode("latin-1", "replace").decode("latin-1")))
def test_any_accept_language_header_gives_a_supported_language(header: str) -> None:
    assert i18n.negotiate(_request(accept=header)) in i18n.LANGUAGES


def test_numbers_and_dates_follow_the_locale() -> None:
    assert i18n.number(288, "en") == "288"
    assert i18n.number(1234, "en") == "1,234"
    assert i18n.date("2013-04-16", "en") == "16 April 2013"
    assert i18n.date("2013-04-16", "ar") == "16 نيسان 2013"
    assert i18n.direction("ar") == "rtl"
    assert i18n.direction("en") == "ltr"
