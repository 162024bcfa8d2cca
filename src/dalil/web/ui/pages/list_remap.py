"""Mend an import made with a wrong mapping: ``/cases/{slug}/lists/{import_id}/remap``.

The page shows the file's columns with the fields the import's mapping gave them and the first
values written in each, and the date order; the user changes what was wrong and says why.
``registry.remapping.remap_import`` then derives every record again from its row as written
(the rows never change); a mapping that would reject a row changes nothing and the rows are
shown. Who may: whoever may write records at the list's sensitivity, as for an import.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from dalil.access import require
from dalil.db import Case, Source
from dalil.db.models_registry import ListImport, ListRecord
from dalil.errors import DalilError, InvalidInput, NotFound
from dalil.web import session as web_session
from dalil.web.ui.context import CasePage, Page, database
from dalil.web.ui.labels import FIELD_LABELS, N_
from dalil.web.ui.pages.lists import IGNORE, pydantic_message
from dalil.web.ui.templating import engine_message, render

router = APIRouter(include_in_schema=False)

SAMPLE_ROWS = 5
COLUMN_ROWS = 2000  # rows read for the file's columns (a long list's later rows are not read)
DATE_ORDERS = {
    "auto": N_("Detect (day first when unsure, as Syrian lists write)"),
    "DD/MM/YYYY": N_("Day, month, year"),
    "MM/DD/YYYY": N_("Month, day, year"),
    "YYYY/MM/DD": N_("Year, month, day"),
}


def _import_of(page: Page, import_id: str) -> tuple[ListImport, Source]:
    """The case's import and its list, if the user may write the list's records; else 404/403."""
    assert page.case is not None
    assert page.principal is not None
    imported = page.session.get(ListImport, import_id)
    source = page.session.get(Source, imported.source_id) if imported is not None else None
    if imported is None or source is None or imported.case_id != page.case.id:
        raise NotFound(f"no list import {import_id!r}")
    if source.sensitivity not in page.levels:
        raise NotFound(f"no list import {import_id!r}")  # a list one may not read is not there
    require(page.principal, "write", page.case.id, source.sensitivity)
    return imported, source


def _context(page: Page, imported: ListImport, source: Source, **extra: Any) -> dict[str, Any]:
    from dalil.registry.mapping import FIELDS
    from dalil.registry.remapping import import_columns

    headers = import_columns(page.session, imported, first=COLUMN_ROWS)
    current = imported.mapping.get("columns", {})
    chosen = extra.pop("chosen", None)
    rows = page.session.scalars(
        select(ListRecord.raw)
        .where(ListRecord.import_id == imported.id)
        .order_by(ListRecord.row_number)
        .limit(SAMPLE_ROWS)
    ).all()
    columns = [
        {
            "index": i,
            "column": header,
            "field": chosen[i] if chosen is not None else current.get(header, IGNORE),
            "sample": [str(r[header]) for r in rows if str(r.get(header, "")).strip()],
        }
        for i, header in enumerate(headers)
    ]
    return {
        "page": page,
        "active": "lists",
        "imported": imported,
        "source": source,
        "columns": columns,
        "fields": FIELDS,
        "field_labels": FIELD_LABELS,
        "date_orders": DATE_ORDERS,
        "date_order": extra.pop("date_order", imported.mapping.get("date_format", "auto")),
        "reason": extra.pop("reason", ""),
        "error": None,
        "report": None,
        "done": None,
        **extra,
    }


@router.get("/cases/{slug}/lists/{import_id}/remap")
def remap_page(page: CasePage, request: Request, import_id: str, done: int = 0) -> Response:
    imported, source = _import_of(page, import_id)
    last = imported.remaps[-1] if done and imported.remaps else None
    context = _context(page, imported, source, done=last,
                       can_link=page.can("analyse", "restricted"))  # fmt: skip
    return render(request, "list_remap.html", context)


@router.post(
    "/cases/{slug}/lists/{import_id}/remap", dependencies=[Depends(web_session.check_csrf)]
)
async def remap_import_page(
    page: CasePage,
    request: Request,
    import_id: str,
    reason: Annotated[str, Form(max_length=2000)] = "",
    date_order: Annotated[str, Form(max_length=20)] = "auto",
) -> Response:
    from dalil.registry.mapping import FIELDS, ColumnMapping
    from dalil.registry.remapping import RemapRejected, import_columns, remap_import

    assert page.case is not None
    imported, source = _import_of(page, import_id)
    form = await request.form()
    headers = import_columns(page.session, imported, first=COLUMN_ROWS)
    # Each choice names its column (the page's order may differ from this request's, if someone
    # remapped the list in between): a choice goes to the column it was made for.
    named = {str(form.get(f"column-{i}", "")): str(form.get(f"field-{i}", IGNORE))
             for i in range(len(form)) if f"column-{i}" in form}  # fmt: skip
    chosen = [named.get(h, IGNORE) for h in headers]
    again = {"chosen": chosen, "date_order": date_order, "reason": reason}
    try:
        strange = [c for c in named if c not in headers]
        if strange:
            raise InvalidInput("mapping", f"the list has no column {strange[0]!r}")
        unknown = [f for f in chosen if f != IGNORE and f not in FIELDS]
        if unknown:
            raise InvalidInput("mapping", f"{unknown[0]!r} is not a field")
        if date_order not in DATE_ORDERS:
            raise InvalidInput("date_order", "choose one of the orders offered")
        columns = {h: f for h, f in zip(headers, chosen, strict=True) if f != IGNORE}
        if not columns:
            raise InvalidInput("mapping", "map at least one column to a field")
        # The value maps are kept; an order of dates chosen anew applies to every date field.
        dropped = {"columns", "date_format"}
        if date_order != imported.mapping.get("date_format", "auto"):
            dropped.add("date_formats")
        kept = {k: v for k, v in imported.mapping.items() if k not in dropped}
        mapping = ColumnMapping.model_validate(
            {**kept, "columns": columns, "date_format": date_order}
        )

        def run() -> Any:
            actor = page.user.name if page.user else "?"
            with database(request).transaction(actor) as writer:
                case = writer.get(Case, imported.case_id)
                assert case is not None
                return remap_import(writer, case, imported.id, mapping, reason)

        done = await run_in_threadpool(run)
    except RemapRejected as exc:
        report = {**exc.result.as_dict(), "rejected_rows": exc.rejected}
        context = _context(page, imported, source, **again, report=report,
                           error=engine_message(page.lang, exc.message))  # fmt: skip
        return render(request, "list_remap.html", context, status_code=422)
    except (DalilError, ValueError) as exc:
        if isinstance(exc, NotFound):
            raise
        message = exc.message if isinstance(exc, DalilError) else pydantic_message(exc)
        context = _context(page, imported, source, **again,
                           error=engine_message(page.lang, message))  # fmt: skip
        return render(request, "list_remap.html", context, status_code=422)
    assert done is not None
    # A new request reads what the remap wrote: the page shows the new mapping and its figures.
    return RedirectResponse(f"{page.case_url('lists', imported.id, 'remap')}?done=1", 303)
