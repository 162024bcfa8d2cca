"""Record linkage as a background job: start a run, watch its progress, read its summary.

The run is the registry's :func:`dalil.registry.linking.link_case`, in a thread of this server
process; its progress (stage and fraction, as the engine reports them) is kept in memory and
polled by the job page every second with HTMX (the page also refreshes itself without it).
One job per case at a time: starting another while one runs opens the running one. Jobs are
forgotten an hour after they end, and when the server stops (the run itself is stored by the
registry either way). Starting and watching need ``analyse`` at restricted.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi import Path as PathParam
from fastapi.responses import RedirectResponse, Response

from dalil.access import require
from dalil.db import Database
from dalil.errors import DalilError, NotFound
from dalil.web import session as web_session
from dalil.web.ui.context import CasePage, Page, database
from dalil.web.ui.labels import N_
from dalil.web.ui.templating import render

router = APIRouter(include_in_schema=False)

KEEP_SECONDS = 3600
JobId = Annotated[str, PathParam(pattern=r"^[A-Za-z0-9_-]{8,64}$")]


# What the engine reports as it goes (its own words), as the job page says it. Stages named
# by a prefix carry counts ("linking 1,234 records (duckdb)"); an unknown stage is shown as is.
STAGES = (
    ("starting", N_("Starting")),
    ("reading list records", N_("Reading the list records and earlier judgements")),
    ("linking", N_("Linking the records")),
    ("features", N_("Comparing names, dates and places")),
    ("u", N_("Learning how often unrelated records agree")),
    ("m", N_("Training the model")),
    ("predict", N_("Scoring candidate pairs")),
    ("cluster", N_("Grouping records into persons")),
    ("applying judgements", N_("Applying judgements and keeping IDs")),
    ("writing the run", N_("Writing the run")),
    ("done", N_("Finishing")),
)


def stage_label(stage: str) -> str | None:
    """The interface's message for an engine stage (None: a stage it does not know)."""
    for prefix, message in STAGES:
        if stage == prefix or (len(prefix) > 1 and stage.startswith(prefix)):
            return message
    return None


@dataclass
class Job:
    id: str
    case_id: str
    actor: str
    full: bool = False  # retrain the model and link everything again (not incremental)
    state: str = "running"  # running | done | failed
    stage: str = "starting"
    fraction: float = 0.0
    summary: dict[str, Any] | None = None
    error: str | None = None
    started: float = field(default_factory=time.monotonic)
    ended: float | None = None

    @property
    def stage_label(self) -> str | None:
        return stage_label(self.stage)

    @property
    def percent(self) -> int:
        return max(0, min(100, round(self.fraction * 100)))

    @property
    def seconds(self) -> float:
        return (self.ended or time.monotonic()) - self.started


_jobs: dict[str, Job] = {}
_lock = threading.Lock()


def running(case_id: str) -> Job | None:
    """The job now running for this case, if any."""
    with _lock:
        return next((j for j in _jobs.values() if j.case_id == case_id and j.state == "running"),
                    None)  # fmt: skip


def _forget_old() -> None:
    now = time.monotonic()
    with _lock:
        for key in [k for k, j in _jobs.items() if j.ended and now - j.ended > KEEP_SECONDS]:
            del _jobs[key]


def _work(db: Database, job: Job) -> None:
    from dalil.config import load_settings
    from dalil.registry.linking import link_case, resources_from

    def progress(stage: str, fraction: float) -> None:
        job.stage, job.fraction = stage, float(fraction)

    try:
        done = link_case(
            db,
            job.case_id,
            actor=job.actor,
            incremental=not job.full,
            progress=progress,
            resources=resources_from(load_settings()),
        )
        job.summary = {
            k: v for k, v in done.__dict__.items() if k not in ("calibration", "conflicts")
        } | {"conflicts": len(done.conflicts)}
        job.fraction, job.state = 1.0, "done"
    except DalilError as exc:
        job.error, job.state = exc.message, "failed"
    except Exception as exc:  # the thread must always end with a state the page can show
        job.error, job.state = f"the run failed ({type(exc).__name__})", "failed"
    finally:
        job.ended = time.monotonic()


def start(db: Database, case_id: str, actor: str, *, full: bool = False) -> Job:
    """Start a run for the case (or return the one already running)."""
    _forget_old()
    with _lock:
        for job in _jobs.values():
            if job.case_id == case_id and job.state == "running":
                return job
        job = Job(id=secrets.token_urlsafe(12), case_id=case_id, actor=actor, full=full)
        _jobs[job.id] = job
    threading.Thread(target=_work, args=(db, job), name=f"link-{job.id}", daemon=True).start()
    return job


def _allowed(page: Page) -> None:
    assert page.case is not None
    assert page.principal is not None
    if not page.can("analyse", "restricted"):
        raise NotFound("no such page")
    require(page.principal, "analyse", page.case.id, "restricted")


@router.post("/cases/{slug}/link/run", dependencies=[Depends(web_session.check_csrf)])
def start_run(
    page: CasePage, request: Request, full: Annotated[str, Form(max_length=8)] = ""
) -> Response:
    assert page.case is not None
    assert page.user is not None
    _allowed(page)
    job = start(database(request), page.case.id, page.user.name, full=full == "1")
    return RedirectResponse(page.case_url("link", "jobs", job.id), status_code=303)


@router.get("/cases/{slug}/link/jobs/{job_id}")
def job_page(page: CasePage, request: Request, job_id: JobId) -> Response:
    assert page.case is not None
    _allowed(page)
    with _lock:
        job = _jobs.get(job_id)
    if job is None or job.case_id != page.case.id:
        raise NotFound("no such link job (jobs are forgotten an hour after they end)")
    context = {"page": page, "active": "lists", "job": job}
    if request.headers.get("hx-request") and request.headers.get("hx-target") == "job":
        return render(request, "partials/link_job.html", context)
    return render(request, "link_job.html", context)
