"""The CLI's tables never cut a word short: an ID or a hash in a narrow terminal, or piped."""

from __future__ import annotations

import io

from rich.console import Console

from dalil.cli.context import Table


def test_a_long_id_is_folded_onto_the_next_lines_not_cut_with_an_ellipsis() -> None:
    ident, digest = "vic_2bugpixxxzixdlf6", "sha256:" + "5694412a30a27f1bb83e3cdb2" * 2
    table = Table()
    table.add_column("ID")
    table.add_column("sha256")
    table.add_column("Name")
    table.add_row(ident, digest, "وليد عبد الله المثال")
    out = io.StringIO()
    Console(file=out, width=40, color_system=None).print(table)
    text = out.getvalue()
    assert "…" not in text
    cells = [line.split("│") for line in text.splitlines() if line.startswith("│")]
    assert "".join(c[1].strip() for c in cells) == ident
    assert "".join(c[2].strip() for c in cells) == digest


def test_a_column_may_still_ask_for_an_ellipsis() -> None:
    table = Table()
    table.add_column("Note", overflow="ellipsis", max_width=8)
    table.add_row("averyveryverylongword")
    out = io.StringIO()
    Console(file=out, width=40, color_system=None).print(table)
    assert "…" in out.getvalue()
