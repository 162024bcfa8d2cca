"""Read an organisation's victim or missing-person list (CSV or XLSX) row by row, verbatim.

A list is evidence: every row is yielded with the row number a spreadsheet user sees (the header
is row 1) and its cells exactly as written, as text. This module must never alter a cell (no
stripping, no normalising), guess an encoding silently, hold a whole file in memory (a 2 GB list
is streamed), or drop a row without the numbering showing it. Cleaning is ``mapping``'s job.

Decisions: the format comes from the first bytes, not the extension. A CSV's encoding is a byte
order mark, else UTF-16 by the NUL/0x06 byte pattern, else UTF-8 if the *whole* file is valid
UTF-8 (checked by streaming it once), else Windows-1256; the choice and the reason are reported
and can be overridden. Rows whose cells are all empty are skipped but still counted.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import itertools
import re
import zipfile
from collections.abc import Generator, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Literal

from dalil.errors import InvalidInput

__all__ = ["ListFile", "ListRow", "read_list"]

_CHUNK = 1 << 18
_SAMPLE = 1 << 16
_DELIMITERS = (",", ";", "\t")  # the Arabic comma ، is text, never a delimiter
_LONG_RECORD = 10  # physical lines in one record before an unclosed quote is suspected
_BOMS = (
    (codecs.BOM_UTF8, "utf-8", "UTF-8 byte order mark"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 little-endian byte order mark"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 big-endian byte order mark"),
)
_NOT_A_LIST = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a password-protected XLSX or an old .xls workbook"),
    (b"%PDF", "a PDF document"),  # other binary files fail the control-character test
)
_EOL = re.compile(r"\r\n|\r|\n")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")
_HINT = "save the list as CSV (UTF-8) or XLSX and try again"


@dataclass(frozen=True, slots=True)
class ListRow:
    """One row as written: ``cells`` verbatim; ``problems`` says what is wrong with its shape."""

    number: int
    cells: tuple[str, ...]
    headers: tuple[str, ...] = field(repr=False)
    problems: tuple[str, ...] = ()

    def get(self, column: str) -> str:
        """The cell under ``column``; a cell missing from a short row is empty."""
        try:
            index = self.headers.index(column)
        except ValueError:
            raise KeyError(f"no column {column!r}; columns: {', '.join(self.headers)}") from None
        return self.cells[index] if index < len(self.cells) else ""

    def as_dict(self) -> dict[str, str]:
        return {column: self.get(column) for column in self.headers}


@dataclass(frozen=True)
class ListFile:
    """A list's header and how it was read; :meth:`rows` streams the data rows again each call."""

    path: Path
    kind: Literal["csv", "xlsx"]
    headers: tuple[str, ...]  # unique names: empty ones are column_N, repeats get _2, _3…
    raw_headers: tuple[str, ...]  # as written
    header_row: int
    notices: tuple[str, ...]  # what was done to the header
    encoding: str | None = None  # Python codec name for a CSV
    encoding_reason: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    _start: int = field(default=0, repr=False)  # first byte after a byte order mark

    def rows(self) -> Iterator[ListRow]:
        """Every non-blank row after the header, in file order, with its shape problems."""
        width = len(self.headers)
        for number, cells, lines, unclosed in self._records():
            if number <= self.header_row or not any(cells):
                continue
            problems: list[str] = []
            if len(cells) > width:
                extra = "empty" if not any(cells[width:]) else "kept in the raw row, not mapped"
                problems.append(
                    f"has {len(cells)} cells but the header has {width}: "
                    f"cells {width + 1}-{len(cells)} have no column ({extra})"
                )
            elif len(cells) < width and self.kind == "csv":
                problems.append(
                    f"has {len(cells)} cells but the header has {width}: the missing ones are empty"
                )
            if unclosed:
                problems.append(
                    f"spans {lines} lines to the end of the file: a quote opened in it is never "
                    "closed, so the lines after it were read into this row"
                    if lines > 1
                    else "spans to the end of the file: a quote opened in it is never closed"
                )
            elif lines > _LONG_RECORD:
                problems.append(f"spans {lines} lines of the file: check for an unclosed quote")
            yield ListRow(number, cells, self.headers, tuple(problems))

    def _records(self) -> Iterator[tuple[int, tuple[str, ...], int, bool]]:
        if self.kind == "xlsx":
            for number, cells in _xlsx_records(self.path, self.sheet):
                yield number, cells, 1, False
            return
        assert self.encoding is not None
        assert self.delimiter is not None
        yield from _csv_records(self.path, self.encoding, self._start, self.delimiter)


def read_list(
    path: Path | str,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> ListFile:
    """Open a list, detect its format (and a CSV's encoding and delimiter), and read its header."""
    path = Path(path)
    field_name = str(path)
    try:
        with path.open("rb") as stream:
            head = stream.read(_SAMPLE)
    except OSError as exc:
        raise InvalidInput(field_name, f"cannot be read: {exc.strerror}") from None
    if not head:
        raise InvalidInput(field_name, "is empty", hint=_HINT)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        _check_xlsx(path)
        names = _xlsx_sheet_names(path)
        chosen = names[0] if sheet is None else sheet
        if chosen not in names:
            raise InvalidInput(field_name, f"has no sheet {sheet!r}; sheets: {', '.join(names)}")
        with closing(_xlsx_records(path, chosen)) as xlsx_records:
            header = _header(xlsx_records, field_name)
        return _list_file(path, "xlsx", header, sheet=chosen)
    for magic, what in _NOT_A_LIST:
        if head.startswith(magic):
            raise InvalidInput(field_name, f"is {what}, not a CSV or XLSX list", hint=_HINT)
    start, chosen_encoding, reason = _detect_encoding(path, head, encoding)
    sample = head[start:].decode(chosen_encoding, errors="replace")
    if "\x00" in sample or len(_CONTROL.findall(sample)) > len(sample) // 100:
        raise InvalidInput(
            field_name, f"is not a text file (control characters as {chosen_encoding})", hint=_HINT
        )
    chosen_delimiter = delimiter or _sniff_delimiter(sample)
    with closing(_csv_records(path, chosen_encoding, start, chosen_delimiter)) as records:
        header = _header(((n, cells) for n, cells, _, _ in records), field_name)
    how = {"encoding": chosen_encoding, "encoding_reason": reason, "_start": start}
    return _list_file(path, "csv", header, delimiter=chosen_delimiter, **how)


_TITLE_ROWS = 10  # rows read past a first row that is no header, looking for the table's header


def _header(
    records: Iterator[tuple[int, tuple[str, ...]]], where: str
) -> tuple[int, list[str], list[str]]:
    """(row number, cells) of the header, and the text of the rows above it taken for a title.

    The header is the first row with a cell, unless none of its cells reads as a column header
    and one of the next ten such rows has two or more that do: a spreadsheet with a title ("قائمة
    ضحايا التضامن") above its table."""
    from dalil.registry.mapping import known_headers

    rows: list[tuple[int, list[str]]] = []
    for number, cells in records:
        if not any(cells):
            continue
        rows.append((number, list(cells)))
        known = known_headers(cells)
        if len(rows) == 1 and known:
            break  # the first row is a header: read no further
        if len(rows) > 1 and known >= 2:  # the table's header, below a title
            titles = [" ".join(c.strip() for c in r if c.strip()) for _, r in rows[:-1]]
            return number, list(cells), titles
        if len(rows) > _TITLE_ROWS:
            break
    if not rows:
        raise InvalidInput(where, "has no header row: no row has any cell", hint=_HINT)
    return rows[0][0], rows[0][1], []


def _list_file(path: Path, kind: Literal["csv", "xlsx"], header: Any, **how: Any) -> ListFile:
    number, raw, titles = header
    names: list[str] = []
    notices: list[str] = (
        [
            f"row {number} is taken for the header; the rows above it for a title: "
            + "; ".join(repr(t) for t in titles)
        ]
        if titles
        else []
    )
    seen = set(raw)
    for index, text in enumerate(raw, start=1):
        name = text if text.strip() else f"column_{index}"
        if name != text:
            notices.append(f"column {index} has no header: named {name!r}")
        if name in names:
            first = names.index(name) + 1
            suffix = 2
            while f"{name}_{suffix}" in names or f"{name}_{suffix}" in seen:
                suffix += 1
            notices.append(
                f"column {index} repeats the header {name!r} of column {first}: "
                f"named {name}_{suffix}"
            )
            name = f"{name}_{suffix}"
        names.append(name)
    return ListFile(path, kind, tuple(names), tuple(raw), number, tuple(notices), **how)


# --- CSV -------------------------------------------------------------------------------------


class _DecodeFailure(Exception):
    """``args[0]`` is the offset in the file of the first byte that could not be decoded."""


def _detect_encoding(path: Path, head: bytes, forced: str | None) -> tuple[int, str, str]:
    """(first byte of text, codec, why); UTF-8 is only chosen if every byte of the file fits."""
    for bom, codec, why in _BOMS:
        if head.startswith(bom):
            return len(bom), forced or codec, why
    if forced:
        try:
            codecs.lookup(forced)
        except LookupError:
            raise InvalidInput("encoding", f"{forced!r} is not a known encoding") from None
        return 0, forced, "given by the user"
    pairs = head[: len(head) - len(head) % 2]
    even = sum(1 for b in pairs[0::2] if b in (0, 6))
    odd = sum(1 for b in pairs[1::2] if b in (0, 6))
    half = max(len(pairs) // 2, 1)
    if odd >= half * 0.5 and even <= half * 0.05:
        return 0, "utf-16-le", "UTF-16 little-endian (no byte order mark; NUL/0x06 byte pattern)"
    if even >= half * 0.5 and odd <= half * 0.05:
        return 0, "utf-16-be", "UTF-16 big-endian (no byte order mark; NUL/0x06 byte pattern)"
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    offset = 0
    with path.open("rb") as stream:
        while True:
            chunk = stream.read(_CHUNK)
            try:
                decoder.decode(chunk, not chunk)
            except UnicodeDecodeError as exc:
                bad = offset - len(decoder.getstate()[0]) + exc.start
                return 0, "cp1256", f"not UTF-8 (byte offset {bad}): read as Windows-1256"
            if not chunk:
                return 0, "utf-8", "valid UTF-8"
            offset += len(chunk)


def _sniff_delimiter(sample: str) -> str:
    """The candidate that splits the first lines into the most consistent number of cells (>1)."""
    best, best_score = ",", (False, 0.0, 0)
    for candidate in _DELIMITERS:
        # Records, not physical lines: a quoted cell may hold a line break.
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=candidate)
        try:
            records = list(itertools.islice(reader, 51))
        except csv.Error:
            continue
        if len(records) > 1:
            records = records[:-1]  # the sample may cut the last record
        counts = [len(r) for r in records if r]
        if not counts:
            continue
        mode = max(set(counts), key=lambda c: (counts.count(c), c))  # a tie: the wider
        score = (mode > 1, counts.count(mode) / len(counts), mode)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _decoded_lines(stream: BinaryIO, encoding: str, start: int) -> Iterator[str]:
    """Lines with their endings (``\\r\\n``, ``\\r`` or ``\\n`` only), decoded strictly.

    On a bad byte the complete lines before it are yielded, then ``_DecodeFailure`` is raised with
    the byte's offset in the file, so the caller knows which row it was reading.
    """
    stream.seek(start)
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset, pending = start, ""
    while True:
        chunk = stream.read(_CHUNK)
        final = not chunk
        buffered = decoder.getstate()[0]
        failure = None
        try:
            text = decoder.decode(chunk, final)
        except UnicodeDecodeError as exc:
            text = (buffered + chunk)[: exc.start].decode(encoding, errors="replace")
            failure = offset - len(buffered) + exc.start
        offset += len(chunk)
        pending += text
        work = pending[:-1] if pending.endswith("\r") and not final else pending
        position = 0
        for match in _EOL.finditer(work):
            yield work[position : match.end()]
            position = match.end()
        pending = pending[position:]
        if failure is not None:
            raise _DecodeFailure(failure)
        if final:
            if pending:
                yield pending
            return


def _csv_records(
    path: Path, encoding: str, start: int, delimiter: str
) -> Generator[tuple[int, tuple[str, ...], int, bool], None, None]:
    """(record number, cells, physical lines, whether a quote opened in it is never closed).

    Python's reader ends a quoted cell left open at the end of the file without a word, holding
    every line after the quote. A record ends at the end of a line unless a quoted cell is open,
    so a record for which the reader had to look past the file's last line has such a cell."""
    number, line = 0, 0
    ended = False

    def watched(lines: Iterator[str]) -> Iterator[str]:
        nonlocal ended
        yield from lines
        ended = True

    with path.open("rb") as stream:
        reader = csv.reader(watched(_decoded_lines(stream, encoding, start)), delimiter=delimiter)
        try:
            for cells in reader:
                number += 1
                yield number, tuple(cells), reader.line_num - line, ended
                line = reader.line_num
        except _DecodeFailure as failure:
            raise InvalidInput(
                str(path),
                f"row {number + 1}: the bytes at offset {failure.args[0]} are not valid {encoding}",
                hint="give the right encoding, or save the list again as UTF-8",
            ) from None
        except csv.Error as exc:
            raise InvalidInput(str(path), f"row {number + 1}: {exc}") from None


# --- XLSX ------------------------------------------------------------------------------------


def _check_xlsx(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        raise InvalidInput(str(path), "is a damaged ZIP archive, not a readable XLSX") from None
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return
    what = "a ZIP archive"
    if "word/document.xml" in names:
        what = "a Word document"
    elif "mimetype" in names:
        what = "an OpenDocument file"
    raise InvalidInput(str(path), f"is {what}, not an XLSX workbook or a CSV", hint=_HINT)


@contextmanager
def _workbook(path: Path) -> Iterator[Any]:
    import openpyxl  # imported here: CSV-only use should not pay for it

    with path.open("rb") as stream:  # a file object: openpyxl would insist on the extension
        try:
            workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds on a damaged file
            raise InvalidInput(
                str(path), f"is a damaged XLSX workbook ({type(exc).__name__})", hint=_HINT
            ) from None
        try:
            yield workbook
        finally:
            workbook.close()


def _xlsx_sheet_names(path: Path) -> list[str]:
    with _workbook(path) as workbook:
        return [sheet.title for sheet in workbook.worksheets]


def _xlsx_records(
    path: Path, sheet: str | None
) -> Generator[tuple[int, tuple[str, ...]], None, None]:
    number = 0
    with _workbook(path) as workbook:
        try:
            worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
            worksheet.reset_dimensions()  # a stale <dimension> would silently cut rows off
            for values in worksheet.iter_rows(values_only=True):
                number += 1
                last = len(values)
                while last and values[last - 1] is None:
                    last -= 1
                yield number, tuple(_cell_text(value) for value in values[:last])
        except Exception as exc:
            raise InvalidInput(
                str(path), f"row {number + 1}: the workbook is damaged ({type(exc).__name__})"
            ) from None


def _cell_text(value: object) -> str:
    """A cell as text: integers without ``.0``, dates as ISO, booleans as Excel shows them."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)
