"""The pages: server-rendered, plain forms (no script needed), usable on a phone.

Each page reads through the same workspace calls and scope as the API
(:mod:`guanxi.web.api`); every form carries the session's CSRF token.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from typing import Optional

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from guanxi.audit import acting_as
from guanxi.engines.reasons import READER_LANGUAGE
from guanxi.errors import GuanxiError, NotFoundError, RowsRefused, UsageError
from guanxi.web import api
from guanxi.web.app import HERE
from guanxi.web.auth import CSRF_HEADER, LOGIN_COOKIE, SESSION_COOKIE, Principal
from guanxi.web.i18n import LANGUAGES, words

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(HERE / "templates"))
LANG_COOKIE = "guanxi_lang"


def _language(request: Request, who: Principal | None = None) -> str:
    """The user's own language, else the browser's choice on the login page, else
    ``[guanxi] language``."""
    if who is not None and who.user.language in LANGUAGES:
        return who.user.language
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.app.state.ws.config.language


def render(request: Request, name: str, who: Principal | None, status: int = 200,
           headers=None, **context) -> HTMLResponse:
    language = _language(request, who)
    auth = request.app.state.auth
    return templates.TemplateResponse(request, name, {
        "who": who, "w": words(language), "lang": language,
        "csrf": auth.csrf_token(who) if who is not None else "",
        "path": request.url.path, **context}, status_code=status, headers=headers)


def error_page(request: Request, status: int, message: str, headers=None) -> HTMLResponse:
    try:
        who = request.app.state.auth.principal(request)
    except Exception:  # the error page must render for anyone
        who = None
    return render(request, "error.html", who, status=status, headers=headers,
                  status_code=status, message=message)


def _who(request: Request) -> Principal:
    who = request.app.state.auth.principal(request)
    # The reasons this request renders read in the user's language (engines/reasons.py).
    READER_LANGUAGE.set(_language(request, who))
    return who


def _form_writer(request: Request, csrf: str | None) -> Principal:
    who = _who(request)
    request.app.state.auth.check_csrf(who, csrf or request.headers.get(CSRF_HEADER))
    return who


def _source(request: Request) -> str:
    return f"web {request.method} {request.url.path}"


def _back(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


# -- logging in and out --------------------------------------------------------------------


@router.get("/login")
def login_form(request: Request, failed: bool = False, status: int = 200):
    cookie, form_token = request.app.state.auth.login_form_tokens()
    response = render(request, "login.html", None, status=status, form_token=form_token,
                      failed=failed)
    response.set_cookie(LOGIN_COOKIE, cookie, httponly=True, samesite="strict",
                        secure=request.app.state.settings.cookie_secure)
    return response


@router.post("/login")
def login(request: Request, login: str = Form(""), password: str = Form(""),
          csrf: str = Form(""), username: str = Form(""), csrf_token: str = Form("")):
    auth = request.app.state.auth
    # username and csrf_token: the names other tools give these fields
    auth.check_login_form(request.cookies.get(LOGIN_COOKIE), csrf or csrf_token)
    login = login or username
    user = auth.log_in(login, password)
    if user is None:
        return login_form(request, failed=True, status=401)
    response = _back("/")
    settings = request.app.state.settings
    response.set_cookie(SESSION_COOKIE, auth.session_value(user), httponly=True, samesite="lax",
                        secure=settings.cookie_secure, max_age=int(settings.session_hours * 3600))
    response.delete_cookie(LOGIN_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, csrf: str = Form("")):
    _form_writer(request, csrf)
    response = _back("/login")
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/lang/{language}")
def language(request: Request, language: str):
    """The login page's language, kept in a cookie (a logged-in user's is stored with them)."""
    response = _back(_local(request.headers.get("referer")))
    if language in LANGUAGES:
        response.set_cookie(LANG_COOKIE, language, httponly=True, samesite="lax",
                            max_age=365 * 86400)
    return response


@router.post("/language")
def set_language(request: Request, csrf: str = Form(""), language: str = Form(...),
                 back: str = Form("/")):
    """A user's language, chosen on the page: stored with the user, audited."""
    who = _form_writer(request, csrf)
    if language not in LANGUAGES:
        raise UsageError(f"language {language!r} is not offered; use one of: "
                         f"{', '.join(LANGUAGES)}")
    with acting_as(who.login, _source(request)):
        request.app.state.ws.set_user_language(who.login, language)
    response = _back(_local(back))
    response.delete_cookie(LANG_COOKIE)
    return response


def _local(path: str | None) -> str:
    """``path`` if it stays on this site, else ``/`` (no open redirect)."""
    from urllib.parse import urlsplit

    if not path:
        return "/"
    parts = urlsplit(path)
    local = parts.path + ("?" + parts.query if parts.query else "")
    return local if local.startswith("/") and not local.startswith("//") else "/"


# -- my day ----------------------------------------------------------------------------------


def _week_by_day(visits) -> list:
    """[(day, [(territory, [visits])])] in order."""
    days: OrderedDict = OrderedDict()
    for v in visits:
        days.setdefault(v.day, OrderedDict()).setdefault(v.territory or "-", []).append(v)
    return [(day, list(by_territory.items())) for day, by_territory in days.items()]


@router.get("/", response_class=HTMLResponse)
def my_day(request: Request, errors: Optional[list] = None, saved: bool = False,
           status: int = 200):
    who = _who(request)
    ws = request.app.state.ws
    page = request.app.state.settings.page_size * 4
    due = ws.tasks(due="today", scope=who.scope, limit=page)
    today = ws.today()
    week = f"{today.isocalendar()[0]}-W{today.isocalendar()[1]:02d}"
    visits = ws.plan(week, None, scope=who.scope)
    return render(request, "my_day.html", who, status=status, tasks=due, today=today,
                  week=week, days=_week_by_day(visits), errors=errors or [],
                  saved=saved or request.query_params.get("saved") == "1",
                  now=ws.now().strftime("%Y-%m-%dT%H:%M"))


@router.post("/tasks/{task_id}/done")
def task_done(request: Request, task_id: int, csrf: str = Form(""), outcome: str = Form(""),
              at: str = Form(""), back: str = Form("/")):
    who = _form_writer(request, csrf)
    ws = request.app.state.ws
    ws.require_task_visible(task_id, who.scope)
    when = dt.datetime.fromisoformat(at) if at else None
    with acting_as(who.login, _source(request)):
        ws.task_done(task_id, outcome or None, at=when)
    return _back(_local(back))


@router.post("/interactions")
def log_contact(request: Request, csrf: str = Form(""), customer_id: str = Form(""),
                kind: str = Form("visit"), channel: str = Form(""), occurred_at: str = Form(""),
                outcome: str = Form("")):
    who = _form_writer(request, csrf)
    ws = request.app.state.ws
    row = {"customer_id": customer_id.strip(), "kind": kind, "channel": channel,
           "occurred_at": occurred_at.replace("T", " ") if occurred_at else None,
           "outcome": outcome}
    try:
        api.log_interaction(ws, who, row, _source(request))
    except RowsRefused as exc:
        return my_day(request, errors=exc.problems or [{"reason": str(exc)}], status=422)
    except GuanxiError as exc:
        if type(exc).__name__ == "NotFoundError" or not customer_id.strip():
            return my_day(request, errors=[{"column": "customer_id", "value": customer_id,
                                            "reason": str(exc)}], status=422)
        raise
    return _back("/?saved=1")


# -- customers ---------------------------------------------------------------------------------


@router.get("/customers", response_class=HTMLResponse)
def customers(request: Request, q: str = "", page: int = 1):
    who = _who(request)
    size = request.app.state.settings.page_size
    page = max(page, 1)
    found, total = request.app.state.ws.find_customers(q or None, scope=who.scope, limit=size,
                                                       offset=(page - 1) * size)
    return render(request, "customers.html", who, customers=found, total=total, q=q,
                  page=page, pages=max((total + size - 1) // size, 1))


@router.get("/customers/{customer_id}", response_class=HTMLResponse)
def customer(request: Request, customer_id: str):
    who = _who(request)
    ws = request.app.state.ws
    ws.require_visible(customer_id, who.scope)
    view = ws.customer_view(customer_id)
    cases = ws.cases(customer=customer_id, scope=who.scope)
    panels = ws.customer_panels(customer_id, language=_language(request, who))
    return render(request, "customer.html", who, v=view, cases=cases, panels=panels,
                  now=ws.now().strftime("%Y-%m-%dT%H:%M"))


# -- cases ----------------------------------------------------------------------------------------


@router.get("/cases", response_class=HTMLResponse)
def cases(request: Request, page: int = 1, owner: Optional[str] = None):
    who = _who(request)
    ws = request.app.state.ws
    if owner and not who.scope.sees_manager(owner):
        raise NotFoundError(f"no manager with id {owner!r}")
    size = request.app.state.settings.page_size
    page = max(page, 1)
    found = ws.cases(state="open", owner=owner or None, scope=who.scope, limit=size + 1,
                     offset=(page - 1) * size)
    from guanxi.service.cases import ACTIONS

    return render(request, "cases.html", who, cases=found[:size], more=len(found) > size,
                  page=page, actions=ACTIONS, owner=owner or "")


@router.post("/cases/{case_id}/step")
def case_step(request: Request, case_id: int, csrf: str = Form(""), action: str = Form(...),
              note: str = Form(""), to: str = Form("")):
    who = _form_writer(request, csrf)
    step = api.CaseStep(action=action, note=note or None, to=to or None)
    api.take_step(request.app.state.ws, who, case_id, step, _source(request))
    return _back("/cases")


# -- figures and plan (the team and admin pages: team_pages.py) -------------------------------------------------------------------


@router.get("/kpis", response_class=HTMLResponse)
def kpis(request: Request, period: Optional[str] = None, by: Optional[str] = None, page: int = 1):
    who = _who(request)
    ws = request.app.state.ws
    if who.scope.everything and by is None:
        by = "all"
    rows = api.scoped_kpis(ws, who, period, by)
    # Paged like every list: an admin by manager reads one row per KPI and manager.
    size = request.app.state.settings.page_size
    pages = max((len(rows) + size - 1) // size, 1)
    page = min(max(page, 1), pages)
    return render(request, "kpis.html", who, rows=rows[(page - 1) * size:page * size],
                  total=len(rows), page=page, pages=pages, period=period or "",
                  by=by or "manager")


@router.get("/plan", response_class=HTMLResponse)
def plan(request: Request, week: Optional[str] = None):
    who = _who(request)
    visits = api.scoped_plan(request.app.state.ws, who, week)
    return render(request, "plan.html", who, days=_week_by_day(visits), week=week or "")
