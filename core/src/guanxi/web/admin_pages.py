"""The admin feeds the system: files in, the daily batch, the packs, fields and config.

- ``/admin/import``: a file uploaded goes through :meth:`guanxi.Workspace.import_file`,
  the importer ``guanxi import`` calls (its detection of encodings, header rows and
  ``[import.columns]`` mapping come with it), audited as the admin; the page shows
  the summary and the rejected rows' file downloads from ``/admin/rejects/NAME``.
- ``/admin/batch``: the daily batch (:meth:`guanxi.Workspace.run`, under the job
  lock) in a background thread; ``/admin/batch/status`` answers its progress, which
  the page polls (htmx, or a reload without script). Pages keep answering: they read.
- ``/admin/setup``: the enabled packs, the declared fields and the effective config.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from pathlib import Path
from typing import Optional

import attrs
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse

from guanxi.audit import acting_as
from guanxi.errors import GuanxiError, NotFoundError
from guanxi.web.pages import _back, _source, render
from guanxi.web.team_pages import _admin

router = APIRouter(include_in_schema=False)
UPLOADS = "uploads"
#: An uploaded file's name keeps letters (Chinese too), digits and ``._-``.
SAFE_NAME = re.compile(r"[^\w.\-]+")


def uploads_folder(ws) -> Path:
    """Where uploaded files and their rejects files are kept: ``uploads/`` beside the config."""
    folder = Path(ws.config.directory) / UPLOADS
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# -- importing a file ----------------------------------------------------------------------


@router.get("/admin/import", response_class=HTMLResponse)
def import_form(request: Request):
    who = _admin(request)
    return _import_page(request, who)


def _import_page(request: Request, who, result=None, error: str = "", entity: str = "",
                 status: int = 200) -> HTMLResponse:
    ws = request.app.state.ws
    entities = sorted(ws.plugins.entities()) if hasattr(ws.plugins, "entities") else []
    rejects = Path(result.rejects_file).name if result is not None and result.rejects_file else ""
    return render(request, "admin_import.html", who, status=status, entities=entities,
                  result=result, error=error, entity=entity, rejects=rejects)


@router.post("/admin/import", response_class=HTMLResponse)
def import_upload(request: Request, csrf: str = Form(""), entity: str = Form(""),
                  encoding: str = Form(""), upload: UploadFile = File(...)):
    """Store the upload beside the config, then import it as ``guanxi import`` would."""
    who = _admin(request, csrf)
    ws = request.app.state.ws
    name = SAFE_NAME.sub("_", Path(upload.filename or "upload").name).strip("._") or "upload"
    stamp = ws.now().strftime("%Y%m%d-%H%M%S")
    path = uploads_folder(ws) / f"{stamp}-{name}"
    with open(path, "wb") as out:
        while chunk := upload.file.read(1 << 20):
            out.write(chunk)
    rejects = path.with_name(f"{path.stem}.rejects.csv")
    try:
        with acting_as(who.login, _source(request)):
            result = ws.import_file(entity.strip(), path, encoding=encoding.strip() or None,
                                    rejects=rejects)
    except GuanxiError as exc:  # an unknown entity, an unreadable file, a missing column
        if type(exc).__name__ == "DatabaseLocked":
            raise
        return _import_page(request, who, error=str(exc), entity=entity, status=422)
    return _import_page(request, who, result=result, entity=entity)


@router.get("/admin/rejects/{name}")
def rejects_file(request: Request, name: str):
    """A rejects file of an upload, to download (only files of ``uploads/``)."""
    _admin(request)
    folder = uploads_folder(request.app.state.ws)
    path = folder / Path(name).name
    if not name.endswith(".rejects.csv") or Path(name).name != name or not path.is_file():
        raise NotFoundError(f"no rejects file {name!r}")
    return FileResponse(path, media_type="text/csv; charset=utf-8", filename=name)


# -- the daily batch ----------------------------------------------------------------------------


@attrs.define
class BatchRun:
    """The daily batch run from the page: one at a time per server."""

    state: str = "idle"  # idle, running, done, failed
    login: str = ""
    started: Optional[dt.datetime] = None
    finished: Optional[dt.datetime] = None
    done: int = 0
    total: int = 0
    step: str = ""
    failures: list = attrs.field(factory=list)
    error: str = ""
    lock: threading.Lock = attrs.field(factory=threading.Lock, repr=False)

    def hear(self, done: int, total: int, step) -> None:
        self.done, self.total, self.step = done, total, str(step)


def batch_run(request: Request) -> BatchRun:
    state = request.app.state
    if getattr(state, "batch", None) is None:
        state.batch = BatchRun()
    return state.batch


def _run_batch(ws, run: BatchRun, login: str, source: str) -> None:
    try:
        with acting_as(login, source):
            result = ws.run(progress=run.hear)
        run.failures = list(result.failures)
        run.done = run.total  # every job started has ended
        run.state = "failed" if result.failures else "done"
    except Exception as exc:  # the page says why; the server goes on
        explained = ws.explain_locked(exc) if hasattr(ws, "explain_locked") else None
        run.error = str(explained or exc)
        run.state = "failed"
    finally:
        run.finished = ws.now()


@router.post("/admin/batch")
def start_batch(request: Request, csrf: str = Form("")):
    """Start the daily batch in the background; 409 while one runs."""
    who = _admin(request, csrf)
    run = batch_run(request)
    with run.lock:
        if run.state == "running":
            raise GuanxiError(f"the daily batch is already running (started by {run.login} "
                              f"at {run.started:%H:%M:%S})")
        ws = request.app.state.ws
        run.state, run.login, run.started, run.finished = "running", who.login, ws.now(), None
        run.done, run.total, run.step, run.failures, run.error = 0, 0, "", [], ""
        threading.Thread(target=_run_batch, args=(ws, run, who.login, _source(request)),
                         name="guanxi-batch", daemon=True).start()
    return _back("/admin/batch")


@router.get("/admin/batch", response_class=HTMLResponse)
def batch_page(request: Request):
    who = _admin(request)
    return render(request, "admin_batch.html", who, run=batch_run(request), htmx=True)


@router.get("/admin/batch/status")
def batch_status(request: Request):
    """The batch's progress: HTML for the page's poll (``HX-Request``), else JSON."""
    who = _admin(request)
    run = batch_run(request)
    if request.headers.get("HX-Request"):
        return render(request, "_batch_status.html", who, run=run)
    return {"state": run.state, "login": run.login, "started": run.started,
            "finished": run.finished, "done": run.done, "total": run.total, "step": run.step,
            "failures": run.failures, "error": run.error}


# -- packs, fields, config ------------------------------------------------------------------------


@router.get("/admin/setup", response_class=HTMLResponse)
def setup(request: Request):
    """What the workspace runs with: packs, fields, the effective configuration."""
    who = _admin(request)
    ws = request.app.state.ws
    packs = [{"name": i.name, "distribution": i.distribution, "version": i.version,
              "hooks": len(i.hooks)} for i in ws.plugins.pack_infos() if i.enabled]
    fields = [{"pack": f.pack, "entity": f.entity, "name": f.name, "type": f.type,
               "required": f.required, "allowed": ", ".join(map(str, f.allowed)),
               "description": f.description} for f in ws.fields()]
    return render(request, "admin_setup.html", who, packs=packs, fields=fields,
                  config=effective_config(ws))


def effective_config(ws) -> list[tuple[str, str, str]]:
    """(section, key, value) of ``[guanxi]``, ``[targets]`` and each pack's settings,
    defaults filled; a database password is hidden."""
    from guanxi.config import toml_value

    cfg = ws.config
    rows = [("guanxi", "database", _hidden_password(cfg.database)),
            ("guanxi", "packs", toml_value(list(cfg.packs))),
            ("guanxi", "timezone", cfg.timezone), ("guanxi", "language", cfg.language),
            ("guanxi", "currency", cfg.currency),
            ("guanxi", "lock_timeout", toml_value(cfg.lock_timeout))]
    for kpi, scopes in cfg.targets.items():
        for scope, value in scopes.items():
            rows.append(("targets", f"{kpi} {scope}", toml_value(value)))
    for pack, settings in ws.settings.items():
        for key, value in settings.items():
            rows.append((pack, key, toml_value(value)))
    return rows


def _hidden_password(url) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(str(url)).render_as_string(hide_password=True)
    except Exception:  # a plain SQLite path
        return str(url)



