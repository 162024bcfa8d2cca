"""Reading capture tables from text: ``pattern,count`` lines, optionally with strata.

Accepted layouts (blank lines and ``#`` comments are ignored, a UTF-8 BOM too):

- ``pattern,count`` rows, header optional: ``110,54``;
- a ``lists: A,B,C`` line first names the lists (otherwise A, B, C, …);
- ``stratum,pattern,count`` with that header: one table per stratum;
- one column per list, as R's MultipleSystemsEstimation writes it: ``A,B,C,count`` then
  ``1,1,0,54`` (a leading ``stratum`` column allowed).

Every problem is an :class:`~dalil.errors.InvalidInput` naming the line; nothing else escapes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dalil.errors import InvalidInput
from dalil.estimation.captures import (
    COUNT_HEADERS,
    CaptureTable,
    check_pattern,
    default_names,
    parse_count,
)

MAX_STRATA = 500


@dataclass
class _Layout:
    stratified: bool = False
    wide: bool = False
    lists: tuple[str, ...] | None = None
    width: int = 2


@dataclass
class _Tables:
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    seen: dict[tuple[str, str], int] = field(default_factory=dict)


def _cells(line: str) -> list[str]:
    return [c.strip().strip('"').strip("'").strip() for c in line.split(",")]


COMMENT = re.compile(r"(^|\s)#.*$")


def _lines(text: str) -> list[tuple[int, str]]:
    """Numbered lines without comments (``#`` at the start or after a space) or blanks."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = ((n, COMMENT.sub("", line).strip()) for n, line in enumerate(text.splitlines(), 1))
    return [(number, line) for number, line in lines if line]


def _list_names(raw: str, where: str) -> tuple[str, ...]:
    names = tuple(_cells(raw))
    if any(not n for n in names):
        raise InvalidInput(where, "a list name is empty")
    return names


def _header(cells: list[str], where: str, lists: tuple[str, ...] | None) -> _Layout:
    folded = [c.casefold() for c in cells]
    if folded[-1] not in COUNT_HEADERS:
        raise InvalidInput(where, "the header's last column must be the count (…,count)")
    stratified = folded[0] == "stratum"
    body = folded[1 if stratified else 0 : -1]
    if body == ["pattern"]:
        return _Layout(stratified=stratified, lists=lists, width=len(cells))
    names = tuple(cells[1 if stratified else 0 : -1])
    if not names or any(not n for n in names):
        raise InvalidInput(where, "the header names no lists")
    if lists is not None and lists != names:
        raise InvalidInput(where, "the header's lists differ from the `lists:` line")
    return _Layout(stratified=stratified, wide=True, lists=names, width=len(cells))


def _looks_like_header(cells: list[str]) -> bool:
    first = cells[0].casefold()
    return first in {"pattern", "stratum"} or cells[-1].casefold() in COUNT_HEADERS


def _row(cells: list[str], layout: _Layout, where: str) -> tuple[str, str, int]:
    if len(cells) != layout.width:
        expected = "stratum,pattern,count" if layout.stratified else "pattern,count"
        if layout.wide:
            expected = f"{layout.width} columns, as in the header"
        raise InvalidInput(where, f"expected {expected}, found {len(cells)} values")
    stratum = cells[0] if layout.stratified else ""
    if layout.stratified and not stratum:
        raise InvalidInput(where, "the stratum is empty")
    if len(stratum) > 64:
        raise InvalidInput(where, "the stratum name is longer than 64 characters")
    body = cells[1 if layout.stratified else 0 : -1]
    if layout.wide:
        if any(c not in {"0", "1"} for c in body):
            raise InvalidInput(where, "each list column must be 0 or 1")
        pattern = "".join(body)
    else:
        pattern = body[0]
    return stratum, pattern, parse_count(cells[-1], where)


def read_tables(text: str, *, check: bool = True) -> dict[str, CaptureTable]:
    """The tables in ``text``: one under the key ``""``, or one per stratum.

    With ``check`` (the default) every table must also support an estimate
    (:meth:`CaptureTable.check_estimable`).
    """
    if not isinstance(text, str):
        raise InvalidInput("counts", "the capture table must be text")
    lines = _lines(text)
    lists: tuple[str, ...] | None = None
    if lines and lines[0][1].casefold().startswith("lists:"):
        number, line = lines.pop(0)
        lists = _list_names(line.split(":", 1)[1], f"line {number}")
    if not lines:
        raise InvalidInput("counts", "the table is empty: no capture patterns were given")
    layout = _Layout(lists=lists)
    number, first = lines[0]
    if _looks_like_header(_cells(first)):
        layout = _header(_cells(first), f"line {number}", lists)
        lines = lines[1:]
    elif len(_cells(first)) != 2:
        raise InvalidInput(
            f"line {number}",
            "expected pattern,count; other layouts need a header line "
            "(stratum,pattern,count or A,B,C,count)",
        )
    tables = _Tables()
    for number, line in lines:
        where = f"line {number}"
        stratum, pattern, count = _row(_cells(line), layout, where)
        length = len(layout.lists) if layout.lists is not None else None
        if length is None:
            length = len(pattern)
            layout.lists = default_names(length)
        check_pattern(pattern, length, where)
        if (stratum, pattern) in tables.seen:
            raise InvalidInput(
                where,
                f"pattern {pattern} is given twice (line {tables.seen[stratum, pattern]} too)",
                hint="each pattern appears once; add the counts together",
            )
        tables.seen[stratum, pattern] = number
        tables.counts.setdefault(stratum, {})[pattern] = count
        if len(tables.counts) > MAX_STRATA:
            raise InvalidInput(where, f"more than {MAX_STRATA} strata")
    if not tables.counts or layout.lists is None:
        raise InvalidInput("counts", "the table is empty: no capture patterns were given")
    result = {s: CaptureTable(layout.lists, c) for s, c in tables.counts.items()}
    if check:
        for stratum, table in result.items():
            table.check_estimable(f"stratum {stratum}" if stratum else "capture table")
    return result
