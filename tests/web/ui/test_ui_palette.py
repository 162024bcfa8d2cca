"""The shipped stylesheet's colours: every text/background pair reaches WCAG AA (4.5:1)."""

from __future__ import annotations

import re
from importlib.resources import files

import pytest

PAIRS = [
    ("text", "background"),
    ("muted", "background"),
    ("accent", "background"),
    ("danger", "background"),
    ("text", "surface"),
    ("muted", "surface"),
    ("accent", "surface"),
    ("accent-text", "accent"),
    ("disputed-text", "disputed-bg"),
    ("ok-text", "ok-bg"),
    ("header-text", "header-bg"),
    ("danger", "surface"),
]


def palette() -> dict[str, str]:
    css = files("dalil.web.ui").joinpath("static", "css", "dalil.css").read_text("utf-8")
    root = re.search(r":root\s*\{([^}]*)\}", css)
    assert root is not None
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", root.group(1)))


def luminance(colour: str) -> float:
    def channel(hex2: str) -> float:
        c = int(hex2, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_contrast_formula_matches_known_values() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize(("fg", "bg"), PAIRS)
def test_text_colours_reach_aa_contrast(fg: str, bg: str) -> None:
    colours = palette()
    assert contrast(colours[fg], colours[bg]) >= 4.5, (fg, bg)


def test_the_focus_outline_is_visible_against_the_page() -> None:
    colours = palette()
    assert contrast(colours["focus"], colours["background"]) >= 3.0  # WCAG 1.4.11 non-text
