"""Map a list's columns to Dalil's person fields, and derive cleaned values from a raw row.

A :class:`ColumnMapping` is saved as YAML beside the list and reused for its next edition;
:func:`suggest_mapping` proposes one from Arabic or English headers (``mapping_headers.yaml``).
:func:`apply_mapping` derives values: text with whitespace collapsed, sex and status as vocabulary
terms, dates as :class:`PartialDate`, age in years. It must never alter the raw row, drop a value
it cannot read (the text is kept in ``unresolved`` and a problem says why), or resolve a date
silently: ``auto`` reads ISO, then day-first (as Syrian lists write), and flags 03/04/2013.
"""

from __future__ import annotations

import difflib
import os
import re
import tempfile
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, PrivateAttr, ValidationError, model_validator

from dalil.errors import InvalidInput
from dalil.registry.reading import ListRow
from dalil.values import PartialDate, PartialDateError, search_key
from dalil.values.arabic import ascii_digits
from dalil.vocab import vocabularies

__all__ = [
    "DATE_FIELDS",
    "FIELDS",
    "ColumnMapping",
    "ColumnSuggestion",
    "FieldProblem",
    "MappedRow",
    "Suggestion",
    "apply_mapping",
    "check_columns",
    "load_mapping",
    "save_mapping",
    "suggest_mapping",
]

NAME_FIELDS = ("full_name", "given", "father", "grandfather", "family", "mother")
DATE_FIELDS = ("birth_date", "status_date", "death_date")
TERM_FIELDS = {"sex": "sexes", "status": "person_statuses"}
# status_date: last seen, arrested or killed, as the status says; place: free text (linked to the
# place hierarchy later); external_id: the list's own record id.
_OTHER_FIELDS = (
    "sex birth_date age status status_date death_date place governorate notes external_id"
)
FIELDS = (*NAME_FIELDS, *_OTHER_FIELDS.split())
DATE_FORMATS = "auto, ISO, DD/MM/YYYY, MM/DD/YYYY, YYYY/MM/DD (any of / - . between the parts)"
_FORMAT = re.compile(r"(DD|MM|YYYY)([/.\-])(DD|MM|YYYY)\2(DD|MM|YYYY)")
_ORDERS = {("DD", "MM", "YYYY"): "dmy", ("MM", "DD", "YYYY"): "mdy", ("YYYY", "MM", "DD"): "ymd"}
_DATE = re.compile(r"\d+(?:\s*[/.\-]\s*\d+){0,2}")
_SEPARATOR = re.compile(r"\s*[/.\-]\s*")
_TIME = re.compile(r"[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*\Z")
_AGE = re.compile(r"(~|حوالي|حوالى|نحو|about|circa|ca\.?)?\s*(\d{1,3}(?:[.٫]\d+)?)\s*(\D*)")
_YEARS = frozenset(
    search_key(unit)
    for unit in ("", "سنة", "سنوات", "عام", "عاماً", "y", "yr", "yrs", "year", "years", "years old")
)
_MONTHS = frozenset(search_key(unit) for unit in ("شهر", "أشهر", "شهور", "شهراً", "month", "months"))
MAX_AGE = 130
_cell_key = lru_cache(maxsize=4096)(search_key)  # sex and status cells repeat a few words

ProblemCode = Literal["unknown_term", "invalid_date", "ambiguous_date", "invalid_age", "no_name"]
Value = str | float | PartialDate


class ColumnMapping(BaseModel):
    """Which list column feeds which field, how values become terms, and how dates are written.

    Value maps are indexed once, at construction: derive a changed mapping with
    ``model_validate``, not ``model_copy(update=...)``, which would keep the old index.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    columns: dict[str, str]  # list column → Dalil field
    values: dict[str, dict[str, str]] = {}  # sex/status → {value as written → term id}
    date_format: str = "auto"
    date_formats: dict[str, str] = {}  # per date field, overriding date_format
    _terms: dict[str, dict[str, str]] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> ColumnMapping:
        fields_seen: dict[str, str] = {}
        for column, target in self.columns.items():
            if target not in FIELDS:
                raise ValueError(
                    f"column {column!r} is mapped to {target!r}, which is not a field; "
                    f"fields: {', '.join(FIELDS)}"
                )
            if target in fields_seen:
                raise ValueError(
                    f"field {target!r} is mapped from two columns: "
                    f"{fields_seen[target]!r} and {column!r}"
                )
            fields_seen[target] = column
        for target, table in self.values.items():
            if target not in TERM_FIELDS:
                raise ValueError(f"values: {target!r} has no vocabulary; only sex and status do")
            vocabulary = vocabularies().get(TERM_FIELDS[target])
            for written, term in table.items():
                if term not in vocabulary:
                    raise ValueError(
                        f"values.{target}: {written!r} maps to {term!r}, which is not a term; "
                        f"terms: {', '.join(vocabulary.ids())}"
                    )
        for target, fmt in {"": self.date_format, **self.date_formats}.items():
            if target and target not in DATE_FIELDS:
                raise ValueError(f"date_formats: {target!r} is not one of {', '.join(DATE_FIELDS)}")
            _order(fmt)
        return self

    def model_post_init(self, context: Any, /) -> None:
        for target, vocab_id in TERM_FIELDS.items():
            known: dict[str, str] = {}
            for term in vocabularies().get(vocab_id).terms:
                for text in (term.id, term.label("en"), term.label("ar")):
                    known[search_key(text)] = term.id
            for written, term_id in self.values.get(target, {}).items():
                known[search_key(written)] = term_id  # the list's own words win
            self._terms[target] = known

    def date_format_for(self, target: str) -> str:
        return self.date_formats.get(target, self.date_format)


def _order(fmt: str) -> str:
    if fmt in ("auto", "ISO"):
        return fmt
    match = _FORMAT.fullmatch(fmt)
    order = _ORDERS.get((match[1], match[3], match[4])) if match else None
    if order is None:
        raise ValueError(f"date format {fmt!r} is not supported; formats: {DATE_FORMATS}")
    return order


def _messages(exc: ValidationError) -> str:
    messages = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"])
        if error["type"] == "extra_forbidden":
            settings = ", ".join(ColumnMapping.model_fields)
            messages.append(f"{where!r} is not a mapping setting; settings: {settings}")
        else:
            text = error["msg"].removeprefix("Value error, ")
            messages.append(f"{where}: {text}" if where else text)
    return "; ".join(messages)


class _StrictLoader(yaml.SafeLoader):
    """A safe loader that refuses a key repeated in one mapping (a column listed twice)."""


def _no_duplicates(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    keys = [loader.construct_object(key) for key, _ in node.value]
    for index, key in enumerate(keys):
        if key in keys[:index]:
            raise yaml.constructor.ConstructorError(
                None, None, f"{key!r} is listed twice", node.value[index][0].start_mark
            )
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)


def load_mapping(path: Path | str) -> ColumnMapping:
    """Read and validate a mapping file; every problem is an :class:`InvalidInput`."""
    try:
        data = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_StrictLoader)  # noqa: S506
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InvalidInput(str(path), f"is not a readable mapping file: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidInput(str(path), "must be a YAML mapping with 'columns'")
    try:
        return ColumnMapping.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(str(path), _messages(exc)) from None


def save_mapping(mapping: ColumnMapping, path: Path | str) -> None:
    """Write ``mapping`` as YAML (Arabic kept readable), atomically: temp file, fsync, rename."""
    path = Path(path)
    text = yaml.safe_dump(
        mapping.model_dump(), allow_unicode=True, sort_keys=False, default_flow_style=False
    )
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write("# Dalil list column mapping: list column -> Dalil field\n" + text)
            out.flush()
            os.fsync(out.fileno())
        Path(temp).replace(path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def check_columns(mapping: ColumnMapping, headers: tuple[str, ...] | list[str]) -> None:
    """Refuse a mapping that names a column the list does not have."""
    missing = [column for column in mapping.columns if column not in headers]
    if missing:
        raise InvalidInput(
            "mapping",
            f"column(s) {', '.join(map(repr, missing))} are not in the list; "
            f"its columns: {', '.join(headers)}",
        )


# --- suggestion ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnSuggestion:
    column: str
    field: str | None
    confidence: float  # 1.0 a known header, 0.8 starts with one, lower for a near spelling
    reason: str


@dataclass(frozen=True)
class Suggestion:
    mapping: ColumnMapping
    columns: tuple[ColumnSuggestion, ...]  # one per header, in order

    @property
    def unmapped(self) -> tuple[str, ...]:
        return tuple(c.column for c in self.columns if c.field is None)


@dataclass(frozen=True)
class _Headers:
    synonyms: dict[str, str]  # search key → field
    generic: frozenset[str]
    no_field: frozenset[str]
    values: dict[str, dict[str, str]]


@cache
def _headers() -> _Headers:
    data = yaml.safe_load(
        files("dalil.registry").joinpath("mapping_headers.yaml").read_text("utf-8")
    )
    synonyms: dict[str, str] = {}
    for target, names in data["fields"].items():
        if target not in FIELDS:
            raise ValueError(f"mapping_headers.yaml: {target!r} is not a field")
        for name in names:
            key = search_key(str(name))
            if synonyms.setdefault(key, target) != target:
                raise ValueError(f"mapping_headers.yaml: {name!r} is under two fields")
    ColumnMapping(columns={}, values=data["values"])  # checks the value maps' terms
    generic = frozenset(search_key(str(n)) for n in data["generic_name"])
    no_field = frozenset(search_key(str(n)) for n in data["no_field"])
    return _Headers(synonyms, generic, no_field, data["values"])


def _guess(header: str, table: _Headers) -> tuple[str | None, float, str]:
    key = search_key(header)
    if key in table.synonyms:
        return table.synonyms[key], 1.0, "a known header"
    if key in table.no_field:
        return None, 0.0, "a known header with no Dalil field"
    if key in table.generic or not key:
        return None, 0.0, "no matching field"
    starts = [s for s in table.synonyms if len(s) >= 4 and key.startswith(s + " ")]
    if starts:
        best = max(starts, key=len)
        return table.synonyms[best], 0.8, f"starts with the known header {best!r}"
    close = difflib.get_close_matches(key, list(table.synonyms), n=1, cutoff=0.85)
    if close:
        ratio = difflib.SequenceMatcher(None, key, close[0]).ratio()
        return table.synonyms[close[0]], round(0.7 * ratio, 2), f"spelt like {close[0]!r}"
    return None, 0.0, "no matching field"


def known_headers(cells: tuple[str, ...] | list[str]) -> int:
    """How many of ``cells`` read as a list's column headers (a field's header, or one known to
    have no field, such as a row number): how the reader tells a title above a table from the
    table's header."""
    table = _headers()
    return sum(
        1 for c in cells if _guess(c, table)[1] >= 0.8 or (c and search_key(c) in table.no_field)
    )


def suggest_mapping(headers: tuple[str, ...] | list[str]) -> Suggestion:
    """Propose a mapping from the headers alone; each field goes to the column most like it."""
    table = _headers()
    guesses = {i: _guess(h, table) for i, h in enumerate(headers)}
    chosen: dict[int, tuple[str | None, float, str]] = {}
    taken: dict[str, int] = {}
    for i in sorted(guesses, key=lambda i: -guesses[i][1]):
        target, confidence, reason = guesses[i]
        if target is not None and target in taken:
            reason = f"looks like {target}, but column {headers[taken[target]]!r} matches better"
            target, confidence = None, 0.0
        if target is not None:
            taken[target] = i
        chosen[i] = (target, confidence, reason)
    parts = {"father", "grandfather", "family"} & set(taken)
    for i, header in enumerate(headers):
        if search_key(header) in table.generic:
            target = "given" if parts or "full_name" in taken else "full_name"
            if target not in taken:
                why = "a name column beside name-part columns" if target == "given" else "a name"
                taken[target], chosen[i] = i, (target, 0.6, f"{why}: check it")
    columns = tuple(ColumnSuggestion(h, *chosen[i]) for i, h in enumerate(headers))
    values = {t: dict(v) for t, v in table.values.items() if t in taken}
    mapping = ColumnMapping(
        columns={c.column: c.field for c in columns if c.field is not None}, values=values
    )
    return Suggestion(mapping, columns)


# --- applying --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldProblem:
    field: str
    column: str | None
    value: str  # the cell as written
    code: ProblemCode
    message: str


@dataclass(frozen=True)
class MappedRow:
    """Values derived from ``row`` (never changed); what could not be read is in ``unresolved``."""

    row: ListRow
    values: dict[str, Value]
    unresolved: dict[str, str]
    problems: tuple[FieldProblem, ...]

    @property
    def number(self) -> int:
        return self.row.number


def apply_mapping(row: ListRow, mapping: ColumnMapping) -> MappedRow:
    """Derive cleaned values for every mapped field of ``row``; empty cells give no value."""
    check_columns(mapping, row.headers)
    values: dict[str, Value] = {}
    unresolved: dict[str, str] = {}
    problems: list[FieldProblem] = []
    for column, target in mapping.columns.items():
        raw = row.get(column)
        if not raw.strip():
            continue
        value: Value | None
        code: ProblemCode = "invalid_age"
        message = ""
        if target in TERM_FIELDS:
            value = mapping._terms[target].get(_cell_key(raw))
            code, message = "unknown_term", f"is not a known {target}: add it to values.{target}"
            if value is None:
                message += f" (terms: {', '.join(vocabularies().get(TERM_FIELDS[target]).ids())})"
        elif target in DATE_FIELDS:
            value, code, message = _parse_date(raw, _order(mapping.date_format_for(target)))
        elif target == "age":
            value = _parse_age(raw)
            message = f"is not an age in years (0-{MAX_AGE}) or months"
        else:
            value = raw.strip() if target == "notes" else " ".join(raw.split())
        if value is None or message.startswith("ambiguous"):
            problems.append(FieldProblem(target, column, raw, code, f"{raw!r} {message}"))
        if value is None:
            unresolved[target] = raw
        else:
            values[target] = value
    names = [f for f in NAME_FIELDS if f in mapping.columns.values()]
    if names and not any(f in values for f in names):
        problems.append(FieldProblem(names[0], None, "", "no_name", "the row has no name"))
    return MappedRow(row, values, unresolved, tuple(problems))


def _parse_date(raw: str, order: str) -> tuple[PartialDate | None, ProblemCode, str]:
    text = _TIME.sub("", ascii_digits(raw).strip())
    match = _DATE.search(text)
    if match is None:
        return None, "invalid_date", "is not a date"
    parts = _SEPARATOR.split(match[0])
    note = ""
    if len(parts) == 1:
        iso = parts[0]
    elif len(parts) == 2:
        iso = "-".join(parts if len(parts[0]) == 4 else reversed(parts))
    elif len(parts[0]) == 4:
        iso = "-".join(parts)
    elif len(parts[2]) != 4:
        return None, "invalid_date", "has no four-digit year"
    elif order in ("ISO", "ymd"):
        return None, "invalid_date", "is not written year first as the date format says"
    else:
        first, second = int(parts[0]), int(parts[1])
        day, month = (parts[1], parts[0]) if order == "mdy" else (parts[0], parts[1])
        if order == "auto" and second > 12 >= first:
            return None, "invalid_date", "cannot be day-first: set the date format to MM/DD/YYYY"
        if order == "auto" and first != second and max(first, second) <= 12:
            other = f"{parts[2]}-{first:02d}-{second:02d}"
            note = f"ambiguous: read day-first; month-first it would be {other}"
        iso = f"{parts[2]}-{month}-{day}"
    try:
        date = PartialDate.parse(text[: match.start()] + iso + text[match.end() :])
    except PartialDateError as exc:
        return None, "invalid_date", f"is not a valid date: {exc.reason}"
    return date, "ambiguous_date", note


def _parse_age(raw: str) -> float | None:
    match = _AGE.fullmatch(ascii_digits(raw).strip().casefold())
    if match is None:
        return None
    years = float(match[2].replace("٫", "."))
    unit = search_key(match[3])
    if unit in _MONTHS:
        years = round(years / 12, 2)
    elif unit not in _YEARS:
        return None
    return years if years <= MAX_AGE else None
