"""Languages of the interface: Arabic and English catalogues, the reader's choice, formatting.

The ``.po`` catalogues in ``locale/<lang>/LC_MESSAGES/messages.po`` are compiled in memory the
first time they are needed (no build step). The language comes from ``?lang=``, then the
``dalil_lang`` cookie, then ``Accept-Language``, then English. Numbers and dates are formatted by
Babel for the chosen locale. This module must never fall back to showing a message id in place
of a missing Arabic translation silently: a test extracts every message and checks both catalogues.
"""

from __future__ import annotations

import datetime as dt
import io
from functools import cache
from importlib.resources import files
from typing import Any

from babel.dates import format_datetime as babel_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import Translations
from starlette.requests import Request

from dalil.values import PartialDate

LANGUAGES = ("en", "ar")
DEFAULT = "en"
RTL = frozenset({"ar"})
COOKIE = "dalil_lang"
NAMES = {"en": "English", "ar": "العربية"}  # each language named in itself, for the switcher


@cache
def translations(lang: str) -> Translations:
    """The compiled catalogue of ``lang`` (``en`` or ``ar``)."""
    if lang not in LANGUAGES:
        raise ValueError(f"no catalogue for {lang!r}")
    path = files("dalil.web.ui").joinpath("locale", lang, "LC_MESSAGES", "messages.po")
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def _match(value: str | None) -> str | None:
    code = (value or "").strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else None


def accept_language(header: str) -> str | None:
    """The first supported language of an ``Accept-Language`` header, by weight."""
    choices: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        code = _match(tag)
        if code is not None and weight > 0:
            choices.append((-weight, position, code))
    return min(choices)[2] if choices else None


def negotiate(request: Request) -> str:
    """The reader's language: ``?lang=``, the cookie, ``Accept-Language``, then English."""
    return (
        _match(request.query_params.get("lang"))
        or _match(request.cookies.get(COOKIE))
        or accept_language(request.headers.get("accept-language", "")[:500])
        or DEFAULT
    )


def direction(lang: str) -> str:
    return "rtl" if lang in RTL else "ltr"


def number(value: Any, lang: str) -> str:
    """``1,234`` in English and Arabic (Babel's ``ar`` locale writes Latin digits)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return format_decimal(value, locale=lang, decimal_quantization=False)


def percent(value: float, lang: str) -> str:
    """``0.6`` as ``60%`` in English and ``60٪`` in Arabic (Babel's percent sign)."""
    return format_percent(value, locale=lang)


def date(value: Any, lang: str) -> str:
    """A partial date (``2013-04``), a date or a timestamp as the reader's locale writes it."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        return babel_datetime(value, "medium", locale=lang)
    if isinstance(value, dt.date):
        value = value.isoformat()
    if isinstance(value, str) and "T" in value:
        return babel_datetime(dt.datetime.fromisoformat(value), "medium", locale=lang)
    try:
        return PartialDate.parse(str(value)).format(lang)
    except ValueError:
        return str(value)


def pick(en: str | None, ar: str | None, lang: str) -> str:
    """The text in the reader's language, else the other one."""
    first, second = (ar, en) if lang == "ar" else (en, ar)
    return first or second or ""
