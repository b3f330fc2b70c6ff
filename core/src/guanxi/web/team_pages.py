"""The lead's and the admin's pages: the team's workload, a task list, users and the audit log.

The same scope as every page (:mod:`guanxi.service.scope`): a lead sees
the managers of the teams they lead, an admin everyone; every form carries
the session's CSRF token and every change is audited as the user.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from guanxi.audit import acting_as
from guanxi.errors import GuanxiError, NotFoundError
from guanxi.service.scope import ROLES
from guanxi.web.auth import Forbidden, Principal
from guanxi.web.i18n import LANGUAGES
from guanxi.web.pages import _back, _form_writer, _source, _who, render

router = APIRouter(include_in_schema=False)


def _page_of(request: Request, page: int) -> tuple[int, int, int]:
    """(page, limit, offset) of a listing at the configured page size."""
    size = request.app.state.settings.page_size
    page = max(page, 1)
    return page, size, (page - 1) * size


def _in_scope(who: Principal, manager: Optional[str]) -> Optional[str]:
    if manager and not who.scope.sees_manager(manager):
        raise NotFoundError(f"no manager with id {manager!r}")
    return manager or None


# -- the team ----------------------------------------------------------------------------------


def _lead(request: Request, csrf: str | None = None) -> Principal:
    """A team lead or an admin: a manager gets 403 on the team's pages."""
    who = _form_writer(request, csrf) if request.method == "POST" else _who(request)
    if who.user.role not in ("lead", "admin"):
        raise Forbidden("only a team lead or an admin opens the team's page")
    return who


@router.get("/team", response_class=HTMLResponse)
def team(request: Request, page: int = 1, period: Optional[str] = None):
    """The lead's week: tasks per manager, KPIs per team, the packs' tables and charts
    (the banking league), the customers' handover form and the week's visit plans."""
    who = _lead(request)
    return _team_page(request, who, page, period)


def _team_page(request: Request, who: Principal, page: int = 1, period: Optional[str] = None,
               error: str = "", moved: Optional[int] = None, form: Optional[dict] = None,
               status: int = 200):
    from guanxi.web import api
    from guanxi.web.charts import Chart, download, from_panel
    from guanxi.web.i18n import words
    from guanxi.web.numbers import current_period
    from guanxi.web.pages import _language, _week_by_day

    ws = request.app.state.ws
    language = _language(request, who)
    w = words(language)
    page, size, offset = _page_of(request, page)
    rows, total = ws.team_workload(who.scope, limit=size, offset=offset)
    the_period = current_period(ws, period)
    team_kpis = api.scoped_kpis(ws, who, the_period.label, "team")
    panels = ws.page_panels("team", managers=who.scope.managers, language=language)
    charts = [Chart(id="tasks", title=w["team_workload"], kind="bar",
                    columns=(w["manager"], w["open_tasks_count"], w["overdue_count"]),
                    rows=[(r["id"], r["open"], r["overdue"]) for r in rows])]
    charts += [from_panel(p, i) for i, p in enumerate(panels, start=1) if p.chart]
    answer = download(request, charts)
    if answer is not None:
        return answer
    visits = api.scoped_plan(ws, who, None)
    managers = [m for m in ws.managers() if who.scope.sees_manager(m.id)]
    from urllib.parse import urlencode

    return render(request, "team.html", who, status=status, rows=rows, total=total, page=page,
                  pages=max((total + size - 1) // size, 1), period=the_period.label,
                  team_kpis=team_kpis, panels=[p for p in panels if not p.chart],
                  charts=charts, days=_week_by_day(visits), managers=managers,
                  error=error, moved=moved, form=form or {},
                  query=urlencode({"page": page, "period": the_period.label}))


@router.post("/team/reassign")
def reassign(request: Request, csrf: str = Form(""), from_manager: str = Form(""),
             to_manager: str = Form(""), customers: str = Form(""), reason: str = Form("")):
    """Hand customers over, as ``guanxi customers reassign`` does: audited as the lead.

    Both managers must be in the lead's scope; blank customers move all of them.
    """
    who = _lead(request, csrf)
    form = {"from_manager": from_manager, "to_manager": to_manager, "customers": customers,
            "reason": reason}
    ids = [c for c in customers.replace(",", " ").split() if c]
    try:
        for manager in (from_manager.strip(), to_manager.strip()):
            _in_scope(who, manager)
            if not manager:
                raise NotFoundError("name both managers: from and to")
        with acting_as(who.login, _source(request)):
            result = request.app.state.ws.reassign(
                from_manager.strip(), to_manager.strip(), customers=ids or None,
                reason=reason.strip() or None)
    except GuanxiError as exc:  # an unknown manager or customer, the same manager twice
        return _team_page(request, who, error=str(exc), form=form, status=422)
    return _team_page(request, who, moved=result)


@router.get("/tasks", response_class=HTMLResponse)
def tasks(request: Request, manager: Optional[str] = None, overdue: bool = False,
          page: int = 1):
    """Open tasks in scope (a manager's, the overdue ones), paged: where /team's counts link."""
    who = _who(request)
    manager = _in_scope(who, manager)
    page, size, offset = _page_of(request, page)
    found = request.app.state.ws.tasks(manager=manager, overdue=overdue, scope=who.scope,
                                       limit=size + 1, offset=offset)
    return render(request, "tasks.html", who, tasks=found[:size], more=len(found) > size,
                  page=page, manager=manager or "", overdue=overdue)


# -- the admin's page ----------------------------------------------------------------------------


def _admin(request: Request, csrf: str | None = None) -> Principal:
    who = _form_writer(request, csrf) if request.method == "POST" else _who(request)
    if who.user.role != "admin":
        raise Forbidden("only an admin opens the admin page")
    return who


@router.get("/admin", response_class=HTMLResponse)
def admin(request: Request, actor: str = "", since: str = "", until: str = "", page: int = 1):
    """Users (add, disable, enable) and the audit log, newest first, by actor and date."""
    who = _admin(request)
    days = {}
    for name, text in (("since", since), ("until", until)):
        try:
            days[name] = dt.date.fromisoformat(text.strip()) if text.strip() else None
        except ValueError:
            return _admin_page(request, who, actor, status=422,
                               error=f"{name} = {text!r} is not a date like 2026-12-01")
    return _admin_page(request, who, actor, days["since"], days["until"], page)


def _admin_page(request: Request, who: Principal, actor: str = "", since=None, until=None,
                page: int = 1, error: str = "", form: Optional[dict] = None,
                status: int = 200) -> HTMLResponse:
    ws = request.app.state.ws
    page, size, offset = _page_of(request, page)
    entries = ws.audit_log(actor=actor.strip() or None, since=since, until=until,
                           limit=size + 1, offset=offset, newest_first=True)
    return render(request, "admin.html", who, status=status, users=ws.users(),
                  entries=entries[:size], more=len(entries) > size, page=page,
                  actor=actor, since=since or "", until=until or "", roles=ROLES,
                  languages=LANGUAGES, error=error, form=form or {})


@router.post("/admin/users")
def add_user(request: Request, csrf: str = Form(""), login: str = Form(""),
             manager: str = Form(""), role: str = Form("manager"), language: str = Form(""),
             password: str = Form("")):
    """A new user with an initial password; a refusal re-shows the form with its reason."""
    who = _admin(request, csrf)
    form = {"login": login, "manager": manager, "role": role, "language": language}
    try:
        with acting_as(who.login, _source(request)):
            request.app.state.ws.add_user(login.strip(), manager=manager.strip() or None,
                                          role=role, password=password,
                                          language=language or None)
    except GuanxiError as exc:  # a bad role, a known login, an unknown manager, a short password
        return _admin_page(request, who, error=str(exc), form=form, status=422)
    return _back("/admin")


@router.post("/admin/users/{login}/{change}")
def admin_user(request: Request, login: str, change: str, csrf: str = Form("")):
    """Disable (ending the user's sessions and tokens at once) or enable a user."""
    who = _admin(request, csrf)
    if change not in ("disable", "enable"):
        raise NotFoundError(f"no change {change!r}; use disable or enable")
    if login == who.login and change == "disable":
        raise Forbidden("an admin does not disable themselves; another admin may")
    with acting_as(who.login, _source(request)):
        request.app.state.ws.disable_user(login, change == "disable")
    return _back("/admin")
