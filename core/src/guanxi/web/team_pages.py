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


@router.get("/team", response_class=HTMLResponse)
def team(request: Request, page: int = 1):
    """The managers in scope with their open and overdue tasks and open cases, paged."""
    who = _who(request)
    page, size, offset = _page_of(request, page)
    rows, total = request.app.state.ws.team_workload(who.scope, limit=size, offset=offset)
    return render(request, "team.html", who, rows=rows, total=total, page=page,
                  pages=max((total + size - 1) // size, 1))


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
