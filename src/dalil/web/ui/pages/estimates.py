"""Estimates (multiple systems estimation): the stored ones, one in full with its plots, a new run.

Estimates are built from restricted lists: reading them needs ``read`` at restricted and running
one needs ``analyse`` (analysts and up); anyone else gets 404, and the navigation leaves the page
out. The numbers and the plots are the estimation package's (:func:`dalil.estimation.estimate_case`,
:func:`dalil.estimation.write_plots`); plots are PNG files in ``$DALIL_HOME/plots/<estimate id>/``
served by name from that folder's listing, never by a path taken from the request. A run from
the interface uses the API's small defaults so that one click cannot tie up the server.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, RedirectResponse, Response

from dalil.access import require
from dalil.db import Case
from dalil.errors import DalilError, NotFound
from dalil.web import session as web_session
from dalil.web.api.evidence import settings_of
from dalil.web.ui.context import CasePage, Page, RecordId, database
from dalil.web.ui.labels import METHODS, N_
from dalil.web.ui.templating import SECURITY_HEADERS, engine_message, render

router = APIRouter(include_in_schema=False)

STRATA = {
    "": N_("No strata"),
    "governorate": N_("Governorate"),
    "sex": N_("Sex"),
    "year": N_("Year"),
}
# What each plot shows, by the end of its file name (the estimation package names them).
PLOT_KINDS = {
    "-comparison.png": N_("The estimate and its interval, beside the documented count (red tick)"),
    "-posterior.png": N_("How likely each total is (the posterior distribution)"),
    "-trace.png": N_("The sampler's path (whether its chains agree)"),
    "-strata.png": N_("The estimate in each stratum"),
}
LCMCR_ITERATIONS = 2000
PLOT_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,120}\.png$")
PlotName = Annotated[str, PathParam(pattern=PLOT_NAME.pattern)]


def _readable(page: Page) -> None:
    """Estimates exist for this user only when they may read restricted material."""
    if not page.can("read", "restricted"):
        raise NotFound("no estimates")


def plot_folder(request: Request, estimate_id: str) -> Path:
    return settings_of(request).home / "plots" / estimate_id


def plots_of(request: Request, stored: Any) -> list[str]:
    """The plot files of a stored estimate, drawn from its stored result when none exist yet
    (an estimate stored by the CLI has no plots; its draws were not stored, so a stored LCMCR
    estimate gets the comparison and strata plots, not the posterior)."""
    folder = plot_folder(request, stored.id)
    if not folder.is_dir() and stored.result:
        _draw(folder, [_result_from_json(stored.result)])
    if not folder.is_dir():
        return []
    return sorted(name for name in os.listdir(folder) if PLOT_NAME.match(name))


def _result_from_json(data: dict[str, Any]) -> Any:
    from dalil.estimation import Estimate, Stratified

    if data.get("strata"):
        strata = {name: Estimate.from_json(e) for name, e in data["strata"].items()}
        return Stratified(by=str(data.get("by")), strata=strata, total=Estimate.from_json(data))
    return Estimate.from_json(data)


def _draw(folder: Path, results: list[Any]) -> None:
    """Write the plots into a new folder beside ``folder``, then rename it into place, so that
    a reader never sees half a set (and two writers do not mix theirs)."""
    from dalil.estimation import write_plots

    folder.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".plots-", dir=folder.parent))
    try:
        write_plots(results, scratch)
        with contextlib.suppress(OSError):  # another request drew them first
            scratch.rename(folder)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _stored(page: Page, id: str) -> Any:
    from dalil.db.models_estimation import StoredEstimate

    assert page.case is not None
    stored = page.session.get(StoredEstimate, id)
    if stored is None or stored.case_id != page.case.id:
        raise NotFound(f"no estimate {id!r}")
    return stored


def _list_context(page: Page, **extra: Any) -> dict[str, Any]:
    from dalil.estimation import list_estimates

    assert page.case is not None
    stored = list(reversed(list_estimates(page.session, page.case)))
    return {
        "page": page,
        "active": "estimates",
        "estimates": stored,
        "can_run": page.can("analyse", "restricted"),
        "methods": METHODS,
        "strata": STRATA,
        "form": {},
        "error": None,
        **extra,
    }


@router.get("/cases/{slug}/estimates")
def estimates_page(page: CasePage, request: Request) -> Response:
    _readable(page)
    return render(request, "estimates.html", _list_context(page))


@router.post("/cases/{slug}/estimates", dependencies=[Depends(web_session.check_csrf)])
def run_estimate(
    page: CasePage,
    request: Request,
    method: Annotated[str, Form(max_length=100)] = "chapman",
    by: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    from dalil.estimation import estimate_case

    assert page.case is not None
    assert page.principal is not None
    assert page.user is not None
    _readable(page)
    require(page.principal, "analyse", page.case.id, "restricted")
    form = {"method": method, "by": by}
    if method not in METHODS or by not in STRATA:
        context = _list_context(page, form=form, error=_invalid(page, method, by))
        return render(request, "estimates.html", context, status_code=422)
    web_session.limits_of(request).spend(f"session:{page.user.id}")
    options: dict[str, Any] = {}
    if method == "lcmcr":
        options = {"iterations": LCMCR_ITERATIONS, "burn_in": LCMCR_ITERATIONS // 4, "chains": 2}
    try:
        with database(request).transaction(page.user.name) as writer:
            case = writer.get(Case, page.case.id)
            assert case is not None
            done = estimate_case(
                writer, case, method=method, by=by or None, save_result=True, **options
            )
            stored_id = done.stored_id
    except NotFound:
        raise
    except DalilError as exc:
        context = _list_context(page, form=form, error=engine_message(page.lang, exc.message))
        return render(request, "estimates.html", context, status_code=422)
    assert stored_id is not None
    _draw(plot_folder(request, stored_id), [done.result])  # with the draws: posterior, traces
    return RedirectResponse(page.case_url("estimates", stored_id), status_code=303)


def _invalid(page: Page, method: str, by: str) -> str:
    from dalil.web.ui.templating import translate

    if method not in METHODS:
        return translate(page.lang, "Choose one of the methods offered.")
    return translate(page.lang, "Choose one of the strata offered.")


def _lists(page: Page, captures: dict[str, Any]) -> list[str | None]:
    """The titles of the lists an estimate counted over; None for a list the user may not read
    (its title could say what the list is)."""
    from dalil.db import Source

    shown: list[str | None] = []
    sources = captures.get("list_sources") or {}
    for name in captures.get("lists") or []:
        ref = sources.get(name) if isinstance(sources, dict) else None
        source = page.session.get(Source, ref.get("source_id")) if isinstance(ref, dict) else None
        if source is None or source.sensitivity not in page.levels or source.deleted_at:
            shown.append(None)
        else:
            shown.append(source.title)
    return shown


def _whole(value: Any) -> int | None:
    """A count to show: a finite number rounded, else None (shown as a dash)."""
    if (
        not isinstance(value, int | float)
        or value != value
        or value in (float("inf"), -float("inf"))
    ):
        return None
    return round(value)


def _about(name: str) -> str | None:
    return next((about for end, about in PLOT_KINDS.items() if name.endswith(end)), None)


@router.get("/cases/{slug}/estimates/{id}")
def estimate_page(page: CasePage, request: Request, id: RecordId) -> Response:
    _readable(page)
    stored = _stored(page, id)
    result = stored.result or {}
    strata = []
    for name, values in sorted((result.get("strata") or {}).items()):
        interval = values.get("interval") or {}
        strata.append(
            {
                "name": name,
                "total": _whole(values.get("total")),
                "lower": _whole(interval.get("lower")),
                "upper": _whole(interval.get("upper")),
                "documented": values.get("documented"),
            }
        )
    context = {
        "page": page,
        "active": "estimates",
        "e": stored,
        "strata": strata,
        "warnings": list(result.get("warnings") or []),
        "lists": _lists(page, stored.captures or {}),
        "plots": [{"name": name, "about": _about(name)} for name in plots_of(request, stored)],
        "methods": METHODS,
        "strata_labels": STRATA,
    }
    return render(request, "estimate.html", context)


@router.get("/cases/{slug}/estimates/{id}/plots/{name}")
def estimate_plot(page: CasePage, request: Request, id: RecordId, name: PlotName) -> Response:
    _readable(page)
    stored = _stored(page, id)
    if name not in plots_of(request, stored):
        raise NotFound(f"no plot {name!r}")
    path = plot_folder(request, stored.id) / name
    return FileResponse(path, media_type="image/png", headers=dict(SECURITY_HEADERS))
