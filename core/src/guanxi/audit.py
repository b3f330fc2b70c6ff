"""The audit log: who changed what, when, and through which page, call, command or file.

One place writes it, :func:`record`; the workspace's writing methods call
it (the jobs through :func:`job`, the short writes through
:class:`guanxi.service.access_api.AccessMethods`). Who acts is the person
the web workspace logged in (:func:`acting_as`, set per request), else the
operating-system user running the command line or the script.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import json
from collections.abc import Callable, Iterator

from sqlalchemy import insert

#: (actor, source) of the code running now; None: the OS user and the command.
_ACTING: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar(
    "guanxi_acting", default=None)


@contextlib.contextmanager
def acting_as(actor: str, source: str) -> Iterator[None]:
    """Everything written inside is audited as ``actor`` through ``source``.

    ``source`` says where the change came from: ``"web POST /tasks/12/done"``,
    ``"api POST /api/v1/interactions"``. Context-local, so concurrent
    requests of a server each keep their own.
    """
    token = _ACTING.set((actor, source))
    try:
        yield
    finally:
        _ACTING.reset(token)


def os_user() -> str:
    """The operating-system user, as the command line's actor."""
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no name for the uid (a container): say which uid
        import os

        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"


def current(ws) -> tuple[str, str]:
    """(actor, source) for a change made now through ``ws``."""
    acting = _ACTING.get()
    if acting is not None:
        return acting
    return os_user(), ws.job_command or "python"


def record(ws, action: str, entity: str, key=None, detail: dict | None = None, *,
           conn=None) -> None:
    """Write one audit entry; inside ``conn``'s transaction when given.

    ``detail`` holds the figures of the change (never a password or a
    token); it is stored as JSON.
    """
    from guanxi.storage.access_tables import audit_log

    actor, source = current(ws)
    row = {"at": ws.now(), "actor": actor, "action": action, "entity": entity,
           "key": None if key is None else str(key),
           "detail": json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True)
           if detail else None,
           "source": source}
    if conn is not None:
        conn.execute(insert(audit_log).values(**row))
        return
    with ws.engine.begin() as own:
        own.execute(insert(audit_log).values(**row))


def _import_entry(args, kwargs, result):
    entity, path = (list(args) + [None, None])[:2]
    detail = result.as_json() if hasattr(result, "as_json") else None
    if isinstance(detail, dict):
        detail = {k: v for k, v in detail.items() if k != "rejects_file"}
    return "import", entity or kwargs.get("entity"), str(path or kwargs.get("path")), detail


def _reassign_entry(args, kwargs, result):
    return ("reassign", "customer", f"{result.from_manager}->{result.to_manager}",
            {"customers": result.customers, "tasks": result.tasks, "on": result.on})


def _merge_entry(args, kwargs, result):
    return ("customers merge", "customer", f"{result.dropped}->{result.kept}",
            {"moved": result.moved, "kept_apart": result.kept_apart, "on": result.on})


def _batch_entry(args, kwargs, result):
    return ("batch", "batch", str(getattr(result, "as_of", "") or ""),
            {"failures": list(getattr(result, "failures", []) or [])})


def _named_entry(action):
    def entry(args, kwargs, result):
        names = args[0] if args else kwargs.get("names")
        return action, action.split()[0], None, {"names": list(names or []),
                                                  "as_of": kwargs.get("as_of")}
    return entry


def _plan_entry(args, kwargs, result):
    return "plan build", "plan", str(getattr(result, "week", "") or ""), None


def _tick_entry(args, kwargs, result):
    return "cases tick", "case", None, {"at": getattr(result, "at", None)}


#: job name -> what its audit entry says; jobs not named (a KPI computed for
#: reading) are not changes a person makes.
_JOB_ENTRIES: dict[str, Callable] = {
    "import": _import_entry,
    "reassign": _reassign_entry,
    "customers merge": _merge_entry,
    "run": _batch_entry,
    "segment": _named_entry("segment"),
    "rules run": _named_entry("rules run"),
    "plan build": _plan_entry,
    "cases tick": _tick_entry,
}


def job(name: str):
    """Run a writing method under the workspace's job lock, then audit it.

    See :meth:`guanxi.Workspace.job` for the lock; the entry is written
    once the job is done (a failed job changed nothing).
    """

    def wrap(method):
        @functools.wraps(method)
        def locked(self, *args, **kwargs):
            with self.job(name):
                result = method(self, *args, **kwargs)
                entry = _JOB_ENTRIES.get(name)
                # A dry run (guanxi import --dry-run) changed nothing to audit.
                if entry is not None and not getattr(result, "dry_run", False):
                    action, entity, key, detail = entry(args, kwargs, result)
                    record(self, action, entity, key, detail)
                return result

        return locked

    return wrap
