"""No English is written into a template outside the catalogue: every word a reader sees goes
through ``_()`` (so the Arabic page has no stray English), except names that are the same in
both languages (SHA-256, a key's letter)."""

from __future__ import annotations

import re
from importlib.resources import files

SAME_IN_BOTH = {"SHA-", "K"}  # SHA-256 is a name; K is the key to press, shown in <kbd>


def bare_words(template: str) -> list[str]:
    text = re.sub(r"\{#.*?#\}|\{\{.*?\}\}|\{%.*?%\}", " ", template, flags=re.S)
    found = re.findall(r'(?:aria-label|alt|title|placeholder)="([^"]*)"', text)
    text = re.sub(r"<script.*?</script>|<[^>]+>", " ", text, flags=re.S)
    words = [w.strip() for w in re.findall(r"[A-Za-z][A-Za-z'\- ]*", text)]
    words += [w.strip() for a in found for w in re.findall(r"[A-Za-z][A-Za-z'\- ]*", a)]
    return [w for w in words if w and w not in SAME_IN_BOTH]


def test_templates_write_no_english_outside_the_catalogue() -> None:
    root = files("dalil.web.ui").joinpath("templates")
    found = {}
    for folder in (root, root.joinpath("partials")):
        for entry in folder.iterdir():
            if entry.name.endswith(".html"):
                words = bare_words(entry.read_text("utf-8"))
                if words:
                    found[entry.name] = words
    assert found == {}


def test_the_check_does_find_bare_english() -> None:
    assert bare_words('<p>{{ _("Fine") }} seed {{ e.seed }}</p>') == ["seed"]
    assert bare_words('<img alt="{{ d.t }} s">') == ["s"]
    assert bare_words('<p>{{ _("Fine") }} <kbd>K</kbd></p>') == []
