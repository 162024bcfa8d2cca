"""Every setting is documented: in docs/configuration.md and in its own help text.

Settings are declared once in :mod:`dalil.config`; a setting a user cannot look up is a setting
they cannot use (or cannot know they must keep secret).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dalil.config import describe_settings

DOC = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"
SETTINGS = describe_settings()


def _documented() -> dict[str, str]:
    """``DALIL_X`` → meaning, from the table rows of docs/configuration.md."""
    rows = re.findall(
        r"^\| `(DALIL_[A-Z0-9_]+)` \| (.+?) \|$", DOC.read_text("utf-8"), re.MULTILINE
    )
    return dict(rows)


def test_there_are_settings_to_document() -> None:
    assert len(SETTINGS) >= 8
    assert "DALIL_DATABASE_URL" in dict(SETTINGS)


@pytest.mark.parametrize(("variable", "meaning"), SETTINGS, ids=[v for v, _ in SETTINGS])
def test_setting_has_help_text_and_is_in_the_configuration_doc(variable: str, meaning: str) -> None:
    assert meaning.strip(), f"{variable} has no help text"
    documented = _documented()
    assert variable in documented, f"{variable} is missing from {DOC.name}"
    assert documented[variable].strip(), f"{variable} has no meaning in {DOC.name}"


def test_the_doc_lists_no_setting_that_does_not_exist() -> None:
    assert set(_documented()) <= {variable for variable, _ in SETTINGS}
