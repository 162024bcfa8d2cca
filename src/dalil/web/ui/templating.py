"""The Jinja2 environment of the interface: autoescaped templates, gettext, locale filters.

``{% trans %}`` and ``_()`` translate through the catalogue of the language being rendered (a
context variable set by :func:`render`), so one environment serves both languages. Everything a
template prints is escaped unless a filter marks it safe; no filter here marks stored text safe.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import cache
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from dalil.documentation.views import term_label
from dalil.vocab import UnknownTermError
from dalil.web.ui import i18n, labels

# Scripts, styles and fonts come from this server only; nothing inline, no framing, no caching
# of pages that hold case data.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}

_lang: ContextVar[str] = ContextVar("dalil_ui_lang", default=i18n.DEFAULT)


def gettext(message: str) -> str:
    return i18n.translations(_lang.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return i18n.translations(_lang.get()).ngettext(singular, plural, n)


def _url(path: str, **params: Any) -> str:
    """``path`` with the given query parameters (None values left out)."""
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{path}?{query}" if query else path


RECORD_TERMS = {"status": "person_statuses", "sex": "sexes"}
RECORD_DATES = ("birth_date", "status_date", "death_date")


def record_value(name: str, value: Any) -> str:
    """A list record's field as the reader's language writes it: a status or sex by its label,
    a date by the locale, anything else (names, places, notes) exactly as the list wrote it."""
    if value is None or value == "":
        return ""
    lang = _lang.get()
    vocabulary = RECORD_TERMS.get(name)
    if vocabulary is not None:
        try:
            return term_label(vocabulary, str(value), lang) or str(value)
        except UnknownTermError:
            return str(value)
    if name in RECORD_DATES:
        return i18n.date(str(value), lang)
    if name == "age":
        return i18n.number(value, lang)
    return str(value)


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("dalil.web.ui", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["number"] = lambda v: i18n.number(v, _lang.get())
    env.filters["date"] = lambda v: i18n.date(v, _lang.get())
    env.filters["percent"] = lambda v: i18n.percent(v, _lang.get())
    env.globals["url"] = _url
    env.globals["term"] = lambda vocabulary, term: term_label(vocabulary, term, _lang.get())
    env.globals["status_label"] = lambda term: term_label("person_statuses", term, _lang.get())
    env.globals["role_labels"] = labels.ROLES
    env.globals["kind_labels"] = labels.KINDS
    env.globals["change_labels"] = labels.CHANGES
    env.globals["sensitivity_labels"] = labels.SENSITIVITY
    env.globals["script_labels"] = labels.SCRIPTS
    env.globals["record_value"] = record_value
    env.globals["engine"] = lambda message: engine_message(_lang.get(), str(message))
    env.globals["method_names"] = labels.METHOD_NAMES
    env.globals["audit_labels"] = labels.AUDIT_ACTIONS
    env.globals["run_states"] = labels.RUN_STATES
    env.globals["problem_labels"] = labels.PROBLEMS
    env.globals["field_labels"] = labels.FIELD_LABELS
    return env


def render(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    """Render ``template`` in the request's language (``context['page']`` must be a Page)."""
    page = context["page"]
    token = _lang.set(page.lang)
    try:
        html = environment().get_template(template).render(context)
    finally:
        _lang.reset(token)
    response = HTMLResponse(html, status_code=status_code)
    if request.query_params.get("lang") == page.lang:
        response.set_cookie(
            i18n.COOKIE, page.lang, max_age=365 * 24 * 3600, samesite="lax", path="/"
        )
    response.headers["Content-Language"] = page.lang
    response.headers.update(SECURITY_HEADERS)
    return response


def engine_message(lang: str, message: str) -> Markup:
    """An engine's message (they speak English) for a page in ``lang``: on an Arabic page it is
    introduced as the system's own words and marked as English (read left to right, spoken as
    English by a screen reader). Escaped here; the result is safe to print."""
    if lang == "en":
        return Markup("{}").format(message)
    lead = translate(lang, "In the system's words (English):")
    return Markup('{} <bdi lang="en" dir="ltr">{}</bdi>').format(lead, message)


def translate(lang: str, message: str) -> str:
    """A message in ``lang`` outside a template (flash texts, errors)."""
    return i18n.translations(lang).gettext(message)
