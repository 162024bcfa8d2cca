"""Victim and missing lists: the case's lists, importing one (file, suggested column mapping
shown and editable, then the import with its report of rejected rows).

Reading, suggesting and importing are the registry's (:func:`dalil.registry.reading.read_list`,
:func:`dalil.registry.mapping.suggest_mapping`, :func:`dalil.registry.importing.import_list`);
this module only takes the file and the reviewer's choices. An uploaded file is streamed into a
new folder under ``$DALIL_HOME/tmp`` (size-limited), remembered in memory under a random key
bound to the user and the case, and removed once imported (or after an hour). The mapping form
names that key, never a path. Importing needs ``write`` at restricted (a new list is restricted);
an existing list may be chosen only when the user may write at its level. Counts of lists are
shown at the levels the role may read.
"""

from __future__ import annotations

import ast
import re
import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import select

from dalil.access import decide, require
from dalil.db import Case, Source
from dalil.errors import DalilError, InvalidInput, NotFound
from dalil.registry.link_views import latest_run, lists_summary, run_view
from dalil.registry.records import imports_of
from dalil.web import session as web_session
from dalil.web.api.evidence import safe_name, settings_of
from dalil.web.ui.context import CasePage, Page, database
from dalil.web.ui.labels import FIELD_LABELS, N_
from dalil.web.ui.pages import linkage
from dalil.web.ui.templating import engine_message, render, translate

router = APIRouter(include_in_schema=False)

MAX_LIST_BYTES = 200 * 1024**2
PENDING_SECONDS = 3600
PREVIEW_ROWS = 5
IGNORE = ""
POLICY_LABELS = {
    "all-or-nothing": N_("All or nothing: import nothing if any row is rejected"),
    "good-rows": N_("Good rows: import the rows that pass, record the rejected ones"),
}
Key = Annotated[str, Form(pattern=r"^[A-Za-z0-9_-]{16,64}$")]

# Why the registry suggested a field (its words), as the mapping page says it. A reason it
# does not know is shown as the registry wrote it.
REASONS = {
    "a known header": N_("a known header"),
    "a known header with no Dalil field": N_("a known header with no Dalil field"),
    "no matching field": N_("no matching field"),
    "a name column beside name-part columns: check it": N_(
        "a name column beside name-part columns: check it"
    ),
    "a name: check it": N_("a name: check it"),
}
REASON_PATTERNS = (
    (re.compile(r"^starts with the known header '(?P<header>.*)'$"),
     N_("starts with the known header %(header)s")),
    (re.compile(r"^spelt like '(?P<header>.*)'$"), N_("spelt like %(header)s")),
    (re.compile(r"^looks like (?P<field>\w+), but column '(?P<column>.*)' matches better$"),
     N_("looks like %(field)s, but column %(column)s matches better")),
)  # fmt: skip


def reason_text(reason: str, lang: str) -> tuple[str, bool]:
    """The reason in the reader's language, and whether it was translated."""
    if reason in REASONS:
        return translate(lang, REASONS[reason]), True
    for pattern, message in REASON_PATTERNS:
        found = pattern.match(reason)
        if found is not None:
            values = found.groupdict()
            if "field" in values:
                values["field"] = translate(
                    lang, FIELD_LABELS.get(values["field"], values["field"])
                )
            quoted = {k: v if k == "field" else f"«{v}»" for k, v in values.items()}
            return translate(lang, message) % quoted, True
    return reason, False


# What the reader did to a file's header, as the registry words it (registry/reading.py,
# importing.py), in the reader's language; a notice not known here is shown as written.
NOTICE_PATTERNS = (
    (re.compile(r"^column (?P<index>\d+) has no header: named '(?P<name>.*)'$"),
     N_("column %(index)s has no header: named %(name)s")),
    (re.compile(r"^column (?P<index>\d+) repeats the header '(?P<header>.*)' of column "
                r"(?P<first>\d+): named (?P<name>.*)$"),
     N_("column %(index)s repeats the header %(header)s of column %(first)s: named %(name)s")),
    (re.compile(r"^row (?P<row>\d+) is taken for the header; the rows above it for a title: "
                r"(?P<titles>.*)$"),
     N_("row %(row)s is taken for the header; the rows above it for a title: %(titles)s")),
    (re.compile(r"^encoding: (?P<encoding>\S+) \((?P<why>.*)\)$"),
     N_("the file's encoding: %(encoding)s (%(why)s)")),
)  # fmt: skip


def notice_texts(notices: Any, lang: str) -> list[tuple[str, bool]]:
    """Each notice in the reader's language, and whether it was translated (the names and
    values it quotes stay as the file wrote them)."""
    out = []
    for notice in notices:
        for pattern, message in NOTICE_PATTERNS:
            found = pattern.match(str(notice))
            if found is not None:
                quoted = {k: _quoted(k, v) for k, v in found.groupdict().items()}
                out.append((translate(lang, message) % quoted, True))
                break
        else:
            out.append((str(notice), False))
    return out


_PYTHON_TEXT = re.compile(r"'(?:[^'\\]|\\.)*'" + r'|"(?:[^"\\]|\\.)*"')


def _quoted(key: str, value: str) -> str:
    """A notice's value for the reader: numbers and the encoding's reason as they are, names
    (written by the reader as Python text, one or several) in «»."""
    if key in ("index", "first", "row", "why", "encoding"):
        return value
    try:
        texts = [str(ast.literal_eval(t)) for t in _PYTHON_TEXT.findall(value)] or [value]
    except (ValueError, SyntaxError):
        texts = [value]
    return "; ".join(f"«{t}»" for t in texts)


@dataclass
class Pending:
    """An uploaded list waiting for its mapping."""

    user_id: str
    case_id: str
    folder: Path
    path: Path
    name: str
    source: str
    headers: tuple[str, ...]
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)


_pending: dict[str, Pending] = {}
_lock = threading.Lock()


def _forget_old() -> None:
    now = time.monotonic()
    with _lock:
        old = [k for k, p in _pending.items() if now - p.at > PENDING_SECONDS]
        gone = [_pending.pop(k) for k in old]
    for p in gone:
        shutil.rmtree(p.folder, ignore_errors=True)


def _take(page: Page, key: str) -> Pending:
    assert page.user is not None
    assert page.case is not None
    with _lock:
        pending = _pending.get(key)
    if pending is None or pending.user_id != page.user.id or pending.case_id != page.case.id:
        raise NotFound("no uploaded list under that key (it may have expired: upload it again)")
    return pending


def _may(page: Page, action: str, level: str) -> bool:
    assert page.principal is not None
    assert page.case is not None
    return decide(page.principal, action, page.case.id, level).allowed


def _list_sources(page: Page) -> list[Source]:
    """Existing list sources the user may add records to."""
    assert page.case is not None
    rows = page.session.scalars(
        select(Source)
        .where(Source.case_id == page.case.id, Source.deleted_at.is_(None))
        .where(Source.source_type == "list")
        .order_by(Source.title, Source.id)
    )
    return [s for s in rows if _may(page, "write", s.sensitivity)]


def _title_taken(page: Page, title: str, writable: list[Source]) -> bool:
    """A list of that name exists that the user may not add to (the importer would pick it)."""
    assert page.case is not None
    found = page.session.scalars(
        select(Source.id).where(
            Source.case_id == page.case.id,
            Source.title == title,
            Source.source_type == "list",
            Source.deleted_at.is_(None),
        )
    )
    allowed = {s.id for s in writable}
    return any(ref not in allowed for ref in found)


def _lists_context(page: Page, **extra: Any) -> dict[str, Any]:
    assert page.case is not None
    readable = set(page.levels)
    levels = {s["id"]: s["sensitivity"] for s in lists_summary(page.session, page.case.id)}
    can_import = page.can("write", "restricted")
    run = latest_run(page.session, page.case.id) if page.can("registry.read") else None
    return {
        "page": page,
        "active": "lists",
        "lists": [x for x in lists_summary(page.session, page.case.id)
                  if x["sensitivity"] in readable],
        "imports": [i for i in imports_of(page.session, page.case)
                    if levels.get(i["source"]["id"]) in readable],
        "writable_imports": {i["id"] for i in imports_of(page.session, page.case)
                             if levels.get(i["source"]["id"]) in readable
                             and _may(page, "write", levels[i["source"]["id"]])},
        "can_import": can_import,
        "sources": _list_sources(page) if can_import else [],
        "can_link": page.can("analyse", "restricted"),
        "run": run_view(run) if run is not None else None,
        "job": linkage.running(page.case.id),
        "error": None,
        **extra,
    }  # fmt: skip


@router.get("/cases/{slug}/lists")
def lists_page(page: CasePage, request: Request) -> Response:
    return render(request, "lists.html", _lists_context(page))


async def _save(upload: UploadFile, folder: Path, limit: int) -> Path:
    target = folder / safe_name(upload.filename)
    received = 0
    with target.open("wb") as out:
        while chunk := await upload.read(1024 * 1024):
            received += len(chunk)
            if received > limit:
                raise InvalidInput("file", f"is over the limit of {limit:,} bytes")
            out.write(chunk)
    if received == 0:
        raise InvalidInput("file", "is empty")
    return target


def _preview(path: Path) -> tuple[tuple[str, ...], list[tuple[str, ...]], tuple[str, ...]]:
    from dalil.registry.reading import read_list

    listed = read_list(path)
    rows = []
    for row in listed.rows():
        rows.append(row.cells)
        if len(rows) >= PREVIEW_ROWS:
            break
    return listed.headers, rows, listed.notices


def _mapping_context(page: Page, key: str, pending: Pending, **extra: Any) -> dict[str, Any]:
    from dalil.registry.mapping import FIELDS, suggest_mapping

    headers, rows, notices = _preview(pending.path)
    suggestion = suggest_mapping(headers)
    chosen = extra.pop("chosen", None)
    columns = []
    for i, c in enumerate(suggestion.columns):
        columns.append(
            {
                "index": i,
                "column": c.column,
                "field": chosen[i] if chosen is not None else (c.field or IGNORE),
                "suggested": c.field,
                "confidence": c.confidence,
                "reason": reason_text(c.reason, page.lang),
                "sample": [r[i] for r in rows if i < len(r) and r[i].strip()],
            }
        )
    return {
        "page": page,
        "active": "lists",
        "key": key,
        "pending": pending,
        "columns": columns,
        "fields": FIELDS,
        "field_labels": FIELD_LABELS,
        "notices": notice_texts(notices, page.lang),
        "policies": POLICY_LABELS,
        "policy": extra.pop("policy", "all-or-nothing"),
        "error": None,
        **extra,
    }


@router.post("/cases/{slug}/lists/upload", dependencies=[Depends(web_session.check_csrf)])
async def upload_list(
    page: CasePage,
    request: Request,
    file: UploadFile,
    source: Annotated[str, Form(max_length=200)] = "",
    new_title: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    assert page.case is not None
    assert page.principal is not None
    assert page.user is not None
    require(page.principal, "write", page.case.id, "restricted")
    _forget_old()
    chosen = source.strip() or new_title.strip()
    name = safe_name(file.filename)
    try:
        if not chosen:
            raise InvalidInput("list", "choose a list or name a new one")
        writable = _list_sources(page)
        if source.strip() and source.strip() not in {s.id for s in writable}:
            raise NotFound(f"no list {source!r}")
        if not source.strip() and _title_taken(page, chosen, writable):
            raise InvalidInput("new_title", "choose another name for the new list")
        tmp_root = settings_of(request).home / "tmp"
        tmp_root.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix="list-", dir=tmp_root))
        try:
            path = await _save(file, folder, MAX_LIST_BYTES)
            headers, _rows, _notices = _preview(path)
        except DalilError as exc:
            shutil.rmtree(folder, ignore_errors=True)
            # The reader names the file by its path on the server: say its own name instead.
            raise InvalidInput("file", exc.message.replace(str(folder / name), name)) from None
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
    except NotFound:
        raise
    except DalilError as exc:
        return render(
            request,
            "lists.html",
            _lists_context(page, error=engine_message(page.lang, exc.message)),
            422,
        )
    from dalil.registry.mapping import suggest_mapping

    key = secrets.token_urlsafe(24)
    pending = Pending(
        user_id=page.user.id, case_id=page.case.id, folder=folder, path=path, name=name,
        source=chosen, headers=headers, values=dict(suggest_mapping(headers).mapping.values),
    )  # fmt: skip
    with _lock:
        _pending[key] = pending
    return render(request, "list_mapping.html", _mapping_context(page, key, pending))


@router.post("/cases/{slug}/lists/import", dependencies=[Depends(web_session.check_csrf)])
async def import_uploaded(page: CasePage, request: Request, key: Key) -> Response:
    from fastapi.concurrency import run_in_threadpool

    from dalil.registry.importing import POLICIES, ImportRejected, import_list
    from dalil.registry.mapping import FIELDS, ColumnMapping

    assert page.case is not None
    assert page.principal is not None
    assert page.user is not None
    require(page.principal, "write", page.case.id, "restricted")
    pending = _take(page, key)
    form = await request.form()
    policy = str(form.get("policy", "all-or-nothing"))
    chosen = [str(form.get(f"field-{i}", IGNORE)) for i in range(len(pending.headers))]
    columns = {h: f for h, f in zip(pending.headers, chosen, strict=True) if f != IGNORE}
    try:
        if policy not in POLICIES:
            raise InvalidInput("policy", "choose one of the policies offered")
        unknown = [f for f in columns.values() if f not in FIELDS]
        if unknown:
            raise InvalidInput("mapping", f"{unknown[0]!r} is not a field")
        if not columns:
            raise InvalidInput("mapping", "map at least one column to a field")
        values = {t: v for t, v in pending.values.items() if t in columns.values()}
        mapping = ColumnMapping.model_validate({"columns": columns, "values": values})
    except (DalilError, ValueError) as exc:
        message = exc.message if isinstance(exc, DalilError) else pydantic_message(exc)
        context = _mapping_context(page, key, pending, chosen=chosen, policy=policy,
                                   error=engine_message(page.lang, message))  # fmt: skip
        return render(request, "list_mapping.html", context, status_code=422)

    def run() -> Any:
        with database(request).transaction(page.user.name if page.user else "?") as writer:
            case = writer.get(Case, pending.case_id)
            assert case is not None
            return import_list(writer, case, pending.path, source=pending.source,
                               mapping=mapping, policy=policy)  # fmt: skip

    try:
        result = await run_in_threadpool(run)
    except ImportRejected as exc:
        context = _mapping_context(page, key, pending, chosen=chosen, policy=policy,
                                   error=engine_message(page.lang, exc.message),
                                   report=exc.result.as_dict())  # fmt: skip
        return render(request, "list_mapping.html", context, status_code=422)
    except NotFound:
        raise
    except DalilError as exc:
        context = _mapping_context(page, key, pending, chosen=chosen, policy=policy,
                                   error=engine_message(page.lang, exc.message))  # fmt: skip
        return render(request, "list_mapping.html", context, status_code=422)
    with _lock:
        _pending.pop(key, None)
    shutil.rmtree(pending.folder, ignore_errors=True)
    context = {"page": page, "active": "lists", "report": result.as_dict(),
               "notices": notice_texts(result.notices, page.lang),
               "can_link": page.can("analyse", "restricted")}  # fmt: skip
    return render(request, "list_report.html", context)


def pydantic_message(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        found = errors()
        if found:
            return str(found[0].get("msg", exc)).removeprefix("Value error, ")
    return str(exc)
