"""The web workspace's application: the API, the pages, the static files, the guards.

:func:`create_app` builds a FastAPI application on one opened
:class:`guanxi.Workspace` (the same API the command line uses). Errors map
to statuses in one place: a record out of scope or missing 404, a role's
action 403, no credentials 401, a bad body 422, a busy database 503 with
``Retry-After``.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import attrs
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from guanxi.errors import GuanxiError, NotFoundError, RowsRefused, UsageError
from guanxi.web.auth import Authenticator, CsrfFailed, Forbidden, NotAuthenticated, TooManyAttempts
from guanxi.web.logmask import install_masking
from guanxi.web.settings import serve_settings

HERE = Path(__file__).resolve().parent
RETRY_AFTER = "5"
log = logging.getLogger("guanxi.web")

#: Sent with every answer: scripts only from our own files (no inline script),
#: no framing, no sniffing.
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self'; "
                                "img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                                "form-action 'self'; frame-ancestors 'none'"),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class GuanxiJSON(JSONResponse):
    """JSON written as the command line's ``--format json`` writes it."""

    def render(self, content) -> bytes:
        from guanxi.output import to_json

        return to_json(content).encode("utf-8")


def _is_busy(exc: BaseException) -> bool:
    from guanxi.storage.locks import DatabaseLocked

    if isinstance(exc, DatabaseLocked):
        return True
    text = str(getattr(exc, "orig", exc)).lower()
    return ("database is locked" in text or "lock timeout" in text
            or "could not obtain lock" in text or "canceling statement due to lock" in text)


def create_app(ws, settings=None) -> FastAPI:
    """The application serving ``ws``; ``settings`` default to its ``[serve]``."""
    from guanxi.web import admin_pages, api, numbers, pages, team_pages

    settings = settings or serve_settings(ws.config)
    # A web request waits a few seconds for a busy database, not a batch's lock_timeout.
    if ws.config.lock_timeout > settings.busy_timeout:
        ws.close()
        ws.config = attrs.evolve(ws.config, lock_timeout=settings.busy_timeout)
    ws.require_ready()
    app = FastAPI(title="guanxi", version=_version(), docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json", default_response_class=GuanxiJSON)
    app.state.ws = ws
    app.state.settings = settings
    app.state.auth = Authenticator(ws, settings)
    install_masking()

    @app.middleware("http")
    async def guard(request: Request, call_next):
        started = time.perf_counter()
        try:
            response = await call_next(request)
        except Exception as exc:  # what the handlers below did not answer
            if _is_busy(exc):
                response = _busy(request)
            else:
                log.exception("%s %s failed", request.method, request.url.path)
                response = GuanxiJSON({"detail": "internal error"}, status_code=500)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.path.startswith("/static/"):
            response.headers["Cache-Control"] = "public, max-age=3600"
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        log.info("%s %s %s %.1f ms", request.method, request.url.path + (
            "?" + request.url.query if request.url.query else ""), response.status_code,
            (time.perf_counter() - started) * 1000)
        return response

    def wants_html(request: Request) -> bool:
        return not request.url.path.startswith("/api/")

    @app.exception_handler(NotAuthenticated)
    async def _unauthenticated(request: Request, exc: NotAuthenticated):
        if wants_html(request):
            return RedirectResponse("/login", status_code=303)
        return GuanxiJSON({"detail": str(exc) or "log in first"}, status_code=401,
                          headers={"WWW-Authenticate": "Bearer"})

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden):
        return _answer(request, 403, str(exc) or "your role may not do this")

    @app.exception_handler(CsrfFailed)
    async def _csrf(request: Request, exc: CsrfFailed):
        return _answer(request, 403, "the form's CSRF token is missing or wrong; reload the page")

    @app.exception_handler(TooManyAttempts)
    async def _throttled(request: Request, exc: TooManyAttempts):
        return _answer(request, 429, "too many wrong passwords for this login; wait 15 minutes",
                       headers={"Retry-After": "900"})

    from fastapi.exceptions import RequestValidationError

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        errors = [{"column": ".".join(str(p) for p in e.get("loc", ())[1:]) or None,
                   "value": e.get("input") if not isinstance(e.get("input"), dict) else None,
                   "reason": e.get("msg")} for e in exc.errors()]
        return GuanxiJSON({"errors": errors}, status_code=422)

    @app.exception_handler(NotFoundError)
    async def _not_found(request: Request, exc: NotFoundError):
        return _answer(request, 404, str(exc))

    @app.exception_handler(RowsRefused)
    async def _refused(request: Request, exc: RowsRefused):
        errors = [{"column": p["column"], "value": p["value"], "reason": p["reason"]}
                  for p in exc.problems] or [{"column": None, "value": None, "reason": str(exc)}]
        return GuanxiJSON({"errors": errors}, status_code=422)

    @app.exception_handler(UsageError)
    async def _usage(request: Request, exc: UsageError):
        return GuanxiJSON({"errors": [{"column": None, "value": None, "reason": str(exc)}]},
                          status_code=422)

    @app.exception_handler(GuanxiError)
    async def _guanxi(request: Request, exc: GuanxiError):
        if _is_busy(exc):
            return _busy(request)
        return _answer(request, 409, str(exc))

    @app.exception_handler(Exception)
    async def _other(request: Request, exc: Exception):
        if _is_busy(exc):
            return _busy(request)
        log.exception("%s %s failed", request.method, request.url.path)
        return _answer(request, 500, "internal error")

    @app.get("/api/docs", include_in_schema=False)
    def api_docs(request: Request):
        # The OpenAPI reference rendered here: Swagger UI would need a CDN and inline script.
        from guanxi.web.pages import render

        return render(request, "api_docs.html", None, schema=app.openapi())

    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(team_pages.router)
    app.include_router(numbers.router)
    app.include_router(admin_pages.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    return app


def _answer(request: Request, status: int, message: str, headers=None) -> Response:
    if request.url.path.startswith("/api/"):
        return GuanxiJSON({"detail": message}, status_code=status, headers=headers)
    from guanxi.web.pages import error_page

    return error_page(request, status, message, headers=headers)


def _busy(request: Request) -> Response:
    return _answer(request, 503, "the database is busy; try again in a few seconds",
                   headers={"Retry-After": RETRY_AFTER})


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("guanxi")
    except PackageNotFoundError:
        return "0"
