"""``/api/v1``: the JSON API, each answer the JSON of the matching command.

Scope is in every query (:mod:`guanxi.service.scope`): what a user may not
see answers 404, as if it did not exist. Writes are short transactions that
never take the batch's job lock; a cookie- or header-authenticated write
needs the session's CSRF token in ``X-CSRF-Token``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any, Optional

import attrs
from fastapi import APIRouter, Body, Depends, Query, Request, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from sqlalchemy import select

from guanxi.audit import acting_as
from guanxi.engines.reasons import READER_LANGUAGE
from guanxi.errors import NotFoundError, UsageError
from guanxi.views import case_detail, kpi_json, kpi_rows, task_row
from guanxi.web.auth import CSRF_HEADER, Forbidden, Principal

router = APIRouter(prefix="/api/v1", tags=["guanxi"])
MAX_LIMIT = 500


async def principal(request: Request, response: Response) -> Principal:
    """The user behind the request (401 without credentials).

    A browser's session also learns its CSRF token from the ``X-CSRF-Token``
    header of every answer (a page has it in its forms and a meta tag).
    Reasons are rendered in the user's language: set here, in the request's
    own context (an async dependency), so the endpoint's thread inherits it.
    """
    who = await run_in_threadpool(request.app.state.auth.principal, request)
    READER_LANGUAGE.set(who.user.language or request.app.state.ws.config.language)
    if who.needs_csrf:
        response.headers[CSRF_HEADER] = request.app.state.auth.csrf_token(who)
    return who


def writer(request: Request, who: Principal = Depends(principal)) -> Principal:
    """The user behind a write; a browser's write must carry the CSRF token."""
    request.app.state.auth.check_csrf(who, request.headers.get(CSRF_HEADER))
    return who


def _ws(request: Request):
    return request.app.state.ws


def _source(request: Request, kind: str = "api") -> str:
    return f"{kind} {request.method} {request.url.path}"


def _page(limit: int | None, offset: int | None) -> tuple[int, int]:
    return min(limit or 100, MAX_LIMIT), max(offset or 0, 0)


class TaskDone(BaseModel):
    outcome: Optional[str] = None
    at: Optional[dt.datetime] = None


class CaseStep(BaseModel):
    action: str
    note: Optional[str] = None
    to: Optional[str] = None
    at: Optional[dt.datetime] = None


@router.get("/me")
def me(who: Principal = Depends(principal)) -> Any:
    """The user behind the credentials."""
    return {"login": who.login, "manager_id": who.user.manager_id, "role": who.user.role}


@router.get("/customers")
def customers(request: Request, response: Response, q: Optional[str] = None,
              limit: Optional[int] = Query(None, ge=1), offset: Optional[int] = Query(None, ge=0),
              who: Principal = Depends(principal)) -> Any:
    """The customers the user may see, by id; ``q`` matches an id, a name or a phone."""
    limit, offset = _page(limit, offset)
    found, total = _ws(request).find_customers(q, scope=who.scope, limit=limit, offset=offset)
    response.headers["X-Total-Count"] = str(total)
    return [attrs.asdict(c) for c in found]


@router.get("/customers/{customer_id}")
def customer(request: Request, customer_id: str, who: Principal = Depends(principal)) -> Any:
    """The 360° view, as ``guanxi customers show ID --format json``."""
    ws = _ws(request)
    ws.require_visible(customer_id, who.scope)
    return ws.customer_view(customer_id)


@router.get("/tasks")
def tasks(request: Request, status: str = "open", due: Optional[str] = None,
          overdue: bool = False, manager: Optional[str] = None,
          limit: Optional[int] = Query(None, ge=1), offset: Optional[int] = Query(None, ge=0),
          who: Principal = Depends(principal)) -> Any:
    """The tasks the user may see, as ``guanxi tasks list --format json``."""
    if manager is not None and not who.scope.sees_manager(manager):
        raise NotFoundError(f"no manager with id {manager!r}")
    limit, offset = _page(limit, offset)
    found = _ws(request).tasks(manager=manager, status=None if status == "all" else status,
                               due=due, overdue=overdue, limit=limit, offset=offset,
                               scope=who.scope)
    return [task_row(x) for x in found]


@router.post("/tasks/{task_id}/done")
def task_done(request: Request, task_id: int, body: TaskDone = Body(default_factory=TaskDone),
              who: Principal = Depends(writer)) -> Any:
    """Mark a task in scope done; the task, now done."""
    ws = _ws(request)
    ws.require_task_visible(task_id, who.scope)
    with acting_as(who.login, _source(request)):
        return task_row(ws.task_done(task_id, body.outcome, at=body.at))


def log_interaction(ws, who: Principal, row: dict, source: str) -> dict:
    """Store one interaction (canonical columns) through the importer's checks; the stored row.

    The customer must be in the user's scope; ``id`` defaults to a new one
    and ``manager_id`` to the user's manager.
    """
    row = {k: v for k, v in row.items() if v not in (None, "")}
    if not row.get("customer_id"):
        raise UsageError("customer_id is required")
    ws.require_visible(str(row["customer_id"]), who.scope)
    row.setdefault("id", f"W{ws.now():%Y%m%d%H%M%S}-{secrets.token_hex(3)}")
    if who.user.manager_id:
        row.setdefault("manager_id", who.user.manager_id)
    with acting_as(who.login, source):
        ws.save("interactions", [row])
    from guanxi.storage import tables as t

    with ws.engine.connect() as conn:
        stored = conn.execute(select(t.interactions)
                              .where(t.interactions.c.id == str(row["id"]))).one()
    return dict(stored._mapping)


@router.post("/interactions", status_code=201)
def interactions(request: Request, body: dict = Body(...),
                 who: Principal = Depends(writer)) -> Any:
    """Log a visit or call (the canonical columns); 201 and the stored row, 422 with errors."""
    return log_interaction(_ws(request), who, body, _source(request))


def scoped_kpis(ws, who: Principal, period: str | None, by: str | None) -> list[dict]:
    """KPI rows within the user's scope: a manager's own, a lead's team's, an admin's any."""
    if who.scope.everything:
        values = ws.read_kpi(None, period=period, by=by)
    else:
        by = by or "manager"
        if by == "manager":
            keep = who.scope.managers
        elif by == "team" and who.user.role == "lead":
            keep = set(who.scope.teams)
        else:
            raise Forbidden(f"a {who.user.role} sees KPIs by manager"
                            + (" or by team" if who.user.role == "lead" else ""))
        values = [v for v in ws.read_kpi(None, period=period, by=by) if v.scope_key in keep]
    return kpi_json(kpi_rows(ws, values))


@router.get("/kpis")
def kpis(request: Request, period: Optional[str] = None, by: Optional[str] = None,
         who: Principal = Depends(principal)) -> Any:
    """KPI values within the user's scope, as ``guanxi kpi --format json``."""
    return scoped_kpis(_ws(request), who, period, by)


def scoped_plan(ws, who: Principal, week: str | None) -> list:
    since = None
    if week is None:
        today = ws.today()
        since = today - dt.timedelta(days=today.weekday())
    return ws.plan(week, None, since=since, scope=who.scope)


@router.get("/plan")
def plan(request: Request, week: Optional[str] = None,
         who: Principal = Depends(principal)) -> Any:
    """The user's visit plan (a lead's: the team's), as ``guanxi plan show --format json``."""
    return [v.as_json() for v in scoped_plan(_ws(request), who, week)]


@router.get("/cases")
def cases(request: Request, status: str = "all", limit: Optional[int] = Query(None, ge=1),
          offset: Optional[int] = Query(None, ge=0),
          who: Principal = Depends(principal)) -> Any:
    """The SLA cases the user may see, as ``guanxi cases list --format json``."""
    limit, offset = _page(limit, offset)
    found = _ws(request).cases(state=None if status == "all" else status, limit=limit,
                               offset=offset, scope=who.scope)
    return [c.as_json() for c in found]


def take_step(ws, who: Principal, case_id: int, step: CaseStep, source: str) -> dict:
    ws.require_case_visible(case_id, who.scope)
    if step.to is not None and not who.scope.sees_manager(step.to):
        raise NotFoundError(f"no manager with id {step.to!r}")
    # A manager or a lead steps as their manager id; an admin without one as their login.
    with acting_as(who.login, source):
        ws.case_step(case_id, step.action, who.user.manager_id, at=step.at, note=step.note,
                     to=step.to, login=who.login)
    return case_detail(ws, case_id)


@router.post("/cases/{case_id}/step")
def case_step(request: Request, case_id: int, body: CaseStep,
              who: Principal = Depends(writer)) -> Any:
    """One step on a case in scope, taken as the user's manager id (an admin without
    one: as their login); the case after it."""
    return take_step(_ws(request), who, case_id, body, _source(request))


@router.get("/audit")
def audit(request: Request, since: Optional[dt.date] = None, actor: Optional[str] = None,
          until: Optional[dt.date] = None,
          limit: Optional[int] = Query(None, ge=1), offset: Optional[int] = Query(None, ge=0),
          who: Principal = Depends(principal)) -> Any:
    """Admins only: the audit log, as ``guanxi audit list --format json`` (``until``: to
    the end of that day)."""
    if who.user.role != "admin":
        raise Forbidden("only an admin reads the audit log")
    limit, offset = _page(limit, offset)
    return [e.as_json() for e in _ws(request).audit_log(since=since, actor=actor, until=until,
                                                         limit=limit, offset=offset)]
