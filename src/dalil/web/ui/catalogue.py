"""Every message of the interface, extracted with Babel, and the catalogues kept in step.

:func:`messages` extracts from the templates (Jinja2's extractor) and from Python (``_``,
``gettext``, ``ngettext``, ``N_`` and ``translate(lang, message)``). ``python -m
dalil.web.ui.catalogue`` rewrites ``locale/*/LC_MESSAGES/messages.po`` with every message,
keeping existing translations; the test suite fails while an Arabic translation is missing.
This module is a development tool: the server never runs it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "translate": (2,)}
METHODS = [("templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "false"}}


def messages() -> Iterator[tuple[str, str, int]]:
    """(message id, file, line) for every translatable message."""
    for filename, line, message, _comments, _context in extract_from_dir(
        str(ROOT), METHODS, OPTIONS, KEYWORDS, comment_tags=()
    ):
        ids = message if isinstance(message, tuple) else (message,)
        for one in ids:
            if one:
                yield one, filename, line


def catalogue_path(lang: str) -> Path:
    return ROOT / "locale" / lang / "LC_MESSAGES" / "messages.po"


def update(lang: str) -> int:
    """Rewrite ``lang``'s catalogue with every message; returns how many lack a translation."""
    path = catalogue_path(lang)
    old: Catalog | None = None
    if path.exists() and path.stat().st_size:
        with path.open("rb") as handle:
            old = read_po(handle, locale=lang)
    catalog = Catalog(locale=lang, project="Dalil", domain="messages")
    for message, filename, line in messages():
        known = old.get(message) if old is not None else None
        text = known.string if known is not None and known.string else ""
        if lang == "en" and not text:
            text = message  # English is the source language
        existing = catalog.get(message)
        if existing is None:
            catalog.add(message, text, locations=[(filename, line)])
        else:
            existing.locations.append((filename, line))
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, sort_output=True, omit_header=False)
    return sum(1 for m in catalog if m.id and not m.string)


if __name__ == "__main__":
    for code in ("en", "ar"):
        print(code, "missing:", update(code))
